// `keys scan`: walk SCAN over closeup's namespaces (never the whole keyspace
// unless asked), stream each key once as it arrives, optionally with its TTL,
// and unlink in pipelined batches. A key outside the five namespaces is never
// deleted. Keys go to a callback: the service prints nothing.

/// What to list (and maybe delete).
public struct KeyScanRequest: Sendable {
    /// Namespaces to list; empty means all five.
    public var kinds: Set<KeyKind> = []
    /// A Redis glob matched against the whole key.
    public var match: String?
    /// SCAN's COUNT hint.
    public var count = 1000
    /// Stop after this many keys.
    public var limit: Int?
    public var withTTL = false
    /// Only keys without a TTL (a bug signal in these namespaces).
    public var noExpiryOnly = false
    /// Keys outside the namespaces may be listed (never deleted).
    public var anyKey = false

    public init() {}
}

/// What happens to the keys found.
public enum KeyScanAction: Sendable {
    case list
    /// Report what would be deleted.
    case dryRun
    case delete
}

public struct ScannedKey: Sendable {
    /// The key exactly as stored: it need not be UTF-8.
    public var bytes: [UInt8]
    public var kind: KeyKind?
    /// Known when TTLs were asked for.
    public var lifetime: Lifetime?
    /// With `.delete`: whether UNLINK removed it (false when it was gone already, or when it is
    /// not a key closeup builds and was left alone).
    public var deleted: Bool?
    /// With `.delete` or `.dryRun`: not a key closeup builds (`otp:x y`), so a delete leaves it alone.
    public var leftAlone = false

    /// The key as text, when it is UTF-8.
    public var text: String? { String(validating: bytes, as: UTF8.self) }
}

/// What a scan did: keys handed to the caller, and (deleting) keys really removed, also those of
/// a batch the caller stopped reading half-way (they were unlinked all the same).
public struct KeyScanSummary: Sendable, Equatable {
    /// Keys (or SQLite rows) looked at so far, selected or not.
    public var scanned = 0
    public var listed = 0
    public var deleted = 0
    /// Keys in a namespace but not of closeup's shape (`otp:x y`): never deleted.
    public var leftAlone = 0
}

public struct KeyScanner {
    let store: Store
    let clock: Clock

    public init(store: Store, clock: Clock = .system) {
        self.store = store
        self.clock = clock
    }

    /// Walks the keyspace and hands each selected key to `found`, batch by batch (`endOfBatch`
    /// after each, with the counts so far: a place to flush output and show progress); `found`
    /// or `endOfBatch` returns false to stop early (a delete then stops before its next batch). Memory stays
    /// flat: nothing is remembered across batches, so a key SCAN returns twice (Redis resized its
    /// table meanwhile) is handed over twice; deleting it the second time removes nothing and
    /// says so. Deleting an OTP also marks its SQLite copy used, so it cannot verify through the
    /// fallback (SPEC §2, revoking).
    public func scan(
        _ request: KeyScanRequest, action: KeyScanAction = .list, found: (ScannedKey) -> Bool,
        endOfBatch: (KeyScanSummary) -> Bool = { _ in true }
    ) throws(CloseupError) -> KeyScanSummary {
        if action == .delete, request.anyKey {
            throw .usage("deleting never touches keys outside closeup's namespaces", remedy: .dropAnyKey)
        }
        return try store.perform(
            redis: { redis in try scanRedis(redis, request, action: action, found: found, endOfBatch: endOfBatch) },
            sqlite: { database in
                try scanSQLite(database, request, action: action, found: found, endOfBatch: endOfBatch)
            })
    }

    /// Which keys a request selects (the server's MATCH aside), decided per key without
    /// allocating: it runs for every key of a scan.
    struct Selector {
        let match: [UInt8]?
        let everything: Bool
        /// One bit per wanted kind, so a key's kind is tested without hashing.
        let kinds: UInt8

        init(_ request: KeyScanRequest) {
            match = request.match.map { Array($0.utf8) }
            everything = request.anyKey && request.kinds.isEmpty
            kinds = (request.kinds.isEmpty ? Set(KeyKind.allCases) : request.kinds).reduce(0) { $0 | Self.bit($1) }
        }

        func selects(_ key: [UInt8]) -> (Bool, KeyKind?) {
            let kind = KeyKind.of(key)
            if let match, !Glob.matches(match, key) { return (false, kind) }
            if everything { return (true, kind) }
            guard let kind else { return (false, nil) }
            return (kinds & Self.bit(kind) != 0, kind)
        }

        private static func bit(_ kind: KeyKind) -> UInt8 {
            UInt8(1) << UInt8(KeyKind.allCases.firstIndex(of: kind)!)
        }
    }

    /// The MATCH patterns to walk: the user's glob, or one per selected namespace (otp:*
    /// covers the attempt counters), or none for --any-key.
    static func patterns(_ request: KeyScanRequest) -> [String?] {
        if let match = request.match { return [match] }
        if request.anyKey && request.kinds.isEmpty { return [nil] }
        let kinds = request.kinds.isEmpty ? Set(KeyKind.allCases) : request.kinds
        return KeyKind.allCases.filter { kinds.contains($0) && !($0 == .attempts && kinds.contains(.otp)) }.map(\.pattern)
    }

    func scanRedis(
        _ redis: RedisClient, _ request: KeyScanRequest, action: KeyScanAction, found: (ScannedKey) -> Bool,
        endOfBatch: (KeyScanSummary) -> Bool
    ) throws -> KeyScanSummary {
        var summary = KeyScanSummary()
        let selector = Selector(request)
        let needTTL = request.withTTL || request.noExpiryOnly
        // In a cluster every master holds a share of the keys: walk each one.
        if let warning = try redis.detectCluster().warning { store.warning(warning) }
        for pattern in Self.patterns(request) {
            for node in try redis.masters() {
                func scan(_ cursor: String) -> RedisCommand {
                    var command = ["SCAN", cursor, "COUNT", String(request.count)]
                    if let pattern { command += ["MATCH", pattern] }
                    return RedisCommand(arguments: command)
                }
                // SCAN on a connection of its own: the next page is asked for before this one
                // is parsed or handled, so the server walks while closeup reads, writes, looks up
                // TTLs or unlinks (those go through `redis`, never this connection).
                let walker = try RedisConnection(options: node.options)
                var asked = scan("0")
                try walker.beginCall(asked)
                var cursor = "0"
                repeat {
                    // The next page is asked for as soon as this one's cursor arrives.
                    let (reply, early) = try walker.finishScan(asked) { $0 == "0" ? nil : scan($0) }
                    let page = try reply.scanPage()
                    cursor = page.cursor
                    if cursor != "0" {
                        if let early {
                            asked = early
                        } else {
                            asked = scan(cursor)
                            try walker.beginCall(asked)
                        }
                    }
                    summary.scanned += page.keys.count
                    var batch: [([UInt8], KeyKind?)] = []
                    for key in page.keys {
                        let (selected, kind) = selector.selects(key)
                        if selected { batch.append((key, kind)) }
                    }
                    guard !batch.isEmpty else {
                        if !endOfBatch(summary) { return summary }
                        continue
                    }
                    var lifetimes: [Lifetime?] = Array(repeating: nil, count: batch.count)
                    if needTTL {
                        lifetimes = try redis.pipeline(batch.map { RedisCommand("TTL", key: $0.0) }).map { try $0.lifetime() }
                    }
                    var chosen: [ScannedKey] = []
                    for (index, (key, kind)) in batch.enumerated() {
                        if request.noExpiryOnly, lifetimes[index] != .noExpiry { continue }
                        chosen.append(ScannedKey(bytes: key, kind: kind, lifetime: lifetimes[index]))
                        if let limit = request.limit, summary.listed + chosen.count >= limit { break }
                    }
                    if action != .list {
                        // Only keys of closeup's own shape are unlinked; the rest are left alone,
                        // and a dry run says so too.
                        for index in chosen.indices where !KeyKind.isWellFormed(chosen[index].bytes) {
                            chosen[index].leftAlone = true
                        }
                        summary.leftAlone += chosen.filter(\.leftAlone).count
                    }
                    if action == .delete, !chosen.isEmpty {
                        let ours = chosen.indices.filter { !chosen[$0].leftAlone }
                        let unlinked = try redis.pipeline(ours.map { RedisCommand("UNLINK", key: chosen[$0].bytes) })
                        for index in chosen.indices { chosen[index].deleted = false }
                        for (index, reply) in zip(ours, unlinked) { chosen[index].deleted = try reply.flag() }
                        summary.deleted += chosen.filter { $0.deleted == true }.count
                        try OTPCodes.revoke(
                            try store.sqlite(),
                            users: chosen.compactMap { key in
                                key.kind == .otp && key.deleted == true ? key.text.flatMap(KeyKind.userPart) : nil
                            },
                            now: clock.timestamp(clock.epochSeconds))
                    }
                    for key in chosen {
                        summary.listed += 1
                        if !found(key) { return summary }
                    }
                    if !endOfBatch(summary) { return summary }
                    if let limit = request.limit, summary.listed >= limit { return summary }
                } while cursor != "0"
            }
        }
        return summary
    }

    /// The same view of the SQLite store: each live row as the key it stands for, a page of
    /// 1,000 rows at a time in row order (flat memory, as over Redis), a delete's page in one
    /// transaction.
    private func scanSQLite(
        _ database: SQLiteDatabase, _ request: KeyScanRequest, action: KeyScanAction, found: (ScannedKey) -> Bool,
        endOfBatch: (KeyScanSummary) -> Bool
    ) throws -> KeyScanSummary {
        let now = clock.epochSeconds
        // (the key a row stands for, its table and row id, which rows are live, how one is deleted)
        let sources: [(key: String, table: String, id: String, live: String, deletion: String)] = [
            ("'otp:' || user_id", "otp_codes", "id", "used_at IS NULL AND expires_epoch > ?",
             "UPDATE otp_codes SET used_at = '\(clock.timestamp(now))' WHERE id = ? AND used_at IS NULL"),
            ("'otp:attempts:' || user_id", "otp_attempts", "rowid", "expires_epoch > ?", "DELETE FROM otp_attempts WHERE rowid = ?"),
            ("'user:verification:' || user_id", "verification_cache", "rowid", "expires_epoch > ?",
             "DELETE FROM verification_cache WHERE rowid = ?"),
            ("'video:pending:' || user_id", "pending_video_cache", "rowid", "expires_epoch > ?",
             "DELETE FROM pending_video_cache WHERE rowid = ?"),
            ("key", "rate_limits", "rowid", "expires_epoch > ?", "DELETE FROM rate_limits WHERE rowid = ?"),
        ]
        let selector = Selector(request)
        var summary = KeyScanSummary()
        for source in sources {
            let page = try database.prepare(
                "SELECT \(source.key), expires_epoch, \(source.id) FROM \(source.table) WHERE \(source.live)"
                    + " AND \(source.id) > ? ORDER BY \(source.id) LIMIT 1000")
            var after: Int64 = -1
            while true {
                try page.bind([.integer(now), .integer(after)])
                var rows: [(ScannedKey, Int64)] = []
                var fetched = 0
                while try page.step() {
                    fetched += 1
                    guard let id = page.integer(2) else { continue }
                    after = id
                    summary.scanned += 1
                    guard let text = page.text(0), let expires = page.integer(1) else { continue }
                    let key = Array(text.utf8)
                    let (selected, kind) = selector.selects(key)
                    guard selected, !request.noExpiryOnly else { continue }  // SQLite rows always expire
                    rows.append((ScannedKey(bytes: key, kind: kind, lifetime: request.withTTL ? .seconds(expires - now) : nil), id))
                }
                guard fetched > 0 else { break }
                var chosen = rows
                if action == .delete, !rows.isEmpty {
                    try database.transaction { () throws(CloseupError) in
                        let delete = try database.prepare(source.deletion)
                        for index in chosen.indices {
                            try delete.run([.integer(chosen[index].1)])
                            chosen[index].0.deleted = database.changes > 0
                        }
                    }
                    summary.deleted += chosen.filter { $0.0.deleted == true }.count
                }
                for (key, _) in chosen {
                    summary.listed += 1
                    if !found(key) { return summary }
                    if let limit = request.limit, summary.listed >= limit { return summary }
                }
                if !endOfBatch(summary) { return summary }
            }
        }
        return summary
    }
}
