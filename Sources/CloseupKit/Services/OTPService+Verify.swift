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

/// What comparing a candidate with the live code found. Comparing never consumes.
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
}

/// The atomic operations a verify is made of, on one store.
protocol VerifyPrimitives {
    /// Takes one of the user's attempts unless `max` are taken, and compares `candidate` with
    /// the live code without consuming it. A store may do both at once (one round trip); the
    /// comparison counts only when the attempt was taken.
    func takeAttemptAndCompare(_ user: UserID, candidate: String, max: Int) throws -> VerifyStep
    /// Consumes the code that matched, if it is still the live one, and deletes the counter.
    /// False when a racing verifier (or a new code) got there first.
    func consume(_ user: UserID, candidate: String, from source: StoreSource) throws -> Bool
    /// Gives back the attempt: the code was not wrong (none, corrupt, used meanwhile).
    func giveBackAttempt(_ user: UserID) throws
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
                // One IMMEDIATE transaction for the whole verify: racing verifiers take turns.
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

    /// The algorithm, the same on both stores. Nothing is consumed until the attempt is known to
    /// be taken, so a refused or failed verify never costs the user their code.
    private func verify(_ user: UserID, candidate: String, on store: some VerifyPrimitives) throws -> VerifyOutcome {
        let step = try store.takeAttemptAndCompare(user, candidate: candidate, max: maxAttempts)
        guard step.taken else { throw blocked(user, attempts: step.attempts) }
        switch step.comparison {
        case .mismatch:
            return .wrongCode(attempts: step.attempts, max: maxAttempts)
        case .match(let source):
            let consumed: Bool
            do {
                consumed = try store.consume(user, candidate: candidate, from: source)
            } catch {
                // The code was right; whatever failed, the attempt was not a wrong guess.
                try? store.giveBackAttempt(user)
                throw error
            }
            guard consumed else {
                try store.giveBackAttempt(user)
                return .noLiveCode
            }
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

/// Verify on Redis: the attempt script and the comparing script in one pipelined round trip;
/// for a right code, a second one consumes it and clears the counter. Where Redis has no code,
/// the SQLite copy is compared (the seed's database fallback), with the counter still in Redis.
private struct RedisVerify: VerifyPrimitives {
    let redis: RedisClient
    let store: Store
    let clock: Clock

    func takeAttemptAndCompare(_ user: UserID, candidate: String, max: Int) throws -> VerifyStep {
        let otpKey = CacheKeys.otp(user)
        let attemptsKey = CacheKeys.otpAttempts(user)
        let replies = try redis.runKeepingErrors([
            (AttemptsService.takeScript, attemptsKey, [String(max), String(AttemptsService.counterTTL)]),
            (OTPService.compareScript, otpKey, [candidate]),
        ])
        // The comparison changed nothing, so a failed take leaves nothing to undo.
        let attempt = try AttemptsService.taken(replies[0], key: attemptsKey)
        guard attempt.taken else { return VerifyStep(taken: false, attempts: attempt.count, comparison: .none) }
        let comparison: CodeComparison
        do {
            comparison =
                switch try replies[1].checked().text() {
                case "match": .match(.redis)
                case "mismatch": .mismatch
                case "corrupt":
                    .corrupt(
                        CloseupError(
                            .corrupt,
                            "corrupt OTP record at '\(otpKey)': not a JSON object with an otp_hash; it was left as it is"))
                case "none": try SQLiteVerify(database: try store.sqlite(), clock: clock).compare(user, candidate: candidate)
                default:
                    throw RedisError.unexpectedReply(
                        command: replies[1].command, expected: "match, mismatch, none or corrupt", received: "another value")
                }
        } catch {
            try? giveBackAttempt(user)
            throw error
        }
        return VerifyStep(taken: true, attempts: attempt.count, comparison: comparison)
    }

    func consume(_ user: UserID, candidate: String, from source: StoreSource) throws -> Bool {
        let database = try store.sqlite()
        let now = clock.timestamp(clock.epochSeconds)
        if source == .sqlite {
            guard try OTPCodes.consumeMatching(database, user: user, hash: candidate, now: now) else { return false }
            clearAttempts(user)
            return true
        }
        // SQLite's copy is marked used first, then the Redis code and the counter go in one round
        // trip. In the other order a verifier racing in between found the Redis code gone and the
        // counter cleared, compared the copy still live in SQLite with a fresh attempt, and one
        // code was compared more than max times. The copy is the arbiter between verifiers with
        // the right code: the one that marked it succeeds.
        let marking = try OTPCodes.mark(database, user: user, hash: candidate, now: now)
        let replies: [RedisReply]
        do {
            // A copy used already (through SQLite while Redis was away) leaves a stale Redis code:
            // it goes too. Were the code gone meanwhile, the counter is cleared all the same.
            replies = try redis.runKeepingErrors(
                [(OTPService.consumeScript, CacheKeys.otp(user), [candidate])],
                followedBy: [RedisCommand("DEL", CacheKeys.otpAttempts(user))])
            if let message = replies[1].errorMessage { warnCounterLeft(user, message) }
            let deleted = try replies[0].checked().flag()
            switch marking {
            case .marked: return true
            case .alreadyUsed: return false
            case .noCopy: return deleted  // a code in Redis alone: Redis decides
            }
        } catch {
            // Redis may not have consumed it: the code stays usable through its copy.
            if marking == .marked { try? OTPCodes.unmark(database, user: user, hash: candidate, usedAt: now) }
            throw error
        }
    }

    func giveBackAttempt(_ user: UserID) throws {
        _ = try redis.run(RateLimiter.releaseScript, key: CacheKeys.otpAttempts(user))
    }

    private func clearAttempts(_ user: UserID) {
        do throws(RedisError) {
            try redis.call(RedisCommand("DEL", CacheKeys.otpAttempts(user)))
        } catch {
            warnCounterLeft(user, error.closeupError.message)
        }
    }

    /// The code is used, so the verify succeeded; a counter it could not clear still counts
    /// against the user until it expires, which they should hear about.
    private func warnCounterLeft(_ user: UserID, _ reason: String) {
        store.warning(
            "the code is verified, but the failed-attempt counter of '\(user)' could not be cleared (\(reason));"
                + " it still counts until it expires")
    }
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

    /// Compares with the newest live code, consuming nothing.
    func compare(_ user: UserID, candidate: String) throws(CloseupError) -> CodeComparison {
        guard let live = try OTPCodes.live(database, user: user, now: clock.epochSeconds) else { return .none }
        return OTPHasher.constantTimeEqual(live.record.otpHash, candidate) ? .match(.sqlite) : .mismatch
    }

    func consume(_ user: UserID, candidate: String, from source: StoreSource) throws -> Bool {
        let now = clock.epochSeconds
        guard let live = try OTPCodes.live(database, user: user, now: now),
            OTPHasher.constantTimeEqual(live.record.otpHash, candidate),
            try OTPCodes.consume(database, id: live.id, now: clock.timestamp(now))
        else { return false }
        try database.prepare("DELETE FROM otp_attempts WHERE user_id = ?").run([.text(user.value)])
        return true
    }

    func giveBackAttempt(_ user: UserID) throws {
        try AttemptsService.giveBack(database, user: user)
    }
}

extension OTPService {
    /// KEYS[1] otp key; ARGV[1] candidate hash. Returns 'none', 'corrupt', 'mismatch' or
    /// 'match', changing nothing. The comparison touches every byte (constant time).
    static let compareScript = RedisScript(
        """
        local value = redis.call('GET', KEYS[1])
        if not value then return 'none' end
        local ok, record = pcall(cjson.decode, value)
        if not ok or type(record) ~= 'table' or type(record.otp_hash) ~= 'string' then return 'corrupt' end
        local stored, candidate = record.otp_hash, ARGV[1]
        if #stored ~= #candidate then return 'mismatch' end
        local diff = 0
        for i = 1, #stored do
          diff = bit.bor(diff, bit.bxor(string.byte(stored, i), string.byte(candidate, i)))
        end
        if diff ~= 0 then return 'mismatch' end
        return 'match'
        """)

    /// KEYS[1] otp key; ARGV[1] the hash that matched. Deletes the record only if it still holds
    /// that hash: one atomic step, so of two verifiers of one code exactly one gets 1.
    static let consumeScript = RedisScript(
        """
        local value = redis.call('GET', KEYS[1])
        if not value then return 0 end
        local ok, record = pcall(cjson.decode, value)
        if not ok or type(record) ~= 'table' or record.otp_hash ~= ARGV[1] then return 0 end
        redis.call('DEL', KEYS[1])
        return 1
        """)
}
