// The OTP lifecycle end to end (SPEC §1-§4), with the built binary against a
// redis-server of this suite's own (so it may flush it) and real SQLite files.
import CloseupKit
import CloseupTestSupport
import Foundation
import Testing

@Suite(.serialized)
final class OTPLifecycleTests {
    static let server = try! RedisServer()
    let secret = "lifecycle-test-secret"
    let home: String
    var environment: [String: String]
    var redis: RedisConnection { try! Self.server.connect() }

    init() throws {
        home = try TemporaryDirectory.make(prefix: "closeup-otp")
        environment = Closeup.environment(
            home: home, extra: ["TZ": "Asia/Kolkata", "CLOSEUP_OTP_SECRET": secret, "REDIS_PORT": String(Self.server.port)])
    }

    func closeup(_ arguments: [String], stdin: String = "", environment extra: [String: String] = [:]) throws -> CloseupResult {
        try Closeup.run(arguments, environment: environment.merging(extra) { $1 }, directory: home, stdin: stdin)
    }

    func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }

    /// A mobile number of its own for each send, so tests never share a send rate limit.
    func mobile() -> String { "98\(Int.random(in: 100_000...999_999))10" }

    /// Sends a code via stdout and returns it.
    func send(_ user: String, mobile: String? = nil, _ extra: [String] = []) throws -> String {
        let result = try closeup(["--json", "otp", "send", user, "--mobile", mobile ?? self.mobile()] + extra)
        #expect(result.status == 0, "send failed: \(result.stderr)")
        return try json(result.stdout)["otp"] as? String ?? ""
    }

    func unique(_ name: String) -> String { "\(name)-\(UUID().uuidString.prefix(8))" }

    // MARK: 1. The record in Redis

    @Test func sendWritesExactlyTheSeedsRecordWithTTL300AndTheSpecifiedHash() throws {
        let user = unique("u")
        let number = mobile()
        let code = try send(user, mobile: number)
        let value = try redis.call(RedisCommand("GET", "otp:\(user)")).string!
        let object = try json(value)
        #expect(Set(object.keys) == ["otp_hash", "mobile_number", "created_at", "expires_at"])
        #expect(value.hasPrefix(#"{"otp_hash":""#))
        #expect(object["mobile_number"] as? String == number)
        let pattern = #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:30$/#
        let created = object["created_at"] as! String, expires = object["expires_at"] as! String
        #expect(created.wholeMatch(of: pattern) != nil && expires.wholeMatch(of: pattern) != nil)
        #expect(Timestamp.parse(expires)! - Timestamp.parse(created)! == 300)
        let ttl = try redis.call(RedisCommand("TTL", "otp:\(user)")).number!
        #expect(ttl > 295 && ttl <= 300)
        #expect(object["otp_hash"] as? String == (try backendHash(secret: secret, user: user, code: code)))
    }

    @Test func aValueWrittenByAnotherWriterIsReadAndVerifies() throws {
        let user = unique("backend")
        let hash = try backendHash(secret: secret, user: user, code: "654321")
        let value = #"{"created_at":"2026-01-13T09:55:00.123456Z","otp_hash":"\#(hash)","expires_at":"2099-01-13T10:00:00-03:00","device":{"os":"ios"}}"#
        try redis.call(RedisCommand("SET", "otp:\(user)", value, "EX", "200"))
        let ttl = try closeup(["--json", "otp", "ttl", user])
        #expect(ttl.status == 0)
        let ttlObject = try json(ttl.stdout)
        #expect((ttlObject["ttl_seconds"] as! Int) <= 200 && ttlObject["expires_at"] as? String == "2099-01-13T10:00:00-03:00")
        let inspect = try closeup(["--json", "inspect", user])
        #expect(inspect.status == 0)
        #expect(((try json(inspect.stdout))["otp"] as! [String: Any])["created_at"] as? String == "2026-01-13T09:55:00.123456Z")
        #expect(try closeup(["otp", "verify", user, "654321"]).status == 0)
    }

    @Test func aRecordLivesWhileItsKeyDoesWhateverItsExpiresAtSays() throws {
        // SPEC §2 "What live means": in Redis the TTL is the truth; expires_at is shown, never
        // decides. A writer whose clock or zone is off must not make a valid code unusable (or
        // destroy it), and every command must agree the code is live.
        let user = unique("stale-expiry")
        let code = "314159"
        let record = """
            {"otp_hash":"\(try backendHash(secret: secret, user: user, code: code))","mobile_number":"9876543210",\
            "created_at":"2020-01-01T00:00:00+05:30","expires_at":"2020-01-01T00:05:00+05:30"}
            """
        try redis.call(RedisCommand("SET", "otp:\(user)", record, "EX", "300"))
        let ttl = try closeup(["otp", "ttl", user])
        #expect(ttl.status == 0 && ttl.stdout.contains("s left"), "\(ttl.stdout)")
        #expect(try closeup(["inspect", user]).stdout.contains("live, "))
        let send = try closeup(["otp", "send", user, "--mobile", mobile()])
        #expect(send.status == 4 && send.stderr.contains("already has a live OTP"), "\(send.stderr)")
        let wrong = try closeup(["otp", "verify", user, "271828"])
        #expect(wrong.status == 1 && wrong.stdout.contains("failed attempt 1 of 5"), "\(wrong.stdout)")
        let verified = try closeup(["otp", "verify", user, code], environment: ["TZ": "Asia/Kolkata"])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(try redis.call(RedisCommand("EXISTS", "otp:\(user)")).resp == .integer(0))
        // And revoke agrees too.
        try redis.call(RedisCommand("SET", "otp:\(user)", record, "EX", "300"))
        #expect(try closeup(["otp", "revoke", user]).status == 0)
    }

    /// The stores disagree. SPEC §2: the Redis record is live while its key exists, the SQLite
    /// copy while it is unused and unexpired, and a code verifies at most once. A code used
    /// through SQLite (Redis away) whose key is back stays live for every command but cannot be
    /// used twice; a live SQLite copy without a Redis key is live for every command too.
    @Test func whenTheStoresDisagreeEveryCommandReadsLiveTheSameWay() throws {
        let user = unique("spent"), number = mobile()
        let code = try send(user, mobile: number)
        #expect(try closeup(["--store", "sqlite", "otp", "verify", user, code]).status == 0)
        let ttl = try closeup(["otp", "ttl", user])
        #expect(ttl.status == 0 && ttl.stdout.contains("s left"), "\(ttl.stdout)")
        #expect(try closeup(["inspect", user]).stdout.contains("live, "))
        let again = try closeup(["otp", "send", user, "--mobile", mobile()])
        #expect(again.status == 4 && again.stderr.contains("already has a live OTP"), "\(again.stderr)")
        let replay = try closeup(["otp", "verify", user, code])
        #expect(replay.status == 1 && replay.stdout.contains("no live OTP"), "a code verified twice: \(replay.stdout)")
        // The replay took the stale key with it: a send needs no --force now.
        #expect(try redis.call(RedisCommand("EXISTS", "otp:\(user)")).resp == .integer(0))
        #expect(try closeup(["otp", "send", user, "--mobile", mobile()]).status == 0)

        // The Redis key deleted by another hand, the SQLite copy live: verify would take it, so
        // it is live: ttl says so, and a send without --force is refused.
        let other = unique("copy")
        let kept = try send(other, mobile: mobile())
        try redis.call(RedisCommand("DEL", "otp:\(other)"))
        let copyTTL = try closeup(["otp", "ttl", other])
        #expect(copyTTL.status == 0 && copyTTL.stdout.contains("s left"), "\(copyTTL.stdout)")
        let refused = try closeup(["otp", "send", other, "--mobile", mobile()])
        #expect(refused.status == 4 && refused.stderr.contains("already has a live OTP"), "\(refused.stderr)")
        #expect(try closeup(["otp", "verify", other, kept]).status == 0)
    }

    @Test(arguments: [false, true])
    func revokedCodesNeverVerifyInEitherStore(sqliteOnly: Bool) throws {
        let store = sqliteOnly ? ["--store", "sqlite"] : []
        let users = (0..<3).map { unique("revoke\($0)") }
        var codes: [String] = []
        for user in users.prefix(2) {
            let sent = try closeup(store + ["--json", "otp", "send", user, "--mobile", mobile()])
            codes.append(try json(sent.stdout)["otp"] as! String)
        }
        // Two live codes, one user without: revoked 2, from stdin.
        let revoked = try closeup(store + ["otp", "revoke", "-"], stdin: users.joined(separator: "\n"))
        #expect(revoked.status == 0 && revoked.stdout.hasPrefix("revoked 2 live codes (1 of 3 users had none)"), "\(revoked.stdout)\(revoked.stderr)")
        for (user, code) in zip(users, codes) {
            let verify = try closeup(store + ["otp", "verify", user, code])
            #expect(verify.status == 1 && verify.stdout.contains("no live OTP"), "\(verify.stdout)\(verify.stderr)")
        }
        // Nothing left to revoke: exit 1, and the JSON says so per user.
        let again = try closeup(store + ["--json", "otp", "revoke", users[0]])
        #expect(again.status == 1)
        let object = try json(again.stdout)
        #expect(object["revoked"] as? Bool == false && object["user_id"] as? String == users[0])
        if !sqliteOnly {
            #expect(try redis.call(RedisCommand("EXISTS", "otp:\(users[0])")).resp == .integer(0))
        }
    }

    @Test func aMissingExpiresAtIsDerivedFromTheTTL() throws {
        let user = unique("noexp")
        try redis.call(RedisCommand("SET", "otp:\(user)", #"{"otp_hash":"00"}"#, "EX", "120"))
        let result = try json(try closeup(["--json", "otp", "ttl", user]).stdout)
        let expires = Timestamp.parse(result["expires_at"] as! String)!
        #expect(abs(expires - (Date().timeIntervalSince1970 + 120)) < 5)
    }

    @Test func aCorruptValueIsReportedWithItsKeyAndLeftUntouched() throws {
        let user = unique("corrupt")
        let key = "otp:\(user)"
        try redis.call(RedisCommand("SET", key, "{not json", "EX", "100"))
        for arguments in [["otp", "verify", user, "123456"], ["otp", "ttl", user], ["inspect", user]] {
            let result = try closeup(arguments)
            #expect(result.status == 6, "\(arguments)")
            #expect(result.stderr.contains("'\(key)'") && result.stderr.contains("left as it is"))
        }
        #expect(try closeup(["inspect", user]).stdout.contains("attempts       0 of 5"))
        #expect(try redis.call(RedisCommand("GET", key)).string == "{not json")
        #expect(try redis.call(RedisCommand("TTL", key)).number! > 0)
    }

    // MARK: 2. Exactly once

    @Test func verifyConsumesCodeExactlyOnceUnderConcurrency() throws {
        let user = unique("race")
        let code = try send(user)
        let results = try Closeup.runConcurrently(
            Array(repeating: ["otp", "verify", user, code], count: 40), environment: environment, directory: home)
        expectOneWinner(results, user: user)
    }

    /// Exactly one verifier wins; the others found no code, or were refused while max others
    /// held attempts; and no attempt is left counted, since none of them guessed wrong.
    func expectOneWinner(_ results: [CloseupResult], user: String) {
        #expect(results.filter { $0.status == 0 }.count == 1)
        #expect(results.allSatisfy { [0, 1, 4].contains($0.status) }, "\(results.map(\.status))")
        #expect(results.filter { $0.status == 4 }.allSatisfy { $0.stderr.contains("is blocked") })
        #expect((try? redis.call(RedisCommand("EXISTS", "otp:attempts:\(user)")))?.resp == .integer(0))
    }

    @Test func verifyConsumesCodeExactlyOnceOnTheSQLitePath() throws {
        let user = unique("race-sqlite")
        let code = try send(user)
        try redis.call(RedisCommand("FLUSHALL"))  // this suite's own server
        let results = try Closeup.runConcurrently(
            Array(repeating: ["otp", "verify", user, code], count: 40), environment: environment, directory: home)
        expectOneWinner(results, user: user)
    }

    @Test func aCodeConsumedViaRedisCannotBeReplayedViaSQLite() throws {
        let user = unique("replay")
        let code = try send(user)
        #expect(try closeup(["otp", "verify", user, code]).status == 0)
        let away = try closeup(["otp", "verify", user, code], environment: ["REDIS_PORT": String(try freePort())])
        #expect(away.status == 1 && away.stdout.contains("no live OTP"))
        #expect(away.stderrLines.count == 1 && away.stderr.contains("using SQLite"))
    }

    @Test func aCodeConsumedViaSQLiteCannotBeReplayedViaRedis() throws {
        let user = unique("replay2")
        let code = try send(user)
        let closed = ["REDIS_PORT": String(try freePort())]
        // Redis is "away" for this verifier only; the key is still in Redis.
        #expect(try closeup(["otp", "verify", user, code], environment: closed).status == 0)
        #expect(try closeup(["otp", "verify", user, code]).status == 1)
    }

    @Test func verifyOnTheCommonPathIsOnePipelineThenTheCounterDelete() throws {
        let user = unique("oneway")
        let code = try send(user)
        _ = try closeup(["otp", "verify", user, "000001"])  // loads the script on the server first
        try redis.call(RedisCommand("DEL", "otp:attempts:\(user)"))
        let before = try commandCounts()
        #expect(try closeup(["otp", "verify", user, code]).status == 0)
        let after = try commandCounts()
        var delta: [String: Int] = [:]
        for (name, calls) in after where calls != before[name] { delta[name] = calls - (before[name] ?? 0) }
        // From closeup: a PING first (this server has no password, so nothing else has answered
        // yet, and a change is never the first thing sent to a server that may be stalled);
        // then two EVALSHAs written together (one pipeline: take an attempt, compare the code),
        // then the consuming EVALSHA and the DEL that clears the counter (a second pipeline).
        // commandstats also counts what the scripts ran: GET, TTL and SET (a new counter with
        // its TTL) on the counter; GET to compare, GET and DEL to consume the code.
        #expect(delta == ["ping": 1, "evalsha": 3, "get": 3, "ttl": 1, "set": 1, "del": 2], "\(delta)")
    }

    @Test func withAPasswordAWritingCommandNeedsNoPing() throws {
        // AUTH is the first exchange, so a writing command needs no PING to know the server is there.
        let server = try RedisServer(password: "verify-pass")
        let environment = ["REDIS_PORT": String(server.port), "REDIS_PASSWORD": "verify-pass"]
        let user = unique("authed")
        let sent = try closeup(["--json", "otp", "send", user, "--mobile", mobile()], environment: environment)
        let code = try json(sent.stdout)["otp"] as! String
        _ = try closeup(["otp", "verify", user, code == "000001" ? "000002" : "000001"], environment: environment)
        let admin = try server.connect()
        try admin.call(RedisCommand("DEL", "otp:attempts:\(user)"))
        try admin.call(RedisCommand("CONFIG", "RESETSTAT"))
        #expect(try closeup(["otp", "verify", user, code], environment: environment).status == 0)
        let stats = try admin.call(RedisCommand("INFO", "commandstats")).string ?? ""
        #expect(!stats.contains("cmdstat_ping"), "\(stats)")
        #expect(stats.contains("cmdstat_evalsha:calls=3,") && stats.contains("cmdstat_auth:calls=1,"), "\(stats)")
        server.stop()
    }

    /// Calls per command from INFO commandstats.
    func commandCounts() throws -> [String: Int] {
        let info = try redis.call(RedisCommand("INFO", "commandstats")).string ?? ""
        var counts: [String: Int] = [:]
        for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix("cmdstat_") {
            let name = line.dropFirst(8).prefix { $0 != ":" }
            guard let range = line.firstRange(of: "calls=") else { continue }
            counts[String(name)] = Int(line[range.upperBound...].prefix(while: \.isNumber))
        }
        // This connection's own INFO calls are not closeup's.
        counts["info"] = nil
        return counts
    }

    // MARK: 3. Blocking

    @Test func fiveWrongCodesBlockAndClearingUnblocks() throws {
        let user = unique("block")
        let code = try send(user)
        let wrong = code == "000000" ? "111111" : "000000"
        for attempt in 1...5 {
            let result = try closeup(["otp", "verify", user, wrong])
            #expect(result.status == 1 && result.stdout.contains("failed attempt \(attempt) of 5"))
            let ttl = try redis.call(RedisCommand("TTL", "otp:attempts:\(user)")).number!
            #expect(ttl > 3590 && ttl <= 3600, "attempt \(attempt): ttl \(ttl)")
        }
        let blocked = try closeup(["otp", "verify", user, code])
        #expect(blocked.status == 4 && blocked.stderr.contains("blocked after 5 failed attempts"))
        #expect(try redis.call(RedisCommand("EXISTS", "otp:\(user)")).resp == .integer(1))  // not consumed while blocked
        #expect(try closeup(["attempts", "get", user]).stdout.contains("5 of 5 failed attempts, blocked"))
        #expect(try closeup(["attempts", "clear", user]).status == 0)
        #expect(try closeup(["otp", "verify", user, code]).status == 0)
        #expect(try redis.call(RedisCommand("EXISTS", "otp:attempts:\(user)")).resp == .integer(0))
    }

    @Test func aCounterFoundWithoutTTLGetsOneAtTheNextFailure() throws {
        let user = unique("nottl")
        try redis.call(RedisCommand("SET", "otp:attempts:\(user)", "2"))
        _ = try send(user)
        #expect(try closeup(["otp", "verify", user, "999999"]).status <= 1)
        #expect(try redis.call(RedisCommand("TTL", "otp:attempts:\(user)")).number! > 0)
    }

    // MARK: 4. Redis away

    @Test func withRedisUnreachableSendAndVerifyWorkOnSQLiteWithOneWarning() throws {
        let listener = try SilentListener()
        for away in [["REDIS_PORT": String(try freePort())], ["REDIS_PORT": String(listener.port), "REDIS_TIMEOUT": "0.5"]] {
            let user = unique("away")
            let sent = try closeup(["--json", "otp", "send", user, "--mobile", mobile()], environment: away)
            #expect(sent.status == 0)
            #expect(sent.stderrLines.count == 1 && sent.stderr.contains("using SQLite at \(home)/data/closeup/closeup.sqlite3"))
            let code = try json(sent.stdout)["otp"] as! String
            #expect(try json(sent.stdout)["store"] as? String == "sqlite")
            let verified = try closeup(["otp", "verify", user, code], environment: away)
            #expect(verified.status == 0 && verified.stderrLines.count == 1)
            let strict = try closeup(["--store", "redis", "otp", "ttl", user], environment: away)
            #expect(strict.status == 3 && strict.stderr.contains("--store redis"))
        }
    }

    // MARK: 5. Delivery

    func deliveryScript(exitStatus: Int) throws -> (command: String, payload: String) {
        let folder = try TemporaryDirectory.make(prefix: "closeup-sms")
        let script = folder + "/send-sms"
        try "#!/bin/sh\ncat > '\(folder)/payload.json'\necho 'gateway said no' >&2\nexit \(exitStatus)\n"
            .write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        return ("'\(script)' --flag \"two words\"", folder + "/payload.json")
    }

    /// Every value closeup's keys hold, and the SQLite files' bytes: where a plain code must never be.
    func storedBytes() throws -> String {
        let connection = redis
        var text = ""
        for key in try connection.call(RedisCommand("KEYS", "*")).items ?? [] {
            text += (try? connection.call(RedisCommand("GET", key.string!)).string ?? "") ?? ""
        }
        for suffix in ["", "-wal"] {
            if let data = FileManager.default.contents(atPath: "\(home)/data/closeup/closeup.sqlite3\(suffix)") {
                text += String(decoding: data, as: UTF8.self)
            }
        }
        return text
    }

    @Test func aFailingDeliveryLeavesNoLiveCodeAnywhere() throws {
        let user = unique("undelivered")
        let (command, payloadPath) = try deliveryScript(exitStatus: 1)
        let number = mobile()
        let result = try closeup(
            ["otp", "send", user, "--mobile", "+91 \(number.prefix(5))-\(number.dropFirst(5))", "--via", "command"],
            environment: ["CLOSEUP_SMS_COMMAND": command])
        #expect(result.status == 3 && result.stderr.contains("delivery failed") && result.stderr.contains("gateway said no"))
        let payload = try json(try String(contentsOfFile: payloadPath, encoding: .utf8))
        #expect(payload["user_id"] as? String == user && payload["mobile_number"] as? String == "+91" + number)
        #expect(payload["channel"] as? String == "sms" && payload["expires_at"] is String)
        let code = payload["otp"] as! String
        #expect(try redis.call(RedisCommand("EXISTS", "otp:\(user)")).resp == .integer(0))
        #expect(try closeup(["--store", "sqlite", "otp", "ttl", user]).status == 1)
        #expect(!result.stdout.contains(code) && !result.stderr.contains(code))
        #expect(!(try storedBytes()).contains(code))
        // Not counted either: three more sends still fit the window of three.
        for _ in 1...3 { #expect(try closeup(["otp", "send", user, "--mobile", "+91" + number, "--force"]).status == 0) }
    }

    @Test func aDeliveredCodeIsNowhereButWithTheUser() throws {
        let user = unique("delivered")
        let (command, payloadPath) = try deliveryScript(exitStatus: 0)
        let result = try closeup(
            ["otp", "send", user, "--mobile", mobile(), "--channel", "whatsapp"],
            environment: ["CLOSEUP_SMS_COMMAND": command])
        #expect(result.status == 0 && result.stdout.contains("sent to 98******10 by whatsapp"))
        let code = try json(try String(contentsOfFile: payloadPath, encoding: .utf8))["otp"] as! String
        #expect(!result.stdout.contains(code) && !result.stderr.contains(code))
        #expect(!(try storedBytes()).contains(code))
        let verified = try closeup(["otp", "verify", user, "-"], stdin: code + "\n")
        #expect(verified.status == 0 && !verified.stdout.contains(code) && !verified.stderr.contains(code))
    }

    @Test func viaCommandWithoutACommandIsAConfigurationError() throws {
        let result = try closeup(["otp", "send", unique("x"), "--mobile", mobile(), "--via", "command"])
        #expect(result.status == 5 && result.stderr.contains("CLOSEUP_SMS_COMMAND"))
    }

    // MARK: Policy

    @Test func aLiveCodeRefusesASecondSendAndForceReplacesIt() throws {
        let user = unique("live")
        let first = try send(user)
        let again = try closeup(["otp", "send", user, "--mobile", mobile()])
        #expect(again.status == 4 && again.stderr.contains("already has a live OTP") && again.stderr.contains("s remain"))
        let second = try send(user, ["--force"])
        if first != second { #expect(try closeup(["otp", "verify", user, first]).status == 1) }
        #expect(try closeup(["otp", "verify", user, second]).status == 0)
    }

    @Test func theFourthSendInAWindowIsRefusedAndNotCounted() throws {
        let mobile = "+4479\(Int.random(in: 1_000_000...9_999_999))"
        for _ in 1...3 { _ = try send(unique("rl"), mobile: mobile) }
        let refused = try closeup(["otp", "send", unique("rl"), "--mobile", mobile])
        #expect(refused.status == 4 && refused.stderr.contains("send rate limit reached"))
        #expect(refused.stderr.contains("run 'closeup ratelimit reset otp_request NUMBER'"), "\(refused.stderr)")
        #expect(try redis.call(RedisCommand("GET", "rate_limit:otp_request:\(mobile)")).string == "3")
        // The number as an operator types it (spaces, dashes) finds the counter, as --mobile does.
        let digits = Array(mobile.dropFirst())
        let typed = "+" + String(digits.prefix(2)) + " " + String(digits[2..<6]) + "-" + String(digits.dropFirst(6))
        let peek = try closeup(["--json", "ratelimit", "check", "otp_request", typed, "--max", "3", "--window", "300", "--peek"])
        #expect(peek.status == 1 && peek.stdout.contains(#""count":3"#) && peek.stdout.contains(#""identifier":"\#(mobile)""#),
                "\(peek.stdout)\(peek.stderr)")
        let reset = try closeup(["ratelimit", "reset", "otp_request", typed])
        #expect(reset.status == 0 && reset.stdout.hasPrefix("reset otp_request"), "\(reset.stdout)")
        #expect(try redis.call(RedisCommand("EXISTS", "rate_limit:otp_request:\(mobile)")).resp == .integer(0))
        // Other actions keep their identifiers as given.
        #expect(try closeup(["ratelimit", "reset", "login", "a b"]).status == 2)
        #expect(try closeup(["ratelimit", "reset", "otp_request", "12ab"]).status == 2)
    }

    // MARK: 6. Bad input

    @Test(arguments: [
        (["otp", "send", "", "--mobile", "9876543210"], "invalid user id ''"),
        (["otp", "send", "a b", "--mobile", "9876543210"], "invalid user id 'a b'"),
        (["otp", "send", "attempts:bob", "--mobile", "9876543210"], "invalid user id 'attempts:bob'"),
        (["otp", "send", String(repeating: "u", count: 200), "--mobile", "9876543210"], "invalid user id 'uuuu"),
        (["otp", "send", "u1", "--mobile", "98x76"], "invalid mobile number '98x76': expected 7-15 digits, optionally starting with '+'"),
        (["otp", "send", "u1", "--mobile", "12345"], "invalid mobile number '12345'"),
        (["otp", "verify", "u1", "12345"], "invalid code '12345': expected 6 digits"),
        (["otp", "verify", "u1", "1234567"], "invalid code '1234567': expected 6 digits"),
        (["otp", "verify", "u1", "12ab56"], "invalid code '12ab56': expected 6 digits"),
        (["attempts", "get", "a:b"], "invalid user id 'a:b'"),
        (["otp", "ttl", "tab\there"], "invalid user id 'tab\\x09here'"),
    ])
    func badInputExits2WithOneLine(arguments: [String], message: String) throws {
        let result = try closeup(arguments)
        #expect(result.status == 2)
        #expect(result.stderrLines.count == 1 && result.stderr.hasPrefix("closeup: \(message)"))
        #expect(result.stdout.isEmpty)
    }

    @Test func globCharactersInAUserIDAreAnOrdinaryUser() throws {
        let user = "u*?[x]\\" + UUID().uuidString.prefix(4)
        let code = try send(user)
        #expect(try redis.call(RedisCommand("EXISTS", "otp:\(user)")).resp == .integer(1))
        #expect(try closeup(["otp", "verify", user, code]).status == 0)
    }

    // MARK: 8. Bulk

    @Test func attemptsClearFromStdinHandlesAHundredThousandIdsAndReportsBadLines() throws {
        let prefix = unique("bulk")
        let connection = redis
        _ = try connection.pipeline((0..<50_000).map { RedisCommand("SET", "otp:attempts:\(prefix)-\($0)", "3", "EX", "3600") })
        var lines = (0..<100_000).map { "\(prefix)-\($0)" }
        lines.insert("bad user", at: 500)
        let result = try closeup(["attempts", "clear", "-"], stdin: lines.joined(separator: "\n") + "\n")
        #expect(result.status == 2)
        #expect(result.stderrLines == ["closeup: stdin line 501: invalid user id 'bad user': expected 1-128 printable ASCII characters without spaces or ':'"])
        #expect(result.stdout == "cleared 50000 attempt counters (50000 of 100000 users had none)\n")
        #expect(try connection.call(RedisCommand("EXISTS", "otp:attempts:\(prefix)-0", "otp:attempts:\(prefix)-49999")).resp == .integer(0))
    }

    @Test func attemptsClearJSONPrintsOneLinePerUser() throws {
        let user = unique("jl")
        try redis.call(RedisCommand("SET", "otp:attempts:\(user)", "1", "EX", "100"))
        let result = try closeup(["--json", "attempts", "clear", user, unique("none")])
        let lines = result.stdout.split(separator: "\n").map { try! json(String($0)) }
        #expect(lines.count == 2 && lines[0]["cleared"] as? Bool == true && lines[1]["cleared"] as? Bool == false)
    }
}
