// stats (SPEC §3, issue "closeup stats"): against a real redis-server filled with
// known keys (10,000 OTPs, 50,000 counters of which 25 never expire, 5,000 cache
// entries, 1,000 foreign keys) every count and TTL bucket is exact and each
// namespace's memory estimate is within 10 % of the sum of MEMORY USAGE over all
// its keys; the same on a 3-master cluster (per master and in total), on SQLite
// alone, and for an ACL user refused INFO and MEMORY.
import CloseupKit
import CloseupTestSupport
import Foundation
import Testing

@Suite(.serialized)
final class StatsTests {
    /// Namespace (nil: other) -> keys per bucket: ≤1m, ≤5m, ≤30m, ≤1h, >1h, none.
    static let expected: [String?: [Int]] = [
        "otp": [4000, 6000, 0, 0, 0, 0],
        "attempts": [0, 0, 20_000, 29_975, 0, 25],
        "verification": [0, 0, 0, 0, 2500, 0],
        "pending-video": [0, 0, 2500, 0, 0, 0],
        "rate-limit": [0, 0, 0, 0, 0, 0],
        nil: [0, 0, 0, 0, 0, 1000],
    ]

    /// The keys and how they are written. TTLs sit well inside their bucket (58 s stays ≤1 min
    /// for the seconds a test takes; 300 s, read a second later, is 299). Values vary in
    /// length so that a sample has something to estimate.
    static func commands() -> [RedisCommand] {
        var commands: [RedisCommand] = []
        for index in 0..<10_000 {
            let value = "{\"otp_hash\":\"" + String(repeating: "a", count: 20 + index % 300) + "\"}"
            commands.append(RedisCommand("SET", "otp:u\(index)", value, "EX", index < 4000 ? "58" : "300"))
        }
        for index in 0..<50_000 {
            let key = "otp:attempts:u\(index)"
            let count = String(1 + index % 5)
            commands.append(
                index < 25
                    ? RedisCommand("SET", key, count)
                    : RedisCommand("SET", key, count, "EX", index < 20_025 ? "1000" : "3600"))
        }
        for index in 0..<2500 {
            commands.append(RedisCommand("SET", "user:verification:u\(index)", index % 2 == 0 ? "true" : "false", "EX", "7200"))
            commands.append(RedisCommand("SET", "video:pending:u\(index)", String(index * 7919), "EX", "1800"))
        }
        for index in 0..<1000 { commands.append(RedisCommand("SET", "foreign:\(index)", String(repeating: "f", count: index % 500))) }
        return commands
    }

    static func fill(_ pipeline: ([RedisCommand]) throws -> Void) throws {
        let all = commands()
        for start in stride(from: 0, to: all.count, by: 10_000) { try pipeline(Array(all[start..<min(start + 10_000, all.count)])) }
    }

    static let server: RedisServer = {
        let server = try! RedisServer()
        let redis = try! server.connect(timeout: 60)
        try! fill { _ = try redis.pipeline($0) }
        return server
    }()

    let home: String
    let environment: [String: String]

    /// The ≤1 min keys, written again: the suite may start long after the server was filled,
    /// and a test that counts them must find all of them alive.
    static func renewShortLived() throws {
        _ = try server.connect(timeout: 30).pipeline(commands().prefix(4000).map { $0 })
    }

    init() throws {
        home = try TemporaryDirectory.make(prefix: "closeup-stats")
        environment = Closeup.environment(
            home: home, extra: ["REDIS_PORT": String(Self.server.port), "CLOSEUP_OTP_SECRET": "stats-secret"])
    }

    func stats(_ arguments: [String] = [], environment extra: [String: String] = [:]) throws -> (CloseupResult, [String: Any]) {
        let result = try Closeup.run(["--json", "stats"] + arguments, environment: environment.merging(extra) { $1 }, directory: home)
        let object = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
        return (result, object)
    }

    /// Namespace name (nil for other) -> its object.
    func namespaces(_ object: [String: Any]) -> [String?: [String: Any]] {
        var found: [String?: [String: Any]] = [:]
        for namespace in object["namespaces"] as? [[String: Any]] ?? [] { found[namespace["kind"] as? String] = namespace }
        return found
    }

    func histogram(_ namespace: [String: Any]?) -> [Int] {
        let buckets = namespace?["ttl_histogram"] as? [String: Int] ?? [:]
        return ["le_60", "le_300", "le_1800", "le_3600", "gt_3600", "none"].map { buckets[$0] ?? -1 }
    }

    /// MEMORY USAGE of every key of each namespace, summed, as the truth the estimate is held to.
    func memoryByNamespace(_ connection: RedisConnection) throws -> [String?: Int64] {
        let keys = Self.commands().map { $0.arguments[1] }
        var sums: [String?: Int64] = [:]
        for start in stride(from: 0, to: keys.count, by: 10_000) {
            let chunk = Array(keys[start..<min(start + 10_000, keys.count)])
            let replies = try connection.pipeline(chunk.map { RedisCommand("MEMORY", "USAGE", $0) })
            for (key, reply) in zip(chunk, replies) { sums[KeyKind.of(key)?.rawValue, default: 0] += reply.number ?? 0 }
        }
        return sums
    }

    @Test func everyCountAndBucketIsExactAndMemoryIsWithinTenPercent() throws {
        try Self.renewShortLived()
        let (result, object) = try stats()
        #expect(result.status == 0, "\(result.stderr)")
        let found = namespaces(object)
        for (kind, buckets) in Self.expected {
            #expect(histogram(found[kind]) == buckets, "\(kind ?? "other")")
            #expect(found[kind]?["keys"] as? Int == buckets.reduce(0, +), "\(kind ?? "other")")
            #expect(found[kind]?["without_ttl"] as? Int == buckets[5], "\(kind ?? "other")")
        }
        #expect(object["total_keys"] as? Int == 66_000 && object["scanned"] as? Int == 66_000)
        #expect(object["store"] as? String == "redis")
        let truth = try memoryByNamespace(try Self.server.connect())
        for (kind, sum) in truth {
            let memory = found[kind]?["memory"] as? [String: Any]
            let estimate = try #require(memory?["estimated_bytes"] as? Int, "\(kind ?? "other") has no estimate")
            let error = abs(Double(estimate) - Double(sum)) / Double(sum)
            #expect(error < 0.10, "\(kind ?? "other"): estimated \(estimate), MEMORY USAGE sums to \(sum)")
            #expect(memory?["sampled"] as? Int == min(1000, found[kind]?["keys"] as? Int ?? 0))
        }
        let server = try #require((object["servers"] as? [[String: Any]])?.first)
        #expect(server["dbsize"] as? Int == 66_000 && server["used_memory"] is Int && server["maxmemory_policy"] is String)
        let findings = (object["findings"] as? [[String: Any]] ?? []).compactMap { $0["command"] as? String }
        #expect(findings == ["closeup keys scan --kind attempts --no-expiry"], "\(object["findings"] ?? "")")
    }

    @Test func theDrawnTableAlignsItsColumnsAndNamesWhatIsWrong() throws {
        var unicode = environment
        unicode["LANG"] = "C.UTF-8"
        let drawn = try Closeup.run(["stats", "--sample", "200"], environment: unicode, directory: home)
        #expect(drawn.status == 0, "\(drawn.stderr)")
        let lines = drawn.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Header and the six namespace rows and the total: the keys column ends at one place.
        let table = Array(lines.prefix(8))
        #expect(table[0].hasPrefix("namespace") && table[7].hasPrefix("total"), "\(drawn.stdout)")
        let ends = table.map { line in line.distance(from: line.startIndex, to: line.range(of: "keys")?.upperBound ?? line.startIndex) }
        let keysColumn = ends[0]
        for row in table.dropFirst() {
            let cell = row.prefix(keysColumn)
            #expect(cell.last?.isNumber == true, "keys column not aligned: '\(row)'")
        }
        #expect(table[2].hasPrefix("attempts") && table[2].contains("50,000") && table[2].contains("████████████████████"))
        #expect(table[0].contains("≤1m") && table[0].contains(">1h"))
        #expect(drawn.stdout.contains("(200 sampled)") && drawn.stdout.contains("± is the 95 % interval"))
        // OTP values differ in length, so their estimate has an interval; counters do not.
        #expect(table[1].contains(" ±") && !table[2].contains("±"), "\(table[1])\n\(table[2])")
        #expect(drawn.stdout.contains("25 attempt counters have no TTL: closeup keys scan --kind attempts --no-expiry"))
        // Not UTF-8: bars of '#', and no other character outside ASCII.
        var ascii = environment
        ascii["LANG"] = "C"
        let plain = try Closeup.run(["stats", "--sample", "200"], environment: ascii, directory: home)
        #expect(plain.stdout.contains("####################") && plain.stdout.allSatisfy(\.isASCII), "\(plain.stdout)")
    }

    @Test func kindKeepsToItsNamespaces() throws {
        let (result, object) = try stats(["--kind", "verification", "--kind", "pending-video"])
        #expect(result.status == 0)
        let found = namespaces(object)
        #expect(Set(found.keys) == ["verification", "pending-video"], "no 'other' line with --kind")
        #expect(histogram(found["verification"]) == Self.expected["verification"])
        #expect(object["total_keys"] as? Int == 5000)
    }

    @Test func anACLUserRefusedINFOAndMEMORYStillGetsEveryCount() throws {
        let user = "stats-\(UUID().uuidString.prefix(6).lowercased())"
        let admin = try Self.server.connect()
        try admin.call(RedisCommand("ACL", "SETUSER", user, "on", ">st-pass", "~*", "+@all", "-@dangerous", "-memory"))
        defer { _ = try? admin.call(RedisCommand("ACL", "DELUSER", user)) }
        try Self.renewShortLived()
        let (result, object) = try stats(environment: ["REDIS_USERNAME": user, "REDIS_PASSWORD": "st-pass"])
        #expect(result.status == 0, "\(result.stderr)")
        let found = namespaces(object)
        for (kind, buckets) in Self.expected { #expect(histogram(found[kind]) == buckets, "\(kind ?? "other")") }
        #expect(found.values.allSatisfy { $0["memory"] is NSNull }, "memory must be dropped, not guessed")
        let notes = object["notes"] as? [String] ?? []
        #expect(notes.contains { $0.contains("MEMORY USAGE") } && notes.contains { $0.contains("INFO") }, "\(notes)")
        let server = try #require((object["servers"] as? [[String: Any]])?.first)
        #expect(server["used_memory"] is NSNull && server["dbsize"] as? Int == 66_000, "\(server)")
        // The human output says the same in words.
        let drawn = try Closeup.run(
            ["stats"], environment: environment.merging(["REDIS_USERNAME": user, "REDIS_PASSWORD": "st-pass"]) { $1 },
            directory: home)
        #expect(drawn.status == 0 && drawn.stdout.contains("note: memory not measured: Redis refused MEMORY USAGE"), "\(drawn.stdout)")
    }

    @Test func aClusterIsCountedOnEveryMasterWithATotal() throws {
        let cluster = try RedisCluster()
        let flags: [SettingKey: String] = [
            .port: String(cluster.nodes[0].port), .cluster: "true", .sqlitePath: home + "/cluster.sqlite3",
        ]
        let store = Store(
            settings: try Settings.resolve(flags: flags, environment: ["HOME": home], envFile: .none), warn: { _ in })
        let commands =
            (0..<3000).map { RedisCommand("SET", "otp:c\($0)", "{}", "EX", "300") }
            + (0..<3000).map { $0 < 5 ? RedisCommand("SET", "otp:attempts:c\($0)", "1") : RedisCommand("SET", "otp:attempts:c\($0)", "1", "EX", "3600") }
        _ = try store.perform(redis: { redis in try redis.pipeline(commands) }, sqlite: { _ in [] })
        let (result, object) = try stats(environment: ["REDIS_PORT": String(cluster.nodes[0].port)])
        #expect(result.status == 0, "\(result.stderr)")
        let found = namespaces(object)
        #expect(histogram(found["otp"]) == [0, 3000, 0, 0, 0, 0])
        #expect(histogram(found["attempts"]) == [0, 0, 0, 2995, 0, 5])
        let servers = object["servers"] as? [[String: Any]] ?? []
        #expect(servers.count == 3, "one line per master")
        var sizes: [Int] = []
        for node in cluster.nodes { sizes.append(Int(try node.connect().call(RedisCommand("DBSIZE")).number ?? -1)) }
        #expect(servers.compactMap { $0["dbsize"] as? Int }.sorted() == sizes.sorted() && sizes.allSatisfy { $0 > 1000 })
        #expect((object["total"] as? [String: Any])?["dbsize"] as? Int == 6000)
        let drawn = try Closeup.run(["stats"], environment: environment.merging(["REDIS_PORT": String(cluster.nodes[0].port)]) { $1 }, directory: home)
        #expect(drawn.stdout.contains("total of 3 masters") && drawn.stdout.contains("6,000 keys (DBSIZE)"), "\(drawn.stdout)")
    }

    @Test func sqliteAloneCountsItsTables() throws {
        let store = ["--store", "sqlite"]
        _ = try Closeup.run(store + ["doctor"], environment: environment, directory: home)
        let database = try SQLiteDatabase(path: home + "/data/closeup/closeup.sqlite3")
        try database.execute(
            """
            INSERT INTO otp_codes (user_id, otp_hash, created_at, expires_at, expires_epoch, used_at) VALUES
              ('a', 'h', 't', 't', strftime('%s') + 200, NULL),
              ('b', 'h', 't', 't', strftime('%s') + 50, NULL),
              ('c', 'h', 't', 't', strftime('%s') - 10, NULL),
              ('d', 'h', 't', 't', strftime('%s') + 200, 't');
            INSERT INTO otp_attempts (user_id, count, expires_epoch) VALUES
              ('a', 2, strftime('%s') + 3000), ('b', 5, strftime('%s') - 1);
            INSERT INTO rate_limits (key, count, expires_epoch) VALUES ('rate_limit:login:a', 1, strftime('%s') + 7200);
            """)
        let (result, object) = try stats(store)
        #expect(result.status == 0 && object["store"] as? String == "sqlite", "\(result.stderr)")
        let found = namespaces(object)
        #expect(histogram(found["otp"]) == [1, 1, 0, 0, 0, 0] && found["otp"]?["stale_rows"] as? Int == 2)
        #expect(histogram(found["attempts"]) == [0, 0, 0, 1, 0, 0] && found["attempts"]?["stale_rows"] as? Int == 1)
        #expect(histogram(found["rate-limit"]) == [0, 0, 0, 0, 1, 0])
        #expect(found[nil as String?] == nil && (object["servers"] as? [Any])?.isEmpty == true)
        #expect((object["file_bytes"] as? Int ?? 0) > 0)
        let drawn = try Closeup.run(store + ["stats"], environment: environment, directory: home)
        #expect(drawn.stdout.contains("stale rows") && drawn.stdout.contains("closeup.sqlite3"), "\(drawn.stdout)")
    }
}
