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
            redis: { redis in
                var cleared = [Bool](repeating: false, count: users.count)
                try redis.streamRemovals(
                    count: users.count, command: { RedisCommand("DEL", kind.key(users[$0])) },
                    removed: { index, removed in cleared[index] = removed })
                let local = try clear(kind, users, in: try store.sqlite(), clock: clock)
                return zip(cleared, local).map { $0 || $1 }
            },
            sqlite: { database in try clear(kind, users, in: database, clock: clock) })
    }

    private static func clear(
        _ kind: UserKeyKind, _ users: [UserID], in database: SQLiteDatabase, clock: Clock
    ) throws(CloseupError) -> [Bool] {
        let now = clock.epochSeconds
        // These tables fill only while Redis is away: usually there is nothing to look at.
        guard try database.prepare("SELECT EXISTS (SELECT 1 FROM \(kind.table))").firstInteger() == 1 else {
            return users.map { _ in false }
        }
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
