// attempts list (SPEC §3, issue "support desk"): who is blocked right now, over a
// real redis-server holding 100,000 counters of which exactly 37 block, and over
// SQLite alone; the documented "unblock everyone" pipeline end to end.
import CloseupKit
import CloseupTestSupport
import Foundation
import Testing

@Suite(.serialized)
final class AttemptsListTests {
    static let blocked = Set((0..<37).map { "blocked-\($0)" })
    static let server: RedisServer = {
        let server = try! RedisServer()
        let redis = try! server.connect(timeout: 60)
        for start in stride(from: 0, to: 100_000 - 37, by: 10_000) {
            _ = try! redis.pipeline((start..<min(start + 10_000, 100_000 - 37)).map {
                RedisCommand("SET", "otp:attempts:some-\($0)", String(1 + $0 % 4), "EX", "3600")
            })
        }
        _ = try! redis.pipeline(blocked.map { RedisCommand("SET", "otp:attempts:\($0)", "5", "EX", "3600") })
        // Not closeup's, or not a counter of its shape: never listed.
        _ = try! redis.pipeline([
            RedisCommand("SET", "otp:attempts:not a user", "9"), RedisCommand("SET", "foreign:key", "9"),
        ])
        return server
    }()

    let home: String
    let environment: [String: String]

    init() throws {
        home = try TemporaryDirectory.make(prefix: "closeup-attempts-list")
        environment = Closeup.environment(home: home, extra: ["REDIS_PORT": String(Self.server.port)])
    }

    func closeup(_ arguments: [String], stdin: String = "") throws -> CloseupResult {
        try Closeup.run(arguments, environment: environment, directory: home, stdin: stdin)
    }

    func users(_ jsonLines: String) -> [String] {
        jsonLines.split(separator: "\n").compactMap { line in
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["user_id"] as? String
        }
    }

    @Test func blockedListsExactlyTheBlockedUsers() throws {
        let result = try closeup(["--json", "attempts", "list", "--blocked"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Set(users(result.stdout)) == Self.blocked)
        let first = try #require(
            (try JSONSerialization.jsonObject(with: Data(result.stdout.split(separator: "\n")[0].utf8))) as? [String: Any])
        #expect(first["count"] as? Int == 5 && first["max"] as? Int == 5 && first["blocked"] as? Bool == true)
        #expect((first["ttl_seconds"] as? Int ?? 0) > 3500 && first["store"] as? String == "redis")
    }

    @Test func everyCounterIsListedAndMinFilters() throws {
        let all = try closeup(["attempts", "list"])
        #expect(all.status == 0)
        let lines = all.stdout.split(separator: "\n")
        #expect(Set(lines.map { $0.prefix { $0 != ":" } }).count == 100_000)
        #expect(lines.count == 100_000)
        #expect(all.stderr == "closeup: 100000 users with failed attempts, 37 blocked\n", "\(all.stderr)")
        // Counters 1-4 among the others: --min 4 keeps the 4s and the blocked.
        let fours = try closeup(["--json", "attempts", "list", "--min", "4"])
        let expected = (0..<(100_000 - 37)).filter { 1 + $0 % 4 == 4 }.count + 37
        #expect(Set(users(fours.stdout)).count == expected)
    }

    @Test func unblockingEveryoneIsOnePipeline() throws {
        let server = try RedisServer()
        let own = environment.merging(["REDIS_PORT": String(server.port)]) { $1 }
        _ = try server.connect().pipeline((0..<50).map { RedisCommand("SET", "otp:attempts:u\($0)", $0 < 12 ? "5" : "2", "EX", "600") })
        let script = "closeup --no-env-file --json attempts list --blocked | jq -r .user_id | closeup --no-env-file attempts clear -"
        let result = try Closeup.shell(script, environment: own, directory: home)
        #expect(result.stdout == "cleared 12 attempt counters\n", "\(result.stdout)\(result.stderr)")
        let left = try Closeup.run(["--json", "attempts", "list"], environment: own, directory: home)
        #expect(users(left.stdout).count == 38)
        #expect(try Closeup.run(["--json", "attempts", "list", "--blocked"], environment: own, directory: home).stdout.isEmpty)
    }

    @Test func sqliteAloneListsItsCounters() throws {
        let store = ["--store", "sqlite"]
        for (index, user) in ["s1", "s2", "s3"].enumerated() {
            // A wrong guess counts only against a live code.
            #expect(try closeup(store + ["otp", "send", user, "--mobile", "970000000\(index)"]).status == 0)
            for _ in 0..<(user == "s3" ? 2 : 5) {
                _ = try closeup(store + ["otp", "verify", user, "000000"])
            }
        }
        let result = try closeup(store + ["--json", "attempts", "list", "--blocked"])
        #expect(result.status == 0 && Set(users(result.stdout)) == ["s1", "s2"], "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains(#""store":"sqlite""#))
        #expect(Set(users(try closeup(store + ["--json", "attempts", "list"]).stdout)) == ["s1", "s2", "s3"])
    }

    /// SQLite reads 'abc' as 0 and 1.5 as 1: such a row written by another program is corrupt,
    /// as the same value in Redis is.
    @Test(arguments: ["'abc'", "1.5", "-1"])
    func aCounterRowThatIsNotACountIsCorruptInSQLiteToo(value: String) throws {
        let store = ["--store", "sqlite"]
        _ = try closeup(store + ["doctor"])
        let database = home + "/data/closeup/closeup.sqlite3"
        try SQLiteDatabase(path: database).execute(
            "INSERT INTO otp_attempts (user_id, count, expires_epoch) VALUES ('odd', \(value), strftime('%s') + 600),"
                + " ('even', 2, strftime('%s') + 600)")
        let list = try closeup(store + ["attempts", "list"])
        #expect(list.status == 6 && list.stderr.contains("corrupt attempt counter of 'odd'"), "\(list.stderr)")
        #expect(list.stdout.contains("even: 2 of 5"), "the list goes on past the corrupt row: \(list.stdout)")
        #expect(try closeup(store + ["attempts", "get", "odd"]).status == 6)
    }

    @Test func aCorruptCounterIsReportedAndTheListGoesOnToExit6() throws {
        let server = try RedisServer()
        let redis = try server.connect()
        _ = try redis.pipeline(
            [
                RedisCommand("SET", "otp:attempts:broken", "abc"), RedisCommand("HSET", "otp:attempts:hashy", "count", "3"),
                RedisCommand("SET", "otp:attempts:huge", "99999999999999999999"),
            ] + (0..<3).map { RedisCommand("SET", "otp:attempts:fine-\($0)", "2", "EX", "600") })
        let environment = environment.merging(["REDIS_PORT": String(server.port)]) { $1 }
        let result = try Closeup.run(["attempts", "list"], environment: environment, directory: home)
        // The first problem met decides: 6 for a value that is not a count, 3 for the hash (an
        // error reply, as every command treats WRONGTYPE).
        #expect([3, 6].contains(result.status), "\(result.stderr)")
        for key in ["otp:attempts:broken", "otp:attempts:hashy", "otp:attempts:huge"] {
            #expect(result.stderr.contains(key), "\(key) not reported: \(result.stderr)")
        }
        #expect(result.stdout.split(separator: "\n").filter { $0.hasPrefix("fine-") }.count == 3, "\(result.stdout)")

        // With --json, every line of stderr is one JSON object, one error per bad counter.
        let json = try Closeup.run(["attempts", "list", "--json"], environment: environment, directory: home)
        #expect([3, 6].contains(json.status) && users(json.stdout).sorted() == ["fine-0", "fine-1", "fine-2"], "\(json.stdout)")
        let kinds = json.stderr.split(separator: "\n").map { line in
            (((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["error"] as? [String: Any])?["kind"]
                as? String ?? "not an error object"
        }
        #expect(kinds.sorted() == ["corrupt", "corrupt", "unavailable"], "\(json.stderr)")
    }
}
