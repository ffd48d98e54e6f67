// attempts get / clear: the failed-attempt counters that block users.
import CloseupKit

enum AttemptsCommands {
    static func get(_ context: CommandContext) throws(CloseupError) -> Int32 {
        let attempts = try AttemptsService(store: context.store).get(try UserID(context.arguments.positionals[0]))
        if context.json {
            context.terminal.line(
                JSON.object([
                    ("user_id", .string(attempts.user.value)), ("attempts", .integer(attempts.count)),
                    ("max_attempts", .integer(Int64(attempts.max))), ("blocked", .bool(attempts.blocked)),
                    ("ttl_seconds", Format.ttl(attempts.ttl)),
                ]).serialized)
        } else {
            let blocked = attempts.blocked ? ", " + context.terminal.paint("blocked", .red) : ""
            let lifetime = attempts.count > 0 ? " (\(Format.lifetime(attempts.ttl)))" : ""
            context.terminal.line("\(attempts.user): \(attempts.count) of \(attempts.max) failed attempts\(blocked)\(lifetime)")
        }
        return 0
    }

    static func clear(_ context: CommandContext) throws(CloseupError) -> Int32 {
        let (users, badInput) = UserList.read(context.arguments.positionals, terminal: context.terminal)
        let cleared = try AttemptsService(store: context.store).clear(users)
        if context.json {
            for (user, wasSet) in zip(users, cleared) {
                context.terminal.line(JSON.object([("user_id", .string(user.value)), ("cleared", .bool(wasSet))]).serialized)
            }
        } else {
            let count = cleared.filter { $0 }.count
            context.terminal.line(
                "cleared \(count) attempt counter\(count == 1 ? "" : "s")"
                    + (users.count > count ? " (\(users.count - count) of \(users.count) users had none)" : ""))
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
