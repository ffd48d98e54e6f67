// An ACL user with only what closeup needs (SPEC §2, least privilege): `+@all
// -@dangerous` refuses INFO, CONFIG, KEYS and MONITOR. A refused INFO or CONFIG
// never fails a command, and a refused MONITOR is polling. (The same user on a
// cluster is in ClusterTests.)
import CloseupKit
import CloseupTestSupport
import Foundation
import Testing

@Suite(.serialized)
final class LeastPrivilegeTests {
    static let server = try! RedisServer()
    let home: String
    let environment: [String: String]
    let user = "lp-\(UUID().uuidString.prefix(6).lowercased())"

    init() throws {
        home = try TemporaryDirectory.make(prefix: "closeup-least-privilege")
        let admin = try Self.server.connect()
        try admin.call(RedisCommand("ACL", "SETUSER", user, "on", ">lp-pass", "~*", "+@all", "-@dangerous"))
        environment = Closeup.environment(
            home: home,
            extra: [
                "REDIS_PORT": String(Self.server.port), "REDIS_USERNAME": user, "REDIS_PASSWORD": "lp-pass",
                "CLOSEUP_OTP_SECRET": "lp-secret",
            ])
    }

    deinit { _ = try? Self.server.connect().call(RedisCommand("ACL", "DELUSER", user)) }

    func closeup(_ arguments: [String]) throws -> CloseupResult {
        try Closeup.run(arguments, environment: environment, directory: home)
    }

    @Test func theUserReallyIsRefusedInfoAndMonitor() throws {
        var options = Self.server.options()
        options.username = user
        options.password = "lp-pass"
        let connection = try RedisConnection(options: options)
        let replies = try connection.pipelineKeepingErrors([RedisCommand("INFO"), RedisCommand("MONITOR")])
        #expect(replies.allSatisfy { $0.errorMessage?.hasPrefix("NOPERM") == true })
    }

    @Test func keysScanListsWithoutINFO() throws {
        for index in 0..<50 { try Self.server.connect().call(RedisCommand("SET", "otp:attempts:\(user)-\(index)", "2", "EX", "600")) }
        let result = try closeup(["keys", "scan", "--kind", "attempts", "--ttl", "--match", "otp:attempts:\(user)-*"])
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").count == 50)
        let deleted = try closeup(["keys", "scan", "--match", "otp:attempts:\(user)-*", "--delete", "--yes"])
        #expect(deleted.status == 0 && deleted.stderr == "closeup: deleted 50 keys\n", "\(deleted.stderr)")
    }

    @Test func monitorFallsBackToPollingAndSeesChanges() throws {
        let monitor = try RunningCloseup(
            ["monitor", "--user", user, "--interval", "0.2", "--duration", "3"], environment: environment, directory: home)
        #expect(eventually { monitor.stderrSoFar.contains("refused MONITOR") })
        usleep(400_000)
        #expect(try closeup(["verification", "set", user, "true"]).status == 0)
        let result = try monitor.wait()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("NOPERM") && result.stderr.contains("polling every 0.2 s"), "\(result.stderr)")
        #expect(result.stdout.contains("verification cache created for \(user)"), "\(result.stdout)")
    }

    @Test func withoutINFOAndCLUSTERKeysScanSaysItSeesOneServer() throws {
        let blind = "lp-blind-\(UUID().uuidString.prefix(6).lowercased())"
        try Self.server.connect().call(
            RedisCommand("ACL", "SETUSER", blind, "on", ">lp-pass", "~*", "+@all", "-@dangerous", "-cluster"))
        defer { _ = try? Self.server.connect().call(RedisCommand("ACL", "DELUSER", blind)) }
        try Self.server.connect().call(RedisCommand("SET", "otp:attempts:\(blind)", "1", "EX", "600"))
        let result = try Closeup.run(
            ["keys", "scan", "--match", "otp:attempts:\(blind)"],
            environment: environment.merging(["REDIS_USERNAME": blind]) { $1 }, directory: home)
        #expect(result.status == 0 && result.stdout == "otp:attempts:\(blind)\n", "\(result.stderr)")
        #expect(
            result.stderrLines == [
                "closeup: warning: Redis refused INFO: NOPERM this user has no permissions to run the 'info' command;"
                    + " CLUSTER SLOTS: NOPERM this user has no permissions to run the 'cluster|slots' command;"
                    + " whether this is a cluster is unknown, so only this server is seen"
            ], "\(result.stderr)")
    }

    @Test func doctorReportsTheRefusedInfoAndPasses() throws {
        let result = try closeup(["doctor"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("refused") && result.stdout.contains("version and role unknown"), "\(result.stdout)")
        let json = try closeup(["--json", "doctor"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        let redis = object["redis"] as! [String: Any]
        #expect((redis["info_refused"] as? String)?.hasPrefix("NOPERM") == true && object["ok"] as? Bool == true)
    }
}
