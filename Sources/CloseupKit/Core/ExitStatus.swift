// The exit statuses of SPEC §4, the same for every command: the only place a
// number stands for an outcome.

/// How a run ends.
public struct ExitStatus: RawRepresentable, Hashable, Sendable {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Sent, valid, allowed, found, cleared.
    public static let success = ExitStatus(rawValue: 0)
    /// Wrong code, no live OTP, rate-limited (`ratelimit check`), nothing cached, nothing to revoke.
    public static let negative = ExitStatus(rawValue: 1)
    public static let usage = ExitStatus(rawValue: 2)
    public static let unavailable = ExitStatus(rawValue: 3)
    /// Blocked user, live OTP, send rate limit.
    public static let refused = ExitStatus(rawValue: 4)
    public static let configuration = ExitStatus(rawValue: 5)
    public static let corrupt = ExitStatus(rawValue: 6)
    public static let internalError = ExitStatus(rawValue: 70)

    /// A run a signal ended, as shells report it.
    public static func signal(_ number: Int32) -> ExitStatus { ExitStatus(rawValue: 128 + number) }
}
