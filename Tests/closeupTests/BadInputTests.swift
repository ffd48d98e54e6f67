// Bad input to every command, end to end through the built binary: each malformed
// value gets exit 2 (usage, invalid input) or 5 (configuration) and one "closeup:"
// line naming the value, nothing on stdout, and nothing written anywhere. A last
// test keeps the table honest: every command of the CLI has rows in it.
import CloseupTestSupport
import Foundation
import Testing

@testable import CloseupCLI

struct BadInput: Sendable, CustomTestStringConvertible {
    var command: CommandID
    var arguments: [String]
    var status: Int32 = 2
    /// A fragment of the error line: what was wrong, quoting the value.
    var message: String
    var stdin: String = ""
    var environment: [String: String] = [:]
    var testDescription: String { arguments.joined(separator: " ") }
    /// A bulk clear reading stdin skips a bad line and clears the rest.
    var goesOn: Bool {
        arguments.last == "-" && [.attemptsClear, .pendingVideoClear, .verificationClear, .otpRevoke].contains(command)
    }

    static let all: [BadInput] = [
        // otp send
        BadInput(command: .otpSend, arguments: ["otp", "send", "a b", "--mobile", "9876543210"], message: "invalid user id 'a b'"),
        BadInput(command: .otpSend, arguments: ["otp", "send", "u1", "--mobile", "98x76"], message: "invalid mobile number '98x76'"),
        BadInput(command: .otpSend, arguments: ["otp", "send", "u1"], message: "needs --mobile"),
        BadInput(command: .otpSend, arguments: ["otp", "send", "u1", "--mobile", "9876543210", "--channel", "pigeon"], message: "'pigeon'"),
        BadInput(command: .otpSend, arguments: ["otp", "send", "u1", "--mobile", "9876543210", "--via", "fax"], message: "'fax'"),
        BadInput(command: .otpSend, arguments: ["otp", "send", "u1", "--mobile", "9876543210", "--ttl", "0"], message: "'0' for '--ttl'"),
        // Past ten years (SPEC §2): these used to trap (SIGILL) or leave keys without a TTL.
        BadInput(command: .otpSend, arguments: ["otp", "send", "u1", "--mobile", "9876543210", "--ttl", "9223372036854775807"],
                 message: "'9223372036854775807' for '--ttl': expected a whole number from 1 to 315360000"),
        BadInput(command: .otpSend, arguments: ["otp", "send", "u1", "--mobile", "9876543210", "--ttl", "9999999999999999"],
                 message: "'9999999999999999' for '--ttl'"),
        BadInput(command: .rateLimitCheck, arguments: ["ratelimit", "check", "a", "b", "--max", "3", "--window", "9223372036854775807"],
                 message: "'9223372036854775807' for '--window'"),
        BadInput(command: .rateLimitCheck, arguments: ["ratelimit", "check", "a", "b", "--max", "315360001", "--window", "60"],
                 message: "'315360001' for '--max'"),
        BadInput(command: .pendingVideoSet, arguments: ["--store", "sqlite", "pending-video", "set", "u1", "7", "--ttl", "9223372036854775807"],
                 message: "'9223372036854775807' for '--ttl'"),
        BadInput(command: .verificationSet, arguments: ["--store", "sqlite", "verification", "set", "u1", "true", "--ttl", "315360001"],
                 message: "'315360001' for '--ttl'"),
        BadInput(command: .otpSend, arguments: ["otp", "send", "u1", "--mobile", "9876543210", "--ttl", "5m"], message: "'5m' for '--ttl'"),
        BadInput(command: .otpSend, arguments: ["otp", "send", "u1", "--mobile", "9876543210", "--via", "command"], status: 5,
                 message: "CLOSEUP_SMS_COMMAND"),
        // otp verify / ttl, inspect, attempts
        BadInput(command: .otpVerify, arguments: ["otp", "verify", "u1", "12ab56"], message: "invalid code '12ab56'"),
        BadInput(command: .otpVerify, arguments: ["otp", "verify", "u:1", "123456"], message: "invalid user id 'u:1'"),
        BadInput(command: .otpVerify, arguments: ["otp", "verify", "u1"], message: "CODE"),
        BadInput(command: .otpVerify, arguments: ["otp", "verify", "u1", "-"], message: "invalid code 'abc'", stdin: "abc\n"),
        BadInput(command: .otpTTL, arguments: ["otp", "ttl", "é"], message: "invalid user id 'é'"),
        BadInput(command: .inspect, arguments: ["inspect", ""], message: "invalid user id ''"),
        BadInput(command: .inspect, arguments: ["inspect", "u1", "a b"], message: "invalid user id 'a b'"),
        BadInput(command: .inspect, arguments: ["inspect", "--mobile", "98x76"], message: "invalid mobile number '98x76'"),
        BadInput(command: .inspect, arguments: ["inspect"], message: "'inspect' needs USER... or --mobile NUMBER"),
        BadInput(command: .attemptsGet, arguments: ["attempts", "get", "a b"], message: "invalid user id 'a b'"),
        BadInput(command: .attemptsList, arguments: ["attempts", "list", "--min", "0"], message: "'0' for '--min'"),
        BadInput(
            command: .attemptsClear, arguments: ["attempts", "clear", "u1", "--reason", String(repeating: "x", count: 501)],
            message: "invalid --reason: expected 1-500 characters, got 501"),
        BadInput(command: .audit, arguments: ["audit", "--since", "5x"], message: "invalid duration '5x' for '--since'"),
        // "-1h" is a mistyped value, not -1 -h: an error, not help with exit 0.
        BadInput(command: .audit, arguments: ["audit", "--since", "-1h"], message: "invalid duration '-1h' for '--since'"),
        BadInput(command: .audit, arguments: ["audit", "--since", "99999999999d"], message: "invalid duration"),
        BadInput(command: .audit, arguments: ["audit", "--limit", "0"], message: "'0' for '--limit'"),
        BadInput(command: .attemptsList, arguments: ["attempts", "list", "extra"], message: "extra"),
        BadInput(command: .attemptsClear, arguments: ["attempts", "clear", "ok-user", "bad user"], message: "invalid user id 'bad user'"),
        BadInput(command: .otpRevoke, arguments: ["otp", "revoke", "ok-user", "u:1"], message: "invalid user id 'u:1'"),
        BadInput(command: .otpRevoke, arguments: ["otp", "revoke"], message: "USER"),
        BadInput(command: .attemptsClear, arguments: ["attempts", "clear"], message: "USER"),
        // ratelimit
        BadInput(command: .rateLimitCheck, arguments: ["ratelimit", "check", "Log-In", "ip", "--max", "3", "--window", "60"],
                 message: "invalid action 'Log-In'"),
        BadInput(command: .rateLimitCheck, arguments: ["ratelimit", "check", "login", "", "--max", "3", "--window", "60"],
                 message: "invalid identifier ''"),
        BadInput(command: .rateLimitCheck, arguments: ["ratelimit", "check", "login", "ip", "--max", "0", "--window", "60"],
                 message: "'0' for '--max'"),
        BadInput(command: .rateLimitCheck, arguments: ["ratelimit", "check", "login", "ip", "--max", "3", "--window", "soon"],
                 message: "'soon' for '--window'"),
        BadInput(command: .rateLimitCheck, arguments: ["ratelimit", "check", "login", "ip", "--window", "60"], message: "needs --max"),
        BadInput(command: .rateLimitReset, arguments: ["ratelimit", "reset", "login!", "ip"], message: "invalid action 'login!'"),
        // the caches
        BadInput(command: .pendingVideoGet, arguments: ["pending-video", "get", "a b"], message: "invalid user id 'a b'"),
        BadInput(command: .pendingVideoSet, arguments: ["pending-video", "set", "u1", "job-7"], message: "'job-7'"),
        BadInput(command: .pendingVideoSet, arguments: ["pending-video", "set", "u1", "7", "--ttl", "-5"], message: "'--ttl'"),
        BadInput(command: .pendingVideoClear, arguments: ["pending-video", "clear", "ok-user", "bad id"], message: "invalid user id 'bad id'"),
        // On stdin a bad line is skipped (and reported): the good ones are still cleared.
        BadInput(command: .pendingVideoClear, arguments: ["--store", "sqlite", "pending-video", "clear", "-"],
                 message: "stdin line 2: invalid user id 'bad id'", stdin: "ok\nbad id\n"),
        BadInput(command: .verificationGet, arguments: ["verification", "get", "a:b"], message: "invalid user id 'a:b'"),
        BadInput(command: .verificationSet, arguments: ["verification", "set", "u1", "maybe"], message: "'maybe'"),
        BadInput(command: .verificationSet, arguments: ["verification", "set", "u1", "true", "--ttl", "x"], message: "'x' for '--ttl'"),
        BadInput(command: .verificationClear, arguments: ["verification", "clear", "tab\there"], message: "invalid user id 'tab\\x09here'"),
        // keys scan, monitor
        BadInput(command: .keysScan, arguments: ["keys", "scan", "--kind", "sessions"], message: "'sessions' for '--kind'"),
        BadInput(command: .keysScan, arguments: ["keys", "scan", "--count", "0"], message: "'0' for '--count'"),
        BadInput(command: .keysScan, arguments: ["keys", "scan", "--limit", "ten"], message: "'ten' for '--limit'"),
        BadInput(command: .keysScan, arguments: ["keys", "scan", "--count", "2000000"],
                 message: "invalid value '2000000' for '--count': expected a whole number from 1 to 1000000"),
        BadInput(command: .keysScan, arguments: ["keys", "scan", "--delete", "--any-key", "--yes"], message: "--any-key"),
        BadInput(command: .keysScan, arguments: ["keys", "scan", "--dry-run"], message: "--dry-run"),
        BadInput(command: .monitor, arguments: ["monitor", "--duration", "forever"], message: "'forever' for '--duration'"),
        BadInput(command: .monitor, arguments: ["monitor", "--interval", "0"], message: "'0' for '--interval'"),
        BadInput(command: .monitor, arguments: ["monitor", "--user", "a b"], message: "invalid user id 'a b'"),
        BadInput(command: .monitor, arguments: ["monitor", "--kind", "all"], message: "'all' for '--kind'"),
        // doctor, completions, help
        BadInput(command: .doctor, arguments: ["doctor", "now"], message: "unexpected argument 'now'"),
        BadInput(command: .stats, arguments: ["stats", "--kind", "sessions"], message: "'sessions' for '--kind'"),
        BadInput(command: .stats, arguments: ["stats", "--sample", "0"], message: "'0' for '--sample'"),
        BadInput(command: .stats, arguments: ["stats", "--sample", "100001"], message: "'100001' for '--sample'"),
        BadInput(command: .stats, arguments: ["stats", "otp"], message: "unexpected argument 'otp'"),
        BadInput(command: .completions, arguments: ["completions", "tcsh"], message: "'tcsh'"),
        BadInput(command: .help, arguments: ["help", "frobnicate"], message: "unknown command 'frobnicate'"),
        // Configuration, whatever the command: exit 5, naming the setting and its source.
        BadInput(command: .attemptsGet, arguments: ["--url", "redis://host:port", "attempts", "get", "u1"], status: 5,
                 message: "invalid Redis URL 'redis://host:***'"),
        BadInput(command: .otpTTL, arguments: ["otp", "ttl", "u1"], status: 5, message: "REDIS_PORT",
                 environment: ["REDIS_PORT": "six"]),
        BadInput(command: .rateLimitReset, arguments: ["ratelimit", "reset", "login", "ip"], status: 5, message: "REDIS_TLS",
                 environment: ["REDIS_TLS": "maybe"]),
        BadInput(command: .otpVerify, arguments: ["otp", "verify", "u1", "123456"], status: 5, message: "CLOSEUP_MAX_ATTEMPTS",
                 environment: ["CLOSEUP_MAX_ATTEMPTS": "lots"]),
        BadInput(command: .doctor, arguments: ["--password-file", "/nonexistent/pw", "doctor"], status: 5, message: "'/nonexistent/pw'"),
        BadInput(command: .inspect, arguments: ["--tls", "--cacert", "/nonexistent/ca.crt", "inspect", "u1"], status: 5,
                 message: "'/nonexistent/ca.crt'"),
        BadInput(command: .otpSend, arguments: ["--tls", "--cert", "/nonexistent/client.crt", "otp", "send", "u1", "--mobile", "9876543210"],
                 status: 5, message: "a client certificate needs its private key"),
        BadInput(command: .keysScan, arguments: ["--env-file", "/nonexistent/.env", "keys", "scan"], status: 5,
                 message: "'/nonexistent/.env'"),
        BadInput(command: .verificationGet, arguments: ["--sqlite", "/proc/closeup.sqlite3", "--store", "sqlite", "verification", "get", "u1"],
                 status: 3, message: "'/proc/closeup.sqlite3'"),
    ]
}

struct BadInputTests {
    @Test(arguments: BadInput.all)
    func aMalformedValueGetsItsExitStatusAndOneLineNamingIt(_ input: BadInput) throws {
        let home = try TemporaryDirectory.make(prefix: "closeup-bad")
        // A Redis port nobody listens on: a row that got as far as Redis would show a warning.
        let environment = Closeup.environment(home: home, extra: ["REDIS_PORT": String(try freePort())])
        let result = try Closeup.run(
            input.arguments, environment: environment.merging(input.environment) { $1 }, directory: home, stdin: input.stdin)
        #expect(result.status == input.status, "\(result.stderr)")
        let lines = result.stderrLines
        #expect(lines.first?.hasPrefix("closeup: ") == true && lines.first?.contains(input.message) == true, "\(result.stderr)")
        // One message line; a usage error adds only the usage and where to read more.
        // (The usage wraps at 80 columns; its further lines are indented under it.)
        #expect(
            lines.dropFirst().allSatisfy { $0.hasPrefix("usage: ") || $0.hasPrefix("       ") || $0.hasPrefix("see '") },
            "\(result.stderr)")
        if input.goesOn {
            #expect(result.stdout.hasPrefix("cleared "), "\(result.stdout)")
        } else {
            // Nothing was done: nothing printed, not even the database created.
            #expect(result.stdout.isEmpty, "\(result.stdout)")
            #expect(!FileManager.default.fileExists(atPath: home + "/data/closeup/closeup.sqlite3"), "a database was created")
        }
    }

    @Test func everyCommandHasRowsInTheTable() {
        let covered = Set(BadInput.all.map(\.command))
        #expect(covered == Set(CommandID.allCases), "missing: \(Set(CommandID.allCases).subtracting(covered))")
        // Each row's command line names the command it claims to test (after any global flags).
        for input in BadInput.all {
            let path = CommandTable.commands.first { $0.id == input.command }!.path
            let words = input.arguments.filter { !$0.hasPrefix("-") }
            #expect(words.starts(with: path) || input.arguments.joined(separator: " ").contains(path.joined(separator: " ")),
                    "\(input.arguments) is not '\(path.joined(separator: " "))'")
        }
    }
}
