// attempts get / clear / list: the failed-attempt counters that block users.
import CloseupKit

enum AttemptsCommands {
    static func get(_ context: CommandContext) throws(CloseupError) -> CommandResult {
        result(try AttemptsService(store: context.store).get(try UserID(context.arguments.positionals[0])), context.terminal)
    }

    /// One user's counter, for `get` and each line of `list`.
    static func result(_ attempts: AttemptCount, _ terminal: Terminal) -> CommandResult {
        let blocked = attempts.blocked ? ", " + terminal.paint("blocked", .red) : ""
        let lifetime = attempts.count > 0 ? " (\(Format.lifetime(attempts.ttl)))" : ""
        return CommandResult(
            fields: [
                (.userID, .string(attempts.user.value)), (.count, .integer(attempts.count)),
                (.max, .integer(Int64(attempts.max))), (.blocked, .bool(attempts.blocked)),
                (.ttlSeconds, Format.ttl(attempts.ttl)),
            ], text: "\(attempts.user): \(attempts.count) of \(attempts.max) failed attempts\(blocked)\(lifetime)")
    }

    /// One line (or JSON object) per user with a counter, a SCAN batch at a time.
    static func list(_ context: CommandContext) throws(CloseupError) -> ExitStatus {
        let max = Int64(context.settings.maxAttempts)
        let minimum = context.arguments.has("blocked") ? max : context.arguments.value("min").flatMap { Int64($0) } ?? 1
        let terminal = context.terminal
        var users = 0, blocked = 0
        var status = ExitStatus.success
        terminal.beginProgress(stdoutQuiet: false)
        defer { terminal.endProgress() }
        try AttemptsService(store: context.store).list(
            minimum: minimum,
            found: { counters in
                for attempts in counters {
                    users += 1
                    if attempts.blocked { blocked += 1 }
                    context.render(result(attempts, terminal))
                }
                terminal.flush()
                return !terminal.isClosed
            },
            problem: { problem in
                // Said, and the list goes on; the first decides the exit status (6, or 3 for a
                // key of another type, as every command answers it).
                terminal.report(problem)
                if status == .success { status = problem.status }
            },
            progress: { seen in
                terminal.progress { seconds in
                    "looked at \(ProgressLine.grouped(seen)) counters, listed \(ProgressLine.grouped(users))"
                        + " (\(ProgressLine.rate(seen, seconds)))"
                }
            })
        terminal.endProgress()
        // A reader that went away (| head) ends the list quietly.
        if terminal.writeFailure != .readerGone {
            let floor = minimum > 1 ? "at least \(minimum) failed attempts" : "failed attempts"
            terminal.note("\(users) user\(users == 1 ? "" : "s") with \(floor), \(blocked) blocked")
        }
        return status
    }

    static func clear(_ context: CommandContext) throws(CloseupError) -> ExitStatus {
        let service = AttemptsService(store: context.store)
        return try BulkClearCommand.run(
            context, noun: ("attempt counter", "attempt counters"), perUser: { users throws(CloseupError) in try service.clear(users) },
            counting: { users throws(CloseupError) in try service.clearCounting(users) })
    }
}
