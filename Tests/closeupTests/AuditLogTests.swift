// The audit log (SPEC §2): every state-changing command leaves exactly one
// record (user, host, command, targets, store, outcome, reason), also with Redis
// away; nothing else does; no record holds a code, hash or password; `closeup
// audit` reads them back newest first; the same line goes to syslog.
import CloseupKit
import CloseupTestSupport
import Foundation
import Testing

@Suite(.serialized)
final class AuditLogTests {
    static let password = "audit-pw-" + UUID().uuidString
    static let server = try! RedisServer(password: password)
    let secret = "audit-secret-" + UUID().uuidString
    let home: String
    let environment: [String: String]
    var sqlitePath: String { home + "/data/closeup/closeup.sqlite3" }

    init() throws {
        home = try TemporaryDirectory.make(prefix: "closeup-audit")
        environment = Closeup.environment(
            home: home,
            extra: [
                "CLOSEUP_OTP_SECRET": secret, "REDIS_URL": "redis://:\(Self.password)@127.0.0.1:\(Self.server.port)",
                "SUDO_USER": "ops-alice",
            ])
    }

    func closeup(_ arguments: [String], stdin: String = "", environment extra: [String: String] = [:]) throws -> CloseupResult {
        try Closeup.run(arguments, environment: environment.merging(extra) { $1 }, directory: home, stdin: stdin)
    }

    func records(_ extra: [String] = []) throws -> [[String: Any]] {
        let result = try closeup(["--json", "audit", "--limit", "1000"] + extra)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    func unique(_ name: String) -> String { "\(name)-\(UUID().uuidString.prefix(8))" }

    @Test func everyStateChangingCommandLeavesExactlyOneRecord() throws {
        let user = unique("au")
        let sent = try closeup(["--json", "otp", "send", user, "--mobile", "9811122233", "--reason", "r-send"])
        let code = ((try JSONSerialization.jsonObject(with: Data(sent.stdout.utf8))) as? [String: Any])?["otp"] as? String ?? ""
        // (command, arguments, expected target count); each with its own --reason.
        let runs: [(String, [String], Int)] = [
            ("otp verify", ["otp", "verify", user, code], 1),
            ("otp send", ["otp", "send", user, "--mobile", "9811122234"], 1),
            ("otp revoke", ["otp", "revoke", user], 1),
            ("attempts clear", ["attempts", "clear", user, unique("other")], 2),
            ("ratelimit reset", ["ratelimit", "reset", "otp_request", "+91 98111-22233"], 1),
            ("pending-video set", ["pending-video", "set", user, "42"], 1),
            ("pending-video clear", ["pending-video", "clear", user], 1),
            ("verification set", ["verification", "set", user, "true"], 1),
            ("verification clear", ["verification", "clear", "-"], 3),
            // A scan's count is the keys it deleted (two: set above, and one more made here).
            ("keys scan", ["keys", "scan", "--match", "user:verification:\(user)*", "--delete", "--yes"], 2),
        ]
        let first = try records().count
        for (name, arguments, count) in runs {
            let stdin = arguments.last == "-" ? "\(user)\n\(unique("a"))\n\(unique("b"))\n" : ""
            if name == "keys scan" {
                // Written directly, not through closeup: no record of their own.
                for key in ["user:verification:\(user)", "user:verification:\(user)x"] {
                    try Self.server.connect().call(RedisCommand("SET", key, "true", "EX", "600"))
                }
            }
            let result = try closeup(arguments + ["--reason", "r-\(name)"], stdin: stdin)
            #expect([0, 1].contains(result.status), "\(name): \(result.stderr)")
            let newest = try #require(try records(["--limit", "1"]).first)
            #expect(newest["command"] as? String == name)
            #expect(newest["reason"] as? String == "r-\(name)")
            #expect(newest["target_count"] as? Int == count, "\(name): \(newest)")
            #expect(newest["outcome"] as? String == (result.status == 0 ? "ok" : "negative"), "\(name): \(newest)")
            #expect(newest["served_by"] as? String == "redis" && newest["redis"] as? String == "127.0.0.1:\(Self.server.port)")
            #expect((newest["os_user"] as? String)?.isEmpty == false && (newest["host"] as? String)?.isEmpty == false)
            #expect(newest["sudo_user"] as? String == "ops-alice")
        }
        #expect(try records().count == first + runs.count, "one record per run")
        // The reset is recorded under the key it cleared.
        #expect(try records(["--command", "ratelimit reset"]).first?["targets"] as? [String] == ["otp_request:+919811122233"])

        // Reads, a wrong code and a dry run change nothing and leave no record.
        let before = try records().count
        for arguments in [["otp", "ttl", user], ["attempts", "get", user], ["otp", "verify", user, "000000"],
                          ["keys", "scan", "--delete", "--dry-run"], ["inspect", user]] {
            _ = try closeup(arguments)
        }
        #expect(try records().count == before)

        // Newest first, filtered by user and time.
        let mine = try records(["--user", user, "--since", "1h"])
        #expect(mine.first?["command"] as? String == "keys scan" || mine.first?["command"] as? String == "verification clear")
        #expect(mine.last?["command"] as? String == "otp send")
        #expect(mine.allSatisfy { ($0["targets"] as? [String] ?? []).contains(user) })
    }

    @Test func aRefusedChangeIsRecordedWithItsOutcomeAndRedisAwayStillRecords() throws {
        let user = unique("ref")
        _ = try closeup(["otp", "send", user, "--mobile", "9811122235"])
        let refused = try closeup(["otp", "send", user, "--mobile", "9811122235", "--reason", "again"])
        #expect(refused.status == 4)
        let newest = try #require(try records(["--limit", "1"]).first)
        #expect(newest["outcome"] as? String == "refused" && newest["exit"] as? Int == 4)

        let away = ["REDIS_URL": "redis://127.0.0.1:\(try freePort())"]
        let cleared = try closeup(["attempts", "clear", user, "--reason", "redis down"], environment: away)
        #expect(cleared.status == 0, "\(cleared.stderr)")
        let offline = try #require(try records(["--limit", "1"]).first)
        #expect(offline["reason"] as? String == "redis down" && offline["served_by"] as? String == "sqlite")
    }

    /// The record is written once the run's status is final: a result that could not be written
    /// to stdout makes it 3, and a verify that consumed the code is recorded all the same.
    @Test func aRunWhoseResultCouldNotBeWrittenIsRecordedWithExit3() throws {
        let user = unique("full")
        let sent = try closeup(["--json", "otp", "send", user, "--mobile", "9811122236"])
        let code = ((try JSONSerialization.jsonObject(with: Data(sent.stdout.utf8))) as? [String: Any])?["otp"] as? String ?? ""
        for (command, words) in [("otp verify", "otp verify \(user) \(code)"), ("attempts clear", "attempts clear \(user)")] {
            let run = try Closeup.shell(
                "closeup \(words) --reason full-disk > /dev/full", environment: environment, directory: home)
            #expect(run.status == 3, "\(run.stderr)")
            let record = try #require(try records(["--user", user, "--command", command]).first, "\(command) left no record")
            #expect(record["exit"] as? Int == 3 && record["outcome"] as? String == "unavailable", "\(record)")
        }
    }

    @Test func noRecordHoldsACodeAHashOrAPassword() throws {
        let user = unique("secret")
        let sent = try closeup(["--json", "otp", "send", user, "--mobile", "9811122236", "--reason", "check"])
        let code = ((try JSONSerialization.jsonObject(with: Data(sent.stdout.utf8))) as? [String: Any])?["otp"] as? String ?? ""
        #expect(code.count == 6)
        #expect(try closeup(["otp", "verify", user, code]).status == 0)
        let hash = try backendHash(secret: secret, user: user, code: code)
        let dump = try Closeup.runProgram(
            "/usr/bin/env",
            ["python3", "-c", "import sqlite3,sys; [print(r) for r in sqlite3.connect(sys.argv[1]).execute('SELECT * FROM audit_log')]",
             sqlitePath],
            environment: ProcessInfo.processInfo.environment, directory: home, stdin: "")
        #expect(dump.status == 0 && dump.stdout.contains(user), "\(dump.stderr)")
        #expect(!dump.stdout.contains(code) && !dump.stdout.contains(hash) && !dump.stdout.contains(Self.password))
        #expect(!dump.stdout.contains(secret))
    }

    /// The same line goes to syslog (authpriv): caught on a /dev/log of the test's own, where the
    /// machine has none (a container) and the test may make one.
    @Test(.enabled(if: getuid() == 0 && !FileManager.default.fileExists(atPath: "/dev/log"), "needs root and no syslog daemon"))
    func theSameLineGoesToSyslogAuthpriv() throws {
        let user = unique("syslog")
        let script = """
            python3 -c '
            import os, socket, sys, time
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind("/dev/log"); s.settimeout(0.2)
            open(sys.argv[1], "w").close()
            end = time.time() + 10
            try:
                while time.time() < end:
                    try: line = s.recv(65536).decode(errors="replace")
                    except socket.timeout: continue
                    if sys.argv[2] in line: print(line); break
            finally: os.unlink("/dev/log")
            ' "$HOME/ready" '\(user)' > "$HOME/syslog.txt" &
            while [ ! -e "$HOME/ready" ]; do sleep 0.05; done
            code=$(closeup --no-env-file --json otp send \(user) --mobile 9811122237 --reason "$(printf 'syslog\\ncheck\\033[2J')")
            wait
            cat "$HOME/syslog.txt"
            echo "$code"
            """
        let result = try Closeup.shell(script, environment: environment, directory: home)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let logged = try #require(lines.first { $0.contains("closeup") && $0.contains(user) }, "\(result.stdout)\(result.stderr)")
        // <85>: facility authpriv (10) * 8 + severity notice (5).
        #expect(logged.hasPrefix("<85>"), "\(logged)")
        #expect(logged.contains("otp send: 1 target (\(user))") && logged.contains("reason=\"syslog\\x0acheck\\x1b[2J\""), "\(logged)")
        let code = ((try? JSONSerialization.jsonObject(with: Data((lines.last ?? "").utf8))) as? [String: Any])?["otp"] as? String
        #expect(code.map { !logged.contains($0) } == true && !logged.contains(Self.password))
    }
}
