// The fallback policy of SPEC §2, in one place: Redis first, SQLite behind it,
// decided once per run. The first contact with Redis decides: a Redis that is
// not there (refused, unreachable, silent before its first byte) hands the run
// to SQLite under --store; a Redis that answered serves the whole run, and
// losing it later is an error, never a switch. A Redis that answers with an
// error is never papered over: that error is the result.

/// Which store served a result.
public enum StoreSource: String, Sendable {
    case redis
    case sqlite
}

/// Where one run's commands read and write.
public final class Store {
    public let settings: Settings
    private let warn: (String) -> Void
    private var decision: Decision = .undecided
    private var database: SQLiteDatabase?

    private enum Decision {
        case undecided
        /// Redis serves the run; `client` is nil between a dropped connection and its retry.
        case redis(RedisClient?)
        /// SQLite serves the run; the reason was already reported (or is silent by design).
        case sqlite(RedisError?)
    }

    /// - Parameter warn: receives each warning once (the CLI prints it on stderr).
    public init(settings: Settings, warn: @escaping (String) -> Void) {
        self.settings = settings
        self.warn = warn
        if settings.store == .sqlite { decision = .sqlite(nil) }
    }

    /// The SQLite database, opened (and migrated) on first use. With Redis serving, it holds the
    /// durable copies the seed keeps in its database (OTP records, video jobs).
    public func sqlite() throws(CloseupError) -> SQLiteDatabase {
        if let database { return database }
        let opened = try SQLiteDatabase(path: settings.sqlitePath)
        database = opened
        return opened
    }

    /// Passes a warning on to the user (for services, which never print).
    public func warning(_ text: String) { warn(text) }

    /// The store serving this run, once decided (nil before the first contact).
    public var served: StoreSource? {
        switch decision {
        case .undecided: nil
        case .redis: .redis
        case .sqlite: .sqlite
        }
    }

    /// Why Redis is not serving this run, if it is not.
    public var fallbackReason: RedisError? {
        if case .sqlite(let error) = decision { error } else { nil }
    }

    /// The Redis connection, or nil when SQLite serves this run. Connects on first use; throws
    /// when Redis is required but absent, refuses us (authentication, TLS), or was lost.
    public func redis() throws(CloseupError) -> RedisClient? {
        let retrying: Bool
        switch decision {
        case .sqlite: return nil
        case .redis(let client?): return client
        case .redis(nil): retrying = true
        case .undecided: retrying = false
        }
        do throws(RedisError) {
            let client = try RedisClient(options: settings.redis, cluster: settings.cluster)
            decision = .redis(client)
            return client
        } catch {
            // A retry after a dropped connection: Redis already served this run, so failing to
            // get it back is an error, not a fallback.
            if retrying { throw lost(error) }
            return try fallBack(after: error)
        }
    }

    /// A second connection to the run's Redis, for undoing work after the run's own connection
    /// timed out or dropped in the middle of it (a reply that never came leaves that connection
    /// unusable). Nil when none can be made: the undo is then left undone, and said so.
    func spareRedis() -> RedisClient? {
        try? RedisClient(options: settings.redis, cluster: settings.cluster)
    }

    /// Runs `redisWork` on Redis, or `sqliteWork` when SQLite serves the run. A Redis that never
    /// answered the first command counts as absent too. With `idempotent`, a timeout or dropped
    /// connection is retried once on a new connection; otherwise it ends the run (exit 3), and
    /// nothing is then done on SQLite alone.
    public func perform<T>(
        idempotent: Bool = false,
        redis redisWork: (RedisClient) throws -> T, sqlite sqliteWork: (SQLiteDatabase) throws -> T
    ) throws(CloseupError) -> T {
        do {
            var retried = false
            while let client = try redis() {
                do {
                    // A change is never the first thing sent to a server that has not answered
                    // yet: one that stalls and answers late would have done the work that SQLite
                    // then does too. Any reply proves it is there; silence is still absence.
                    if !idempotent, !client.hasAnswered { _ = try client.pipelineKeepingErrors([RedisCommand("PING")]) }
                    return try redisWork(client)
                } catch let error as RedisError {
                    switch error {
                    case .unreachable where !client.hasAnswered:
                        _ = try fallBack(after: error)
                    case .timedOut, .connectionLost:
                        guard idempotent, !retried else { throw lost(error) }
                        retried = true
                        decision = .redis(nil)
                    case .unreachable:
                        throw lost(error)
                    default:
                        throw error.closeupError
                    }
                }
            }
            return try sqliteWork(try sqlite())
        } catch let error as CloseupError {
            throw error
        } catch let error as RedisError {
            throw error.closeupError
        } catch {
            throw CloseupError(.internal, "unexpected error: \(error)")
        }
    }

    /// A Redis that had answered this run is gone (a cluster master down, a connection cut):
    /// the run ends here rather than carry on in SQLite, which would split it across stores.
    private func lost(_ error: RedisError) -> CloseupError {
        guard case .unreachable(let target, let reason) = error else { return error.closeupError }
        return .unavailable(
            "cannot reach Redis at \(target) (\(reason)) although Redis had answered this run;"
                + " the run stops here rather than go on in SQLite alone")
    }

    /// Decides what an absent Redis means for this run: SQLite, with a warning when a Redis was
    /// configured, or an error when the policy allows no fallback. Anything but absence is
    /// thrown as it is (authentication, TLS, a host that does not exist).
    private func fallBack(after error: RedisError) throws(CloseupError) -> RedisClient? {
        guard case .unreachable(let target, let reason) = error else { throw error.closeupError }
        switch settings.store {
        case .redis:
            throw .unavailable("cannot reach Redis at \(target): \(reason)", remedy: .fallbackDisabled)
        case .auto where settings.redisConfigured:
            warn("Redis at \(target) is unreachable (\(reason)); using SQLite at \(settings.sqlitePath)")
        case .auto, .sqlite:
            break  // the embedded default: nothing configured, nothing local, so SQLite silently
        }
        decision = .sqlite(error)
        return nil
    }
}
