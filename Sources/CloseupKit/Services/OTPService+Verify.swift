// `otp verify`: one algorithm for both stores. Block check and take an attempt
// (one atomic step), compare and consume (one atomic step), then keep the
// attempt only for a wrong code. Taking the attempt before comparing is what
// bounds guessing: however many verifiers race, at most max codes are compared
// before the user is blocked. The stores differ only in their primitives.

/// The outcome of `otp verify` that is not a refusal (a blocked user is thrown as refused).
public enum VerifyOutcome: Sendable, Equatable {
    case verified(StoreSource)
    case wrongCode(attempts: Int64, max: Int)
    /// No code, an expired one, or one already used.
    case noLiveCode
}

/// What comparing a candidate with the live code found. A match has consumed the code.
enum CodeComparison {
    case match(StoreSource)
    case mismatch
    case none
    case corrupt(CloseupError)
}

/// The first step of a verify: the attempt taken or refused, and the comparison.
struct VerifyStep {
    /// False when the user was blocked: the attempt was refused.
    var taken: Bool
    /// The count the attempt reached, or (refused) the count that blocks the user.
    var attempts: Int64
    var comparison: CodeComparison
    /// Puts back the code a comparison consumed, where the store cannot simply roll back.
    var restore: (() -> Void)? = nil
}

/// The atomic operations a verify is made of, on one store.
protocol VerifyPrimitives {
    /// Takes one of the user's attempts unless `max` are taken, and compares `candidate` with
    /// the live code, consuming it on a match. Each half is atomic; a store may send both at
    /// once, so the comparison may have happened even when the attempt was refused.
    func takeAttemptAndCompare(_ user: UserID, candidate: String, max: Int) throws -> VerifyStep
    /// Puts back a code consumed by a comparison whose attempt was refused.
    func putBack(_ step: VerifyStep) throws
    /// Gives back the attempt: the code was not wrong (none, corrupt).
    func giveBackAttempt(_ user: UserID) throws
    /// Deletes the counter after a success.
    func clearAttempts(_ user: UserID) throws
}

extension OTPService {
    /// Checks `code` for `user`. Throws refused (exit 4) while the user is blocked.
    public func verify(_ user: UserID, code: String) throws(CloseupError) -> VerifyOutcome {
        try OTPHasher.validateCode(code)
        let hasher = OTPHasher(secret: try OTPSecret.load(settings: store.settings, random: random))
        let candidate = hasher.hash(user: user, code: code)
        return try store.perform(
            redis: { redis in
                try verify(user, candidate: candidate, on: RedisVerify(redis: redis, store: store, clock: clock))
            },
            sqlite: { database in
                // One IMMEDIATE transaction for the whole verify: racing verifiers take turns, and
                // a refusal rolls back whatever the comparison did.
                try database.transaction { () throws(CloseupError) in
                    do {
                        return try verify(user, candidate: candidate, on: SQLiteVerify(database: database, clock: clock))
                    } catch let error as CloseupError {
                        throw error
                    } catch {
                        throw CloseupError(.internal, "unexpected error verifying: \(error)")
                    }
                }
            })
    }

    /// The algorithm, the same on both stores.
    private func verify(_ user: UserID, candidate: String, on store: some VerifyPrimitives) throws -> VerifyOutcome {
        let step = try store.takeAttemptAndCompare(user, candidate: candidate, max: maxAttempts)
        guard step.taken else {
            try store.putBack(step)
            throw blocked(user, attempts: step.attempts)
        }
        switch step.comparison {
        case .mismatch:
            return .wrongCode(attempts: step.attempts, max: maxAttempts)
        case .match(let source):
            // The code is used: a counter that cannot be cleared now expires within the hour,
            // and is no reason to report a failed login.
            try? store.clearAttempts(user)
            return .verified(source)
        case .none:
            try store.giveBackAttempt(user)
            return .noLiveCode
        case .corrupt(let error):
            try store.giveBackAttempt(user)
            throw error
        }
    }
}

/// Verify on Redis: the attempt script and the consuming script in one pipelined round trip.
/// Where Redis has no code, the SQLite copy is compared (the seed's database fallback), with
/// the counter still in Redis.
private struct RedisVerify: VerifyPrimitives {
    let redis: RedisClient
    let store: Store
    let clock: Clock

    func takeAttemptAndCompare(_ user: UserID, candidate: String, max: Int) throws -> VerifyStep {
        let otpKey = CacheKeys.otp(user)
        let attemptsKey = CacheKeys.otpAttempts(user)
        let replies = try redis.runKeepingErrors([
            (AttemptsService.takeScript, attemptsKey, [String(max), String(AttemptsService.counterTTL)]),
            (consumeScript, otpKey, [candidate]),
        ])
        // Each script ran or failed on its own: whatever fails, the other's change is undone.
        let consumed: (value: String, pttl: Int64)?
        let comparison: CodeComparison
        do {
            (comparison, consumed) = try compare(replies[1], key: otpKey)
        } catch {
            if (try? AttemptsService.taken(replies[0], key: attemptsKey).taken) == true { try? giveBackAttempt(user) }
            throw error
        }
        let attempt: (taken: Bool, count: Int64)
        do {
            attempt = try AttemptsService.taken(replies[0], key: attemptsKey)
        } catch {
            if let consumed { restore(otpKey, consumed) }
            throw error
        }
        if case .none = comparison, attempt.taken {
            return VerifyStep(
                taken: true, attempts: attempt.count, comparison: try compareCopy(user, candidate: candidate))
        }
        if case .match = comparison, let consumed, attempt.taken {
            // Redis handed out the code; SQLite's copy must agree it was not used through it.
            let won: Bool
            do {
                won = try OTPCodes.consumeMatching(
                    try store.sqlite(), user: user, hash: candidate, now: clock.timestamp(clock.epochSeconds))
            } catch {
                restore(otpKey, consumed)
                try? giveBackAttempt(user)
                throw error
            }
            if !won { return VerifyStep(taken: true, attempts: attempt.count, comparison: .none) }
        }
        return VerifyStep(
            taken: attempt.taken, attempts: attempt.count, comparison: comparison,
            restore: consumed.map { value in { restore(otpKey, value) } })
    }

    /// The consuming script's reply: {'none'}, {'corrupt'}, {'mismatch'}, {'match', value, pttl}.
    private func compare(_ reply: RedisReply, key: String) throws -> (CodeComparison, (String, Int64)?) {
        let parts = try reply.array()
        guard let status = try parts.first?.text() else {
            throw RedisError.unexpectedReply(command: reply.command, expected: "a verdict", received: "an empty array")
        }
        switch status {
        case "match" where parts.count == 3:
            guard let value = try parts[1].text() else {
                throw RedisError.unexpectedReply(command: reply.command, expected: "the consumed value", received: "nil")
            }
            return (.match(.redis), (value, try parts[2].integer()))
        case "mismatch": return (.mismatch, nil)
        case "none": return (.none, nil)
        case "corrupt":
            return (
                .corrupt(
                    CloseupError(
                        .corrupt, "corrupt OTP record at '\(key)': not a JSON object with an otp_hash; it was left as it is")),
                nil
            )
        default:
            throw RedisError.unexpectedReply(command: reply.command, expected: "a verdict", received: "'\(status)'")
        }
    }

    /// Compares with the newest live SQLite copy, consuming it on a match.
    private func compareCopy(_ user: UserID, candidate: String) throws -> CodeComparison {
        do {
            return try SQLiteVerify(database: try store.sqlite(), clock: clock).compare(user, candidate: candidate)
        } catch {
            try? giveBackAttempt(user)
            throw error
        }
    }

    func putBack(_ step: VerifyStep) throws { step.restore?() }

    func giveBackAttempt(_ user: UserID) throws {
        _ = try redis.run(RateLimiter.releaseScript, key: CacheKeys.otpAttempts(user))
    }

    func clearAttempts(_ user: UserID) throws {
        try redis.call(RedisCommand("DEL", CacheKeys.otpAttempts(user)))
    }

    /// `SET key value PX pttl NX`: puts back a consumed value unless a new code took its place.
    /// A value that had no TTL gets the default one (the next write heals a missing TTL).
    private func restore(_ key: String, _ consumed: (value: String, pttl: Int64)) {
        let milliseconds = consumed.pttl > 0 ? consumed.pttl : OTPService.defaultTTL * 1000
        _ = try? redis.call(RedisCommand("SET", key, consumed.value, "PX", String(milliseconds), "NX"))
    }

    /// KEYS[1] otp key; ARGV[1] candidate hash. Returns {'none'}, {'corrupt'}, {'mismatch'}, or
    /// {'match', value, pttl} after deleting the key: one atomic step, so two verifiers can
    /// never both see the code. The comparison touches every byte (constant time).
    private var consumeScript: RedisScript { OTPService.consumeScript }
}

/// Verify on SQLite: each primitive is a statement inside the caller's IMMEDIATE transaction.
private struct SQLiteVerify: VerifyPrimitives {
    let database: SQLiteDatabase
    let clock: Clock

    func takeAttemptAndCompare(_ user: UserID, candidate: String, max: Int) throws -> VerifyStep {
        let now = clock.epochSeconds
        let current = try AttemptsService.row(database, user: user, now: now).0
        guard current < Int64(max) else { return VerifyStep(taken: false, attempts: current, comparison: .none) }
        let count = try AttemptsService.recordFailure(database, user: user, now: now)
        return VerifyStep(taken: true, attempts: count, comparison: try compare(user, candidate: candidate))
    }

    /// Compares with the newest live code and consumes it on a match.
    func compare(_ user: UserID, candidate: String) throws(CloseupError) -> CodeComparison {
        let now = clock.epochSeconds
        guard let live = try OTPCodes.live(database, user: user, now: now) else { return .none }
        guard OTPHasher.constantTimeEqual(live.record.otpHash, candidate) else { return .mismatch }
        guard try OTPCodes.consume(database, id: live.id, now: clock.timestamp(now)) else { return .none }
        return .match(.sqlite)
    }

    /// Nothing to do: the refusal is thrown, and the transaction rolls the comparison back.
    func putBack(_ step: VerifyStep) throws {}

    func giveBackAttempt(_ user: UserID) throws {
        try AttemptsService.giveBack(database, user: user)
    }

    func clearAttempts(_ user: UserID) throws {
        try database.prepare("DELETE FROM otp_attempts WHERE user_id = ?").run([.text(user.value)])
    }
}

extension OTPService {
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
}
