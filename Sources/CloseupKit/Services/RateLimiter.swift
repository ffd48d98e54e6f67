// The seed's fixed-window rate limit: a counter per action and identifier whose
// TTL is the window, set when the window opens. One atomic step per check; a
// refused check does not count, so the counter never exceeds the limit.

/// The outcome of one rate-limit check.
public struct RateLimitDecision: Sendable, Equatable {
    public var allowed: Bool
    /// Requests counted in the current window.
    public var count: Int64
    public var limit: Int64
    public var remaining: Int64 { max(0, limit - min(max(count, 0), limit)) }
    /// Seconds until the window closes; 0 when no window is open, nil when the counter has no TTL.
    public var resetInSeconds: Int64?
}

public struct RateLimiter {
    let store: Store
    let clock: Clock

    public init(store: Store, clock: Clock = .system) {
        self.store = store
        self.clock = clock
    }

    /// Counts one request unless the limit is reached (or `peek`, which never counts).
    public func check(
        _ action: RateLimitAction, _ identifier: RateLimitIdentifier, limit: Int64, window: Int64, peek: Bool = false
    ) throws(CloseupError) -> RateLimitDecision {
        let key = CacheKeys.rateLimit(action, identifier)
        return try store.perform(
            idempotent: peek,
            redis: { redis in try Self.check(redis, key: key, limit: limit, window: window, peek: peek) },
            sqlite: { database in
                try Self.check(database, key: key, limit: limit, window: window, peek: peek, now: clock.epochSeconds)
            })
    }

    /// The Redis step of `check`: one script (or, for a peek, one read-only round trip).
    static func check(
        _ redis: RedisClient, key: String, limit: Int64, window: Int64, peek: Bool
    ) throws -> RateLimitDecision {
        if peek {
            let replies = try redis.pipeline([RedisCommand("GET", key), RedisCommand("TTL", key)])
            return try peeked(replies[0], replies[1], key: key, limit: limit)
        }
        let reply = try redis.run(checkScript, key: key, arguments: [String(limit), String(window)])
        let result = try checked(reply, corrupt: corrupt(key))
        return decision(allowed: result.allowed, count: result.count, limit: limit, lifetime: result.lifetime)
    }

    /// A peek's decision from a GET and a TTL of the counter.
    static func peeked(_ value: RedisReply, _ ttl: RedisReply, key: String, limit: Int64) throws -> RateLimitDecision {
        let count = try counter(value, key: key)
        return decision(allowed: count < limit, count: count, limit: limit, lifetime: try ttl.lifetime())
    }

    /// The check script's reply {allowed, count, ttl}; allowed -1 means the counter is not a count.
    static func checked(
        _ reply: RedisReply, corrupt: CloseupError
    ) throws -> (allowed: Bool, count: Int64, lifetime: Lifetime) {
        let items = try reply.array()
        guard items.count == 3 else {
            throw RedisError.unexpectedReply(
                command: reply.command, expected: "{allowed, count, ttl}", received: "\(items.count) values")
        }
        let allowed = try items[0].integer(), count = try items[1].integer()
        if allowed == -1 { throw corrupt }
        guard allowed == 0 || allowed == 1, count >= 0 else {
            throw RedisError.unexpectedReply(
                command: reply.command, expected: "{allowed, count, ttl}", received: "{\(allowed), \(count), …}")
        }
        return (allowed == 1, count, try items[2].lifetime())
    }

    /// The SQLite step of `check`, in one IMMEDIATE transaction.
    static func check(
        _ database: SQLiteDatabase, key: String, limit: Int64, window: Int64, peek: Bool, now: Int64
    ) throws(CloseupError) -> RateLimitDecision {
        try database.transaction { () throws(CloseupError) in
            var (count, expires) = try row(database, key: key, now: now)
            let allowed = count < limit
            if allowed && !peek {
                if count == 0 { expires = now + window }
                count += 1
                try database.prepare(
                    "INSERT INTO rate_limits (key, count, expires_epoch) VALUES (?, ?, ?)"
                        + " ON CONFLICT (key) DO UPDATE SET count = excluded.count, expires_epoch = excluded.expires_epoch"
                ).run([.text(key), .integer(count), .integer(expires)])
            }
            return decision(allowed: allowed, count: count, limit: limit, lifetime: count == 0 ? .gone : .seconds(expires - now))
        }
    }

    /// Deletes the counter; true when there was one.
    @discardableResult
    public func reset(_ action: RateLimitAction, _ identifier: RateLimitIdentifier) throws(CloseupError) -> Bool {
        let key = CacheKeys.rateLimit(action, identifier)
        return try store.perform(
            redis: { redis in try redis.call(RedisCommand("DEL", key)).flag() },
            sqlite: { database in
                try database.prepare("DELETE FROM rate_limits WHERE key = ? AND expires_epoch > ?")
                    .run([.text(key), .integer(clock.epochSeconds)])
                return database.changes > 0
            })
    }

    /// Takes back one counted request (a send that was withdrawn), keeping the window.
    static func release(_ redis: RedisClient, key: String) throws {
        _ = try redis.run(releaseScript, key: key)
    }

    static func release(_ database: SQLiteDatabase, key: String) throws(CloseupError) {
        try database.prepare("UPDATE rate_limits SET count = count - 1 WHERE key = ? AND count > 0").run([.text(key)])
    }

    static func decision(allowed: Bool, count: Int64, limit: Int64, lifetime: Lifetime) -> RateLimitDecision {
        let reset: Int64? =
            switch lifetime {
            case .seconds(let seconds): seconds
            case .gone: 0
            case .noExpiry: nil
            }
        return RateLimitDecision(allowed: allowed, count: count, limit: limit, resetInSeconds: reset)
    }

    /// The live counter and its expiry; an expired row counts as none.
    static func row(_ database: SQLiteDatabase, key: String, now: Int64) throws(CloseupError) -> (Int64, Int64) {
        let select = try database.prepare("SELECT count, expires_epoch FROM rate_limits WHERE key = ?")
        try select.bind([.text(key)])
        guard try select.step(), let expires = select.integer(1), expires > now else { return (0, 0) }
        return (select.integer(0) ?? 0, expires)
    }

    static func counter(_ reply: RedisReply, key: String) throws -> Int64 {
        guard let text = try reply.text() else { return 0 }
        guard let count = Int64(text), count >= 0 else { throw corrupt(key) }
        return count
    }

    static func corrupt(_ key: String) -> CloseupError {
        CloseupError(.corrupt, "corrupt counter at '\(key)': not a decimal count; it was left as it is")
    }

    /// KEYS[1] counter; ARGV limit, window. Returns {allowed, count, ttl}; allowed -1 means corrupt
    /// (not a decimal count, or one of more than 15 digits, past what Lua's numbers hold exactly).
    /// Heals a counter found without TTL; counts only when under the limit. A new window's counter
    /// is created with its TTL in one command, so no refusal between two writes (an ACL without
    /// EXPIRE, OOM) can leave a counter that never expires.
    static let checkScript = RedisScript(
        """
        local raw = redis.call('GET', KEYS[1])
        if raw and (not string.match(raw, '^%d+$') or #raw > 15) then return {-1, 0, 0} end
        local count = tonumber(raw or '0')
        local ttl = redis.call('TTL', KEYS[1])
        if raw and ttl == -1 then
          redis.call('EXPIRE', KEYS[1], ARGV[2])
          ttl = tonumber(ARGV[2])
        end
        if count >= tonumber(ARGV[1]) then return {0, count, ttl} end
        if not raw then
          redis.call('SET', KEYS[1], '1', 'EX', ARGV[2])
          return {1, 1, tonumber(ARGV[2])}
        end
        return {1, redis.call('INCR', KEYS[1]), ttl}
        """)

    /// KEYS[1] counter. Decrements (deleting at zero), keeping the window's TTL.
    static let releaseScript = RedisScript(
        """
        local raw = redis.call('GET', KEYS[1])
        if not raw or not string.match(raw, '^%d+$') then return 0 end
        if tonumber(raw) <= 1 then
          redis.call('DEL', KEYS[1])
          return 0
        end
        return redis.call('DECR', KEYS[1])
        """)
}
