// Failures of the Redis layer, kept apart so the store policy can tell
// "Redis is not there" (fall back to SQLite) from "Redis said no" (report it).

/// What went wrong talking to one Redis server.
public enum RedisError: Error, Equatable, Sendable {
    /// Could not connect, or the server never answered: SQLite may take over.
    case unreachable(target: String, reason: String)
    /// A server that had answered before went quiet past the operation timeout.
    case timedOut(target: String, command: String, seconds: Double)
    /// The connection broke after the server had answered.
    case connectionLost(target: String, reason: String)
    /// An error reply (`-ERR`, `-WRONGTYPE`, `-NOAUTH`…) to `command`.
    case reply(command: String, message: String)
    /// A reply of another type than the command has (an integer where a string belongs).
    case unexpectedReply(command: String, expected: String, received: String)
    /// Bytes that are not RESP.
    case protocolViolation(target: String, reason: String)
    /// The resolver answered that `host` does not exist: a configuration problem, never a reason to fall back.
    case noSuchHost(target: String, host: String)
    /// TLS could not be set up or verified: a configuration problem, never a reason to fall back.
    case tls(target: String, message: String, remedy: CloseupError.Remedy?)

    /// Error replies that mean the credentials or their permissions, not the request, are wrong.
    /// A script calling a command its user may not run is refused as "ERR The user executing
    /// the script can't run this command" (Redis 7.0): a permission error all the same.
    public var isAuthentication: Bool {
        guard case .reply(_, let message) = self else { return false }
        return message.hasPrefix("NOAUTH") || message.hasPrefix("WRONGPASS") || message.hasPrefix("NOPERM")
            || message.hasPrefix("ERR AUTH") || message.contains("invalid username-password")
            || message.contains("user executing the script can't run")
    }

    /// The connection is not authenticated at all (no password, a wrong one): unlike a refused
    /// command (NOPERM), nothing else will be allowed either.
    public var isUnauthenticated: Bool {
        guard case .reply(_, let message) = self else { return false }
        return message.hasPrefix("NOAUTH") || message.hasPrefix("WRONGPASS") || message.hasPrefix("ERR AUTH")
            || message.contains("invalid username-password")
    }

    /// The server will not run this command for us (an ACL without it, a managed service that
    /// disabled or does not know it): what SPEC §2 "least privilege" tolerates for INFO,
    /// CLUSTER and CONFIG. A server that is busy, loading or failing is not refusing.
    public var isRefusal: Bool {
        guard case .reply(_, let message) = self, !isUnauthenticated else { return false }
        return message.hasPrefix("NOPERM") || message.contains("user executing the script can't run")
            || message.hasPrefix("ERR unknown command") || message.hasPrefix("ERR unknown subcommand")
            || message.contains("command is disabled") || message.contains("not allowed")
    }

    /// A key of another type than the command reads (a hash where a counter belongs): a problem
    /// of that key, which a command over many keys reports and passes over.
    public var isWrongType: Bool {
        guard case .reply(_, let message) = self else { return false }
        return message.hasPrefix("WRONGTYPE")
    }

    /// The user-facing error with its SPEC §4 exit status.
    public var closeupError: CloseupError {
        switch self {
        case .unreachable(let target, let reason):
            .unavailable("cannot reach Redis at \(target): \(reason); check that it runs and the address is right")
        case .timedOut(let target, let command, let seconds):
            .unavailable(
                "Redis at \(target) did not answer \(command) within \(formatSeconds(seconds)) s",
                remedy: .raiseTimeout)
        case .connectionLost(let target, let reason):
            .unavailable("lost the connection to Redis at \(target): \(reason)")
        case .reply(let command, let message) where isAuthentication:
            .configuration(
                "Redis refused \(command): \(Self.sentence(message))",
                remedy: isUnauthenticated ? .checkCredentials : .grantPermission)
        case .reply(let command, let message):
            .unavailable("Redis answered \(command) with an error: \(Self.sentence(message))")
        case .unexpectedReply(let command, let expected, let received):
            .unavailable("Redis answered \(command) with \(received) where \(expected) belongs; is it really Redis?")
        case .protocolViolation(let target, let reason):
            .unavailable("Redis at \(target) sent something that is not RESP (\(reason)); is it really Redis?")
        case .noSuchHost(_, let host):
            .configuration("Redis host '\(host)' does not exist (the resolver knows no such name)", remedy: .checkRedisHost)
        case .tls(let target, let message, let remedy):
            .configuration("\(message) (Redis at \(target))", remedy: remedy)
        }
    }
}

extension RedisError {
    /// A server's message as part of closeup's line: without its closing period, so advice can follow.
    static func sentence(_ message: String) -> String {
        message.hasSuffix(".") ? String(message.dropLast()) : message
    }
}

/// Seconds without a useless ".0": 5 -> "5", 0.25 -> "0.25".
func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() && abs(seconds) < 1e15 ? String(Int64(seconds)) : String(seconds)
}
