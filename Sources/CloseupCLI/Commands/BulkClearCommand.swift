// The USER... | - commands that clear one kind of per-user key (attempts,
// verification, pending-video): reading and validating ids, and the summary.
import CloseupKit

enum BulkClearCommand {
    /// USER... | - : read and validate ids, clear them, print a summary or one JSON line per user.
    /// Exit 2 when a line of stdin was bad (the rest are still cleared); with `noneIsNegative`,
    /// exit 1 when no user had anything to clear (otp revoke: nothing to revoke).
    static func run(
        _ context: CommandContext, noun: (singular: String, plural: String),
        verb: (field: String, past: String) = ("cleared", "cleared"), noneIsNegative: Bool = false,
        _ body: ([UserID]) throws(CloseupError) -> [Bool]
    ) throws(CloseupError) -> Int32 {
        let (users, badInput) = try UserList.read(context.arguments.positionals, terminal: context.terminal)
        let cleared = try body(users)
        let count = cleared.filter { $0 }.count
        if context.json {
            for (user, wasSet) in zip(users, cleared) {
                context.emit([("user_id", .string(user.value)), (verb.field, .bool(wasSet))], text: "")
            }
        } else {
            let none = users.count - count
            context.emit(
                [],
                text: "\(verb.past) \(count) \(count == 1 ? noun.singular : noun.plural)"
                    + (none > 0 ? " (\(none) of \(users.count) users had none)" : ""))
        }
        if badInput { return 2 }
        return noneIsNegative && count == 0 ? 1 : 0
    }
}

/// The USER... | - arguments of bulk commands.
enum UserList {
    /// Valid user ids from the arguments (and stdin for '-'). A bad id on the command line is a
    /// typo: it stops the command before anything is cleared. A bad line on stdin is reported
    /// with its line number and skipped, so one bad line never holds up a bulk clean-up; the
    /// flag says whether there was one.
    static func read(_ arguments: [String], terminal: Terminal) throws(CloseupError) -> ([UserID], Bool) {
        let named = try arguments.map { argument throws(CloseupError) in argument == "-" ? nil : try UserID(argument) }
        var users: [UserID] = []
        var bad = false
        for user in named {
            if let user {
                users.append(user)
                continue
            }
            for line in StandardInput.lines() {
                do {
                    users.append(try UserID(line.text))
                } catch {
                    terminal.error("stdin line \(line.number): \(error.line)")
                    bad = true
                }
            }
        }
        return (users, bad)
    }
}
