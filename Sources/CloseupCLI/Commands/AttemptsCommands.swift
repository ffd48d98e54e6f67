// attempts get / clear / list: the failed-attempt counters that block users.
import CloseupKit

enum AttemptsCommands {
    static func get(_ context: CommandContext) throws(CloseupError) -> Int32 {
        let attempts = try AttemptsService(store: context.store).get(try UserID(context.arguments.positionals[0]))
        let blocked = attempts.blocked ? ", " + context.terminal.paint("blocked", .red) : ""
        let lifetime = attempts.count > 0 ? " (\(Format.lifetime(attempts.ttl)))" : ""
        context.emit(
            [
                ("user_id", .string(attempts.user.value)), ("count", .integer(attempts.count)),
                ("max", .integer(Int64(attempts.max))), ("blocked", .bool(attempts.blocked)),
                ("ttl_seconds", Format.ttl(attempts.ttl)),
            ], text: "\(attempts.user): \(attempts.count) of \(attempts.max) failed attempts\(blocked)\(lifetime)")
        return 0
    }

    /// One line (or JSON object) per user with a counter, a SCAN batch at a time.
    static func list(_ context: CommandContext) throws(CloseupError) -> Int32 {
        let max = Int64(context.settings.maxAttempts)
        let minimum = context.arguments.has("blocked") ? max : context.arguments.value("min").flatMap { Int64($0) } ?? 1
        let terminal = context.terminal
        var users = 0, blocked = 0
        terminal.beginProgress(stdoutQuiet: false)
        defer { terminal.endProgress() }
        try AttemptsService(store: context.store).list(
            minimum: minimum,
            found: { counters in
                for attempts in counters {
                    users += 1
                    if attempts.blocked { blocked += 1 }
                    let flag = attempts.blocked ? ", " + terminal.paint("blocked", .red) : ""
                    context.emit(
                        [
                            ("user_id", .string(attempts.user.value)), ("count", .integer(attempts.count)),
                            ("max", .integer(Int64(attempts.max))), ("blocked", .bool(attempts.blocked)),
                            ("ttl_seconds", Format.ttl(attempts.ttl)),
                        ],
                        text: "\(attempts.user): \(attempts.count) of \(attempts.max) failed attempts\(flag)"
                            + " (\(Format.lifetime(attempts.ttl)))")
                }
                terminal.flush()
                return !terminal.isClosed
            },
            progress: { seen in
                terminal.progress { seconds in
                    "looked at \(ProgressLine.grouped(seen)) counters, listed \(ProgressLine.grouped(users))"
                        + " (\(ProgressLine.rate(seen, seconds)))"
                }
            })
        terminal.endProgress()
        // A reader that went away (| head) ends the list quietly.
        if !context.json, terminal.writeFailure != .readerGone {
            let floor = minimum > 1 ? "at least \(minimum) failed attempts" : "failed attempts"
            terminal.note("\(users) user\(users == 1 ? "" : "s") with \(floor), \(blocked) blocked")
        }
        return 0
    }

    static func clear(_ context: CommandContext) throws(CloseupError) -> Int32 {
        let service = AttemptsService(store: context.store)
        return try BulkClearCommand.run(
            context, noun: ("attempt counter", "attempt counters"), perUser: { users throws(CloseupError) in try service.clear(users) },
            counting: { users throws(CloseupError) in try service.clearCounting(users) })
    }
}
