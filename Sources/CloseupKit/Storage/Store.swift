// The fallback policy of SPEC §2, in one place: Redis first, SQLite behind it.
// It connects lazily, treats "not there" (refused, unreachable, silent) as a
// reason to fall back, warns once, and honours --store. A Redis that answers
// with an error is never papered over: that error is the result.

/// Where one run's commands read and write.
public final class Store {
    public let settings: Settings
    private let warn: (String) -> Void
    private var redisState: RedisState = .untried
    private var database: SQLiteDatabase?

    private enum RedisState {
        case untried
        case connected(RedisClient)
        /// SQLite serves; the reason was already reported (or is silent by design).
        case fallenBack(RedisError)
    }

    /// - Parameter warn: receives each warning once (the CLI prints it on stderr).
    public init(settings: Settings, warn: @escaping (String) -> Void) {
        self.settings = settings
        self.warn = warn
    }

    /// The SQLite database, opened (and migrated) on first use.
    public func sqlite() throws(CloseupError) -> SQLiteDatabase {
        if let database { return database }
        let opened = try SQLiteDatabase(path: settings.sqlitePath)
        database = opened
        return opened
    }

    /// The Redis connection, or nil when SQLite serves this run.
    /// Throws when Redis is required but absent, or refuses us (authentication, TLS).
    public func redis() throws(CloseupError) -> RedisClient? {
        switch redisState {
        case .connected(let connection): return connection
        case .fallenBack: return nil
        case .untried: break
        }
        if settings.store == .sqlite { return nil }
        do {
            let connection = try RedisConnector.connect(settings)
            redisState = .connected(connection)
            return connection
        } catch let error as RedisError {
            return try fallBack(after: error)
        } catch let error as CloseupError {
            throw error
        } catch {
            throw CloseupError(.internal, "unexpected error connecting to Redis: \(error)")
        }
    }

    /// Runs `redisWork` on Redis, or `sqliteWork` when Redis is unavailable under the policy.
    /// A Redis that never answered the first command counts as unavailable too. With
    /// `idempotent`, a timeout or dropped connection is retried once on a new connection.
    public func perform<T>(
        idempotent: Bool = false,
        redis redisWork: (RedisClient) throws -> T, sqlite sqliteWork: (SQLiteDatabase) throws -> T
    ) throws(CloseupError) -> T {
        do {
            var retried = false
            while let connection = try redis() {
                do {
                    return try redisWork(connection)
                } catch let error as RedisError {
                    switch error {
                    case .unreachable:
                        _ = try fallBack(after: error)
                    case .timedOut, .connectionLost:
                        guard idempotent, !retried else { throw error.closeupError }
                        retried = true
                        redisState = .untried
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

    /// True when commands are being served by SQLite (after a fallback, or by --store sqlite).
    public var isUsingSQLite: Bool {
        switch redisState {
        case .fallenBack: true
        default: settings.store == .sqlite
        }
    }

    /// Decides what an unreachable Redis means for this run.
    private func fallBack(after error: RedisError) throws(CloseupError) -> RedisClient? {
        guard case .unreachable(let target, let reason) = error else { throw error.closeupError }
        switch settings.store {
        case .redis:
            throw .unavailable(
                "cannot reach Redis at \(target): \(reason); --store redis allows no SQLite fallback")
        case .auto where settings.redisConfigured:
            warn("Redis at \(target) is unreachable (\(reason)); using SQLite at \(settings.sqlitePath)")
        case .auto, .sqlite:
            break  // the embedded default: nothing configured, nothing local, so SQLite silently
        }
        redisState = .fallenBack(error)
        return nil
    }

    /// Why Redis is not serving this run, if it is not.
    public var fallbackReason: RedisError? {
        if case .fallenBack(let error) = redisState { error } else { nil }
    }
}

/// Opens the connection the settings describe.
enum RedisConnector {
    static func connect(_ settings: Settings) throws -> RedisClient {
        try RedisClient(options: settings.redis, cluster: settings.cluster)
    }
}
