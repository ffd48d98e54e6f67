// keys scan against a redis-server of its own holding a million keys, most of
// them not closeup's: exact listings, each key once, flat memory, and a delete
// that never strays outside the namespaces.
import CloseupKit
import CloseupTestSupport
import Foundation
import Testing

@Suite(.serialized)
final class KeysScanTests {
    /// 800,000 foreign keys, 200,000 closeup keys (of which 100,000 attempt counters).
    static let server: RedisServer = {
        let server = try! RedisServer(config: ["--enable-debug-command", "yes"])
        let redis = try! server.connect(timeout: 60)
        _ = try! redis.call(RedisCommand("DEBUG", "POPULATE", "800000", "foreign"))
        for start in stride(from: 0, to: 100_000, by: 10_000) {
            _ = try! redis.pipeline((start..<start + 10_000).flatMap { index in
                [
                    RedisCommand("SET", "otp:attempts:user\(index)", "1", "EX", "3600"),
                    RedisCommand("SET", "user:verification:user\(index)", "true", "EX", "3600"),
                ]
            })
        }
        return server
    }()

    let home: String
    let environment: [String: String]
    var redis: RedisConnection { try! Self.server.connect() }

    init() throws {
        home = try TemporaryDirectory.make(prefix: "closeup-keys")
        environment = Closeup.environment(home: home, extra: ["REDIS_PORT": String(Self.server.port)])
    }

    func closeup(_ arguments: [String], stdin: String = "") throws -> CloseupResult {
        try Closeup.run(arguments, environment: environment, directory: home, stdin: stdin)
    }

    @Test func kindAttemptsListsExactlyTheAttemptCountersOnceWithFlatMemory() throws {
        let timeOutput = home + "/time.txt"
        let result = try Closeup.runProgram(
            "/usr/bin/time", ["-v", "-o", timeOutput, Closeup.executable, "keys", "scan", "--kind", "attempts"],
            environment: environment, directory: home, stdin: "")
        #expect(result.status == 0)
        let keys = result.stdout.split(separator: "\n")
        #expect(keys.count == 100_000)
        #expect(Set(keys).count == 100_000)
        #expect(keys.allSatisfy { $0.hasPrefix("otp:attempts:user") })
        let report = try String(contentsOfFile: timeOutput, encoding: .utf8)
        let line = report.split(separator: "\n").first { $0.contains("Maximum resident set size") }!
        let kilobytes = Int(line.split(separator: ":").last!.trimmingCharacters(in: .whitespaces))!
        #expect(kilobytes < 30 * 1024, "peak RSS \(kilobytes) KB")
    }

    @Test func allNamespacesWithTTLsAndJSON() throws {
        let result = try closeup(["--json", "keys", "scan", "--kind", "verification", "--ttl", "--limit", "5"])
        let lines = result.stdout.split(separator: "\n")
        #expect(result.status == 0 && lines.count == 5)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        #expect(first["kind"] as? String == "verification" && (first["ttl_seconds"] as! Int) > 3000)
        let everything = try closeup(["keys", "scan", "--count", "5000"])
        #expect(everything.stdout.split(separator: "\n").count >= 200_000)
        #expect(!everything.stdout.contains("foreign"))
    }

    @Test func noExpiryFindsExactlyThePlantedKeys() throws {
        let planted = ["otp:attempts:nottl-a", "user:verification:nottl-b", "rate_limit:login:nottl-c"]
        for key in planted { try redis.call(RedisCommand("SET", key, "1")) }
        try redis.call(RedisCommand("SET", "foreign-without-ttl", "1"))
        defer { _ = try? redis.pipeline((planted + ["foreign-without-ttl"]).map { RedisCommand("DEL", $0) }) }
        let result = try closeup(["keys", "scan", "--no-expiry", "--count", "5000"])
        #expect(result.status == 0)
        #expect(result.stdout.split(separator: "\n").map(String.init).sorted() == planted.sorted())
    }

    @Test func deleteRefusesWithoutYesAndDeletesExactlyTheMatchedKeys() throws {
        let keys = (0..<500).map { "otp:attempts:doomed-\($0)" }
        _ = try redis.pipeline(keys.map { RedisCommand("SET", $0, "1", "EX", "600") })
        _ = try redis.pipeline([
            RedisCommand("SET", "otp:attempts:kept", "1", "EX", "600"),
            RedisCommand("SET", "doomed-foreign", "1"),
            RedisCommand("SET", "otp:attempts:doomed:with-colon", "1"),
        ])
        let arguments = ["keys", "scan", "--kind", "attempts", "--match", "otp:attempts:doomed*", "--delete"]

        let refused = try closeup(arguments)
        #expect(refused.status == 2 && refused.stderr.contains("--yes") && refused.stdout.isEmpty)
        let dry = try closeup(arguments + ["--dry-run"])
        #expect(dry.status == 0 && dry.stdout.split(separator: "\n").count == 500)
        #expect(dry.stderr == "closeup: would delete 500 keys (dry run)\n")
        #expect(try redis.call(RedisCommand("EXISTS", keys[0], keys[499])).resp == .integer(2))

        let deleted = try closeup(arguments + ["--yes"])
        #expect(deleted.status == 0 && deleted.stderr == "closeup: deleted 500 keys\n")
        let left = try redis.pipeline(keys.map { RedisCommand("EXISTS", $0) })
        #expect(left.allSatisfy { $0.resp == .integer(0) })
        // Outside the match, outside the namespaces, or not a user id: all survive.
        #expect(try redis.call(RedisCommand("EXISTS", "otp:attempts:kept", "doomed-foreign", "otp:attempts:doomed:with-colon")).resp == .integer(3))
        #expect(try redis.call(RedisCommand("DBSIZE")).number! >= 1_000_000)

        let anyKey = try closeup(["keys", "scan", "--any-key", "--match", "doomed*", "--delete", "--yes"])
        #expect(anyKey.status == 2 && anyKey.stderr.contains("never touches keys outside"))
        #expect(try redis.call(RedisCommand("EXISTS", "doomed-foreign")).resp == .integer(1))
    }

    @Test func aDeleteWhoseReaderGoesAwayGoesOnDeletingAndCountsEveryKeyItUnlinked() throws {
        // `| head -1`: the reader leaves after one line, mid-batch. The delete was asked for, the
        // listing only shows it: every key goes, and the summary says so.
        let server = try RedisServer()
        _ = try server.connect().pipeline((0..<5000).map { RedisCommand("SET", "otp:attempts:h\($0)", "1", "EX", "600") })
        let result = try Closeup.shell(
            "closeup keys scan --kind attempts --delete --yes 2>\"$HOME/err\" | head -1",
            environment: environment.merging(["REDIS_PORT": String(server.port)]) { $1 }, directory: home)
        #expect(result.status == 0 && result.stdout.hasPrefix("otp:attempts:h"), "\(result.stdout)")
        let summary = try String(contentsOfFile: home + "/err", encoding: .utf8)
        let remaining = try server.connect().call(RedisCommand("DBSIZE")).number!
        let reported = Int64(summary.split(separator: " ").compactMap { Int64($0) }.first ?? -1)
        #expect(summary.hasPrefix("closeup: deleted ") && reported == 5000 - remaining, "\(summary), \(remaining) left")
        #expect(remaining == 0)
        server.stop()
    }

    @Test func anyKeyWidensAListingAndAnEmptyListingExits0() throws {
        let foreign = try closeup(["keys", "scan", "--any-key", "--match", "foreign:1234?"])
        #expect(foreign.status == 0 && foreign.stdout.split(separator: "\n").count == 10)
        let none = try closeup(["keys", "scan", "--match", "otp:nobody-*"])
        #expect(none.status == 0 && none.stdout.isEmpty && none.stderr.isEmpty)
        let nul = try closeup(["keys", "scan", "--kind", "attempts", "--match", "otp:attempts:user1234?", "-0"])
        #expect(nul.stdout.split(separator: "\u{0}").count == 10 && !nul.stdout.contains("\n"))
    }
}

/// keys scan over SQLite alone streams a page of rows at a time: memory does not grow with the
/// table (it once held every row before printing the first), and a delete is one transaction a page.
struct SQLiteKeysScanTests {
    func peakKilobytes(rows: Int, delete: Bool = false) throws -> (kilobytes: Int, listed: Int, stderr: String) {
        let home = try TemporaryDirectory.make(prefix: "closeup-sqlite-scan")
        let environment = Closeup.environment(home: home)
        let database = home + "/data/closeup/closeup.sqlite3"
        _ = try Closeup.run(["--store", "sqlite", "doctor"], environment: environment, directory: home)
        let filled = try Closeup.runProgram(
            "/usr/bin/env",
            ["python3", "-c", """
                import sqlite3, sys, time
                db = sqlite3.connect(sys.argv[1]); now = int(time.time())
                db.executemany("INSERT INTO otp_attempts VALUES (?, 1, ?)", (("q%d" % i, now + 7200) for i in range(int(sys.argv[2]))))
                db.commit()
                """, database, String(rows)],
            environment: ProcessInfo.processInfo.environment, directory: home, stdin: "")
        #expect(filled.status == 0, "\(filled.stderr)")
        let timeOutput = home + "/time.txt"
        let result = try Closeup.runProgram(
            "/usr/bin/time",
            ["-f", "%M", "-o", timeOutput, Closeup.executable, "--store", "sqlite", "keys", "scan", "--kind", "attempts"]
                + (delete ? ["--delete", "--yes"] : []),
            environment: environment, directory: home, stdin: "")
        #expect(result.status == 0, "\(result.stderr)")
        let kilobytes = Int(try String(contentsOfFile: timeOutput, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        return (kilobytes, result.stdout.split(separator: "\n").count, result.stderr)
    }

    @Test func memoryDoesNotGrowWithTheTable() throws {
        let small = try peakKilobytes(rows: 10_000)
        let large = try peakKilobytes(rows: 300_000)
        #expect(small.listed == 10_000 && large.listed == 300_000)
        #expect(large.kilobytes - small.kilobytes < 3 * 1024, "\(small.kilobytes) KB -> \(large.kilobytes) KB")
        let deleted = try peakKilobytes(rows: 300_000, delete: true)
        #expect(deleted.listed == 300_000 && deleted.stderr == "closeup: deleted 300000 keys\n", "\(deleted.stderr)")
        #expect(deleted.kilobytes - small.kilobytes < 3 * 1024, "\(deleted.kilobytes) KB")
    }
}
