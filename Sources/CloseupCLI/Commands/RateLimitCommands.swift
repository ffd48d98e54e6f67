// ratelimit check / reset.
import CloseupKit

enum RateLimitCommands {
    static func check(_ context: CommandContext) throws(CloseupError) -> CommandResult {
        let arguments = context.arguments
        let action = try RateLimitAction(arguments.positionals[0])
        let identifier = try RateLimitIdentifier(arguments.positionals[1], for: action)
        let decision = try RateLimiter(store: context.store).check(
            action, identifier, limit: Int64(arguments.value("max")!)!, window: Int64(arguments.value("window")!)!,
            peek: arguments.has("peek"))
        let terminal = context.terminal
        let verdict = decision.allowed ? terminal.paint("allowed", .green) : terminal.paint("limited", .red)
        let reset = decision.resetInSeconds.map { "window resets in \($0) s" } ?? "the counter has no expiry"
        return CommandResult(
            fields: [
                (.action, .string(action.value)), (.identifier, .string(identifier.value)),
                (.allowed, .bool(decision.allowed)), (.count, .integer(decision.count)),
                (.max, .integer(decision.limit)), (.remaining, .integer(decision.remaining)),
                (.resetInSeconds, Format.ttl(decision.resetInSeconds)),
            ],
            text: "\(verdict): \(decision.count) of \(decision.limit) in the window, \(decision.remaining) left; \(reset)",
            outcome: decision.allowed ? .success : .negative(.rateLimited))
    }

    static func reset(_ context: CommandContext) throws(CloseupError) -> CommandResult {
        let action = try RateLimitAction(context.arguments.positionals[0])
        let identifier = try RateLimitIdentifier(context.arguments.positionals[1], for: action)
        let existed = try RateLimiter(store: context.store).reset(action, identifier)
        return CommandResult(
            fields: [(.action, .string(action.value)), (.identifier, .string(identifier.value)), (.cleared, .bool(existed))],
            text: existed
                ? "reset \(action.value) for \(Format.identifier(identifier, of: action))"
                : "no counter for \(action.value) \(Format.identifier(identifier, of: action))")
    }
}
