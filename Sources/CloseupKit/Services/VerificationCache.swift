// `user:verification:<user>`: the backend's cached "is this user verified",
// true or false with a TTL (default 3600 s). A cached false is an answer.

public struct VerificationCache {
    public static let defaultTTL: Int64 = 3600

    let store: Store
    let clock: Clock

    public init(store: Store, clock: Clock = .system) {
        self.store = store
        self.clock = clock
    }

    /// The cached answer, or nil when nothing is cached.
    public func get(_ user: UserID) throws(CloseupError) -> Cached<Bool>? {
        let key = CacheKeys.userVerification(user)
        return try store.perform(
            idempotent: true,
            redis: { redis in
                let replies = try redis.pipeline([RedisCommand("GET", key), RedisCommand("TTL", key)])
                return try Self.cached(replies[0], replies[1], key: key)
            },
            sqlite: { database in
                let now = clock.epochSeconds
                let select = try database.prepare(
                    "SELECT verified, expires_epoch FROM verification_cache WHERE user_id = ? AND expires_epoch > ?")
                try select.bind([.text(user.value), .integer(now)])
                guard try select.step() else { return nil }
                return Cached(value: select.integer(0) == 1, ttl: (select.integer(1) ?? now) - now)
            })
    }

    /// The cached status from a GET and a TTL of its key; nil when nothing is cached.
    static func cached(_ value: RedisReply, _ ttl: RedisReply, key: String) throws -> Cached<Bool>? {
        guard let text = try value.text() else { return nil }
        guard let verified = Self.parse(text) else {
            throw CloseupError(.corrupt, "corrupt verification cache at '\(key)': expected true or false; it was left as it is")
        }
        return Cached(value: verified, ttl: try ttl.lifetime().seconds)
    }

    public func set(_ user: UserID, verified: Bool, ttl: Int64 = defaultTTL) throws(CloseupError) {
        let key = CacheKeys.userVerification(user)
        _ = try store.perform(
            redis: { redis in
                _ = try redis.call(RedisCommand("SET", key, verified ? "true" : "false", "EX", String(ttl))).status()
            },
            sqlite: { database in
                try database.prepare(
                    "INSERT INTO verification_cache (user_id, verified, expires_epoch) VALUES (?, ?, ?)"
                        + " ON CONFLICT (user_id) DO UPDATE SET verified = excluded.verified, expires_epoch = excluded.expires_epoch"
                ).run([.text(user.value), .integer(verified ? 1 : 0), .integer(clock.epochSeconds + ttl)])
            })
    }

    /// Clears the cache for `users`; true for each user who had an entry.
    public func clear(_ users: [UserID]) throws(CloseupError) -> [Bool] {
        try BulkClear.clear(.verification, users, store: store, clock: clock)
    }

    /// Clears the same, saying only how many users had one (fewer commands for the server).
    public func clearCounting(_ users: [UserID]) throws(CloseupError) -> Int {
        try BulkClear.clearCounting(.verification, users, store: store, clock: clock)
    }

    /// The backend writes `true`/`false`; Python's str(bool) would be `True`/`False`, so case is ignored.
    static func parse(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true": true
        case "false": false
        default: nil
        }
    }
}
