// monitor against a redis-server of its own: decoded and redacted events, a
// reconnect after CLIENT KILL, clean ends, and polling where MONITOR is denied.
import CloseupKit
import CloseupTestSupport
import Foundation
import Testing

@Suite(.serialized)
final class MonitorTests {
    static let server = try! RedisServer()
    let home: String
    let environment: [String: String]
    var redis: RedisConnection { try! Self.server.connect() }

    init() throws {
        home = try TemporaryDirectory.make(prefix: "closeup-monitor")
        environment = Closeup.environment(
            home: home, extra: ["REDIS_PORT": String(Self.server.port), "CLOSEUP_OTP_SECRET": "monitor-secret"])
    }

    func closeup(_ arguments: [String], environment extra: [String: String] = [:]) throws -> CloseupResult {
        try Closeup.run(arguments, environment: environment.merging(extra) { $1 }, directory: home)
    }

    func monitorClients() throws -> Int {
        let list = try redis.call(RedisCommand("CLIENT", "LIST")).string ?? ""
        return list.split(separator: "\n").filter { $0.contains("cmd=monitor") }.count
    }

    @Test func decodedEventsForAUserNeverShowTheCodeOrHashAndSurviveAClientKill() throws {
        let user = "mon-\(UUID().uuidString.prefix(6))"
        let monitor = try RunningCloseup(["--json", "monitor", "--user", user, "--duration", "6"], environment: environment, directory: home)
        #expect(try eventually { try monitorClients() == 1 })
        let sent = try closeup(["--json", "otp", "send", user, "--mobile", "9800000010"])
        let code = (try JSONSerialization.jsonObject(with: Data(sent.stdout.utf8)) as! [String: Any])["otp"] as! String
        let hash = try JSONSerialization.jsonObject(
            with: Data((try redis.call(RedisCommand("GET", "otp:\(user)")).string ?? "{}").utf8)) as! [String: Any]
        #expect(try closeup(["otp", "verify", user, code == "000000" ? "111111" : "000000"]).status == 1)
        #expect(try closeup(["otp", "verify", user, code]).status == 0)
        #expect(try eventually { monitor.stdoutSoFar.contains("OTP consumed for \(user)") })

        let list = try redis.call(RedisCommand("CLIENT", "LIST")).string ?? ""
        let line = list.split(separator: "\n").first { $0.contains("cmd=monitor") }!
        let id = line.split(separator: " ").first { $0.hasPrefix("id=") }!.dropFirst(3)
        try redis.call(RedisCommand("CLIENT", "KILL", "ID", String(id)))
        #expect(try eventually { try monitorClients() == 1 && !(try redis.call(RedisCommand("CLIENT", "LIST")).string ?? "").contains("id=\(id) ") })
        #expect(try closeup(["attempts", "clear", user]).status == 0)
        let result = try monitor.wait()
        #expect(result.status == 0)
        let events = result.stdout.split(separator: "\n").map {
            try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        let meanings = events.compactMap { $0["meaning"] as? String }
        #expect(meanings.contains("OTP issued for \(user) (ttl 300)"))
        #expect(meanings.contains("OTP consumed for \(user)"))
        // The wrong code's verify took an attempt and kept it; the right one's gave its attempt back
        // by clearing the counter.
        #expect(meanings.contains("verify attempt 1 of 5 taken for \(user)"), "\(meanings)")
        #expect(meanings.contains("failed attempts cleared for \(user)"), "no event after the reconnect: \(meanings)")
        #expect(events.allSatisfy { $0["user_id"] as? String == user })
        #expect(result.stderr.contains("reconnecting in") && result.stderr.contains("reconnected"))
        for secret in [code, hash["otp_hash"] as! String] {
            #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret))
        }
    }

    @Test func rawModeRedactsPasswordsRecordsAndScriptArguments() throws {
        let monitor = try RunningCloseup(["monitor", "--raw", "--duration", "3"], environment: environment, directory: home)
        #expect(try eventually { try monitorClients() == 1 })
        let user = "raw-\(UUID().uuidString.prefix(6))"
        _ = try closeup(["otp", "send", user, "--mobile", "9800000011"])
        _ = try closeup(["otp", "verify", user, "123456"])
        var options = Self.server.options()
        options.password = "hunter2-not-a-real-password"
        _ = try? RedisConnection(options: options)  // AUTH fails (no password set), but MONITOR sees it
        let result = try monitor.wait()
        #expect(result.status == 0)
        #expect(result.stdout.contains("SET otp:\(user) (otp record) EX 300 NX"))
        #expect(result.stdout.contains("(redacted)"))
        #expect(!result.stdout.contains("hunter2") && !result.stdout.contains("otp_hash"))
    }

    @Test func sigtermEndsItCleanly() throws {
        let monitor = try RunningCloseup(["monitor"], environment: environment, directory: home)
        #expect(try eventually { try monitorClients() == 1 })
        monitor.signal(SIGTERM)
        let result = try monitor.wait()
        #expect(result.status == 0 && result.stderr.isEmpty)
    }

    @Test func whereMonitorIsDeniedItPollsAndSeesAnOTPIssuedAndExpire() throws {
        let admin = redis
        let name = "nomonitor-\(UUID().uuidString.prefix(6))"
        try admin.call(RedisCommand("ACL", "SETUSER", name, "on", ">pw", "~*", "+@all", "-monitor"))
        defer { _ = try? admin.call(RedisCommand("ACL", "DELUSER", name)) }
        let user = "poll-\(UUID().uuidString.prefix(6))"
        let monitor = try RunningCloseup(
            ["--url", "redis://\(name):pw@127.0.0.1:\(Self.server.port)", "monitor", "--user", user, "--interval", "0.2", "--duration", "5"],
            environment: environment, directory: home)
        usleep(600_000)
        #expect(try closeup(["otp", "send", user, "--mobile", "9800000012", "--ttl", "1"]).status == 0)
        let result = try monitor.wait()
        #expect(result.status == 0)
        #expect(result.stderr.contains("refused MONITOR") && result.stderr.contains("polling every 0.2 s"))
        #expect(result.stdout.contains("OTP created for \(user) (ttl"))
        #expect(result.stdout.contains("OTP expired or deleted for \(user)"))
    }

    /// On a terminal a person is watching: what, how to stop, and the columns named and aligned.
    @Test func onATerminalItSaysHowToStopAndNamesAlignedColumns() throws {
        let home = try TemporaryDirectory.make(prefix: "closeup-monitor-tty")
        let written = DispatchSemaphore(value: 0)
        let options = Self.server.options()
        Thread {
            usleep(700_000)
            _ = try? RedisConnection(options: options).call(RedisCommand("SET", "otp:attempts:tty-user", "2", "EX", "60"))
            written.signal()
        }.start()
        let result = try Closeup.onTerminal(
            ["--no-env-file", "--port", String(Self.server.port), "monitor", "--duration", "2"],
            environment: Closeup.environment(home: home), directory: home)
        written.wait()
        // Colour is on (a terminal): compare the text without its escapes.
        let plain = result.stdout.replacingOccurrences(of: "\r", with: "")
            .replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        let lines = plain.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains("Ctrl-C to stop") }, "\(result.stdout)")
        let header = try #require(lines.first { $0.hasPrefix("TIME") }, "\(result.stdout)")
        let event = try #require(lines.first { $0.contains("otp:attempts:tty-user") }, "\(result.stdout)")
        // The key and the meaning start where the header says.
        for column in ["KEY", "MEANING"] {
            let at = header.distance(from: header.startIndex, to: header.range(of: column)!.lowerBound)
            let cell = event.dropFirst(at)
            #expect(event.dropFirst(at - 1).first == " " && cell.first != " ", "\(column) not aligned:\n\(header)\n\(event)")
        }
    }
}
