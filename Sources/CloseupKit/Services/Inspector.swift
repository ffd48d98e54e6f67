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

    public func inspect(_ user: UserID) throws(CloseupError) -> InspectReport {
        // A value that cannot be parsed is reported and the rest is still shown (SPEC §4, exit 6);
        // any other failure (configuration, Redis gone mid-way) ends the inspection.
        var problems: [CloseupError] = []
        func attempt<T>(_ read: () throws(CloseupError) -> T) throws(CloseupError) -> T? {
            do { return try read() } catch where error.kind == .corrupt {
                problems.append(error)
                return nil
            }
        }
        let otpService = OTPService(store: store, clock: clock)
        let otp = try attempt { () throws(CloseupError) in try otpService.live(user) } ?? nil
        let attempts = try attempt { () throws(CloseupError) in try AttemptsService(store: store, clock: clock).get(user) }
        let verification = try attempt { () throws(CloseupError) in try VerificationCache(store: store, clock: clock).get(user) } ?? nil
        let pendingVideo = try attempt { () throws(CloseupError) in try PendingVideoCache(store: store, clock: clock).cached(user) } ?? nil
        var sendWindow: RateLimitDecision?
        let mobile = otp?.record.mobileNumber.flatMap { try? MobileNumber($0) }
        if let mobile {
            sendWindow = try attempt { () throws(CloseupError) in
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
}
