// The USER... | - commands that clear one kind of per-user key (attempts,
// verification, pending-video): reading and validating ids, and the summary.
import CloseupKit

enum BulkClearCommand {
    /// USER... | - : read and validate ids, clear them, print a summary or one JSON line per user.
    /// Exit 2 when some input was bad (the rest are still cleared).
    static func run(
        _ context: CommandContext, noun: (singular: String, plural: String),
        _ body: ([UserID]) throws(CloseupError) -> [Bool]
    ) throws(CloseupError) -> Int32 {
        let (users, badInput) = UserList.read(context.arguments.positionals, terminal: context.terminal)
        let cleared = try body(users)
        if context.json {
            for (user, wasSet) in zip(users, cleared) {
                context.terminal.line(JSON.object([("user_id", .string(user.value)), ("cleared", .bool(wasSet))]).serialized)
            }
        } else {
            let count = cleared.filter { $0 }.count
            let none = users.count - count
            context.terminal.line(
                "cleared \(count) \(count == 1 ? noun.singular : noun.plural)"
                    + (none > 0 ? " (\(none) of \(users.count) users had none)" : ""))
        }
        return badInput ? 2 : 0
    }
}

/// The USER... | - arguments of bulk commands.
enum UserList {
    /// Valid user ids from the arguments (and stdin for '-'); each bad one is reported on stderr
    /// with its line number and skipped. The flag says whether any was bad.
    static func read(_ arguments: [String], terminal: Terminal) -> ([UserID], Bool) {
        var users: [UserID] = []
        var bad = false
        for argument in arguments {
            if argument == "-" {
                for line in StandardInput.lines() {
                    do {
                        users.append(try UserID(line.text))
                    } catch {
                        terminal.error("stdin line \(line.number): \(error.message)")
                        bad = true
                    }
                }
            } else {
                do {
                    users.append(try UserID(argument))
                } catch {
                    terminal.error(error.message)
                    bad = true
                }
            }
        }
        return (users, bad)
    }
}
