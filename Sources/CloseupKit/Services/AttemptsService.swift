// Failed-attempt counters (`otp:attempts:<user>`): counted atomically with
// their TTL set when the counter is created (never extended by later
// failures), read, and cleared — one by one or in pipelined batches.

/// A user's failed attempts against the blocking threshold.
public struct AttemptCount: Sendable, Equatable {
    public var user: UserID
    public var count: Int64
    public var max: Int
    /// Seconds until the counter expires; nil without a counter (or without a TTL).
    public var ttl: Int64?
    public var blocked: Bool { count >= Int64(max) }
}

public struct AttemptsService {
    /// The seed's counter lifetime: one hour from the first failure.
    public static let counterTTL: Int64 = 3600

    let store: Store
    let clock: Clock

    public init(store: Store, clock: Clock = .system) {
        self.store = store
        self.clock = clock
    }

    public func get(_ user: UserID) throws(CloseupError) -> AttemptCount {
        let key = CacheKeys.otpAttempts(user)
        let max = store.settings.maxAttempts
        return try store.perform(
            idempotent: true,
            redis: { redis in
                let replies = try redis.pipeline([RedisCommand("GET", key), RedisCommand("TTL", key)])
                let count = try Self.count(replies[0], key: key)
                let ttl = replies[1].integer ?? -2
                return AttemptCount(user: user, count: count, max: max, ttl: ttl >= 0 ? ttl : nil)
            },
            sqlite: { database in
                let (count, expires) = try Self.row(database, user: user, now: clock.epochSeconds)
                return AttemptCount(
                    user: user, count: count, max: max, ttl: count > 0 ? expires - clock.epochSeconds : nil)
            })
    }

    /// Counts one failure in SQLite, with the same lifetime rule. Call inside a transaction.
    static func recordFailure(_ database: SQLiteDatabase, user: UserID, now: Int64) throws(CloseupError) -> Int64 {
        var (count, expires) = try row(database, user: user, now: now)
        if count == 0 { expires = now + counterTTL }
        count += 1
        try database.prepare(
            "INSERT INTO otp_attempts (user_id, count, expires_epoch) VALUES (?, ?, ?)"
                + " ON CONFLICT (user_id) DO UPDATE SET count = excluded.count, expires_epoch = excluded.expires_epoch"
        ).run([.text(user.value), .integer(count), .integer(expires)])
        return count
    }

    /// Clears the counters of `users`, streamed through one pipeline; true for each user who had one.
    /// With Redis up, SQLite's counters are cleared too, so a user is unblocked everywhere.
    public func clear(_ users: [UserID]) throws(CloseupError) -> [Bool] {
        try BulkClear.clear(.attempts, users, store: store, now: clock.epochSeconds)
    }

    /// Taking an attempt is counting one request against a fixed window of max requests in
    /// an hour: the rate limiter's script, on the attempts key (it heals a missing TTL too).
    static let takeScript = RateLimiter.checkScript

    /// The take script's reply: whether the attempt was taken, and the count it reached (or,
    /// refused, the count that blocks the user).
    static func taken(_ reply: RESPValue, key: String) throws -> (taken: Bool, count: Int64) {
        if case .error(let message) = reply { throw RedisError.reply(command: "script on \(key)", message: message) }
        let parts = reply.array ?? []
        guard parts.count == 3, let allowed = parts[0].integer, allowed >= 0, let count = parts[1].integer else {
            throw corrupt(key)
        }
        return (allowed == 1, count)
    }

    static func row(_ database: SQLiteDatabase, user: UserID, now: Int64) throws(CloseupError) -> (Int64, Int64) {
        let select = try database.prepare("SELECT count, expires_epoch FROM otp_attempts WHERE user_id = ?")
        try select.bind([.text(user.value)])
        guard try select.step(), let expires = select.integer(1), expires > now else { return (0, 0) }
        return (select.integer(0) ?? 0, expires)
    }

    static func count(_ reply: RESPValue, key: String) throws(CloseupError) -> Int64 {
        if reply.isNull { return 0 }
        guard let count = reply.integer, count >= 0 else { throw corrupt(key) }
        return count
    }

    static func corrupt(_ key: String) -> CloseupError {
        CloseupError(.corrupt, "corrupt attempt counter at '\(key)': not a decimal count; it was left as it is")
    }
}
