// `stats`: the seed guide's monitoring chapter as one pass. One SCAN over the
// keyspace (every master of a cluster) counts keys per namespace, keys without
// a TTL and a TTL histogram; memory comes from MEMORY USAGE on a reservoir
// sample per namespace, extrapolated; server lines from INFO and DBSIZE where
// the ACL allows them. Memory stays flat: per namespace a few counters and at
// most `sample` keys. The service returns numbers; what is wrong is a finding.

public struct StatsRequest: Sendable {
    /// Namespaces to count; empty means all five and the keys outside them ("other").
    public var kinds: Set<KeyKind> = []
    /// Keys per namespace whose MEMORY USAGE is asked.
    public var sample = 1000
    /// SCAN's COUNT hint.
    public var count = 1000

    public init() {}
}

/// The TTL buckets, upper bounds included: each namespace's default TTL (300, 1800, 3600 s)
/// falls at the top of one, so a freshly written key is counted where its default puts it.
public enum TTLBucket: Int, CaseIterable, Sendable {
    case upTo1Minute, upTo5Minutes, upTo30Minutes, upTo1Hour, over1Hour, none

    /// The bucket of a TTL in seconds (nil: no expiry).
    public init(seconds: Int64?) {
        guard let seconds else {
            self = .none
            return
        }
        self =
            seconds <= 60 ? .upTo1Minute
            : seconds <= 300 ? .upTo5Minutes : seconds <= 1800 ? .upTo30Minutes : seconds <= 3600 ? .upTo1Hour : .over1Hour
    }
}

/// Memory of one namespace, from a sample.
public struct MemoryEstimate: Sendable, Equatable {
    /// Keys whose MEMORY USAGE was read (a key gone since the scan is left out).
    public var sampled: Int
    public var sampledBytes: Int64
    /// The namespace's bytes: the sample's mean times its keys.
    public var estimatedBytes: Int64
    /// Half the 95 % interval of the estimate (0 when every key was sampled).
    public var marginBytes: Int64
}

public struct NamespaceStats: Sendable {
    /// nil: keys outside closeup's five namespaces.
    public var kind: KeyKind?
    public var keys = 0
    /// Per TTLBucket, in its order; the last is keys without a TTL.
    public var histogram = [Int](repeating: 0, count: TTLBucket.allCases.count)
    /// Nil when MEMORY USAGE was refused, or in SQLite.
    public var memory: MemoryEstimate?
    /// SQLite only: rows kept past their life (expired, or a used code), not yet removed.
    public var staleRows: Int?

    public var withoutTTL: Int { histogram[TTLBucket.none.rawValue] }
}

/// What one server says of itself; a nil line was refused or not reported.
public struct ServerStats: Sendable {
    public var address: String
    public var usedMemory: Int64?
    public var maxMemory: Int64?
    public var maxMemoryPolicy: String?
    public var evictedKeys: Int64?
    public var expiredKeys: Int64?
    public var keyspaceHits: Int64?
    public var keyspaceMisses: Int64?
    public var dbSize: Int64?

    /// Hits over lookups; nil before any lookup or when INFO was refused.
    public var hitRatio: Double? {
        guard let hits = keyspaceHits, let misses = keyspaceMisses, hits + misses > 0 else { return nil }
        return Double(hits) / Double(hits + misses)
    }
}

/// Something the numbers show to be wrong, for the user to act on.
public enum StatsFinding: Sendable, Equatable {
    /// Keys of a namespace that never expire ("Issue 2: keys not expiring").
    case withoutTTL(KeyKind, count: Int)
    /// The server evicted keys: codes and counters may vanish before their time.
    case evictions(count: Int64, policy: String?)
    /// The keyspace hit ratio is below what the integration guide expects (85-95 %).
    case lowHitRatio(Double)
}

public struct StatsReport: Sendable {
    public var namespaces: [NamespaceStats]
    /// Per master (one outside a cluster); empty in SQLite.
    public var servers: [ServerStats] = []
    /// Keys SCAN returned (or SQLite rows looked at).
    public var scanned = 0
    /// What could not be measured and why (a refused INFO or MEMORY USAGE).
    public var notes: [String] = []
    public var findings: [StatsFinding] = []
    /// SQLite only: the database file's size.
    public var fileBytes: Int64?
    public var sampleSize: Int

    /// A cluster's total of a server line (nil when no server reported it).
    public func total(_ line: KeyPath<ServerStats, Int64?>) -> Int64? {
        let values = servers.compactMap { $0[keyPath: line] }
        return values.isEmpty ? nil : values.reduce(0, +)
    }

    /// The masters' lines added up (a cluster's total; the one server's own lines otherwise).
    public var serverTotal: ServerStats {
        var sum = ServerStats(address: "")
        sum.usedMemory = total(\.usedMemory)
        sum.maxMemory = total(\.maxMemory)
        sum.maxMemoryPolicy = servers.compactMap(\.maxMemoryPolicy).first
        sum.evictedKeys = total(\.evictedKeys)
        sum.expiredKeys = total(\.expiredKeys)
        sum.keyspaceHits = total(\.keyspaceHits)
        sum.keyspaceMisses = total(\.keyspaceMisses)
        sum.dbSize = total(\.dbSize)
        return sum
    }

    public var hitRatio: Double? { serverTotal.hitRatio }
}

public struct StatsService {
    /// Below this the guide's "85-95 % hit rate" is not met.
    public static let expectedHitRatio = 0.85

    let store: Store
    let clock: Clock

    public init(store: Store, clock: Clock = .system) {
        self.store = store
        self.clock = clock
    }

    /// One pass; `progress` gets the keys seen so far after each SCAN batch.
    public func collect(_ request: StatsRequest, progress: (Int) -> Void = { _ in }) throws(CloseupError) -> StatsReport {
        var report = try store.perform(
            idempotent: true,
            redis: { redis in try collectRedis(redis, request, progress: progress) },
            sqlite: { database in try collectSQLite(database, request) })
        for namespace in report.namespaces where namespace.withoutTTL > 0 {
            if let kind = namespace.kind { report.findings.append(.withoutTTL(kind, count: namespace.withoutTTL)) }
        }
        if let evicted = report.total(\.evictedKeys), evicted > 0 {
            report.findings.append(.evictions(count: evicted, policy: report.serverTotal.maxMemoryPolicy))
        }
        if let ratio = report.hitRatio, ratio < Self.expectedHitRatio { report.findings.append(.lowHitRatio(ratio)) }
        return report
    }

    /// The namespaces a request counts, in display order ("other" last, only when all are asked).
    static func selected(_ request: StatsRequest) -> [KeyKind?] {
        request.kinds.isEmpty ? KeyKind.allCases + [nil] : KeyKind.allCases.filter(request.kinds.contains)
    }

    private func collectRedis(
        _ redis: RedisClient, _ request: StatsRequest, progress: (Int) -> Void
    ) throws -> StatsReport {
        // The server's lines first: the scan's own TTL and MEMORY USAGE lookups would count as
        // keyspace hits and bend the ratio the backend's traffic made.
        // Every master's, so the layout is known before the first of them is asked.
        if let warning = try redis.detectCluster().warning { store.warning(warning) }
        var servers = StatsReport(namespaces: [], sampleSize: request.sample)
        try readServers(redis, into: &servers)
        let order = Self.selected(request)
        var namespaces = order.map { NamespaceStats(kind: $0) }
        var samples = order.map { _ in Reservoir(size: request.sample) }
        func slot(_ kind: KeyKind?) -> Int? { order.firstIndex(of: kind) }
        var scan = KeyScanRequest()
        scan.kinds = request.kinds
        scan.anyKey = request.kinds.isEmpty
        scan.count = request.count
        scan.withTTL = true
        let summary = try KeyScanner(store: store, clock: clock).scanRedis(
            redis, scan, action: .list,
            found: { key in
                // A key gone between SCAN and TTL no longer exists: not counted.
                guard key.lifetime != .gone, let index = slot(key.kind) else { return true }
                namespaces[index].keys += 1
                namespaces[index].histogram[TTLBucket(seconds: key.lifetime?.seconds).rawValue] += 1
                samples[index].offer(key.bytes)
                return true
            },
            endOfBatch: { summary in
                progress(summary.scanned)
                return true
            })
        var report = servers
        report.namespaces = namespaces
        report.scanned = summary.scanned
        try measureMemory(redis, samples: samples, into: &report)
        return report
    }

    /// MEMORY USAGE of each sampled key, pipelined; a refusal drops the memory column with a note.
    private func measureMemory(_ redis: RedisClient, samples: [Reservoir], into report: inout StatsReport) throws {
        for (index, sample) in samples.enumerated() where !sample.keys.isEmpty {
            var sampled = 0
            var bytes: Int64 = 0
            var sumOfSquares = 0.0
            for chunk in stride(from: 0, to: sample.keys.count, by: 1000) {
                let keys = sample.keys[chunk..<min(chunk + 1000, sample.keys.count)]
                let replies = try redis.pipelineKeepingErrors(keys.map { RedisCommand(["MEMORY", "USAGE"], key: $0) })
                for reply in replies {
                    if let message = reply.errorMessage {
                        let error = RedisError.reply(command: reply.command, message: message)
                        guard error.isRefusal else { throw error }
                        report.notes.append("memory not measured: Redis refused MEMORY USAGE (\(message))")
                        return
                    }
                    // A key gone since the scan answers nil: it has no memory to sample.
                    guard let used = try reply.optionalInteger() else { continue }
                    sampled += 1
                    bytes += used
                    sumOfSquares += Double(used) * Double(used)
                }
            }
            guard sampled > 0 else { continue }
            let keys = report.namespaces[index].keys
            let mean = Double(bytes) / Double(sampled)
            let variance = sampled > 1 ? max(0, (sumOfSquares - Double(sampled) * mean * mean) / Double(sampled - 1)) : 0
            // Finite population: sampling every key leaves no doubt.
            let correction = keys > 1 ? max(0, Double(keys - sampled) / Double(keys - 1)) : 0
            let margin = 1.96 * (variance / Double(sampled)).squareRoot() * correction.squareRoot() * Double(keys)
            report.namespaces[index].memory = MemoryEstimate(
                sampled: sampled, sampledBytes: bytes, estimatedBytes: Int64((mean * Double(keys)).rounded()),
                marginBytes: Int64(margin.rounded()))
        }
    }

    /// INFO memory, INFO stats and DBSIZE of every master; whatever is refused is left out with a note.
    private func readServers(_ redis: RedisClient, into report: inout StatsReport) throws {
        for node in try redis.masters() {
            let replies = try node.pipelineKeepingErrors([
                RedisCommand("INFO", "memory"), RedisCommand("INFO", "stats"), RedisCommand("DBSIZE"),
            ])
            var server = ServerStats(address: node.options.target)
            var fields: [Substring: Substring] = [:]
            for reply in replies.prefix(2) {
                if let message = reply.errorMessage {
                    let error = RedisError.reply(command: reply.command, message: message)
                    guard error.isRefusal else { throw error }
                    let note = "server memory and hit ratio not shown: Redis refused INFO (\(message))"
                    if !report.notes.contains(note) { report.notes.append(note) }
                    continue
                }
                for line in (try reply.text() ?? "").split(whereSeparator: \.isNewline) {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    fields[line[..<colon]] = line[line.index(after: colon)...]
                }
            }
            func number(_ name: Substring) -> Int64? { fields[name].flatMap { Int64($0) } }
            server.usedMemory = number("used_memory")
            server.maxMemory = number("maxmemory")
            server.maxMemoryPolicy = fields["maxmemory_policy"].map(String.init)
            server.evictedKeys = number("evicted_keys")
            server.expiredKeys = number("expired_keys")
            server.keyspaceHits = number("keyspace_hits")
            server.keyspaceMisses = number("keyspace_misses")
            if let message = replies[2].errorMessage {
                let error = RedisError.reply(command: "DBSIZE", message: message)
                guard error.isRefusal else { throw error }
                let note = "DBSIZE not shown: Redis refused it (\(message))"
                if !report.notes.contains(note) { report.notes.append(note) }
            } else {
                server.dbSize = try replies[2].integer()
            }
            report.servers.append(server)
        }
    }

    /// The same table from SQLite: live rows per table, their TTL histogram, and rows kept past
    /// their life. Counted by SQL, not row by row.
    private func collectSQLite(_ database: SQLiteDatabase, _ request: StatsRequest) throws -> StatsReport {
        let now = clock.epochSeconds
        // (namespace, table, what makes a row live)
        let tables: [(KeyKind, String, String)] = [
            (.otp, "otp_codes", "used_at IS NULL AND expires_epoch > ?1"),
            (.attempts, "otp_attempts", "expires_epoch > ?1"),
            (.verification, "verification_cache", "expires_epoch > ?1"),
            (.pendingVideo, "pending_video_cache", "expires_epoch > ?1"),
            (.rateLimit, "rate_limits", "expires_epoch > ?1"),
        ]
        var report = StatsReport(namespaces: [], sampleSize: request.sample)
        for (kind, table, live) in tables where request.kinds.isEmpty || request.kinds.contains(kind) {
            let count = try database.prepare(
                """
                SELECT count(*) FILTER (WHERE NOT (\(live))),
                       count(*) FILTER (WHERE (\(live)) AND expires_epoch - ?1 <= 60),
                       count(*) FILTER (WHERE (\(live)) AND expires_epoch - ?1 > 60 AND expires_epoch - ?1 <= 300),
                       count(*) FILTER (WHERE (\(live)) AND expires_epoch - ?1 > 300 AND expires_epoch - ?1 <= 1800),
                       count(*) FILTER (WHERE (\(live)) AND expires_epoch - ?1 > 1800 AND expires_epoch - ?1 <= 3600),
                       count(*) FILTER (WHERE (\(live)) AND expires_epoch - ?1 > 3600),
                       count(*)
                FROM \(table)
                """)
            try count.bind([.integer(now)])
            guard try count.step() else { continue }
            var namespace = NamespaceStats(kind: kind)
            namespace.staleRows = Int(count.integer(0) ?? 0)
            for bucket in 0..<5 { namespace.histogram[bucket] = Int(count.integer(Int32(bucket + 1)) ?? 0) }
            namespace.keys = namespace.histogram.reduce(0, +)
            report.scanned += Int(count.integer(6) ?? 0)
            report.namespaces.append(namespace)
        }
        report.fileBytes = FileSystem.size(database.path)
        return report
    }
}

/// A uniform sample of at most `size` keys from a stream of unknown length (Vitter's algorithm R):
/// every key seen has the same chance to be in it, and it never holds more than `size`.
struct Reservoir {
    let size: Int
    private(set) var keys: [[UInt8]] = []
    private var seen = 0
    private var generator = SplitMix64()

    init(size: Int) { self.size = size }

    mutating func offer(_ key: [UInt8]) {
        seen += 1
        if keys.count < size {
            keys.append(key)
        } else {
            let slot = Int.random(in: 0..<seen, using: &generator)
            if slot < size { keys[slot] = key }
        }
    }
}

/// A fast generator for sampling, seeded once from the system: a sample needs no secrecy, and the
/// system generator costs a getrandom call per draw (a million calls over a million keys).
struct SplitMix64: RandomNumberGenerator {
    private var state = UInt64.random(in: .min ... .max)

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
