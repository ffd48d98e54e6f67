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
                return try Self.attempts(replies[0], replies[1], user: user, max: max)
            },
            sqlite: { database in
                let (count, expires) = try Self.row(database, user: user, now: clock.epochSeconds)
                return AttemptCount(
                    user: user, count: count, max: max, ttl: count > 0 ? expires - clock.epochSeconds : nil)
            })
    }

    /// Every user with a counter of at least `minimum` (SPEC §3 `attempts list`): a SCAN of the
    /// counters on every master, each SCAN batch's counts and TTLs read in one pipeline, handed
    /// to `found` a batch at a time (nothing kept across batches: flat memory, and a counter SCAN
    /// returns twice may come twice); in SQLite the live rows of `otp_attempts`. `found` returns
    /// false to stop; `progress` gets the counters seen so far after each batch.
    public func list(
        minimum: Int64, found: ([AttemptCount]) -> Bool, problem: (CloseupError) -> Void, progress: (Int) -> Void = { _ in }
    ) throws(CloseupError) {
        let max = store.settings.maxAttempts
        var request = KeyScanRequest()
        request.kinds = [.attempts]
        var keys: [ScannedKey] = []
        var seen = 0
        var failure: CloseupError?
        // One bad counter among thousands (not a count, or a key of another type) is handed to
        // `problem` and passed over, not the end of the list.
        func each(_ users: [UserID], _ read: (Int) throws -> AttemptCount) throws(CloseupError) -> [AttemptCount] {
            var counts: [AttemptCount] = []
            for index in users.indices {
                do {
                    counts.append(try read(index))
                } catch let error as CloseupError where error.kind == .corrupt {
                    problem(error)
                } catch let error as RedisError {
                    guard error.isWrongType else { throw error.closeupError }
                    var wrongType = error.closeupError
                    wrongType.message += " (at '\(CacheKeys.otpAttempts(users[index]))', left out of the list)"
                    problem(wrongType)
                } catch let error as CloseupError {
                    throw error
                } catch {
                    throw CloseupError(.internal, "unexpected error listing counters: \(error)")
                }
            }
            return counts
        }
        // Reads the batch's counters from the store that served the scan.
        func counts() throws(CloseupError) -> [AttemptCount] {
            let users = keys.compactMap { key in key.text.flatMap(KeyKind.userPart).flatMap { try? UserID($0) } }
            guard !users.isEmpty else { return [] }
            if let redis = try store.redis() {
                let replies: [RedisReply]
                do throws(RedisError) {
                    replies = try redis.pipelineKeepingErrors(
                        users.flatMap { user in
                            let key = CacheKeys.otpAttempts(user)
                            return [RedisCommand("GET", key), RedisCommand("TTL", key)]
                        })
                } catch {
                    throw error.closeupError
                }
                return try each(users) { index in
                    try Self.attempts(replies[2 * index], replies[2 * index + 1], user: users[index], max: max)
                }
            }
            let database = try store.sqlite()
            let now = clock.epochSeconds
            return try each(users) { index in
                let (count, expires) = try Self.row(database, user: users[index], now: now)
                return AttemptCount(user: users[index], count: count, max: max, ttl: count > 0 ? expires - now : nil)
            }
        }
        _ = try KeyScanner(store: store, clock: clock).scan(
            request, found: { key in
                keys.append(key)
                return true
            },
            endOfBatch: { _ in
                defer { keys.removeAll(keepingCapacity: true) }
                do throws(CloseupError) {
                    seen += keys.count
                    // A counter gone or below the floor since SCAN saw it is left out.
                    let listed = try counts().filter { $0.count >= Swift.max(minimum, 1) }
                    let going = listed.isEmpty || found(listed)
                    progress(seen)
                    return going
                } catch {
                    failure = error
                    return false
                }
            })
        if let failure { throw failure }
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
        try BulkClear.clear(.attempts, users, store: store, clock: clock)
    }

    /// Clears the same, saying only how many users had one (fewer commands for the server).
    public func clearCounting(_ users: [UserID]) throws(CloseupError) -> Int {
        try BulkClear.clearCounting(.attempts, users, store: store, clock: clock)
    }

    /// Taking an attempt is counting one request against a fixed window of max requests in
    /// an hour: the rate limiter's script, on the attempts key (it heals a missing TTL too).
    static let takeScript = RateLimiter.checkScript

    /// The take script's reply {allowed, count, ttl}: whether the attempt was taken, and the
    /// count it reached (or, refused, the count that blocks the user).
    static func taken(_ reply: RedisReply, key: String) throws -> (taken: Bool, count: Int64) {
        let result = try RateLimiter.checked(reply, corrupt: corrupt(key))
        return (result.allowed, result.count)
    }

    /// Gives back one taken attempt (the code was not wrong), deleting the counter at zero.
    static func giveBack(_ database: SQLiteDatabase, user: UserID) throws(CloseupError) {
        try database.prepare("DELETE FROM otp_attempts WHERE user_id = ? AND count <= 1").run([.text(user.value)])
        try database.prepare("UPDATE otp_attempts SET count = count - 1 WHERE user_id = ? AND count > 1")
            .run([.text(user.value)])
    }

    static func row(_ database: SQLiteDatabase, user: UserID, now: Int64) throws(CloseupError) -> (Int64, Int64) {
        let select = try database.prepare(
            "SELECT count, expires_epoch, typeof(count) FROM otp_attempts WHERE user_id = ?")
        try select.bind([.text(user.value)])
        guard try select.step(), let expires = select.integer(1), expires > now else { return (0, 0) }
        // Another writer's row: a count that is not a non-negative integer is corrupt, as in Redis
        // (SQLite would read 'abc' as 0 and 1.5 as 1).
        guard select.text(2) == "integer", let count = select.integer(0), count >= 0 else {
            throw CloseupError(
                .corrupt, "corrupt attempt counter of '\(user)' in otp_attempts: not a decimal count; it was left as it is")
        }
        return (count, expires)
    }

    /// A user's attempts from a GET and a TTL of the counter.
    static func attempts(_ value: RedisReply, _ ttl: RedisReply, user: UserID, max: Int) throws -> AttemptCount {
        let count = try count(value, key: CacheKeys.otpAttempts(user))
        return AttemptCount(user: user, count: count, max: max, ttl: try ttl.lifetime().seconds)
    }

    /// A counter's value: 0 without the key; a value that is not a decimal count is corrupt.
    static func count(_ reply: RedisReply, key: String) throws -> Int64 {
        guard let text = try reply.text() else { return 0 }
        guard let count = Int64(text), count >= 0 else { throw corrupt(key) }
        return count
    }

    static func corrupt(_ key: String) -> CloseupError {
        CloseupError(.corrupt, "corrupt attempt counter at '\(key)': not a decimal count; it was left as it is")
    }
}
