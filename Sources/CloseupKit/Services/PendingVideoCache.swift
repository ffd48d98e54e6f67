// `video:pending:<user>`: the newest unfinished video job of a user, cached
// for 1800 s. On a miss the SQLite table `video_jobs` (filled by the backend
// or an operator) is asked, and a hit is cached for next time (the seed's
// Example 2).

/// Where a pending job was found.
public enum PendingVideoSource: String, Sendable {
    case cache
    /// The `video_jobs` table, after a cache miss (the job is now cached).
    case database
}

public struct PendingVideo: Sendable, Equatable {
    /// The one rule for a job id, wherever it comes from (the command line, the cache, either
    /// store's tables): decimal digits, no sign, within 64 bits. A value closeup would refuse to
    /// cache is never cached, and one it caches is always read back.
    public static func jobID(_ text: String) -> Int64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int64(text)
    }

    public var jobID: Int64
    public var source: PendingVideoSource
    /// Seconds the cache entry has left; nil when it has no TTL.
    public var ttl: Int64?
}

public struct PendingVideoCache {
    public static let defaultTTL: Int64 = 1800
    /// The statuses of a job that is still being made.
    public static let pendingStatuses = ["queued", "photo_processing", "lipsync_processing"]

    let store: Store
    let clock: Clock

    public init(store: Store, clock: Clock = .system) {
        self.store = store
        self.clock = clock
    }

    /// The pending job: from the cache, else from `video_jobs` (then cached). Nil when there is none.
    public func get(_ user: UserID) throws(CloseupError) -> PendingVideo? {
        if let cached = try cached(user) { return cached }
        let key = CacheKeys.pendingVideo(user)
        return try store.perform(
            redis: { redis in
                guard let job = try Self.newestPendingJob(try store.sqlite(), user) else { return nil }
                // NX: a value another writer cached meanwhile is as good as ours.
                _ = try redis.call(RedisCommand("SET", key, String(job), "EX", String(Self.defaultTTL), "NX")).status()
                return PendingVideo(jobID: job, source: .database, ttl: Self.defaultTTL)
            },
            sqlite: { database in
                guard let job = try Self.newestPendingJob(database, user) else { return nil }
                try Self.cache(database, user, job: job, expires: clock.epochSeconds + Self.defaultTTL)
                return PendingVideo(jobID: job, source: .database, ttl: Self.defaultTTL)
            })
    }

    /// The cache entry only, without asking `video_jobs` or writing anything (for `inspect`).
    public func cached(_ user: UserID) throws(CloseupError) -> PendingVideo? {
        let key = CacheKeys.pendingVideo(user)
        return try store.perform(
            idempotent: true,
            redis: { redis in
                let replies = try redis.pipeline([RedisCommand("GET", key), RedisCommand("TTL", key)])
                return try Self.cached(replies[0], replies[1], key: key)
            },
            sqlite: { database in
                let now = clock.epochSeconds
                let select = try database.prepare(
                    "SELECT job_id, expires_epoch FROM pending_video_cache WHERE user_id = ? AND expires_epoch > ?")
                try select.bind([.text(user.value), .integer(now)])
                guard try select.step(), let job = select.integer(0) else { return nil }
                guard job >= 0 else {
                    throw CloseupError(
                        .corrupt, "corrupt pending video of '\(user)' in pending_video_cache: job id \(job); it was left as it is")
                }
                return PendingVideo(jobID: job, source: .cache, ttl: (select.integer(1) ?? now) - now)
            })
    }

    /// The cached job from a GET and a TTL of its key; nil when nothing is cached.
    static func cached(_ value: RedisReply, _ ttl: RedisReply, key: String) throws -> PendingVideo? {
        guard let text = try value.text() else { return nil }
        guard let job = PendingVideo.jobID(text) else {
            throw CloseupError(.corrupt, "corrupt pending video at '\(key)': expected a job id; it was left as it is")
        }
        return PendingVideo(jobID: job, source: .cache, ttl: try ttl.lifetime().seconds)
    }

    public func set(_ user: UserID, job: Int64, ttl: Int64 = defaultTTL) throws(CloseupError) {
        let key = CacheKeys.pendingVideo(user)
        _ = try store.perform(
            redis: { redis in _ = try redis.call(RedisCommand("SET", key, String(job), "EX", String(ttl))).status() },
            sqlite: { database in try Self.cache(database, user, job: job, expires: clock.epochSeconds + ttl) })
    }

    /// Clears the cache for `users` (the jobs stay in `video_jobs`); true for each user who had an entry.
    public func clear(_ users: [UserID]) throws(CloseupError) -> [Bool] {
        try BulkClear.clear(.pendingVideo, users, store: store, clock: clock)
    }

    /// Clears the same, saying only how many users had one (fewer commands for the server).
    public func clearCounting(_ users: [UserID]) throws(CloseupError) -> Int {
        try BulkClear.clearCounting(.pendingVideo, users, store: store, clock: clock)
    }

    /// The newest pending job's id. The table is another writer's too: an id that is not a
    /// non-negative integer (a negative one, a text id from another schema, which SQLite would read as its leading digits) is
    /// corrupt data, never a made-up job id. SQLite sorts text after integers, so such a row is
    /// the one found first.
    static func newestPendingJob(_ database: SQLiteDatabase, _ user: UserID) throws(CloseupError) -> Int64? {
        let select = try database.prepare(
            "SELECT id, typeof(id) FROM video_jobs WHERE user_id = ? AND status IN (?, ?, ?) ORDER BY id DESC LIMIT 1")
        try select.bind([.text(user.value)] + pendingStatuses.map(SQLiteValue.text))
        guard try select.step() else { return nil }
        guard select.text(1) == "integer", let id = select.integer(0), id >= 0 else {
            throw CloseupError(
                .corrupt,
                "corrupt video job of '\(user)' in video_jobs: id '\(CacheKeys.printable(select.text(0) ?? "NULL"))' is not a"
                    + " non-negative integer;"
                    + " it was left as it is")
        }
        return id
    }

    private static func cache(_ database: SQLiteDatabase, _ user: UserID, job: Int64, expires: Int64) throws(CloseupError) {
        try database.prepare(
            "INSERT INTO pending_video_cache (user_id, job_id, expires_epoch) VALUES (?, ?, ?)"
                + " ON CONFLICT (user_id) DO UPDATE SET job_id = excluded.job_id, expires_epoch = excluded.expires_epoch"
        ).run([.text(user.value), .integer(job), .integer(expires)])
    }
}
