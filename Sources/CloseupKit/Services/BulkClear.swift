// Deleting one kind of per-user key for many users: streamed through one
// Redis pipeline, and from the SQLite table that holds the same kind while
// Redis is away, so a clear leaves nothing behind in either store.

/// A per-user namespace that bulk commands clear.
enum UserKeyKind {
    case otp, attempts, verification, pendingVideo

    func key(_ user: UserID) -> String {
        switch self {
        case .otp: CacheKeys.otp(user)
        case .attempts: CacheKeys.otpAttempts(user)
        case .verification: CacheKeys.userVerification(user)
        case .pendingVideo: CacheKeys.pendingVideo(user)
        }
    }

    /// The SQLite table of the same kind (a fixed name, never user input).
    var table: String {
        switch self {
        case .otp: "otp_codes"
        case .attempts: "otp_attempts"
        case .verification: "verification_cache"
        case .pendingVideo: "pending_video_cache"
        }
    }
}

enum BulkClear {
    /// Clears `kind` for every user; true for each user who had a live value in either store.
    static func clear(_ kind: UserKeyKind, _ users: [UserID], store: Store, clock: Clock) throws(CloseupError) -> [Bool] {
        try store.perform(
            redis: { redis in try clear(kind, users, redis: redis, local: try store.sqlite(), clock: clock) },
            sqlite: { database in try clear(kind, users, in: database, clock: clock) })
    }

    /// User by user in Redis (one streamed DEL each), then SQLite's values of the kind.
    private static func clear(
        _ kind: UserKeyKind, _ users: [UserID], redis: RedisClient, local: SQLiteDatabase, clock: Clock
    ) throws -> [Bool] {
        var cleared = [Bool](repeating: false, count: users.count)
        try redis.streamRemovals(
            count: users.count, command: { RedisCommand("DEL", kind.key(users[$0])) },
            removed: { index, removed in cleared[index] = removed })
        return zip(cleared, try clear(kind, users, in: local, clock: clock)).map { $0 || $1 }
    }

    /// Clears `kind` for every user and says only how many had a value: less work for the server
    /// (multi-key UNLINKs instead of a DEL per user) where no per-user answer is wanted. Where
    /// SQLite holds values of the kind too, or the layout is unknown, it clears user by user.
    static func clearCounting(_ kind: UserKeyKind, _ users: [UserID], store: Store, clock: Clock) throws(CloseupError) -> Int {
        try store.perform(
            redis: { redis in
                let local = try store.sqlite()
                var layoutKnown = true
                if case .unknown = try redis.detectCluster() { layoutKnown = false }
                guard layoutKnown, try !hasRows(kind, in: local) else {
                    return try clear(kind, users, redis: redis, local: local, clock: clock).filter { $0 }.count
                }
                return try redis.unlink(users.map(kind.key))
            },
            sqlite: { database in try clear(kind, users, in: database, clock: clock).filter { $0 }.count })
    }

    /// Whether the table of `kind` holds anything (it fills only while Redis is away).
    private static func hasRows(_ kind: UserKeyKind, in database: SQLiteDatabase) throws(CloseupError) -> Bool {
        try database.prepare("SELECT EXISTS (SELECT 1 FROM \(kind.table))").firstInteger() == 1
    }

    private static func clear(
        _ kind: UserKeyKind, _ users: [UserID], in database: SQLiteDatabase, clock: Clock
    ) throws(CloseupError) -> [Bool] {
        let now = clock.epochSeconds
        // These tables fill only while Redis is away: usually there is nothing to look at.
        guard try hasRows(kind, in: database) else { return users.map { _ in false } }
        return try database.transaction { () throws(CloseupError) in
            // A code is kept, marked used: it is the durable record that it was issued.
            let clear =
                kind == .otp
                ? try database.prepare(
                    "UPDATE otp_codes SET used_at = ?3 WHERE user_id = ?1 AND expires_epoch > ?2 AND used_at IS NULL")
                : try database.prepare("DELETE FROM \(kind.table) WHERE user_id = ?1 AND expires_epoch > ?2")
            let stamp = clock.timestamp(now)
            var cleared: [Bool] = []
            cleared.reserveCapacity(users.count)
            for user in users {
                try clear.run([.text(user.value), .integer(now)] + (kind == .otp ? [.text(stamp)] : []))
                cleared.append(database.changes > 0)
            }
            return cleared
        }
    }
}
