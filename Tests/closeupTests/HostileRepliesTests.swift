// What a hostile review found after the error-reply work, each kept as a test:
// a verify that is refused or fails never costs the user their code; a server
// that stalls at first contact and answers late never gets the work SQLite did;
// a counter is never left without its TTL by a refusal between two writes;
// replies of the wrong shape are errors, never data; a code that cannot be
// withdrawn after a failed delivery is reported.
import CloseupKit
import CloseupTestSupport
import Foundation
import Testing

@Suite(.serialized)
struct HostileRepliesTests {
    let home: String
    let secret = "hostile-secret"

    init() throws { home = try TemporaryDirectory.make(prefix: "closeup-hostile") }

    func closeup(_ arguments: [String], _ environment: [String: String]) throws -> CloseupResult {
        try Closeup.run(
            ["--no-env-file"] + arguments,
            environment: Closeup.environment(home: home, extra: ["CLOSEUP_OTP_SECRET": secret].merging(environment) { $1 }),
            directory: home)
    }

    /// An OTP record for `user` and `code` as the backend writes it.
    func record(_ user: String, code: String) throws -> String {
        let hash = try backendHash(secret: secret, user: user, code: code)
        return #"{"otp_hash":"\#(hash)","mobile_number":"9876543210","created_at":"2026-01-13T15:25:00+05:30","expires_at":"2026-01-13T15:30:00+05:30"}"#
    }

    @Test(arguments: [5, 2])
    func aVerifyThatIsRefusedOrFailsLeavesTheCodeLive(failures: Int) throws {
        // Out of memory: the attempt cannot be taken (or the user is blocked). The right code
        // must still be there afterwards.
        let user = "oom\(failures)"
        let state = try ErrorReplyServer.outOfMemory(seed: [
            RedisCommand("SET", "otp:\(user)", try record(user, code: "271828"), "EX", "300"),
            RedisCommand("SET", "otp:attempts:\(user)", String(failures), "EX", "3600"),
        ])
        let result = try closeup(["otp", "verify", user, "271828"], state.target.environment)
        #expect(result.status == (failures == 5 ? 4 : 3), "\(result.stdout)\(result.stderr)")
        try state.end()
        #expect(try state.target.connect().call(RedisCommand("EXISTS", "otp:\(user)")).resp == .integer(1))
        #expect(try state.target.connect().call(RedisCommand("GET", "otp:attempts:\(user)")).string == String(failures))
    }

    @Test func aServerStalledAtFirstContactNeverGetsTheWorkSQLiteDid() throws {
        let server = try RedisServer()
        server.signal(SIGSTOP)
        let result = try closeup(
            ["--timeout", "0.5", "ratelimit", "check", "login", "stall", "--max", "5", "--window", "60"],
            ["REDIS_PORT": String(server.port)])
        server.signal(SIGCONT)
        #expect(result.status == 0 && result.stdout.contains("(from SQLite)"), "\(result.stdout)\(result.stderr)")
        // The stalled server got a PING, never the script: once it runs again, it has no counter.
        usleep(200_000)
        #expect(try server.connect().call(RedisCommand("EXISTS", "rate_limit:login:stall")).resp == .integer(0))
    }

    @Test func anACLUserWithoutEXPIRENeverLeavesACounterWithoutTTL() throws {
        let state = try ErrorReplyServer.noPermission(denying: ["expire"])
        let user = "noexpire-\(UUID().uuidString.prefix(6))"
        let admin = try RedisServer.shared.connect()
        try admin.call(RedisCommand("SET", "otp:\(user)", try record(user, code: "271828"), "EX", "300"))
        let verify = try closeup(["otp", "verify", user, "123456"], state.target.environment)
        #expect(verify.status == 1 && verify.stdout.contains("failed attempt 1 of 5"), "\(verify.stderr)")
        let check = try closeup(
            ["ratelimit", "check", "login", user, "--max", "3", "--window", "60"], state.target.environment)
        #expect(check.status == 0, "\(check.stderr)")
        for key in ["otp:attempts:\(user)", "rate_limit:login:\(user)"] {
            #expect(try admin.call(RedisCommand("TTL", key)).number ?? -1 > 0, "\(key)")
        }
    }

    @Test func aReplyOfTheWrongShapeIsAnErrorNeverData() throws {
        // A server that answers AUTH with :1, a script with {2, 3, 3600}, DEL with :7.
        let liar = try ScriptedRedis { command in
            switch command.first?.uppercased() {
            case "AUTH": ":1\r\n"
            case "EVALSHA", "EVAL": "*3\r\n:2\r\n:3\r\n:3600\r\n"
            case "DEL": ":7\r\n"
            default: "-ERR unexpected\r\n"
            }
        }
        let port = ["REDIS_PORT": String(liar.port)]
        let auth = try closeup(["attempts", "get", "u1"], port.merging(["REDIS_PASSWORD": "pw"]) { $1 })
        #expect(auth.status == 3 && auth.stderr.contains("AUTH"), "\(auth.stderr)")
        let script = try closeup(["ratelimit", "check", "login", "ip", "--max", "5", "--window", "60"], port)
        #expect(script.status == 3 && script.stderr.contains("{2, 3, …}"), "\(script.stderr)")
        let delete = try closeup(["ratelimit", "reset", "login", "ip"], port)
        #expect(delete.status == 3 && delete.stderr.contains("0 or 1"), "\(delete.stderr)")
    }

    @Test func aDeleteCountsWhatUNLINKRemoved() throws {
        // SCAN finds two keys; by the time of the UNLINK, one of them is gone.
        let liar = try ScriptedRedis { command in
            switch command.first?.uppercased() {
            case "INFO": "$17\r\ncluster_enabled:0\r\n"
            case "PING": "+PONG\r\n"
            case "SCAN": "*2\r\n$1\r\n0\r\n*2\r\n$15\r\notp:attempts:u1\r\n$15\r\notp:attempts:u2\r\n"
            case "UNLINK": command.last == "otp:attempts:u1" ? ":1\r\n" : ":0\r\n"
            default: "-ERR unexpected\r\n"
            }
        }
        let port = ["REDIS_PORT": String(liar.port)]
        let human = try closeup(["keys", "scan", "--kind", "attempts", "--delete", "--yes"], port)
        #expect(human.status == 0 && human.stdout == "otp:attempts:u1\n" && human.stderr == "closeup: deleted 1 key\n",
                "\(human.stdout)\(human.stderr)")
        let json = try closeup(["--json", "keys", "scan", "--kind", "attempts", "--delete", "--yes"], port)
        #expect(json.stdout.contains(#""key":"otp:attempts:u2","key_encoding":"utf-8","kind":"attempts","deleted":false"#), "\(json.stdout)")
    }

    /// A SCAN cursor that is not a number is never sent back ("-1" would end the walk early with
    /// exit 0, "" would start it again): protocol garbage, exit 3.
    @Test(arguments: ["$2\r\n-1\r\n", "$0\r\n\r\n", "$3\r\nabc\r\n", "$20\r\n18446744073709551616\r\n"])
    func aCursorThatIsNotANumberEndsTheScanAsGarbage(cursor: String) throws {
        let scans = Counter()
        let liar = try ScriptedRedis { command in
            switch command.first?.uppercased() {
            case "INFO": return "$17\r\ncluster_enabled:0\r\n"
            case "PING": return "+PONG\r\n"
            case "SCAN":
                scans.increment()
                return "*2\r\n" + cursor + "*1\r\n$15\r\notp:attempts:u1\r\n"
            default: return "-ERR unexpected\r\n"
            }
        }
        let result = try closeup(["keys", "scan", "--kind", "attempts"], ["REDIS_PORT": String(liar.port)])
        #expect(result.status == 3 && result.stderr.contains("SCAN") && result.stderr.contains("cursor"), "\(result.stderr)")
        #expect(scans.value == 1, "the bad cursor was sent back")
    }

    @Test func aCodeThatCannotBeWithdrawnIsReported() throws {
        // The delivery fails, and the withdrawing script's DEL is refused: the code stays live,
        // and the error says so (and how to replace it).
        let state = try ErrorReplyServer.noPermission(denying: ["del"])
        let user = "stuck-\(UUID().uuidString.prefix(6))"
        let result = try closeup(
            ["otp", "send", user, "--mobile", "97\(Int.random(in: 10_000_000...99_999_999))", "--via", "command"],
            state.target.environment.merging(["CLOSEUP_SMS_COMMAND": "false"]) { $1 })
        #expect(result.status == 3 && result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("could not be withdrawn") && result.stderr.contains("--force"), "\(result.stderr)")
        #expect(try RedisServer.shared.connect().call(RedisCommand("EXISTS", "otp:\(user)")).resp == .integer(1))
    }

    @Test func aCountAtTheEdgeOf64BitsIsLimitedOrCorruptNeverACrash() throws {
        let server = RedisServer.shared
        let admin = try server.connect()
        let tag = UUID().uuidString.prefix(6).lowercased()
        let port = ["REDIS_PORT": String(server.port)]
        try admin.call(RedisCommand("SET", "rate_limit:edge:\(tag)", "9223372036854775807", "EX", "300"))
        let check = try closeup(["ratelimit", "check", "edge", tag, "--max", "3", "--window", "300"], port)
        #expect(check.status == 6 && check.stderr.contains("rate_limit:edge:\(tag)"), "\(check.stderr)")
        let peek = try closeup(["ratelimit", "check", "edge", tag, "--max", "3", "--window", "300", "--peek"], port)
        #expect(peek.status == 1 && peek.stdout.contains("0 left"), "\(peek.stdout)\(peek.stderr)")
        // A counter at Int64.max blocks; one past it is not a count.
        try admin.call(RedisCommand("SET", "otp:attempts:edge-\(tag)", "9223372036854775807", "EX", "300"))
        let get = try closeup(["attempts", "get", "edge-\(tag)"], port)
        #expect(get.status == 0 && get.stdout.contains("9223372036854775807 of 5 failed attempts, blocked"), "\(get.stdout)")
        let verify = try closeup(["otp", "verify", "edge-\(tag)", "123456"], port)
        #expect([4, 6].contains(verify.status) && !verify.stderr.contains("-9223372036854775808"), "\(verify.stderr)")
        try admin.call(RedisCommand("SET", "otp:attempts:edge-\(tag)", "9223372036854775808", "EX", "300"))
        let past = try closeup(["attempts", "get", "edge-\(tag)"], port)
        #expect(past.status == 6 && past.stderr.contains("corrupt"), "\(past.stderr)")
        let send = try closeup(["otp", "send", "edge-\(tag)", "--mobile", "9876543210"], port)
        #expect(send.status == 6, "\(send.stderr)")
    }
}

/// A count shared with a scripted server's handler thread.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
