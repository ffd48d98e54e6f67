// The seed's OTPService: issue, verify, remaining time. Redis first, SQLite
// behind it; every read-modify-write on Redis is one atomic step, and a code
// verifies successfully at most once across both stores.

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

/// What the caller of `send` does for it: services never print and never handle signals, so the
/// CLI writes a `--via stdout` code and says when a signal asks the run to end. The defaults
/// suit a library caller: the code comes back in `OTPIssue.code`, and nothing interrupts.
public struct DeliveryHooks {
    /// Called just before the send first changes a store: from then on a signal must be noted
    /// (for `interrupted`), not obeyed at once, or a code could be left live and undelivered.
    public var holdSignals: () -> Void = {}
    /// The signal that arrived since `holdSignals`, if any: the code is then withdrawn.
    public var interrupted: () -> Int32? = { nil }
    /// Writes the issue, code included, to stdout (`--via stdout`); returns nil when all of it
    /// was written, else why not (the code is then withdrawn).
    public var printCode: (OTPIssue) -> String? = { _ in nil }

    public init() {}
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

    var maxAttempts: Int { store.settings.maxAttempts }

    // MARK: - Issue

    /// Issues, stores (Redis and SQLite) and delivers a new code. A delivery that fails (the command
    /// fails or times out, stdout does not take the code, a signal arrives) withdraws the code from
    /// both stores and takes the send back from the rate limit, so a retry is never refused.
    public func send(_ request: SendRequest, hooks: DeliveryHooks = DeliveryHooks()) throws(CloseupError) -> OTPIssue {
        let route = request.route ?? (store.settings.smsCommand == nil ? .stdout : .command)
        if route == .command, store.settings.smsCommand == nil {
            throw .configuration("delivery by command needs a command to run", remedy: .configureSMSCommand)
        }
        // A command line that cannot run is found before a code exists, not after it was stored.
        if route == .command { _ = try Delivery.words(store.settings.smsCommand!) }
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
            redis: { redis in
                try issueInRedis(redis, request, record: record, expiresEpoch: expiresEpoch, hooks: hooks)
            },
            sqlite: { database in
                try database.transaction { () throws(CloseupError) in
                    try issueInSQLite(
                        database, request, record: record, expiresEpoch: expiresEpoch, now: now, hooks: hooks)
                }
            })
        let issued = IssuedCode(otpKey: otpKey, value: record.json, rowID: rowID, limitKey: limitKey, source: source)
        let issue = OTPIssue(
            user: request.user, mobile: request.mobile, channel: request.channel, route: route,
            code: route == .stdout ? code : nil, record: record, ttl: request.ttl, source: source)

        do throws(CloseupError) {
            // A signal while the code was being stored: nothing has gone out yet.
            if let signal = hooks.interrupted() {
                throw .unavailable("interrupted by \(Delivery.signalName(signal)) before the code was delivered")
            }
            switch route {
            case .command:
                let payload = JSON.object([
                    ("user_id", .string(request.user.value)),
                    ("mobile_number", .string(request.mobile.value)),
                    ("channel", .string(request.channel.rawValue)),
                    ("otp", .string(code)),
                    ("expires_at", .optional(record.expiresAt)),
                ]).serialized
                try delivery.run(
                    commandLine: store.settings.smsCommand!, payload: payload, secret: code,
                    hiding: store.settings.secretVariables, interrupted: hooks.interrupted)
            case .stdout:
                if let reason = hooks.printCode(issue) {
                    throw .unavailable("delivery failed: cannot write the code to stdout (\(reason))")
                }
            }
        } catch {
            guard let leftover = withdraw(issued) else {
                throw CloseupError(error.kind, "\(error.message); the code was withdrawn, so a retry is safe")
            }
            throw CloseupError(
                error.kind,
                "\(error.message); the code could not be withdrawn (\(leftover)) and stays live until it expires",
                remedy: .forceReplace)
        }
        return issue
    }

    private func issueInRedis(
        _ redis: RedisClient, _ request: SendRequest, record: OTPRecord, expiresEpoch: Int64, hooks: DeliveryHooks
    ) throws -> (StoreSource, Int64) {
        let otpKey = CacheKeys.otp(request.user)
        let attemptsKey = CacheKeys.otpAttempts(request.user)
        // GET the record as well as its TTL: TTL answers for a key of any type, GET says
        // WRONGTYPE when another writer left something that is no OTP record there.
        let state = try redis.pipeline([
            RedisCommand("GET", attemptsKey), RedisCommand("GET", otpKey), RedisCommand("TTL", otpKey),
        ])
        try refuseIfBlocked(request.user, attempts: try AttemptsService.count(state[0], key: attemptsKey))
        // What live means (SPEC §2), as `live` reads it: the Redis record while its key exists,
        // else the SQLite copy (verify would take it).
        var lifetime = try state[2].lifetime()
        if !request.force, lifetime == .gone,
            let copy = try OTPCodes.live(try store.sqlite(), user: request.user, now: clock.epochSeconds)
        {
            lifetime = .seconds(copy.expiresEpoch - clock.epochSeconds)
        }
        if !request.force { try refuseIfLive(request.user, lifetime: lifetime) }

        let limitKey = CacheKeys.rateLimit(.otpRequest, try RateLimitIdentifier(request.mobile.value))
        hooks.holdSignals()
        let value = record.json
        /// Undoes a send cut short after it may have been counted: the code deleted if it is ours,
        /// the count released. After a timeout the server may still run what was sent (a busy
        /// server runs commands in the order they came), so the undo goes through a connection
        /// of its own and lands after them.
        func undo(after error: Error, setSent: Bool) {
            let timedOut: Bool
            switch error as? RedisError {
            case .timedOut?, .connectionLost?: timedOut = true
            default: timedOut = false
            }
            // A check that failed with an error reply counted nothing; a timed-out one probably did.
            guard setSent || timedOut else { return }
            // Each undo on a connection of its own after a timeout: one that times out as well
            // must not keep the other from being sent.
            if setSent, let withdrawer = timedOut ? store.spareRedis() : redis {
                _ = try? withdrawer.run(Self.withdrawScript, key: otpKey, arguments: [value])
            }
            if let releaser = timedOut ? store.spareRedis() : redis { try? RateLimiter.release(releaser, key: limitKey) }
        }
        let decision: RateLimitDecision
        do {
            decision = try RateLimiter.check(
                redis, key: limitKey, limit: Self.sendLimit, window: Self.sendWindow, peek: false)
        } catch {
            undo(after: error, setSent: false)
            throw error
        }
        try refuseIfLimited(decision, mobile: request.mobile)

        var set = ["SET", otpKey, value, "EX", String(request.ttl)]
        if !request.force { set.append("NX") }
        let stored: String?
        do {
            stored = try redis.call(RedisCommand(arguments: set)).status()
        } catch {
            // The SET failed (OOM, READONLY…) or timed out: the send did not happen, so it is
            // not counted, and a SET the server runs late is deleted.
            undo(after: error, setSent: true)
            throw error
        }
        if stored == nil {
            // Another sender won the race between our check and our SET: refused, so not counted.
            try RateLimiter.release(redis, key: limitKey)
            let lifetime = try redis.call(RedisCommand("TTL", otpKey)).lifetime()
            try refuseIfLive(request.user, lifetime: lifetime == .gone ? .seconds(1) : lifetime)
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
        _ database: SQLiteDatabase, _ request: SendRequest, record: OTPRecord, expiresEpoch: Int64, now: Int64,
        hooks: DeliveryHooks
    ) throws(CloseupError) -> (StoreSource, Int64) {
        try refuseIfBlocked(request.user, attempts: try AttemptsService.row(database, user: request.user, now: now).0)
        if !request.force, let live = try OTPCodes.live(database, user: request.user, now: now) {
            try refuseIfLive(request.user, lifetime: .seconds(live.expiresEpoch - now))
        }
        let limitKey = CacheKeys.rateLimit(.otpRequest, try RateLimitIdentifier(request.mobile.value))
        hooks.holdSignals()
        try refuseIfLimited(
            try RateLimiter.check(
                database, key: limitKey, limit: Self.sendLimit, window: Self.sendWindow, peek: false, now: now),
            mobile: request.mobile)
        let rowID = try OTPCodes.insert(
            database, user: request.user, record: record, expiresEpoch: expiresEpoch, now: clock.timestamp(now))
        return (.sqlite, rowID)
    }

    /// Where an issued code was stored: what withdrawing it needs.
    private struct IssuedCode {
        var otpKey: String
        /// The exact record written to Redis: the withdrawal deletes the key only if it still holds it.
        var value: String
        var rowID: Int64
        var limitKey: String
        var source: StoreSource
    }

    /// Takes back an undelivered code: from Redis only if it is still ours, from SQLite by row,
    /// and its send from the rate limit. Returns why the code could not be withdrawn, if it could
    /// not. When Redis cannot be reached the SQLite copy is kept too, so both stores still agree.
    private func withdraw(_ issued: IssuedCode) -> String? {
        if issued.source == .redis {
            do {
                guard let redis = try store.redis() else { return "Redis is gone" }
                _ = try redis.run(Self.withdrawScript, key: issued.otpKey, arguments: [issued.value])
                // The send is taken back on a best-effort basis: a count left over only shortens the window's quota.
                try? RateLimiter.release(redis, key: issued.limitKey)
            } catch let error as RedisError {
                return error.closeupError.message
            } catch let error as CloseupError {
                return error.message
            } catch {
                return "\(error)"
            }
        }
        do throws(CloseupError) {
            let database = try store.sqlite()
            try OTPCodes.withdraw(database, id: issued.rowID)
            if issued.source == .sqlite { try? RateLimiter.release(database, key: issued.limitKey) }
        } catch {
            // In Redis mode the key is gone, but this copy would still verify through the fallback.
            return "its SQLite copy: \(error.message)"
        }
        return nil
    }

    // MARK: - Revoke

    /// Revokes the users' live codes: deleted in Redis (streamed through one pipeline), their
    /// SQLite copies marked used, so none can verify through the fallback. True for each user
    /// who had a live code in either store.
    public func revoke(_ users: [UserID]) throws(CloseupError) -> [Bool] {
        try BulkClear.clear(.otp, users, store: store, clock: clock)
    }

    /// Revokes the same, saying only how many users had a live code.
    public func revokeCounting(_ users: [UserID]) throws(CloseupError) -> Int {
        try BulkClear.clearCounting(.otp, users, store: store, clock: clock)
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
                if let live = try Self.live(replies[0], replies[1], key: key, offset: offset, clock: clock) { return live }
                return try liveInSQLite(try store.sqlite(), user)
            },
            sqlite: { database in try liveInSQLite(database, user) })
    }

    /// The live code in Redis from a GET and a TTL of its key, or nil when there is none. The one
    /// reading of an OTP record, for `live` and for `inspect` of many users at once.
    static func live(
        _ value: RedisReply, _ ttlReply: RedisReply, key: String, offset: Int, clock: Clock
    ) throws -> LiveOTP? {
        guard let text = try value.text() else { return nil }
        let ttl = try ttlReply.lifetime().seconds
        var record = try OTPRecord(parsing: text, key: key, localOffset: offset)
        if record.expiresEpoch == nil, let ttl {
            // SPEC §1: a missing expires_at is derived from the key's TTL.
            record.expiresEpoch = Double(clock.epochSeconds + ttl)
            record.expiresAt = clock.timestamp(clock.epochSeconds + ttl)
        }
        return LiveOTP(record: record, ttl: ttl, source: .redis)
    }

    func liveInSQLite(_ database: SQLiteDatabase, _ user: UserID) throws(CloseupError) -> LiveOTP? {
        let now = clock.epochSeconds
        guard let row = try OTPCodes.live(database, user: user, now: now) else { return nil }
        return LiveOTP(record: row.record, ttl: row.expiresEpoch - now, source: .sqlite)
    }

    // MARK: - Policy

    func refuseIfBlocked(_ user: UserID, attempts: Int64) throws(CloseupError) {
        guard attempts >= Int64(maxAttempts) else { return }
        throw blocked(user, attempts: attempts)
    }

    func blocked(_ user: UserID, attempts: Int64) -> CloseupError {
        .refused(
            "user '\(user)' is blocked after \(attempts) failed attempts (max \(maxAttempts))",
            .blocked(user: user, count: attempts, max: Int64(maxAttempts)), remedy: .clearAttempts(user: user.value))
    }

    private func refuseIfLive(_ user: UserID, lifetime: Lifetime) throws(CloseupError) {
        let remaining: String
        switch lifetime {
        case .gone: return
        case .noExpiry: remaining = "it has no expiry"
        case .seconds(let seconds): remaining = "\(seconds) s remain"
        }
        throw .refused(
            "user '\(user)' already has a live OTP (\(remaining))", .liveOTP(user: user, ttl: lifetime.seconds),
            remedy: .forceReplace)
    }

    private func refuseIfLimited(_ decision: RateLimitDecision, mobile: MobileNumber) throws(CloseupError) {
        guard !decision.allowed else { return }
        let retry = decision.resetInSeconds.map { "; try again in \($0) s" } ?? ""
        throw .refused(
            "send rate limit reached for \(mobile.masked): \(decision.count) of \(decision.limit) sends"
                + " in \(Self.sendWindow) s\(retry)",
            .rateLimited(mobile: mobile, count: decision.count, max: decision.limit, resetIn: decision.resetInSeconds),
            remedy: .resetSendLimit)
    }

    /// KEYS[1] otp key; ARGV[1] the value we wrote. Deletes it only if it is still ours.
    static let withdrawScript = RedisScript(
        """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """)
}
