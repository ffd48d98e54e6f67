// The seed's OTPService: issue, verify, remaining time. Redis first, SQLite
// behind it; every read-modify-write on Redis is one atomic step, and a code
// verifies successfully at most once across both stores.

/// Which store answered.
public enum StoreSource: String, Sendable {
    case redis
    case sqlite
}

/// What `otp send` did.
public struct OTPIssue: Sendable {
    public var user: UserID
    public var mobile: MobileNumber
    public var channel: DeliveryChannel
    public var route: DeliveryRoute
    /// The plain code, only for `--via stdout` (the CLI prints it); never stored anywhere.
    public var code: String?
    public var record: OTPRecord
    public var ttl: Int64
    public var source: StoreSource
}

/// The outcome of `otp verify` that is not a refusal (a blocked user is thrown as refused).
public enum VerifyOutcome: Sendable, Equatable {
    case verified(StoreSource)
    case wrongCode(attempts: Int64, max: Int)
    /// No code, an expired one, or one already used.
    case noLiveCode
}

/// A live code as `otp ttl` and `inspect` show it.
public struct LiveOTP: Sendable {
    public var record: OTPRecord
    /// Seconds left; nil when the key has no TTL (a faulty writer's bug).
    public var ttl: Int64?
    public var source: StoreSource
}

/// Options of one `otp send`.
public struct SendRequest: Sendable {
    public var user: UserID
    public var mobile: MobileNumber
    public var channel: DeliveryChannel = .sms
    /// nil: `command` when CLOSEUP_SMS_COMMAND is set, else `stdout`.
    public var route: DeliveryRoute?
    public var force = false
    public var ttl: Int64 = OTPService.defaultTTL

    public init(user: UserID, mobile: MobileNumber) {
        self.user = user
        self.mobile = mobile
    }
}

public struct OTPService {
    public static let defaultTTL: Int64 = 300
    /// The backend's send limit: 3 per 300 s per mobile number.
    public static let sendLimit: Int64 = 3
    public static let sendWindow: Int64 = 300

    let store: Store
    let clock: Clock
    let random: RandomSource
    let delivery: Delivery

    public init(store: Store, clock: Clock = .system, random: RandomSource = .system, delivery: Delivery = Delivery()) {
        self.store = store
        self.clock = clock
        self.random = random
        self.delivery = delivery
    }

    private var maxAttempts: Int { store.settings.maxAttempts }

    // MARK: - Issue

    /// Issues, stores (Redis and SQLite) and delivers a new code. A delivery that fails withdraws
    /// the code from both stores and takes the send back from the rate limit.
    public func send(_ request: SendRequest) throws(CloseupError) -> OTPIssue {
        let route = request.route ?? (store.settings.smsCommand == nil ? .stdout : .command)
        if route == .command, store.settings.smsCommand == nil {
            throw .configuration("--via command needs CLOSEUP_SMS_COMMAND: the command that sends the message")
        }
        let hasher = OTPHasher(secret: try OTPSecret.load(settings: store.settings, random: random))
        let code = OTPHasher.generateCode(random: random)
        let now = clock.epochSeconds
        let expiresEpoch = now + request.ttl
        let record = OTPRecord(
            otpHash: hasher.hash(user: request.user, code: code), mobileNumber: request.mobile.value,
            createdAt: clock.timestamp(now), expiresAt: clock.timestamp(expiresEpoch))
        let limitKey = CacheKeys.rateLimit(.otpRequest, try RateLimitIdentifier(request.mobile.value))
        let otpKey = CacheKeys.otp(request.user)

        let (source, rowID) = try store.perform(
            redis: { redis in try issueInRedis(redis, request, record: record, expiresEpoch: expiresEpoch) },
            sqlite: { database in
                try database.transaction { () throws(CloseupError) in
                    try issueInSQLite(database, request, record: record, expiresEpoch: expiresEpoch, now: now)
                }
            })

        if route == .command {
            let payload = JSON.object([
                ("user_id", .string(request.user.value)),
                ("mobile_number", .string(request.mobile.value)),
                ("channel", .string(request.channel.rawValue)),
                ("otp", .string(code)),
                ("expires_at", .optional(record.expiresAt)),
            ]).serialized
            do {
                try delivery.run(commandLine: store.settings.smsCommand!, payload: payload, secret: code)
            } catch {
                withdraw(otpKey: otpKey, value: record.json, rowID: rowID, limitKey: limitKey, source: source)
                throw error
            }
        }
        return OTPIssue(
            user: request.user, mobile: request.mobile, channel: request.channel, route: route,
            code: route == .stdout ? code : nil, record: record, ttl: request.ttl, source: source)
    }

    private func issueInRedis(
        _ redis: RedisClient, _ request: SendRequest, record: OTPRecord, expiresEpoch: Int64
    ) throws -> (StoreSource, Int64) {
        let otpKey = CacheKeys.otp(request.user)
        let attemptsKey = CacheKeys.otpAttempts(request.user)
        let state = try redis.pipeline([RedisCommand("GET", attemptsKey), RedisCommand("TTL", otpKey)])
        try refuseIfBlocked(request.user, attempts: try AttemptsService.count(state[0], key: attemptsKey))
        if !request.force { try refuseIfLive(request.user, ttl: state[1].integer ?? -2) }

        let limitKey = CacheKeys.rateLimit(.otpRequest, try RateLimitIdentifier(request.mobile.value))
        let decision = try RateLimiter.check(
            redis, key: limitKey, limit: Self.sendLimit, window: Self.sendWindow, peek: false)
        try refuseIfLimited(decision, mobile: request.mobile)

        let value = record.json
        var set = ["SET", otpKey, value, "EX", String(request.ttl)]
        if !request.force { set.append("NX") }
        if try redis.call(RedisCommand(arguments: set)).isNull {
            // Another sender won the race between our check and our SET: refused, so not counted.
            try RateLimiter.release(redis, key: limitKey)
            let ttl = try redis.call(RedisCommand("TTL", otpKey)).integer ?? -2
            try refuseIfLive(request.user, ttl: ttl == -2 ? 1 : ttl)
        }
        do {
            let database = try store.sqlite()
            let rowID = try database.transaction { () throws(CloseupError) in
                try OTPCodes.insert(
                    database, user: request.user, record: record, expiresEpoch: expiresEpoch,
                    now: clock.timestamp(clock.epochSeconds))
            }
            return (.redis, rowID)
        } catch {
            // The backup failed: the code must not live in Redis alone, half-written.
            _ = try? redis.run(Self.withdrawScript, key: otpKey, arguments: [value])
            try? RateLimiter.release(redis, key: limitKey)
            throw error
        }
    }

    private func issueInSQLite(
        _ database: SQLiteDatabase, _ request: SendRequest, record: OTPRecord, expiresEpoch: Int64, now: Int64
    ) throws(CloseupError) -> (StoreSource, Int64) {
        try refuseIfBlocked(request.user, attempts: try AttemptsService.row(database, user: request.user, now: now).0)
        if !request.force, let live = try OTPCodes.live(database, user: request.user, now: now) {
            try refuseIfLive(request.user, ttl: live.expiresEpoch - now)
        }
        let limitKey = CacheKeys.rateLimit(.otpRequest, try RateLimitIdentifier(request.mobile.value))
        try refuseIfLimited(
            try RateLimiter.check(
                database, key: limitKey, limit: Self.sendLimit, window: Self.sendWindow, peek: false, now: now),
            mobile: request.mobile)
        let rowID = try OTPCodes.insert(
            database, user: request.user, record: record, expiresEpoch: expiresEpoch, now: clock.timestamp(now))
        return (.sqlite, rowID)
    }

    /// Takes back an undelivered code: from Redis only if it is still ours, from SQLite by row.
    private func withdraw(otpKey: String, value: String, rowID: Int64, limitKey: String, source: StoreSource) {
        if source == .redis, let redis = try? store.redis() {
            _ = try? redis.run(Self.withdrawScript, key: otpKey, arguments: [value])
            try? RateLimiter.release(redis, key: limitKey)
        }
        if let database = try? store.sqlite() {
            try? OTPCodes.withdraw(database, id: rowID)
            if source == .sqlite { try? RateLimiter.release(database, key: limitKey) }
        }
    }

    // MARK: - Verify

    /// Checks `code` for `user`. Throws refused (exit 4) while the user is blocked.
    public func verify(_ user: UserID, code: String) throws(CloseupError) -> VerifyOutcome {
        try OTPHasher.validateCode(code)
        let hasher = OTPHasher(secret: try OTPSecret.load(settings: store.settings, random: random))
        let candidate = hasher.hash(user: user, code: code)
        return try store.perform(
            redis: { redis in try verifyInRedis(redis, user, candidate: candidate) },
            sqlite: { database in
                // One IMMEDIATE transaction from the blocked check to the count: racing verifiers
                // take turns, so at most max codes are compared, as on the Redis path.
                try database.transaction { () throws(CloseupError) in
                    try refuseIfBlocked(user, attempts: try AttemptsService.row(database, user: user, now: clock.epochSeconds).0)
                    let outcome = try verifyInSQLite(database, user, candidate: candidate) { () throws(CloseupError) in
                        try AttemptsService.recordFailure(database, user: user, now: clock.epochSeconds)
                    }
                    if case .verified = outcome {
                        try database.prepare("DELETE FROM otp_attempts WHERE user_id = ?").run([.text(user.value)])
                    }
                    return outcome
                }
            })
    }

    /// One pipelined round trip takes one of the user's attempts and compares (and consumes) the
    /// code. Taking the attempt before comparing is what bounds guessing: however many verifiers
    /// race, at most max codes are compared before the user is blocked. A right code, or no code
    /// at all, gives the attempt back; only a wrong one keeps it.
    private func verifyInRedis(_ redis: RedisClient, _ user: UserID, candidate: String) throws -> VerifyOutcome {
        let otpKey = CacheKeys.otp(user)
        let attemptsKey = CacheKeys.otpAttempts(user)
        let replies = try redis.run([
            (AttemptsService.takeScript, attemptsKey, [String(maxAttempts), String(AttemptsService.counterTTL)]),
            (Self.consumeScript, otpKey, [candidate]),
        ])
        let result = replies[1].array ?? []
        let status = result.first?.string ?? ""

        // The script consumed a matching code before we knew the attempt was ours: until success
        // is certain, any failure puts the code back, so nothing is lost.
        var restore: () -> Void = {}
        if status == "match", result.count > 2, let value = result[1].string {
            let command = Self.restoreCommand(otpKey, value: value, pttl: result[2].integer ?? -1)
            restore = { _ = try? redis.call(command) }
        }
        let attempt: (taken: Bool, count: Int64)
        do {
            attempt = try AttemptsService.taken(replies[0], key: attemptsKey)
        } catch {
            restore()
            throw error
        }
        guard attempt.taken else {
            restore()
            throw blocked(user, attempts: attempt.count)
        }
        let giveBack = { _ = try? redis.run(RateLimiter.releaseScript, key: attemptsKey) }
        // A verify that succeeded has used its code: a counter that cannot be cleared now
        // expires within the hour, and is no reason to report a failed login.
        let clearCounter = { _ = try? redis.call(RedisCommand("DEL", attemptsKey)) }

        switch status {
        case "match":
            do {
                let record = try OTPRecord(
                    parsing: result[1].string ?? "", key: otpKey, localOffset: clock.utcOffset(clock.epochSeconds))
                if let expires = record.expiresEpoch, expires <= clock.now() {
                    giveBack()
                    return .noLiveCode
                }
                let won = try OTPCodes.consumeMatching(
                    try store.sqlite(), user: user, hash: candidate, now: clock.timestamp(clock.epochSeconds))
                guard won else {
                    giveBack()
                    return .noLiveCode
                }
            } catch {
                restore()
                giveBack()
                throw error
            }
            clearCounter()
            return .verified(.redis)
        case "mismatch":
            return .wrongCode(attempts: attempt.count, max: maxAttempts)
        case "corrupt":
            giveBack()
            throw CloseupError(
                .corrupt, "corrupt OTP record at '\(otpKey)': not a JSON object with an otp_hash; it was left as it is")
        case "none":
            // Redis has no code: the seed's database fallback, with the counter still in Redis.
            let outcome: VerifyOutcome
            do {
                outcome = try verifyInSQLite(try store.sqlite(), user, candidate: candidate) { attempt.count }
            } catch {
                giveBack()
                throw error
            }
            switch outcome {
            case .verified: clearCounter()
            case .noLiveCode: giveBack()
            case .wrongCode: break
            }
            return outcome
        default:
            giveBack()
            let message = if case .error(let text) = replies[1] { text } else { "an unexpected reply" }
            throw RedisError.reply(command: "script on \(otpKey)", message: message)
        }
    }

    /// Compares against the newest live code in SQLite and consumes it on a match;
    /// `countFailure` records a wrong code and returns the failures so far.
    private func verifyInSQLite(
        _ database: SQLiteDatabase, _ user: UserID, candidate: String, countFailure: () throws(CloseupError) -> Int64
    ) throws(CloseupError) -> VerifyOutcome {
        let now = clock.epochSeconds
        guard let live = try OTPCodes.live(database, user: user, now: now) else { return .noLiveCode }
        guard OTPHasher.constantTimeEqual(live.record.otpHash, candidate) else {
            return .wrongCode(attempts: try countFailure(), max: maxAttempts)
        }
        guard try OTPCodes.consume(database, id: live.id, now: clock.timestamp(now)) else { return .noLiveCode }
        return .verified(.sqlite)
    }

    // MARK: - Remaining time

    /// The user's live code, or nil. A stored value that cannot be parsed is corrupt (exit 6).
    public func live(_ user: UserID) throws(CloseupError) -> LiveOTP? {
        let key = CacheKeys.otp(user)
        let offset = clock.utcOffset(clock.epochSeconds)
        return try store.perform(
            idempotent: true,
            redis: { redis in
                let replies = try redis.pipeline([RedisCommand("GET", key), RedisCommand("TTL", key)])
                if let value = replies[0].string {
                    let ttl = replies[1].integer ?? -2
                    var record = try OTPRecord(parsing: value, key: key, localOffset: offset)
                    if record.expiresEpoch == nil, ttl >= 0 {
                        // SPEC §1: a missing expires_at is derived from the key's TTL.
                        record.expiresEpoch = Double(clock.epochSeconds + ttl)
                        record.expiresAt = clock.timestamp(clock.epochSeconds + ttl)
                    }
                    return LiveOTP(record: record, ttl: ttl >= 0 ? ttl : nil, source: .redis)
                }
                return try liveInSQLite(try store.sqlite(), user)
            },
            sqlite: { database in try liveInSQLite(database, user) })
    }

    private func liveInSQLite(_ database: SQLiteDatabase, _ user: UserID) throws(CloseupError) -> LiveOTP? {
        let now = clock.epochSeconds
        guard let row = try OTPCodes.live(database, user: user, now: now) else { return nil }
        return LiveOTP(record: row.record, ttl: row.expiresEpoch - now, source: .sqlite)
    }

    // MARK: - Policy

    private func refuseIfBlocked(_ user: UserID, attempts: Int64) throws(CloseupError) {
        guard attempts >= Int64(maxAttempts) else { return }
        throw blocked(user, attempts: attempts)
    }

    private func blocked(_ user: UserID, attempts: Int64) -> CloseupError {
        .init(
            .refused,
            "user '\(user)' is blocked after \(attempts) failed attempts (max \(maxAttempts));"
                + " run 'closeup attempts clear \(user)' to unblock")
    }

    private func refuseIfLive(_ user: UserID, ttl: Int64) throws(CloseupError) {
        guard ttl != -2 else { return }
        let remaining = ttl == -1 ? "it has no expiry" : "\(ttl) s remain"
        throw .init(.refused, "user '\(user)' already has a live OTP (\(remaining)); use --force to replace it")
    }

    private func refuseIfLimited(_ decision: RateLimitDecision, mobile: MobileNumber) throws(CloseupError) {
        guard !decision.allowed else { return }
        let retry = decision.resetInSeconds.map { "; try again in \($0) s" } ?? ""
        throw .init(
            .refused,
            "send rate limit reached for \(mobile.masked): \(decision.count) of \(decision.limit) sends"
                + " in \(Self.sendWindow) s\(retry)")
    }

    /// `SET key value PX pttl NX`: puts back a consumed value unless a new code took its place.
    /// A value that had no TTL gets the default one (the next write heals a missing TTL).
    private static func restoreCommand(_ key: String, value: String, pttl: Int64) -> RedisCommand {
        let milliseconds = pttl > 0 ? pttl : defaultTTL * 1000
        return RedisCommand("SET", key, value, "PX", String(milliseconds), "NX")
    }

    /// KEYS[1] otp key; ARGV[1] candidate hash. Returns {'none'}, {'corrupt'}, {'mismatch'}, or
    /// {'match', value, pttl} after deleting the key: one atomic step, so two verifiers can
    /// never both see the code. The comparison touches every byte (constant time).
    static let consumeScript = RedisScript(
        """
        local value = redis.call('GET', KEYS[1])
        if not value then return {'none'} end
        local ok, record = pcall(cjson.decode, value)
        if not ok or type(record) ~= 'table' or type(record.otp_hash) ~= 'string' then return {'corrupt'} end
        local stored, candidate = record.otp_hash, ARGV[1]
        if #stored ~= #candidate then return {'mismatch'} end
        local diff = 0
        for i = 1, #stored do
          diff = bit.bor(diff, bit.bxor(string.byte(stored, i), string.byte(candidate, i)))
        end
        if diff ~= 0 then return {'mismatch'} end
        local pttl = redis.call('PTTL', KEYS[1])
        redis.call('DEL', KEYS[1])
        return {'match', value, pttl}
        """)

    /// KEYS[1] otp key; ARGV[1] the value we wrote. Deletes it only if it is still ours.
    static let withdrawScript = RedisScript(
        """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """)
}
