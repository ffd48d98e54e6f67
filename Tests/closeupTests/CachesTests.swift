// Rate limits and the two small caches end to end (SPEC §2-§3, issue "rate
// limits and caches"), with the built binary, a real redis-server and SQLite.
import CloseupKit
import CloseupTestSupport
import Foundation
import Testing

@Suite(.serialized)
final class CachesTests {
    let server = RedisServer.shared
    let home: String
    let environment: [String: String]
    var redis: RedisConnection { try! server.connect() }
    var sqlitePath: String { home + "/data/closeup/closeup.sqlite3" }

    init() throws {
        home = try TemporaryDirectory.make(prefix: "closeup-caches")
        environment = Closeup.environment(home: home, extra: ["REDIS_PORT": String(server.port)])
    }

    func closeup(_ arguments: [String], stdin: String = "", environment extra: [String: String] = [:]) throws -> CloseupResult {
        try Closeup.run(arguments, environment: environment.merging(extra) { $1 }, directory: home, stdin: stdin)
    }

    func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }

    func unique(_ name: String) -> String { "\(name)-\(UUID().uuidString.prefix(8))" }

    // MARK: 1. Rate limits

    @Test func fiftyConcurrentChecksAdmitExactlyTheLimit() throws {
        let identifier = unique("ip")
        let results = try Closeup.runConcurrently(
            Array(repeating: ["ratelimit", "check", "login", identifier, "--max", "10", "--window", "60"], count: 50),
            environment: environment, directory: home)
        #expect(results.filter { $0.status == 0 }.count == 10)
        #expect(results.filter { $0.status == 1 }.count == 40)
        #expect(try redis.call(RedisCommand("GET", "rate_limit:login:\(identifier)")).string == "10")
        let ttl = try redis.call(RedisCommand("TTL", "rate_limit:login:\(identifier)")).number!
        #expect(ttl > 0 && ttl <= 60)
    }

    @Test func fiftyConcurrentChecksAdmitExactlyTheLimitOnSQLite() throws {
        let identifier = unique("ip")
        let results = try Closeup.runConcurrently(
            Array(repeating: ["--store", "sqlite", "ratelimit", "check", "login", identifier, "--max", "10", "--window", "60"], count: 50),
            environment: environment, directory: home)
        #expect(results.filter { $0.status == 0 }.count == 10)
        #expect(results.filter { $0.status == 1 }.count == 40)
        #expect(results.allSatisfy { $0.stderr.isEmpty })
    }

    @Test func aCounterWithoutTTLGetsTheWindowAtTheNextCheck() throws {
        let identifier = unique("nottl")
        let key = "rate_limit:login:\(identifier)"
        try redis.call(RedisCommand("SET", key, "2"))
        #expect(try closeup(["ratelimit", "check", "login", identifier, "--max", "5", "--window", "30"]).status == 0)
        let ttl = try redis.call(RedisCommand("TTL", key)).number!
        #expect(ttl > 0 && ttl <= 30)
        #expect(try redis.call(RedisCommand("GET", key)).string == "3")
    }

    @Test func aCounterAboveTheLimitReadsAsLimitedWithNoneRemaining() throws {
        let identifier = unique("over")
        let key = "rate_limit:login:\(identifier)"
        try redis.call(RedisCommand("SET", key, "15", "EX", "100"))
        let result = try closeup(["--json", "ratelimit", "check", "login", identifier, "--max", "10", "--window", "60"])
        #expect(result.status == 1)
        let decision = try json(result.stdout)
        #expect(decision["allowed"] as? Bool == false && decision["remaining"] as? Int == 0 && decision["count"] as? Int == 15)
        #expect(try redis.call(RedisCommand("GET", key)).string == "15")
    }

    // MARK: 2. Peek, reset, JSON

    @Test func peekNeverCountsResetClearsAndJSONHasTheNamedFields() throws {
        // otp_request takes a mobile number (as --mobile does); any other action any identifier.
        let identifier = unique("peek")
        let check = ["ratelimit", "check", "login", identifier, "--max", "3", "--window", "300"]
        #expect(try closeup(check).status == 0)
        #expect(try closeup(check).status == 0)
        for _ in 0..<3 {
            let peek = try closeup(["--json"] + check + ["--peek"])
            #expect(peek.status == 0)
            #expect(try json(peek.stdout)["count"] as? Int == 2)
        }
        #expect(try redis.call(RedisCommand("GET", "rate_limit:login:\(identifier)")).string == "2")
        let result = try closeup(["--json"] + check)
        let object = try json(result.stdout)
        #expect(Set(object.keys) == ["action", "identifier", "allowed", "count", "max", "remaining", "reset_in_seconds", "store"])
        #expect(object["allowed"] as? Bool == true && object["count"] as? Int == 3 && object["max"] as? Int == 3)
        #expect(object["remaining"] as? Int == 0 && (object["reset_in_seconds"] as! Int) <= 300)
        #expect(result.stdout.hasPrefix(#"{"action":"login","identifier":""#))
        #expect(try closeup(check).status == 1)
        #expect(try closeup(["ratelimit", "reset", "login", identifier]).status == 0)
        #expect(try redis.call(RedisCommand("EXISTS", "rate_limit:login:\(identifier)")).resp == .integer(0))
        #expect(try closeup(check).status == 0)
    }

    @Test(arguments: [
        (["ratelimit", "check", "Login", "x", "--max", "1", "--window", "1"], 2, "invalid action 'Login'"),
        (["ratelimit", "check", "login", "x", "--window", "1"], 2, "'ratelimit check' needs --max N"),
        (["ratelimit", "check", "login", "x", "--max", "0", "--window", "1"], 2, "invalid value '0' for '--max'"),
        (["verification", "set", "u1", "yes"], 2, "invalid status 'yes' for 'verification set': expected true, false"),
        (["pending-video", "set", "u1", "12x"], 2, "invalid job id '12x': expected a whole number"),
    ])
    func badInputIsAUsageError(arguments: [String], status: Int32, message: String) throws {
        let result = try closeup(arguments)
        #expect(result.status == status && result.stderr.hasPrefix("closeup: \(message)"))
    }

    // MARK: 3. Pending video

    func insertJob(_ user: String, status: String) throws -> Int64 {
        let database = try SQLiteDatabase(path: sqlitePath)
        try database.prepare("INSERT INTO video_jobs (user_id, status, created_at) VALUES (?, ?, '2026-01-13T15:25:00+05:30')")
            .run([.text(user), .text(status)])
        return try database.prepare("SELECT last_insert_rowid()").firstInteger()!
    }

    @Test func aQueuedJobIsFoundOnACacheMissAndCachedACompletedOneIsNot() throws {
        let user = unique("video")
        let queued = try insertJob(user, status: "queued")
        _ = try insertJob(user, status: "completed")  // newer, but finished
        let first = try closeup(["--json", "pending-video", "get", user])
        #expect(first.status == 0)
        let object = try json(first.stdout)
        #expect(object["job_id"] as? Int == Int(queued) && object["found_in"] as? String == "database")
        #expect(try redis.call(RedisCommand("GET", "video:pending:\(user)")).string == String(queued))
        let ttl = try redis.call(RedisCommand("TTL", "video:pending:\(user)")).number!
        #expect(ttl > 1790 && ttl <= 1800)
        #expect(try json(try closeup(["--json", "pending-video", "get", user]).stdout)["found_in"] as? String == "cache")

        let done = unique("done")
        _ = try insertJob(done, status: "completed")
        #expect(try closeup(["pending-video", "get", done]).status == 1)
        #expect(try redis.call(RedisCommand("EXISTS", "video:pending:\(done)")).resp == .integer(0))

        #expect(try closeup(["pending-video", "clear", user]).stdout == "cleared 1 pending video entry\n")
        #expect(try redis.call(RedisCommand("EXISTS", "video:pending:\(user)")).resp == .integer(0))
    }

    @Test(arguments: [false, true])
    func aJobIDThatIsNotAnIntegerIsCorruptNeverAMadeUpJob(sqliteOnly: Bool) throws {
        // Another writer's schema: text ids. SQLite would read '9f1c…' as 9.
        let folder = try TemporaryDirectory.make(prefix: "closeup-jobs")
        let path = folder + "/closeup.sqlite3"
        let created = try Closeup.runProgram(
            "/usr/bin/env",
            ["python3", "-c", """
                import sqlite3, sys
                db = sqlite3.connect(sys.argv[1])
                db.execute("CREATE TABLE video_jobs (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT)")
                db.execute("INSERT INTO video_jobs VALUES ('9f1c2a7e-0b1d', 'texty', 'queued', '2026-01-13T15:25:00+05:30')")
                db.commit()
                """, path],
            environment: ProcessInfo.processInfo.environment, directory: folder, stdin: "")
        #expect(created.status == 0, "\(created.stderr)")
        let result = try closeup((sqliteOnly ? ["--store", "sqlite"] : []) + ["--sqlite", path, "pending-video", "get", "texty"])
        #expect(result.status == 6, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("id '9f1c2a7e-0b1d' is not a non-negative integer") && result.stdout.isEmpty, "\(result.stderr)")
        #expect(try redis.call(RedisCommand("EXISTS", "video:pending:texty")).resp == .integer(0))
        #expect(try SQLiteDatabase(path: path).prepare("SELECT count(*) FROM pending_video_cache").firstInteger() == 0)
    }

    /// One rule for a job id on every path: a negative id in video_jobs is corrupt, not cached
    /// (it used to be cached and then read back as corrupt), and a signed value in the cache is
    /// corrupt as `pending-video set` would have refused it.
    @Test(arguments: [false, true])
    func aJobIDCloseupWouldRefuseIsNeverCached(sqliteOnly: Bool) throws {
        let user = unique("negative")
        let path = try TemporaryDirectory.make(prefix: "closeup-jobs") + "/closeup.sqlite3"
        try SQLiteDatabase(path: path).prepare("INSERT INTO video_jobs (id, user_id, status) VALUES (-1, ?, 'queued')")
            .run([.text(user)])
        let store = (sqliteOnly ? ["--store", "sqlite"] : []) + ["--sqlite", path]
        for _ in 0..<2 {
            let result = try closeup(store + ["pending-video", "get", user])
            #expect(result.status == 6 && result.stderr.contains("id '-1' is not"), "\(result.stdout)\(result.stderr)")
        }
        #expect(try redis.call(RedisCommand("EXISTS", "video:pending:\(user)")).resp == .integer(0))
        #expect(try SQLiteDatabase(path: path).prepare("SELECT count(*) FROM pending_video_cache").firstInteger() == 0)
        #expect(try closeup(store + ["pending-video", "set", user, "+5"]).status == 2)
        if !sqliteOnly {
            _ = try redis.call(RedisCommand("SET", "video:pending:\(user)", "+5", "EX", "60"))
            #expect(try closeup(["pending-video", "get", user]).status == 6)
            _ = try redis.call(RedisCommand("DEL", "video:pending:\(user)"))
        }
    }

    @Test func setAndGetHonourTheTTLAndACachedFalseIsFound() throws {
        let user = unique("set")
        #expect(try closeup(["pending-video", "set", user, "456", "--ttl", "90"]).status == 0)
        #expect(try redis.call(RedisCommand("GET", "video:pending:\(user)")).string == "456")
        #expect(try redis.call(RedisCommand("TTL", "video:pending:\(user)")).number! <= 90)
        #expect(try closeup(["verification", "get", user]).status == 1)
        #expect(try closeup(["verification", "set", user, "false"]).status == 0)
        #expect(try redis.call(RedisCommand("GET", "user:verification:\(user)")).string == "false")
        let ttl = try redis.call(RedisCommand("TTL", "user:verification:\(user)")).number!
        #expect(ttl > 3590 && ttl <= 3600)
        let found = try closeup(["--json", "verification", "get", user])
        let verified = try json(found.stdout)["verified"] as? Bool
        #expect(found.status == 0 && verified == false)
    }

    // MARK: 4. Redis away

    @Test func theSameCommandsWorkOnSQLiteWhenRedisIsAwayAndFailWithStoreRedis() throws {
        let away = ["REDIS_PORT": String(try freePort())]
        let user = unique("away")
        let identifier = unique("away-ip")
        let commands: [([String], Int32)] = [
            (["ratelimit", "check", "login", identifier, "--max", "1", "--window", "60"], 0),
            (["ratelimit", "check", "login", identifier, "--max", "1", "--window", "60"], 1),
            (["ratelimit", "check", "login", identifier, "--max", "1", "--window", "60", "--peek"], 1),
            (["ratelimit", "reset", "login", identifier], 0),
            (["ratelimit", "check", "login", identifier, "--max", "1", "--window", "60"], 0),
            (["verification", "set", user, "true"], 0),
            (["verification", "get", user], 0),
            (["verification", "clear", user], 0),
            (["verification", "get", user], 1),
            (["pending-video", "set", user, "7"], 0),
            (["pending-video", "get", user], 0),
            (["pending-video", "clear", user], 0),
            (["pending-video", "get", user], 1),
        ]
        for (arguments, status) in commands {
            let result = try closeup(arguments, environment: away)
            #expect(result.status == status, "\(arguments): \(result.stderr)")
            #expect(result.stderrLines.count == 1 && result.stderr.contains("using SQLite"), "\(arguments)")
            let strict = try closeup(["--store", "redis"] + arguments, environment: away)
            #expect(strict.status == 3, "\(arguments) with --store redis")
        }
        let job = try insertJob(user, status: "lipsync_processing")
        let fromDatabase = try closeup(["--json", "pending-video", "get", user], environment: away)
        #expect(try json(fromDatabase.stdout)["job_id"] as? Int == Int(job))
    }

    // MARK: 5. Bulk

    @Test(arguments: [("verification", "user:verification:"), ("pending-video", "video:pending:")])
    func bulkClearFromStdinStreamsAHundredThousandIdsAndReportsBadLines(command: String, keyPrefix: String) throws {
        let prefix = unique("bulk")
        let connection = redis
        _ = try connection.pipeline((0..<50_000).map { RedisCommand("SET", "\(keyPrefix)\(prefix)-\($0)", "1", "EX", "600") })
        var lines = (0..<100_000).map { "\(prefix)-\($0)" }
        lines.insert("bad:line", at: 70_000)
        let result = try closeup([command, "clear", "-"], stdin: lines.joined(separator: "\n"))
        #expect(result.status == 2)
        #expect(result.stderrLines.count == 1 && result.stderr.hasPrefix("closeup: stdin line 70001: invalid user id 'bad:line'"))
        #expect(result.stdout.hasPrefix("cleared 50000 ") && result.stdout.hasSuffix("(50000 of 100000 users had none)\n"))
        let remaining = try connection.pipeline((0..<50_000).map { RedisCommand("EXISTS", "\(keyPrefix)\(prefix)-\($0)") })
        #expect(remaining.allSatisfy { $0.resp == .integer(0) })
    }
}
