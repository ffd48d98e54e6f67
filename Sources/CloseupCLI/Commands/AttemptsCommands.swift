// attempts get / clear: the failed-attempt counters that block users.
import CloseupKit

enum AttemptsCommands {
    static func get(_ context: CommandContext) throws(CloseupError) -> Int32 {
        let attempts = try AttemptsService(store: context.store).get(try UserID(context.arguments.positionals[0]))
        let blocked = attempts.blocked ? ", " + context.terminal.paint("blocked", .red) : ""
        let lifetime = attempts.count > 0 ? " (\(Format.lifetime(attempts.ttl)))" : ""
        context.emit(
            [
                ("user_id", .string(attempts.user.value)), ("attempts", .integer(attempts.count)),
                ("max_attempts", .integer(Int64(attempts.max))), ("blocked", .bool(attempts.blocked)),
                ("ttl_seconds", Format.ttl(attempts.ttl)),
            ], text: "\(attempts.user): \(attempts.count) of \(attempts.max) failed attempts\(blocked)\(lifetime)")
        return 0
    }

    static func clear(_ context: CommandContext) throws(CloseupError) -> Int32 {
        let service = AttemptsService(store: context.store)
        return try BulkClearCommand.run(
            context, noun: ("attempt counter", "attempt counters"), perUser: { users throws(CloseupError) in try service.clear(users) },
            counting: { users throws(CloseupError) in try service.clearCounting(users) })
    }
}
