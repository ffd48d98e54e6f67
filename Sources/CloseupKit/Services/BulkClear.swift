// Deleting one kind of per-user key for many users: streamed through one
// Redis pipeline, and from the SQLite table that holds the same kind while
// Redis is away, so a clear leaves nothing behind in either store.

/// A per-user namespace that bulk commands clear.
enum UserKeyKind {
    case attempts, verification, pendingVideo

    func key(_ user: UserID) -> String {
        switch self {
        case .attempts: CacheKeys.otpAttempts(user)
        case .verification: CacheKeys.userVerification(user)
        case .pendingVideo: CacheKeys.pendingVideo(user)
        }
    }

    /// The SQLite table of the same kind (a fixed name, never user input).
    var table: String {
        switch self {
        case .attempts: "otp_attempts"
        case .verification: "verification_cache"
        case .pendingVideo: "pending_video_cache"
        }
    }
}

enum BulkClear {
    /// Clears `kind` for every user; true for each user who had a live value in either store.
    static func clear(_ kind: UserKeyKind, _ users: [UserID], store: Store, now: Int64) throws(CloseupError) -> [Bool] {
        try store.perform(
            redis: { redis in
                var cleared = [Bool](repeating: false, count: users.count)
                var failure: RedisError?
                try redis.stream(
                    count: users.count, command: { RedisCommand("DEL", kind.key(users[$0])) },
                    reply: { index, reply in
                        do throws(RedisError) {
                            cleared[index] = try reply.flag()
                        } catch {
                            failure = failure ?? error
                        }
                    })
                if let failure { throw failure }
                let local = try clear(kind, users, in: try store.sqlite(), now: now)
                return zip(cleared, local).map { $0 || $1 }
            },
            sqlite: { database in try clear(kind, users, in: database, now: now) })
    }

    private static func clear(
        _ kind: UserKeyKind, _ users: [UserID], in database: SQLiteDatabase, now: Int64
    ) throws(CloseupError) -> [Bool] {
        // These tables fill only while Redis is away: usually there is nothing to look at.
        guard try database.prepare("SELECT EXISTS (SELECT 1 FROM \(kind.table))").firstInteger() == 1 else {
            return users.map { _ in false }
        }
        return try database.transaction { () throws(CloseupError) in
            let delete = try database.prepare("DELETE FROM \(kind.table) WHERE user_id = ? AND expires_epoch > ?")
            var cleared: [Bool] = []
            cleared.reserveCapacity(users.count)
            for user in users {
                try delete.run([.text(user.value), .integer(now)])
                cleared.append(database.changes > 0)
            }
            return cleared
        }
    }
}
