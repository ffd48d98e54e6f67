// `closeup inspect USER`: everything about one user in one look. It reads only;
// a corrupt value is reported next to everything else that could be read.

/// A cached value with its remaining lifetime.
public struct Cached<Value: Sendable>: Sendable {
    public var value: Value
    /// Seconds left; nil when the key has no TTL.
    public var ttl: Int64?
}

public struct InspectReport: Sendable {
    public var user: UserID
    public var otp: LiveOTP?
    public var attempts: AttemptCount?
    public var verification: Cached<Bool>?
    public var pendingVideo: PendingVideo?
    /// The send rate-limit window of the live OTP's mobile number.
    public var sendWindow: RateLimitDecision?
    public var sendWindowMobile: MobileNumber?
    public var source: StoreSource
    /// Values that could not be read (exit 6 after the report).
    public var problems: [CloseupError]
}

public struct Inspector {
    let store: Store
    let clock: Clock

    public init(store: Store, clock: Clock = .system) {
        self.store = store
        self.clock = clock
    }

    /// A mobile number's send window and the users with a live code sent to it (SPEC §3 `inspect
    /// --mobile`): the candidates come from SQLite's copies of the codes closeup issued (a code
    /// another writer stored in Redis alone is not indexed), each checked live as `inspect` reads it.
    /// A corrupt send counter is reported in `problems` and the users are still found.
    public func inspect(
        mobile: MobileNumber
    ) throws(CloseupError) -> (window: RateLimitDecision?, users: [InspectReport], problems: [CloseupError]) {
        var problems: [CloseupError] = []
        var window: RateLimitDecision?
        do {
            window = try RateLimiter(store: store, clock: clock).check(
                .otpRequest, try RateLimitIdentifier(mobile.value), limit: OTPService.sendLimit,
                window: OTPService.sendWindow, peek: true)
        } catch where error.kind == .corrupt {
            problems.append(error)
        }
        let select = try store.sqlite().prepare(
            "SELECT DISTINCT user_id FROM otp_codes WHERE mobile_number = ? AND used_at IS NULL AND expires_epoch > ?"
                + " ORDER BY user_id")
        try select.bind([.text(mobile.value), .integer(clock.epochSeconds)])
        var candidates: [UserID] = []
        while try select.step() {
            if let text = select.text(0), let user = try? UserID(text) { candidates.append(user) }
        }
        let reports = try inspect(candidates).filter { report in
            report.otp?.record.mobileNumber.flatMap { try? MobileNumber($0) }?.value == mobile.value
        }
        return (window, reports, problems)
    }

    public func inspect(_ user: UserID) throws(CloseupError) -> InspectReport {
        try inspect([user])[0]
    }

    /// Reports for `users`, in order. Over Redis two round trips however many users: one pipeline
    /// reads every user's keys, a second the send windows of the live codes' numbers (the values
    /// read as the single-user services read them). A value that cannot be parsed is reported
    /// with its user and the rest is still shown (SPEC §4, exit 6); any other failure (an error
    /// reply, Redis gone) ends the inspection.
    public func inspect(_ users: [UserID]) throws(CloseupError) -> [InspectReport] {
        guard !users.isEmpty else { return [] }
        return try store.perform(
            idempotent: true,
            redis: { redis in try inspect(users, redis: redis) },
            sqlite: { _ in try users.map { user throws(CloseupError) in try inspectOne(user) } })
    }

    /// One user through the services (SQLite: no round trips to save).
    private func inspectOne(_ user: UserID) throws(CloseupError) -> InspectReport {
        var problems: [CloseupError] = []
        func attempt<T>(_ read: () throws(CloseupError) -> T) throws(CloseupError) -> T? {
            do { return try read() } catch where error.kind == .corrupt {
                problems.append(error)
                return nil
            }
        }
        let otp = try attempt { () throws(CloseupError) in try OTPService(store: store, clock: clock).live(user) } ?? nil
        let attempts = try attempt { () throws(CloseupError) in try AttemptsService(store: store, clock: clock).get(user) }
        let verification = try attempt { () throws(CloseupError) in try VerificationCache(store: store, clock: clock).get(user) } ?? nil
        let pendingVideo = try attempt { () throws(CloseupError) in try PendingVideoCache(store: store, clock: clock).cached(user) } ?? nil
        let mobile = otp?.record.mobileNumber.flatMap { try? MobileNumber($0) }
        let sendWindow = try mobile.flatMap { mobile throws(CloseupError) in
            try attempt { () throws(CloseupError) in
                try RateLimiter(store: store, clock: clock).check(
                    .otpRequest, try RateLimitIdentifier(mobile.value), limit: OTPService.sendLimit,
                    window: OTPService.sendWindow, peek: true)
            }
        }
        return InspectReport(
            user: user, otp: otp, attempts: attempts, verification: verification, pendingVideo: pendingVideo,
            sendWindow: sendWindow, sendWindowMobile: mobile, source: .sqlite, problems: problems)
    }

    private func inspect(_ users: [UserID], redis: RedisClient) throws -> [InspectReport] {
        let max = store.settings.maxAttempts
        let offset = clock.utcOffset(clock.epochSeconds)
        var commands: [RedisCommand] = []
        commands.reserveCapacity(users.count * 8)
        for user in users {
            for key in [
                CacheKeys.otp(user), CacheKeys.otpAttempts(user), CacheKeys.userVerification(user), CacheKeys.pendingVideo(user),
            ] {
                commands += [RedisCommand("GET", key), RedisCommand("TTL", key)]
            }
        }
        // Error replies are read per user: one user's key of another type is that user's problem.
        let replies = try redis.pipelineKeepingErrors(commands)
        var reports: [InspectReport] = []
        reports.reserveCapacity(users.count)
        for (index, user) in users.enumerated() {
            var problems: [CloseupError] = []
            func attempt<T>(_ read: () throws -> T) throws -> T? {
                do { return try read() } catch let error as CloseupError where error.kind == .corrupt {
                    problems.append(error)
                    return nil
                } catch let error as RedisError where error.isWrongType {
                    problems.append(error.closeupError)
                    return nil
                }
            }
            let base = index * 8
            var otp = try attempt {
                try OTPService.live(replies[base], replies[base + 1], key: CacheKeys.otp(user), offset: offset, clock: clock)
            } ?? nil
            if otp == nil, problems.isEmpty {
                // No code in Redis: the SQLite copy, as `otp ttl` reads it.
                otp = try OTPService(store: store, clock: clock).liveInSQLite(try store.sqlite(), user)
            }
            let attempts = try attempt { try AttemptsService.attempts(replies[base + 2], replies[base + 3], user: user, max: max) }
            let verification =
                try attempt { try VerificationCache.cached(replies[base + 4], replies[base + 5], key: CacheKeys.userVerification(user)) }
                ?? nil
            let pendingVideo =
                try attempt { try PendingVideoCache.cached(replies[base + 6], replies[base + 7], key: CacheKeys.pendingVideo(user)) }
                ?? nil
            reports.append(
                InspectReport(
                    user: user, otp: otp, attempts: attempts, verification: verification, pendingVideo: pendingVideo,
                    sendWindow: nil, sendWindowMobile: otp?.record.mobileNumber.flatMap { try? MobileNumber($0) },
                    source: .redis, problems: problems))
        }
        // The send windows of the live codes' numbers, in one more round trip.
        let windowed = reports.indices.filter { reports[$0].sendWindowMobile != nil }
        guard !windowed.isEmpty else { return reports }
        let windowKeys = try windowed.map { index in
            CacheKeys.rateLimit(.otpRequest, try RateLimitIdentifier(reports[index].sendWindowMobile!.value))
        }
        let windowReplies = try redis.pipelineKeepingErrors(windowKeys.flatMap { [RedisCommand("GET", $0), RedisCommand("TTL", $0)] })
        for (position, index) in windowed.enumerated() {
            do {
                reports[index].sendWindow = try RateLimiter.peeked(
                    windowReplies[2 * position], windowReplies[2 * position + 1], key: windowKeys[position],
                    limit: OTPService.sendLimit)
            } catch let error as CloseupError where error.kind == .corrupt {
                reports[index].problems.append(error)
            } catch let error as RedisError where error.isWrongType {
                reports[index].problems.append(error.closeupError)
            }
        }
        return reports
    }
}
