// SQLite as the durable store under abuse: writers SIGKILLed in the middle of a
// bulk clear and of `otp send`, many closeups writing one file at once, and many
// opening a brand-new file at once. The file must always pass integrity_check,
// hold only whole codes, and never turn "database is locked" into a failure.
import CloseupKit
import CloseupTestSupport
import Foundation
import Testing

@Suite(.serialized)
final class DurabilityTests {
    let home: String
    let environment: [String: String]
    var sqlite: String { home + "/data/closeup/closeup.sqlite3" }

    init() throws {
        home = try TemporaryDirectory.make(prefix: "closeup-durable")
        environment = Closeup.environment(home: home, extra: ["CLOSEUP_OTP_SECRET": "durable-secret"])
    }

    func start(_ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:]) throws -> ChildProcess {
        try ChildProcess(
            Closeup.executable, arguments, environment: environment.merging(extra) { $1 }, directory: home, stdin: stdin)
    }

    /// Counters for a bulk clear to delete, so a kill lands inside one big transaction.
    func seedCounters(_ count: Int) throws {
        let database = try SQLiteDatabase(path: sqlite)
        try database.transaction { () throws(CloseupError) in
            let insert = try database.prepare(
                "INSERT OR REPLACE INTO otp_attempts (user_id, count, expires_epoch) VALUES (?, 1, 9999999999)")
            for index in 0..<count { try insert.run([.text("k\(index)")]) }
        }
    }

    func expectIntactDatabase() throws {
        let database = try SQLiteDatabase(path: sqlite)
        let check = try database.prepare("PRAGMA integrity_check")
        #expect(try check.step() && check.text(0) == "ok")
        // Every stored code is whole: all its fields, a 64-hex hash, an expiry after its creation.
        let partial = try database.prepare(
            "SELECT count(*) FROM otp_codes WHERE length(otp_hash) != 64 OR otp_hash GLOB '*[^0-9a-f]*'"
                + " OR created_at = '' OR expires_at = '' OR expires_epoch <= 0 OR mobile_number IS NULL")
        #expect(try partial.firstInteger() == 0)
    }

    @Test(arguments: [false, true])
    func killingWritersMidWriteLeavesIntactStoresWithOnlyWholeCodes(redisUp: Bool) throws {
        let server = redisUp ? try RedisServer() : nil
        let extra = ["REDIS_PORT": String(try server?.port ?? freePort())]
        let store = redisUp ? [] : ["--store", "sqlite"]
        #expect(try Closeup.run(store + ["doctor"], environment: environment, directory: home).status <= 1)
        let ids = (0..<100_000).map { "k\($0)" }.joined(separator: "\n")
        var killedMidRun = 0
        for round in 0..<10 {
            try seedCounters(100_000)
            var writers = [try start(store + ["attempts", "clear", "-"], stdin: ids, environment: extra)]
            for sender in 0..<4 {
                writers.append(try start(
                    store + ["otp", "send", "kill\(round)-\(sender)", "--mobile", "97000\(round)\(sender)0000", "--force"],
                    environment: extra))
            }
            // Kills at different moments across the rounds (5 to 230 ms): during start-up, the sends, and the
            // clear, late enough in the last rounds for a slow (loaded, debug) send to have stored its code.
            usleep(useconds_t(5_000 + round * 25_000))
            writers.forEach { $0.signal(SIGKILL) }
            for writer in writers where try writer.wait() == 128 + SIGKILL { killedMidRun += 1 }
        }
        #expect(killedMidRun > 10, "the kills landed after the work had ended: \(killedMidRun)")
        try expectIntactDatabase()
        // Some sends got as far as storing their code before the kill: the check above had work to do.
        #expect(try SQLiteDatabase(path: sqlite).prepare("SELECT count(*) FROM otp_codes").firstInteger() ?? 0 > 0)
        if let server {
            // In Redis too, each code is whole: a parseable record, with its TTL (SET … EX is one step).
            let redis = try server.connect()
            let keys = try redis.call(RedisCommand("KEYS", "otp:kill*")).items?.compactMap(\.string) ?? []
            #expect(!keys.isEmpty)
            for key in keys {
                let value = try redis.call(RedisCommand("GET", key)).string ?? ""
                #expect((try? OTPRecord(parsing: value, key: key, localOffset: 0)) != nil, "\(key): \(value)")
                #expect(try redis.call(RedisCommand("TTL", key)).number ?? -1 > 0, "\(key)")
            }
        }
        // And both still work for the next closeup.
        let sent = try Closeup.run(
            store + ["--json", "otp", "send", "after-kill", "--mobile", "9700000099"],
            environment: environment.merging(extra) { $1 }, directory: home)
        #expect(sent.status == 0, "\(sent.stderr)")
        let code = (try? JSONSerialization.jsonObject(with: Data(sent.stdout.utf8)) as? [String: Any])?["otp"] as? String ?? ""
        #expect(try Closeup.run(
            store + ["otp", "verify", "after-kill", code], environment: environment.merging(extra) { $1 }, directory: home
        ).status == 0)
    }

    @Test func manyClosesWritingOneFileAtOnceNeverFailOnTheLock() throws {
        let store = ["--store", "sqlite"]
        #expect(try Closeup.run(store + ["doctor"], environment: environment, directory: home).status == 0)
        try seedCounters(20_000)
        let ids = (0..<20_000).map { "k\($0)" }.joined(separator: "\n")
        var writers: [ChildProcess] = []
        for index in 0..<12 {
            writers.append(try start(store + ["otp", "send", "w\(index)", "--mobile", "9600000\(100 + index)"]))
            writers.append(try start(store + ["ratelimit", "check", "login", "ip\(index % 3)", "--max", "100", "--window", "60"]))
            writers.append(try start(store + ["verification", "set", "w\(index)", "true"]))
            writers.append(try start(store + ["attempts", "clear", "-"], stdin: ids))
        }
        for writer in writers {
            let result = writer.result(status: try writer.wait())
            #expect(result.status == 0, "\(writer.command.dropFirst().joined(separator: " ")): \(result.stderr)")
        }
        try expectIntactDatabase()
    }

    /// A new file is switched to WAL by whoever opens it first; that takes a lock SQLite does not
    /// wait for by itself, so the others must.
    @Test func sixtyClosesOpeningABrandNewFileAtOnceAllSucceed() throws {
        for round in 0..<3 {
            let path = home + "/fresh-\(round).sqlite3"
            let results = try Closeup.runConcurrently(
                (0..<60).map { ["--store", "sqlite", "--sqlite", path, "ratelimit", "check", "open", "r\($0 % 7)", "--max", "60", "--window", "60"] },
                environment: environment, directory: home)
            #expect(results.allSatisfy { $0.status == 0 }, "\(results.filter { $0.status != 0 }.map(\.stderr))")
        }
    }
}
