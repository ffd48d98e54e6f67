// SPEC §4 for scripts: with --json a refusal or negative answer (exit 1, 4) is a
// result, one JSON object on stdout with a `reason`; an error (exit 2, 3, 5, 6)
// is one JSON object on stderr, {"error":{"exit","kind","message"}}, and
// nothing on stdout. Run over every kind of outcome, against a real server.
import CloseupKit
import CloseupTestSupport
import Foundation
import Testing

@testable import CloseupCLI

@Suite(.serialized)
final class JSONResultsTests {
    static let server = try! RedisServer()
    let home: String
    let environment: [String: String]
    var redis: RedisConnection { try! Self.server.connect() }

    init() throws {
        home = try TemporaryDirectory.make(prefix: "closeup-json")
        environment = Closeup.environment(
            home: home, extra: ["REDIS_PORT": String(Self.server.port), "CLOSEUP_OTP_SECRET": "json-secret"])
    }

    func closeup(_ arguments: [String], environment extra: [String: String] = [:]) throws -> CloseupResult {
        try Closeup.run(["--json"] + arguments, environment: environment.merging(extra) { $1 }, directory: home)
    }

    func object(_ text: String) -> [String: Any]? {
        let lines = text.split(separator: "\n")
        guard lines.count == 1 else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(lines[0].utf8))) as? [String: Any]
    }

    /// A refusal or negative answer: one object on stdout with `reason`, stderr free of JSON.
    func expectResult(_ result: CloseupResult, status: Int32, reason: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == status, "\(result.stdout)\(result.stderr)", sourceLocation: sourceLocation)
        let found = object(result.stdout)
        #expect(found?["reason"] as? String == reason, "\(result.stdout)", sourceLocation: sourceLocation)
        #expect(found?["store"] as? String == "redis", "\(result.stdout)", sourceLocation: sourceLocation)
        #expect(!result.stderr.contains("{\"error\""), "\(result.stderr)", sourceLocation: sourceLocation)
    }

    /// An error: nothing on stdout, one object on stderr naming the exit status and kind.
    func expectError(_ result: CloseupResult, status: Int32, kind: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == status, "\(result.stdout)\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, "\(result.stdout)", sourceLocation: sourceLocation)
        let error = object(result.stderr)?["error"] as? [String: Any]
        #expect(error?["exit"] as? Int == Int(status), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(error?["kind"] as? String == kind, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect((error?["message"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
    }

    @Test func negativeAnswersAreResultsWithAReason() throws {
        let user = "json-\(UUID().uuidString.prefix(8))"
        expectResult(try closeup(["otp", "ttl", user]), status: 1, reason: "no_live_otp")
        expectResult(try closeup(["otp", "verify", user, "123456"]), status: 1, reason: "no_live_otp")
        expectResult(try closeup(["verification", "get", user]), status: 1, reason: "not_cached")
        expectResult(try closeup(["pending-video", "get", user]), status: 1, reason: "not_cached")
        expectResult(try closeup(["otp", "revoke", user]), status: 1, reason: "no_live_otp")
        for _ in 0..<2 { _ = try closeup(["ratelimit", "check", "login", user, "--max", "1", "--window", "60"]) }
        let limited = try closeup(["ratelimit", "check", "login", user, "--max", "1", "--window", "60"])
        expectResult(limited, status: 1, reason: "rate_limited")
        #expect((object(limited.stdout)?["reset_in_seconds"] as? Int ?? 0) > 0)

        let sent = try closeup(["otp", "send", user, "--mobile", "9812345610"])
        let code = object(sent.stdout)?["otp"] as? String ?? ""
        let wrong = code == "000000" ? "000001" : "000000"
        expectResult(try closeup(["otp", "verify", user, wrong]), status: 1, reason: "wrong_code")
    }

    @Test func refusalsAreResultsWithWhatAScriptNeedsNext() throws {
        let user = "json-\(UUID().uuidString.prefix(8))"
        let mobile = "97\(Int.random(in: 10_000_000...99_999_999))"
        #expect(try closeup(["otp", "send", user, "--mobile", mobile]).status == 0)
        let live = try closeup(["otp", "send", user, "--mobile", mobile])
        expectResult(live, status: 4, reason: "live_otp")
        #expect((object(live.stdout)?["ttl_seconds"] as? Int ?? 0) > 290)

        for index in 0..<2 {
            _ = try closeup(["otp", "send", "\(user)-\(index)", "--mobile", mobile])
        }
        let limited = try closeup(["otp", "send", "\(user)-x", "--mobile", mobile])
        expectResult(limited, status: 4, reason: "rate_limited")
        #expect(object(limited.stdout)?["max"] as? Int == 3 && object(limited.stdout)?["count"] as? Int == 3)

        try redis.call(RedisCommand("SET", "otp:attempts:\(user)", "5", "EX", "600"))
        let blocked = try closeup(["otp", "verify", user, "123456"])
        expectResult(blocked, status: 4, reason: "blocked")
        #expect(object(blocked.stdout)?["count"] as? Int == 5 && object(blocked.stdout)?["max"] as? Int == 5)
    }

    /// One spelling per idea (SPEC §4): the synonyms closeup once used appear in no command's JSON.
    @Test func noFieldIsSpelledTwoWays() throws {
        let user = "json-\(UUID().uuidString.prefix(8))"
        let mobile = "96\(Int.random(in: 10_000_000...99_999_999))"
        let sent = try closeup(["otp", "send", user, "--mobile", mobile])
        let code = object(sent.stdout)?["otp"] as? String ?? ""
        let runs: [[String]] = [
            ["otp", "verify", user, code == "000000" ? "000001" : "000000"], ["attempts", "get", user], ["attempts", "list"],
            ["inspect", user], ["ratelimit", "check", "login", user, "--max", "3", "--window", "60"],
            ["ratelimit", "check", "otp_request", mobile, "--max", "3", "--window", "300", "--peek"],
            ["pending-video", "set", user, "7"], ["pending-video", "get", user], ["verification", "get", user],
            ["otp", "ttl", user], ["keys", "scan", "--match", "otp:attempts:\(user)", "--ttl"], ["doctor"], ["audit", "--limit", "3"],
        ]
        let synonyms: Set<String> = ["max_attempts", "limit", "attempts_ttl_seconds", "mode", "source", "user"]
        var names: Set<String> = []
        func collect(_ value: Any) {
            if let object = value as? [String: Any] {
                for (key, inner) in object {
                    names.insert(key)
                    collect(inner)
                }
            } else if let array = value as? [Any] {
                array.forEach(collect)
            }
        }
        for arguments in runs {
            let result = try closeup(arguments)
            for line in result.stdout.split(separator: "\n") {
                collect(try JSONSerialization.jsonObject(with: Data(line.utf8)))
            }
        }
        #expect(names.isDisjoint(with: synonyms.subtracting(["source"])), "\(names.intersection(synonyms))")
        #expect(names.contains("count") && names.contains("max") && names.contains("user_id") && names.contains("store"))
        // "source" names only where doctor's OTP secret came from, never a store.
        let doctor = object(try closeup(["doctor"]).stdout)
        #expect(doctor?["source"] == nil && (doctor?["otp_secret"] as? [String: Any])?["source"] != nil)
    }

    /// Every JSON line of every command against the documented contract (man page, JSON OUTPUT):
    /// no undocumented field, every always-present field there, each of its documented type.
    @Test func everyCommandsJSONMatchesTheDocumentedContract() throws {
        let user = "json-\(UUID().uuidString.prefix(8))"
        let mobile = "95\(Int.random(in: 10_000_000...99_999_999))"
        let sent = try closeup(["otp", "send", user, "--mobile", mobile])
        let code = object(sent.stdout)?["otp"] as? String ?? ""
        try redis.call(RedisCommand("SET", "otp:attempts:\(user)-b", "5", "EX", "600"))
        let runs: [(CommandID, [String])] = [
            (.otpSend, ["otp", "send", user + "-s", "--mobile", "95\(Int.random(in: 10_000_000...99_999_999))"]),
            (.otpTTL, ["otp", "ttl", user]), (.otpTTL, ["otp", "ttl", user + "-none"]),
            (.inspect, ["inspect", user, user + "-none"]), (.inspect, ["inspect", "--mobile", mobile]),
            (.otpVerify, ["otp", "verify", user, code == "000000" ? "000001" : "000000"]),
            (.otpVerify, ["otp", "verify", user, code]), (.otpVerify, ["otp", "verify", user, code]),
            (.otpRevoke, ["otp", "revoke", user + "-s", user]),
            (.attemptsGet, ["attempts", "get", user]), (.attemptsList, ["attempts", "list", "--blocked"]),
            (.attemptsClear, ["attempts", "clear", user, user + "-b"]),
            (.rateLimitCheck, ["ratelimit", "check", "login", user, "--max", "1", "--window", "60"]),
            (.rateLimitCheck, ["ratelimit", "check", "login", user, "--max", "1", "--window", "60"]),
            (.rateLimitReset, ["ratelimit", "reset", "login", user]),
            (.pendingVideoGet, ["pending-video", "get", user]), (.pendingVideoSet, ["pending-video", "set", user, "7"]),
            (.pendingVideoGet, ["pending-video", "get", user]), (.pendingVideoClear, ["pending-video", "clear", user]),
            (.verificationGet, ["verification", "get", user]), (.verificationSet, ["verification", "set", user, "true"]),
            (.verificationGet, ["verification", "get", user]), (.verificationClear, ["verification", "clear", user]),
            (.keysScan, ["keys", "scan", "--match", "otp:attempts:*", "--ttl"]),
            (.keysScan, ["keys", "scan", "--match", "rate_limit:login:\(user)*", "--delete", "--dry-run"]),
            (.doctor, ["doctor"]), (.audit, ["audit", "--limit", "5"]), (.stats, ["stats", "--sample", "10"]),
        ]
        let contract = Dictionary(JSONContract.objects.map { ($0.0, [$0.1]) }, uniquingKeysWith: +)
        // Typed by closeup's own JSON reader: Foundation's cannot tell 1 from true.
        func matches(_ value: JSON, _ type: String) -> Bool {
            type.split(separator: "|").contains { kind in
                switch (kind, value) {
                case ("null", .null), ("string", .string), ("integer", .integer), ("boolean", .bool), ("object", .object),
                    ("array", .array):
                    true
                default: false
                }
            }
        }
        var checked = 0
        for (command, arguments) in runs {
            let shapes = try #require(contract[command], "\(command) is not in the contract")
            let result = try closeup(arguments)
            // A refusal or negative answer is its own documented shape (reason, message…).
            for line in result.stdout.split(separator: "\n") {
                guard case .object(let pairs)? = JSON.parse(String(line)) else {
                    Issue.record("\(arguments): not a JSON object: \(line)")
                    continue
                }
                let found = Dictionary(pairs, uniquingKeysWith: { first, _ in first })
                if found["message"] != nil { continue }
                // The shape whose fields it has (inspect has two).
                let fields = shapes.max { a, b in
                    Set(a.map(\.name.rawValue)).intersection(found.keys).count < Set(b.map(\.name.rawValue)).intersection(found.keys).count
                }!
                let names = Set(fields.map(\.name.rawValue))
                #expect(Set(found.keys).isSubset(of: names), "\(arguments): undocumented \(Set(found.keys).subtracting(names))")
                for field in fields {
                    guard let value = found[field.name.rawValue] else {
                        #expect(field.optional, "\(arguments): \(field.name.rawValue) missing")
                        continue
                    }
                    #expect(matches(value, field.type), "\(arguments): \(field.name.rawValue) = \(value), documented \(field.type)")
                }
                checked += 1
            }
        }
        #expect(checked >= runs.count - 2, "\(checked) lines checked")
        // Every command with output has a row (help and completions print text only).
        let documented = Set(JSONContract.objects.map(\.0)).union([.help, .completions])
        #expect(documented == Set(CommandID.allCases), "missing: \(Set(CommandID.allCases).subtracting(documented))")
    }

    /// With --json, stderr is JSON Lines for every command: a warning (here the fallback warning
    /// of a configured Redis that is down) is an object too, never a text line.
    @Test func stderrHoldsOnlyJSONForEveryCommand() throws {
        let down = ["REDIS_PORT": String(try freePort())]
        let user = "json-\(UUID().uuidString.prefix(8))"
        let runs: [(CommandID, [String])] = [
            (.otpSend, ["otp", "send", user, "--mobile", "9400000001"]), (.otpVerify, ["otp", "verify", user, "000000"]),
            (.otpTTL, ["otp", "ttl", user]), (.otpRevoke, ["otp", "revoke", user]), (.inspect, ["inspect", user]),
            (.attemptsGet, ["attempts", "get", user]), (.attemptsClear, ["attempts", "clear", user]),
            (.attemptsList, ["attempts", "list"]), (.rateLimitCheck, ["ratelimit", "check", "login", user, "--max", "3", "--window", "60"]),
            (.rateLimitReset, ["ratelimit", "reset", "login", user]), (.pendingVideoGet, ["pending-video", "get", user]),
            (.pendingVideoSet, ["pending-video", "set", user, "5"]), (.pendingVideoClear, ["pending-video", "clear", user]),
            (.verificationGet, ["verification", "get", user]), (.verificationSet, ["verification", "set", user, "true"]),
            (.verificationClear, ["verification", "clear", user]), (.keysScan, ["keys", "scan"]), (.stats, ["stats"]),
            (.monitor, ["monitor", "--duration", "1"]), (.doctor, ["doctor"]), (.audit, ["audit", "--limit", "1"]),
            (.completions, ["completions", "fish"]), (.help, ["help", "otp"]),
        ]
        #expect(Set(runs.map(\.0)) == Set(CommandID.allCases))
        var warnings = 0
        for (_, arguments) in runs {
            let result = try closeup(arguments, environment: down)
            for line in result.stderr.split(separator: "\n") {
                let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
                #expect(object?["warning"] != nil || object?["error"] != nil, "\(arguments): not a JSON diagnostic: \(line)")
                if let warning = object?["warning"] as? [String: Any], warning["message"] is String { warnings += 1 }
            }
        }
        // All but five fall back with a warning: help and completions read no store, audit reads
        // SQLite only, monitor and doctor report the down Redis as their error.
        #expect(warnings >= runs.count - 5, "the fallback warning was not seen: \(warnings)")
    }

    /// A key of another type among many users is that user's problem: every other user is still
    /// shown, one line each, and the run ends with the wrong type's status (3).
    @Test func inspectOfManyShowsEveryUserPastAKeyOfAnotherType() throws {
        let users = (0..<3).map { "json-many-\($0)-\(UUID().uuidString.prefix(6))" }
        try redis.call(RedisCommand("HSET", "otp:attempts:\(users[1])", "count", "3"))
        let result = try closeup(["inspect"] + users)
        #expect(result.status == 3, "\(result.stderr)")
        let shown = result.stdout.split(separator: "\n").compactMap { object(String($0))?["user_id"] as? String }
        #expect(shown == users, "\(result.stdout)")
        let errors = result.stderr.split(separator: "\n").map { object(String($0))?["error"] as? [String: Any] }
        #expect(errors.count == 1 && (errors[0]?["message"] as? String)?.contains("WRONGTYPE") == true, "\(result.stderr)")
    }

    /// Human output masks a send window's mobile number (SPEC §4), the audit log's too.
    @Test func humanOutputMasksTheMobileOfASendWindow() throws {
        let human = try Closeup.run(
            ["ratelimit", "reset", "otp_request", "+91 98765-43210", "--reason", "mask"], environment: environment, directory: home)
        #expect(human.status == 0 && !human.stdout.contains("9876543210") && human.stdout.contains("*"), "\(human.stdout)")
        let audit = try Closeup.run(["audit", "--limit", "1"], environment: environment, directory: home)
        #expect(audit.stdout.contains("otp_request:") && !audit.stdout.contains("9876543210"), "\(audit.stdout)")
        let json = try closeup(["audit", "--limit", "1"])
        #expect(json.stdout.contains("otp_request:+919876543210"), "JSON keeps it in full: \(json.stdout)")
    }

    @Test func errorsAreOneObjectOnStderr() throws {
        expectError(try closeup(["otp", "ttl", "u1", "--bogus"]), status: 2, kind: "usage")
        expectError(try closeup(["otp", "ttl", "bad user"]), status: 2, kind: "usage")
        expectError(try closeup(["--url", "redis://host:port", "otp", "ttl", "u1"]), status: 5, kind: "configuration")
        let away = ["REDIS_PORT": String(try freePort())]
        expectError(try closeup(["--store", "redis", "otp", "ttl", "u1"], environment: away), status: 3, kind: "unavailable")
        try redis.call(RedisCommand("SET", "otp:json-corrupt", "{not json", "EX", "60"))
        expectError(try closeup(["otp", "ttl", "json-corrupt"]), status: 6, kind: "corrupt")
        // A failed write to stdout, in JSON too.
        let full = try Closeup.shell(
            "closeup --no-env-file --json otp ttl u1 > /dev/full", environment: environment, directory: home)
        #expect(full.status == 3)
        #expect((object(full.stderr)?["error"] as? [String: Any])?["kind"] as? String == "unavailable", "\(full.stderr)")
    }
}
