// Every command that touches Redis against every kind of error reply Redis gives,
// end to end through the built binary and real servers (scripted only for LOADING
// and CLUSTERDOWN). An error reply is never data: NOAUTH, WRONGPASS and NOPERM exit
// 5, everything else exits 3; the one line names the command or key and the error;
// there is no SQLite fallback, no SQLite row is written, and no key changes. A last
// test keeps the table honest: every command of the CLI that can reach Redis is in it.
import CloseupKit
import CloseupTestSupport
import Foundation
import Testing

@testable import CloseupCLI

/// One command line of the matrix, and what it does to Redis.
struct MatrixCommand: Sendable, CustomTestStringConvertible {
    var command: CommandID
    var arguments: [String]
    /// Namespaces whose values it reads (a key of the wrong type there is WRONGTYPE).
    var reads: Set<KeyKind> = []
    /// It writes with SET, INCR or EXPIRE (refused on a replica, out of memory, MISCONF).
    var writes = false
    /// It deletes (refused on a replica and by MISCONF; allowed out of memory).
    var deletes = false
    var testDescription: String { arguments.joined(separator: " ") }

    /// Placeholders, replaced per state so states sharing a server never meet each other's keys.
    static let user = "{user}"
    static let identifier = "{ip}"
    static let mobile = "{mobile}"

    static let all: [MatrixCommand] = [
        MatrixCommand(
            command: .otpSend, arguments: ["otp", "send", user, "--mobile", mobile], reads: [.otp, .attempts, .rateLimit],
            writes: true),
        MatrixCommand(command: .otpVerify, arguments: ["otp", "verify", user, "123456"], reads: [.otp, .attempts], writes: true),
        MatrixCommand(command: .otpTTL, arguments: ["otp", "ttl", user], reads: [.otp]),
        MatrixCommand(command: .otpRevoke, arguments: ["otp", "revoke", user], deletes: true),
        MatrixCommand(command: .inspect, arguments: ["inspect", user], reads: [.otp, .attempts, .verification, .pendingVideo]),
        MatrixCommand(command: .attemptsGet, arguments: ["attempts", "get", user], reads: [.attempts]),
        MatrixCommand(command: .attemptsClear, arguments: ["attempts", "clear", user], deletes: true),
        MatrixCommand(command: .attemptsList, arguments: ["attempts", "list"], reads: [.attempts]),
        MatrixCommand(
            command: .rateLimitCheck, arguments: ["ratelimit", "check", "login", identifier, "--max", "3", "--window", "60"],
            reads: [.rateLimit], writes: true),
        MatrixCommand(
            command: .rateLimitCheck,
            arguments: ["ratelimit", "check", "login", identifier, "--max", "3", "--window", "60", "--peek"],
            reads: [.rateLimit]),
        MatrixCommand(command: .rateLimitReset, arguments: ["ratelimit", "reset", "login", identifier], deletes: true),
        // A cache miss with a job in video_jobs: the job is read, then cached with SET … NX.
        MatrixCommand(command: .pendingVideoGet, arguments: ["pending-video", "get", user], reads: [.pendingVideo], writes: true),
        MatrixCommand(command: .pendingVideoSet, arguments: ["pending-video", "set", user, "7"], writes: true),
        MatrixCommand(command: .pendingVideoClear, arguments: ["pending-video", "clear", user], deletes: true),
        MatrixCommand(command: .verificationGet, arguments: ["verification", "get", user], reads: [.verification]),
        MatrixCommand(command: .verificationSet, arguments: ["verification", "set", user, "true"], writes: true),
        MatrixCommand(command: .verificationClear, arguments: ["verification", "clear", user], deletes: true),
        MatrixCommand(command: .keysScan, arguments: ["keys", "scan"]),
        MatrixCommand(command: .keysScan, arguments: ["keys", "scan", "--ttl"]),
        MatrixCommand(
            command: .keysScan, arguments: ["keys", "scan", "--match", "otp:attempts:\(user)", "--delete", "--yes"],
            deletes: true),
        // TTL and MEMORY USAGE read any type: a key of another type is no error for stats.
        MatrixCommand(command: .stats, arguments: ["stats", "--sample", "5"]),
        MatrixCommand(command: .monitor, arguments: ["monitor", "--duration", "1"]),
        MatrixCommand(command: .doctor, arguments: ["doctor"]),
    ]
}

/// An error state, and which commands meet its error.
struct MatrixState: Sendable, CustomTestStringConvertible {
    var name: String
    /// Expected in the error line (the reply's code, or the words of a script's refusal).
    var code: String
    var status: Int32
    var applies: @Sendable (MatrixCommand) -> Bool
    var testDescription: String { name }

    static func everything(_ name: String, status: Int32, code: String? = nil) -> MatrixState {
        MatrixState(name: name, code: code ?? name, status: status, applies: { _ in true })
    }

    static let all: [MatrixState] =
        [
            .everything("NOAUTH", status: 5),
            .everything("WRONGPASS", status: 5),
            .everything("NOPERM", status: 5),
            // A script calling a command its user may not run: Redis 7.0 says ERR, not NOPERM.
            MatrixState(
                name: "NOPERM inside a script", code: "can't run this command", status: 5,
                applies: { [.otpVerify, .rateLimitCheck].contains($0.command) && !$0.arguments.contains("--peek") }),
        ]
        + KeyKind.allCases.map { kind in
            MatrixState(name: "WRONGTYPE at \(kind.rawValue)", code: "WRONGTYPE", status: 3, applies: { $0.reads.contains(kind) })
        }
        + [
            MatrixState(name: "READONLY", code: "READONLY", status: 3, applies: { $0.writes || $0.deletes }),
            MatrixState(name: "OOM", code: "OOM", status: 3, applies: { $0.writes }),
            MatrixState(name: "MISCONF", code: "MISCONF", status: 3, applies: { $0.writes || $0.deletes }),
            .everything("BUSY", status: 3),
            .everything("LOADING", status: 3),
            .everything("CLUSTERDOWN", status: 3),
        ]
}

@Suite
struct ErrorReplyMatrixTests {
    /// The names one state's commands use.
    struct Names {
        let user = "mx" + UUID().uuidString.prefix(8).lowercased()
        let mobile = "98765" + String(Int.random(in: 10_000...99_999))
        var identifier: String { user + "-ip" }
        var keys: [String] {
            [
                "otp:\(user)", "otp:attempts:\(user)", "user:verification:\(user)", "video:pending:\(user)",
                "rate_limit:login:\(identifier)", "rate_limit:otp_request:\(mobile)",
            ]
        }

        func fill(_ argument: String) -> String {
            argument.replacingOccurrences(of: MatrixCommand.user, with: user)
                .replacingOccurrences(of: MatrixCommand.identifier, with: identifier)
                .replacingOccurrences(of: MatrixCommand.mobile, with: mobile)
        }

        /// What every real server holds before its state begins: a key of each namespace but the
        /// pending-video cache, whose miss makes `pending-video get` write.
        var seed: [RedisCommand] {
            [
                RedisCommand("SET", "otp:attempts:\(user)", "1", "EX", "3600"),
                RedisCommand("SET", "user:verification:\(user)", "true", "EX", "3600"),
                RedisCommand("SET", "rate_limit:login:\(identifier)", "1", "EX", "60"),
            ]
        }

        /// The seed as `keys(_:names:)` shows it.
        var seeded: [String: String] {
            Dictionary(uniqueKeysWithValues: seed.map { ($0.arguments[1], "string \($0.arguments[2]) expires=true") })
        }
    }

    /// The user's keys, each as its type, value and whether it expires: what must not change.
    static func keys(_ connection: RedisConnection, names: Names) throws -> [String: String] {
        var found: [String: String] = [:]
        for key in names.keys {
            let type = try connection.call(RedisCommand("TYPE", key)).string ?? "?"
            guard type != "none" else { continue }
            let value =
                type == "string"
                ? try connection.call(RedisCommand("GET", key)).string ?? ""
                : "\(try connection.call(RedisCommand("DUMP", key)).resp)"
            let expires = try connection.call(RedisCommand("TTL", key)).number != -1
            found[key] = "\(type) \(value) expires=\(expires)"
        }
        return found
    }

    /// The state's server (or, for WRONGTYPE, a key of the wrong type on the shared server).
    func start(_ state: MatrixState, _ names: Names) throws -> (target: RedisTarget, server: ErrorReplyServer?) {
        let seed = names.seed
        let user = names.user
        switch state.name {
        case "NOAUTH": return try wrap(.noAuth(seed: seed))
        case "WRONGPASS": return try wrap(.wrongPassword(seed: seed))
        case "NOPERM":
            try run(seed, on: RedisServer.shared)
            // Every command closeup sends for its work, so each command meets its own first one.
            return try wrap(
                .noPermission(denying: [
                    "get", "set", "del", "unlink", "ttl", "pttl", "expire", "incr", "evalsha", "eval", "scan", "monitor",
                    "ping", "info", "cluster",
                ]))
        case "NOPERM inside a script":
            try run(seed, on: RedisServer.shared)
            return try wrap(.noPermission(denying: ["get", "set", "del", "ttl", "pttl", "expire", "incr", "decr"]))
        case "READONLY": return try wrap(.readOnly(seed: seed))
        case "OOM": return try wrap(.outOfMemory(seed: seed))
        case "MISCONF": return try wrap(.misconfigured(seed: seed))
        case "BUSY": return try wrap(.busy(seed: seed))
        case "LOADING": return try wrap(.loading())
        case "CLUSTERDOWN": return try wrap(.clusterDown())
        default:
            // WRONGTYPE at KIND: every key of that namespace the commands touch is a hash.
            let kind = KeyKind(rawValue: String(state.name.dropFirst("WRONGTYPE at ".count)))!
            let keys: [String] =
                switch kind {
                case .otp: ["otp:\(user)"]
                case .attempts: ["otp:attempts:\(user)"]
                case .verification: ["user:verification:\(user)"]
                case .pendingVideo: ["video:pending:\(user)"]
                case .rateLimit: ["rate_limit:login:\(names.identifier)", "rate_limit:otp_request:\(names.mobile)"]
                }
            try run(seed.filter { !keys.contains($0.arguments[1]) }, on: RedisServer.shared)
            try run(keys.map { RedisCommand("HSET", $0, "not", "ours") }, on: RedisServer.shared)
            return (RedisTarget(port: RedisServer.shared.port), nil)
        }
    }

    private func wrap(_ server: ErrorReplyServer) -> (RedisTarget, ErrorReplyServer?) { (server.target, server) }

    private func run(_ commands: [RedisCommand], on server: RedisServer) throws {
        let connection = try server.connect()
        for command in commands { try connection.call(command) }
    }

    @Test(arguments: MatrixState.all)
    func anErrorReplyIsNeverDataNorAFallback(_ state: MatrixState) throws {
        let commands = MatrixCommand.all.filter(state.applies)
        #expect(!commands.isEmpty)
        let names = Names()
        let (target, server) = try start(state, names)
        // What the keys must still be at the end: read now where the state lets us in, else
        // known from the seed; a scripted server holds no keys.
        let before: [String: String]? =
            if server?.scripted != nil { nil }
            else if state.name.hasPrefix("NOPERM") || server == nil { try Self.keys(try RedisServer.shared.connect(), names: names) }
            else { names.seeded }

        let home = try TemporaryDirectory.make(prefix: "closeup-matrix")
        let sqlite = home + "/data/closeup/closeup.sqlite3"
        // A job in video_jobs, so `pending-video get` has something to cache after its miss.
        try SQLiteDatabase(path: sqlite).prepare(
            "INSERT INTO video_jobs (id, user_id, status, created_at) VALUES (42, ?, 'queued', '2026-01-13T15:25:00+05:30')"
        ).run([.text(names.user)])
        let rowsBefore = try rowCounts(sqlite)
        var environment = Closeup.environment(
            home: home, extra: ["CLOSEUP_OTP_SECRET": "matrix-secret", "REDIS_CONNECT_TIMEOUT": "2", "REDIS_TIMEOUT": "2"])
        environment.merge(target.environment) { $1 }

        for command in commands {
            let arguments = command.arguments.map(names.fill)
            let result = try Closeup.run(["--no-env-file"] + arguments, environment: environment, directory: home)
            let label = "\(state.name) × \(arguments.joined(separator: " "))"
            #expect(result.status == state.status, "\(label): exit \(result.status): \(result.stderr)")
            #expect(result.stderr.contains(state.code), "\(label): \(result.stderr)")
            // The line says which command (or script, on which key) got the error.
            #expect(
                result.stderr.contains("Redis refused ") || result.stderr.contains("Redis answered "),
                "\(label): \(result.stderr)")
            #expect(!result.stderr.contains("using SQLite"), "\(label): \(result.stderr)")
            #expect(try rowCounts(sqlite) == rowsBefore, "\(label): SQLite rows were written")
        }
        if let before {
            // Leave the state (NOPERM: the user gets every command) and look.
            try server?.end()
            let connection = state.name.hasPrefix("NOPERM") ? try RedisServer.shared.connect() : try target.connect()
            #expect(try Self.keys(connection, names: names) == before, "\(state.name): a key changed")
        }
    }

    @Test func everyCommandThatReachesRedisIsInTheMatrix() {
        let covered = Set(MatrixCommand.all.map(\.command))
        // audit reads the SQLite log only.
        let local: Set<CommandID> = [.help, .completions, .audit]
        for command in CommandID.allCases where !local.contains(command) {
            #expect(covered.contains(command), "\(command) is not in the error-reply matrix")
        }
        // And every state meets at least one command.
        for state in MatrixState.all { #expect(MatrixCommand.all.contains(where: state.applies), "\(state.name)") }
    }

    /// Rows per data table: the audit log records the attempt (SPEC §2), which is no data written.
    func rowCounts(_ path: String) throws -> [String: Int64] {
        let database = try SQLiteDatabase(path: path)
        let tables = try database.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'audit_log'")
        var names: [String] = []
        while try tables.step() { names.append(tables.text(0) ?? "") }
        var counts: [String: Int64] = [:]
        for name in names { counts[name] = try database.prepare("SELECT count(*) FROM \"\(name)\"").firstInteger() ?? 0 }
        return counts
    }
}

