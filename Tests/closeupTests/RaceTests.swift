// Races between many closeup processes (SPEC §2: atomicity, single use, blocking,
// rate limits): 50 or more real processes at once, with Redis up, with Redis gone
// (SQLite takes over), and with Redis killed while they run. Whatever the timing,
// a code verifies at most once and is never lost, at most max codes are compared
// before a user is blocked, and a limiter never admits more than its limit per store.
import CloseupKit
import CloseupTestSupport
import Foundation
import Testing

/// Where Redis is while a race runs.
enum RedisDuringRace: String, CaseIterable, Sendable {
    case up, gone, goingAway
}

/// One race's world: a home with its own SQLite file, and a Redis in the given state.
final class RaceArena {
    let home: String
    let environment: [String: String]
    let server: RedisServer?
    let redisDuring: RedisDuringRace

    init(_ redisDuring: RedisDuringRace) throws {
        self.redisDuring = redisDuring
        home = try TemporaryDirectory.make(prefix: "closeup-race")
        server = redisDuring == .gone ? nil : try RedisServer()
        environment = Closeup.environment(
            home: home,
            extra: ["CLOSEUP_OTP_SECRET": "race-secret", "REDIS_PORT": String(try server?.port ?? freePort())])
    }

    func closeup(_ arguments: [String]) throws -> CloseupResult {
        try Closeup.run(arguments, environment: environment, directory: home)
    }

    /// Runs all at once. When Redis is going away, it is SIGKILLed once the first few have
    /// ended (so some did their work on Redis) while the rest are still running.
    func race(_ runs: [[String]]) throws -> [CloseupResult] {
        let children = try runs.map { try ChildProcess(Closeup.executable, $0, environment: environment, directory: home) }
        if redisDuring == .goingAway, let server {
            #expect(eventually(within: 30) { children.filter { !$0.isRunning }.count >= 5 })
            server.stop()
        }
        let results = try children.map { $0.result(status: try $0.wait()) }
        if redisDuring == .goingAway {
            let tookOver = results.filter { $0.status == 3 || $0.stderr.contains("using SQLite") }.count
            #expect(tookOver > 0 && tookOver < results.count, "the kill did not land mid-run: \(tookOver) of \(results.count)")
        }
        for result in results {
            // Never a crash, an internal error, or SQLite's lock surfacing as a failure.
            #expect(result.status < 5, "exit \(result.status): \(result.stderr)")
            #expect(!result.stderr.contains("database is locked") && !result.stderr.contains("busy"), "\(result.stderr)")
        }
        if redisDuring != .goingAway {
            #expect(results.allSatisfy { $0.status != 3 }, "\(results.map(\.stderr))")
        }
        return results
    }

    func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    func sendCode(_ user: String) throws -> String {
        let sent = try closeup(["--json", "otp", "send", user, "--mobile", "97\(Int.random(in: 10_000_000...99_999_999))"])
        #expect(sent.status == 0, "\(sent.stderr)")
        return json(sent.stdout)["otp"] as? String ?? ""
    }

    /// SQLite's own counter, read with Redis out of the picture.
    func sqliteAttempts(_ user: String) throws -> Int {
        json(try closeup(["--json", "--store", "sqlite", "attempts", "get", user]).stdout)["count"] as? Int ?? -1
    }
}

@Suite(.serialized)
final class RaceTests {
    @Test(arguments: RedisDuringRace.allCases)
    func fiftyVerifiersOfTheRightCodeSucceedExactlyOnceAndTheCodeIsNeverLost(_ redisDuring: RedisDuringRace) throws {
        let arena = try RaceArena(redisDuring)
        let code = try arena.sendCode("single")
        let results = try arena.race(Array(repeating: ["--json", "otp", "verify", "single", code], count: 50))
        let winners = results.filter { $0.status == 0 }.count
        #expect(winners <= 1, "\(results.map(\.status))")
        #expect(results.allSatisfy { [0, 1, 3, 4].contains($0.status) })
        // A code consumed in Redis by a verifier that Redis then failed is still unused in SQLite:
        // one more verify (Redis is as the race left it) gets it, so it is used exactly once in all.
        let after = try arena.closeup(["otp", "verify", "single", code])
        #expect(winners + (after.status == 0 ? 1 : 0) == 1, "race: \(results.map(\.status)), after: \(after.status) \(after.stderr)")
    }

    @Test(arguments: RedisDuringRace.allCases)
    func fiftyGuessersAreComparedAtMostMaxTimesBeforeTheUserIsBlocked(_ redisDuring: RedisDuringRace) throws {
        let arena = try RaceArena(redisDuring)
        let code = try arena.sendCode("guessed")
        let wrong = (0..<59).map { String(format: "%06d", (Int(code)! + 1 + $0) % 1_000_000) }
        var runs = wrong.map { ["--json", "otp", "verify", "guessed", $0] }
        runs.insert(["--json", "otp", "verify", "guessed", code], at: Int.random(in: 0...runs.count))
        let results = try arena.race(runs)
        let reasons = results.map { arena.json($0.stdout)["reason"] as? String }
        let compared = results.filter { $0.status == 0 }.count + reasons.filter { $0 == "wrong_code" }.count
        let refused = results.filter { $0.status == 4 }
        // With --json a refusal is a result on stdout (SPEC §4).
        #expect(refused.allSatisfy { arena.json($0.stdout)["reason"] as? String == "blocked" })
        switch redisDuring {
        case .up, .gone:
            #expect(compared <= 5, "\(results.map(\.status)) \(reasons)")
            if results.allSatisfy({ $0.status != 0 }) {
                // Nobody guessed right: exactly max wrong codes were compared, the user is blocked,
                // and the code is still there for when the user is unblocked.
                #expect(compared == 5)
                let counted = redisDuring == .up
                    ? Int(try arena.server!.connect().call(RedisCommand("GET", "otp:attempts:guessed")).string ?? "") ?? -1
                    : try arena.sqliteAttempts("guessed")
                #expect(counted == 5)
                #expect(try arena.closeup(["otp", "verify", "guessed", code]).status == 4)
                #expect(try arena.closeup(["attempts", "clear", "guessed"]).status == 0)
                #expect(try arena.closeup(["otp", "verify", "guessed", code]).status == 0)
            }
        case .goingAway:
            // Counters do not carry over between the stores: at most max in each.
            #expect(compared <= 10, "\(results.map(\.status)) \(reasons)")
            #expect(try arena.sqliteAttempts("guessed") <= 5)
        }
        if redisDuring == .up {
            let ttl = try arena.server!.connect().call(RedisCommand("TTL", "otp:attempts:guessed")).number ?? 0
            #expect(ttl == -2 || (ttl > 0 && ttl <= 3600), "ttl \(ttl)")
        }
    }

    @Test(arguments: RedisDuringRace.allCases)
    func fiftySendersToOneUserIssueOneCodeAndCountOneSend(_ redisDuring: RedisDuringRace) throws {
        let arena = try RaceArena(redisDuring)
        let results = try arena.race(Array(repeating: ["otp", "send", "sent", "--mobile", "9712345678"], count: 50))
        let issued = results.filter { $0.status == 0 }.count
        #expect(results.allSatisfy { [0, 3, 4].contains($0.status) })
        // The losers were refused (a live code, or the send limit while others held it), not failed.
        #expect(results.filter { $0.status == 4 }.allSatisfy {
            $0.stderr.contains("already has a live OTP") || $0.stderr.contains("send rate limit reached")
        })
        let window = arena.json(
            try arena.closeup(["--json", "--store", "sqlite", "ratelimit", "check", "otp_request", "9712345678", "--max", "3", "--window", "300", "--peek"]).stdout
        )["count"] as? Int ?? -1
        switch redisDuring {
        case .up:
            // One code, one counted send: refused sends were taken back from the limit.
            #expect(issued == 1, "\(results.map(\.status))")
            #expect(try arena.server!.connect().call(RedisCommand("GET", "rate_limit:otp_request:9712345678")).string == "1")
        case .gone:
            #expect(issued == 1 && window == 1, "\(results.map(\.status)), counted \(window)")
        case .goingAway:
            // At most one code per store, each counted once there.
            #expect(issued >= 1 && issued <= 2 && window <= 1, "\(results.map(\.status)), counted \(window)")
        }
    }

    @Test(arguments: RedisDuringRace.allCases)
    func sixtyChecksAdmitAtMostTheLimitPerStore(_ redisDuring: RedisDuringRace) throws {
        let arena = try RaceArena(redisDuring)
        let results = try arena.race(
            Array(repeating: ["ratelimit", "check", "login", "10.0.0.7", "--max", "10", "--window", "60"], count: 60))
        let allowed = results.filter { $0.status == 0 }
        #expect(results.allSatisfy { [0, 1, 3].contains($0.status) })
        let sqliteCount = arena.json(
            try arena.closeup(["--json", "--store", "sqlite", "ratelimit", "check", "login", "10.0.0.7", "--max", "10", "--window", "60", "--peek"]).stdout
        )["count"] as? Int ?? -1
        switch redisDuring {
        case .up:
            #expect(allowed.count == 10)
            #expect(try arena.server!.connect().call(RedisCommand("GET", "rate_limit:login:10.0.0.7")).string == "10")
            let ttl = try arena.server!.connect().call(RedisCommand("TTL", "rate_limit:login:10.0.0.7")).number ?? 0
            #expect(ttl > 0 && ttl <= 60)
        case .gone:
            #expect(allowed.count == 10 && sqliteCount == 10)
        case .goingAway:
            // Admitted by SQLite (those that said so on stderr) and by Redis: at most the limit each.
            let bySQLite = allowed.filter { $0.stderr.contains("using SQLite") }.count
            #expect(bySQLite <= 10 && allowed.count - bySQLite <= 10 && sqliteCount <= 10, "\(allowed.count) \(bySQLite)")
        }
    }
}
