// Faults injected into real servers and real files: Redis killed in the middle
// of work, paused past the timeout, replaced by a liar; SQLite killed mid-write;
// verifiers racing while Redis goes away. Each ends in a clear error or the
// documented fallback, within its deadline, never a crash or a hang.
import CloseupKit
import CloseupTestSupport
import Foundation
import Testing

@Suite(.serialized)
final class FaultTests {
    let home: String
    let environment: [String: String]

    init() throws {
        home = try TemporaryDirectory.make(prefix: "closeup-faults")
        environment = Closeup.environment(home: home, extra: ["CLOSEUP_OTP_SECRET": "fault-secret"])
    }

    func closeup(_ arguments: [String], stdin: String = "", port: Int? = nil) throws -> CloseupResult {
        var environment = self.environment
        if let port { environment["REDIS_PORT"] = String(port) }
        return try Closeup.run(arguments, environment: environment, directory: home, stdin: stdin)
    }

    func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = Date()
        let result = try body()
        return (result, Date().timeIntervalSince(start))
    }

    @Test func aServerSpeakingGarbageIsAClearErrorNotAFallback() throws {
        let liar = try GarbageServer(reply: "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        let (result, seconds) = try timed { try closeup(["attempts", "get", "u1"], port: liar.port) }
        #expect(result.status == 3 && seconds < 3)
        #expect(result.stderrLines.count == 1 && result.stderr.contains("is not RESP"), "\(result.stderr)")
    }

    @Test func aPausedServerPastTheTimeoutFallsBackOrFailsWithinTheDeadline() throws {
        let server = try RedisServer()
        try server.connect().call(RedisCommand("CLIENT", "PAUSE", "4000", "ALL"))
        let (fallback, seconds) = try timed { try closeup(["--timeout", "0.5", "attempts", "get", "u1"], port: server.port) }
        #expect(fallback.status == 0 && seconds < 3)
        #expect(fallback.stderr.contains("no answer within 0.5 s") && fallback.stderr.contains("using SQLite"))
        let (strict, strictSeconds) = try timed {
            try closeup(["--store", "redis", "--timeout", "0.5", "attempts", "get", "u1"], port: server.port)
        }
        #expect(strict.status == 3 && strictSeconds < 3)
    }

    @Test func aServerThatDiesMidScanEndsTheScanWithAnError() throws {
        let server = try RedisServer(config: ["--enable-debug-command", "yes"])
        let redis = try server.connect()
        try redis.call(RedisCommand("DEBUG", "POPULATE", "300000", "foreign"))
        _ = try redis.pipeline((0..<20_000).map { RedisCommand("SET", "otp:attempts:u\($0)", "1", "EX", "600") })
        let scan = try RunningCloseup(
            ["--port", String(server.port), "keys", "scan", "--count", "5"], environment: environment, directory: home)
        #expect(eventually { scan.stdoutSoFar.split(separator: "\n").count > 10 })
        server.stop()
        let (result, seconds) = timed { scan.wait() }
        #expect(result.status == 3 && seconds < 6)
        #expect(result.stderr.contains("lost the connection") || result.stderr.contains("closed the connection"), "\(result.stderr)")
    }

    @Test func aServerThatDiesMidBulkClearEndsWithAnErrorAndNoHang() throws {
        let server = try RedisServer()
        let idsFile = home + "/ids.txt"
        try (0..<300_000).map { "bulk-\($0)" }.joined(separator: "\n").write(toFile: idsFile, atomically: true, encoding: .utf8)
        var environment = self.environment
        environment["REDIS_PORT"] = String(server.port)
        let pid = try serverPID(server)
        let (result, seconds) = try timed {
            try Closeup.shell(
                "(sleep 0.05; kill -9 \(pid)) & closeup attempts clear - < '\(idsFile)'; status=$?; wait; echo \"status=$status\"",
                environment: environment, directory: home)
        }
        // Either the clear finished before the kill, or it ends with a clear error: never a hang or a crash.
        #expect(result.stdout.contains("status=3") || result.stdout.contains("status=0"), "\(result.stdout)\(result.stderr)")
        if result.stdout.contains("status=3") { #expect(result.stderr.contains("Redis")) }
        #expect(seconds < 10)
    }

    func serverPID(_ server: RedisServer) throws -> Int {
        Int(try server.connect().call(RedisCommand("INFO", "server")).string!
            .split(whereSeparator: \.isNewline).first { $0.hasPrefix("process_id:") }!.dropFirst(11).trimmingCharacters(in: .whitespacesAndNewlines))!
    }

    @Test func monitorOutlivesAServerThatDiesAndEndsCleanlyAfterItsDuration() throws {
        let server = try RedisServer()
        let monitor = try RunningCloseup(
            ["--port", String(server.port), "monitor", "--duration", "3"], environment: environment, directory: home)
        usleep(500_000)
        server.stop()
        let (result, seconds) = timed { monitor.wait() }
        #expect(result.status == 0 && seconds < 6)
        #expect(result.stderr.contains("reconnecting in"))
    }

    @Test func verifiersRacingWhileRedisGoesAwaySucceedExactlyOnce() throws {
        let server = try RedisServer()
        var environment = self.environment
        environment["REDIS_PORT"] = String(server.port)
        let sent = try Closeup.run(["--json", "otp", "send", "racer", "--mobile", "9700000001"], environment: environment, directory: home)
        let code = (try JSONSerialization.jsonObject(with: Data(sent.stdout.utf8)) as! [String: Any])["otp"] as! String
        let pid = try serverPID(server)
        let killer = Thread { usleep(15_000); kill(pid_t(pid), SIGKILL) }
        killer.start()
        let results = try Closeup.runConcurrently(
            Array(repeating: ["otp", "verify", "racer", code], count: 40), environment: environment, directory: home)
        #expect(results.filter { $0.status == 0 }.count == 1, "\(results.map(\.status))")
        #expect(results.allSatisfy { [0, 1, 3].contains($0.status) })
    }

    @Test func killingSQLiteWritersLeavesAnIntactDatabaseWithNoHalfWrittenCode() throws {
        let sqlite = home + "/kill.sqlite3"
        let base = ["--store", "sqlite", "--sqlite", sqlite]
        _ = try Closeup.run(base + ["doctor"], environment: environment, directory: home)
        let idsFile = home + "/kill-ids.txt"
        try (0..<100_000).map { "k\($0)" }.joined(separator: "\n").write(toFile: idsFile, atomically: true, encoding: .utf8)
        for round in 0..<12 {
            // Counters for the bulk clear to delete, so the kill lands inside a big transaction.
            let seed = try SQLiteDatabase(path: sqlite)
            try seed.transaction { () throws(CloseupError) in
                let insert = try seed.prepare("INSERT OR REPLACE INTO otp_attempts (user_id, count, expires_epoch) VALUES (?, 1, 9999999999)")
                for index in 0..<100_000 { try insert.run([.text("k\(index)")]) }
            }
            // Writers killed at different moments: a bulk clear, and sends.
            let script = """
                closeup \(base.joined(separator: " ")) attempts clear - < '\(idsFile)' >/dev/null 2>&1 &
                for i in 1 2 3 4; do closeup \(base.joined(separator: " ")) otp send kill\(round)-$i --mobile 97000000\(10 + round) --force >/dev/null 2>&1 & done
                sleep 0.0\(round % 10); pkill -9 -f -- '--sqlite \(sqlite)' ; wait
                """
            _ = try Closeup.shell(script, environment: environment, directory: home)
        }
        let database = try SQLiteDatabase(path: sqlite)
        let check = try database.prepare("PRAGMA integrity_check")
        #expect(try check.step() && check.text(0) == "ok")
        // Every stored code is whole: the row went in, all fields set, in one transaction, or not at all.
        let rows = try database.prepare("SELECT count(*) FROM otp_codes WHERE otp_hash = '' OR created_at = '' OR expires_at = ''")
        #expect(try rows.firstInteger() == 0)
        // And the database still works for the next closeup.
        #expect(try Closeup.run(base + ["otp", "send", "after-kill", "--mobile", "9700000099"], environment: environment, directory: home).status == 0)
    }
}

/// A loopback server that answers every connection with fixed bytes that are not RESP.
final class GarbageServer: @unchecked Sendable {
    let port: Int
    private let process: Process

    init(reply: String) throws {
        port = try freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            """
            import socket, sys
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", \(port))); s.listen(8)
            while True:
                c, _ = s.accept()
                c.recv(65536); c.sendall(sys.argv[1].encode()); c.close()
            """,
            reply,
        ]
        try process.run()
        _ = eventually { (try? RedisConnection(options: RedisOptions(address: .tcp(host: "127.0.0.1", port: port)))) != nil }
    }

    deinit { process.terminate() }
}
