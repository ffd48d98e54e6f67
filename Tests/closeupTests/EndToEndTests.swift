// The built binary, run as users and scripts run it: stdout, stderr and exit
// status together, in a clean environment with its own HOME and data dir.
import CloseupTestSupport
import Foundation
import Testing

struct EndToEndTests {
    let home: String
    let environment: [String: String]

    init() throws {
        home = try TemporaryDirectory.make(prefix: "closeup-e2e")
        environment = Closeup.environment(home: home)
    }

    func closeup(_ arguments: [String], environment extra: [String: String] = [:], wrapper: [String] = []) throws -> CloseupResult {
        try Closeup.run(arguments, environment: environment.merging(extra) { $1 }, directory: home, wrapper: wrapper)
    }

    /// True when something listens on the default 127.0.0.1:6379.
    func defaultPortIsTaken() -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(6379).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    @Test func doctorWithNoRedisAnywhereReportsTheEmbeddedDefaultAndExits0() throws {
        // A Redis on this machine's 6379 would be used, as it should; a private network namespace hides it.
        let wrapper = defaultPortIsTaken() ? ["/usr/bin/unshare", "--net"] : []
        let result = try closeup(["doctor"], wrapper: wrapper)
        #expect(result.status == 0)
        #expect(result.stdout.contains("SQLite only: embedded default (no Redis configured, none on 127.0.0.1:6379)"))
        #expect(result.stdout.contains("schema        version 2, ok"))
        #expect(result.stderr.isEmpty)
        #expect(FileManager.default.fileExists(atPath: home + "/data/closeup/closeup.sqlite3"))
    }

    @Test func doctorAgainstALiveServerReportsVersionModeAndLatency() throws {
        let server = RedisServer.shared
        let result = try closeup(["doctor", "--url", server.url])
        #expect(result.status == 0)
        #expect(result.stdout.contains("mode          Redis, SQLite fallback"))
        #expect(result.stdout.contains("server        redis 7.") && result.stdout.contains(", standalone, role master"))
        #expect(result.stdout.contains("ms (median of 5 PINGs)"))

        let json = try closeup(["--json", "doctor"], environment: ["REDIS_PORT": String(server.port)])
        #expect(json.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        let redis = object["redis"] as! [String: Any]
        #expect(redis["topology"] as? String == "standalone" && redis["reachable"] as? Bool == true)
        #expect((redis["server_version"] as? String)?.hasPrefix("7.") == true)
        #expect((redis["latency_ms"] as? Double).map { $0 > 0 } == true)
        #expect(object["ok"] as? Bool == true)
    }

    @Test func doctorWithAConfiguredRedisDownExits3() throws {
        let result = try closeup(["doctor", "--port", String(try freePort())])
        #expect(result.status == 3)
        #expect(result.stdout.contains("SQLite fallback (configured Redis unreachable)"))
        #expect(result.stderrLines.count == 1 && result.stderr.contains("connection refused"))
    }

    @Test func doctorWarnsWhenAServerlessEndpointIsUsedWithoutTLS() throws {
        let result = try closeup(["--host", "demo-x.serverless.aps1.cache.amazonaws.com", "--connect-timeout", "1", "doctor"])
        #expect(result.stderr.contains("looks like an ElastiCache Serverless endpoint, which accepts TLS only; add --tls or use rediss://"))
        // The name is made up: a resolver that says it does not exist makes that a configuration error (5),
        // one that cannot answer (no network) an unreachable Redis (3). ResolverTests pin both down.
        #expect(result.status == 5 || result.status == 3, "\(result.stderr)")
    }

    @Test func aRefusedPasswordExits5AndThePasswordIsNowhere() throws {
        let password = "pw-\(UUID().uuidString)"
        let result = try closeup(["doctor"], environment: ["REDIS_URL": "redis://ghost:\(password)@127.0.0.1:\(RedisServer.shared.port)"])
        #expect(result.status == 5)
        #expect(result.stderr.contains("WRONGPASS"))
        #expect(!result.stdout.contains(password) && !result.stderr.contains(password))
    }

    @Test func usageErrorsExit2WithOneLineTheUsageAndAPointerToHelp() throws {
        let result = try closeup(["doctor", "--prot", "1"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderrLines == [
            "closeup: unknown flag '--prot' for 'doctor'; did you mean '--port'?",
            "usage: closeup doctor",
            "see 'closeup doctor --help'",
        ])
    }

    @Test func configurationErrorsExit5NamingTheSource() throws {
        try "REDIS_HOST=ok\nREDIS_PORT\n".write(toFile: home + "/.env", atomically: true, encoding: .utf8)
        let envFile = try closeup(["doctor"])
        #expect(envFile.status == 5)
        #expect(envFile.stderrLines == ["closeup: malformed env file '.env' line 2: no '='; expected KEY=value"])
        #expect(try closeup(["doctor", "--no-env-file", "--store", "sqlite"]).status == 0)

        let url = try closeup(["doctor", "--no-env-file"], environment: ["REDIS_URL": "redis://:hunter2@host:port"])
        #expect(url.status == 5)
        #expect(url.stderr.contains("invalid Redis URL 'redis://:***@host:port'") && !url.stderr.contains("hunter2"))
    }

    @Test func helpVersionAndHelpCommandAgree() throws {
        let version = try closeup(["--version"])
        #expect(version.status == 0 && version.stdout == "closeup 0.1.0\n")
        let viaFlag = try closeup(["doctor", "--help"]), viaCommand = try closeup(["help", "doctor"])
        #expect(viaFlag.status == 0 && viaFlag.stdout == viaCommand.stdout)
        #expect(viaFlag.stdout.hasPrefix("closeup doctor: Check configuration, Redis, SQLite, OTP secret"))
        let top = try closeup([])
        #expect(top.status == 0 && top.stdout.contains("Commands:") && top.stdout.contains("--store auto|redis|sqlite"))
        let unknown = try closeup(["help", "nosuch"])
        #expect(unknown.status == 2 && unknown.stderr.hasPrefix("closeup: unknown command 'nosuch'"))
    }

    @Test func aClosedStdoutIsAQuietEnd() throws {
        // The reader (`true`) is gone before closeup writes: the write fails with EPIPE, not a SIGPIPE death.
        let result = try Closeup.shell(
            "{ sleep 0.3; closeup --help; echo $? >status; } | true; cat status", environment: environment, directory: home)
        #expect(result.stdout == "0\n" && result.stderr.isEmpty)
    }
}
