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
    public var pendingVideo: Cached<Int64>?
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

    public func inspect(_ user: UserID) throws(CloseupError) -> InspectReport {
        var problems: [CloseupError] = []
        func attempt<T>(_ read: () throws(CloseupError) -> T) -> T? {
            do { return try read() } catch {
                problems.append(error)
                return nil
            }
        }
        let otpService = OTPService(store: store, clock: clock)
        let otp = attempt { () throws(CloseupError) in try otpService.live(user) } ?? nil
        let attempts = attempt { () throws(CloseupError) in try AttemptsService(store: store, clock: clock).get(user) }
        let (verification, pendingVideo) = try store.perform(
            idempotent: true,
            redis: { redis in try readCaches(redis, user, problems: &problems) },
            sqlite: { database in try readCaches(database, user) })
        var sendWindow: RateLimitDecision?
        let mobile = otp?.record.mobileNumber.flatMap { try? MobileNumber($0) }
        if let mobile {
            sendWindow = attempt { () throws(CloseupError) in
                try RateLimiter(store: store, clock: clock).check(
                    .otpRequest, try RateLimitIdentifier(mobile.value), limit: OTPService.sendLimit,
                    window: OTPService.sendWindow, peek: true)
            }
        }
        return InspectReport(
            user: user, otp: otp, attempts: attempts, verification: verification, pendingVideo: pendingVideo,
            sendWindow: sendWindow, sendWindowMobile: mobile, source: store.isUsingSQLite ? .sqlite : .redis,
            problems: problems)
    }

    private func readCaches(
        _ redis: RedisConnection, _ user: UserID, problems: inout [CloseupError]
    ) throws -> (Cached<Bool>?, Cached<Int64>?) {
        let verificationKey = CacheKeys.userVerification(user), videoKey = CacheKeys.pendingVideo(user)
        let replies = try redis.pipeline([
            RedisCommand("GET", verificationKey), RedisCommand("TTL", verificationKey),
            RedisCommand("GET", videoKey), RedisCommand("TTL", videoKey),
        ])
        func ttl(_ reply: RESPValue) -> Int64? { reply.integer.flatMap { $0 >= 0 ? $0 : nil } }
        var verification: Cached<Bool>?
        switch replies[0].string {
        case nil: break
        case "true"?: verification = Cached(value: true, ttl: ttl(replies[1]))
        case "false"?: verification = Cached(value: false, ttl: ttl(replies[1]))
        default:
            problems.append(
                CloseupError(.corrupt, "corrupt verification cache at '\(verificationKey)': expected true or false"))
        }
        var video: Cached<Int64>?
        if let text = replies[2].string {
            if let job = Int64(text), job >= 0 {
                video = Cached(value: job, ttl: ttl(replies[3]))
            } else {
                problems.append(CloseupError(.corrupt, "corrupt pending video at '\(videoKey)': expected a job id"))
            }
        }
        return (verification, video)
    }

    private func readCaches(_ database: SQLiteDatabase, _ user: UserID) throws(CloseupError) -> (Cached<Bool>?, Cached<Int64>?) {
        let now = clock.epochSeconds
        let verification = try database.prepare(
            "SELECT verified, expires_epoch FROM verification_cache WHERE user_id = ? AND expires_epoch > ?")
        try verification.bind([.text(user.value), .integer(now)])
        let verified = try verification.step()
            ? Cached(value: verification.integer(0) == 1, ttl: (verification.integer(1) ?? now) - now) : nil
        let video = try database.prepare(
            "SELECT job_id, expires_epoch FROM pending_video_cache WHERE user_id = ? AND expires_epoch > ?")
        try video.bind([.text(user.value), .integer(now)])
        let job = try video.step() ? Cached(value: video.integer(0) ?? 0, ttl: (video.integer(1) ?? now) - now) : nil
        return (verified, job)
    }
}
