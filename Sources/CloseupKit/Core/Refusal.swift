// What policy refused, as a value: the CLI turns it into a result a script can
// read (SPEC §4: a refusal prints its reason and what comes next on stdout).

/// Why an action was refused (exit 4), with what the user or a script needs next.
public enum Refusal: Sendable, Equatable {
    /// The user's failed attempts reached the maximum.
    case blocked(user: UserID, count: Int64, max: Int64)
    /// A live code is in the way of a send; `ttl` is nil when it has no expiry.
    case liveOTP(user: UserID, ttl: Int64?)
    /// The mobile number's send window is full; `resetIn` is nil when the counter has no TTL.
    case rateLimited(mobile: MobileNumber, count: Int64, max: Int64, resetIn: Int64?)
}
