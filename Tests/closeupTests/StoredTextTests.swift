// What closeup prints of what others stored: keys are bytes end to end (listed,
// counted, deleted and printed by their exact bytes), text from storage cannot
// drive the terminal, mobile numbers are masked even when they do not parse, and
// monitor neither reports its own reads nor shows an OTP record written by MSET.
import CloseupKit
import CloseupTestSupport
import Foundation
import Testing

@Suite(.serialized)
final class StoredTextTests {
    static let server = try! RedisServer()
    let home: String
    let environment: [String: String]

    init() throws {
        home = try TemporaryDirectory.make(prefix: "closeup-stored-text")
        environment = Closeup.environment(
            home: home, extra: ["REDIS_PORT": String(Self.server.port), "CLOSEUP_OTP_SECRET": "stored-secret"])
    }

    func closeup(_ arguments: [String]) throws -> CloseupResult {
        try Closeup.run(["--no-env-file"] + arguments, environment: environment, directory: home)
    }

    /// Runs `script` in bash with `closeup` and `rcli` (redis-cli on the test server) defined.
    func shell(_ script: String) throws -> CloseupResult {
        try Closeup.shell(
            "rcli() { redis-cli -p \(Self.server.port) \"$@\"; }\n" + script, environment: environment, directory: home)
    }

    @Test func keysThatAreNotUTF8AreListedCountedAndLeftAloneByTheirBytes() throws {
        _ = try shell("rcli SET $'otp:\\xff' x >/dev/null; rcli SET $'otp:\\xfe' y >/dev/null")
        let listed = try closeup(["keys", "scan", "--kind", "otp", "--ttl", "--match", "otp:[^a-z]"])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(Set(listed.stdout.split(separator: "\n")) == ["otp:\\xff\t-1", "otp:\\xfe\t-1"], "\(listed.stdout)")
        // -0 writes the bytes themselves.
        let raw = try shell("closeup --no-env-file keys scan --kind otp --match 'otp:[^a-z]' -0 | od -An -tx1 | tr -d ' \\n'")
        #expect(raw.stdout.contains("6f74703aff00") && raw.stdout.contains("6f74703afe00"), "\(raw.stdout)")
        // JSON says how the key is encoded.
        let json = try closeup(["--json", "keys", "scan", "--kind", "otp", "--match", "otp:[^a-z]"])
        #expect(json.stdout.contains(#""key":"b3RwOv8=","key_encoding":"base64""#), "\(json.stdout)")
        // Not of closeup's shape (a user id is printable ASCII): never deleted, and said so, by a
        // dry run too.
        let dryRun = try closeup(["keys", "scan", "--kind", "otp", "--match", "otp:[^a-z]", "--delete", "--dry-run"])
        #expect(dryRun.stdout.isEmpty, "\(dryRun.stdout)")
        #expect(dryRun.stderr == "closeup: would delete 0 keys (dry run); 2 keys not of closeup's shape left alone\n", "\(dryRun.stderr)")
        let dryJSON = try closeup(["--json", "keys", "scan", "--kind", "otp", "--match", "otp:[^a-z]", "--delete", "--dry-run"])
        #expect(dryJSON.stdout.split(separator: "\n").allSatisfy { $0.contains(#""would_delete":false"#) }, "\(dryJSON.stdout)")
        let deleted = try closeup(["keys", "scan", "--kind", "otp", "--match", "otp:[^a-z]", "--delete", "--yes"])
        #expect(deleted.stderr == "closeup: deleted 0 keys; 2 keys not of closeup's shape left alone\n", "\(deleted.stderr)")
        #expect(try shell("rcli EXISTS $'otp:\\xff' $'otp:\\xfe'").stdout == "2\n")
        _ = try shell("rcli DEL $'otp:\\xff' $'otp:\\xfe' >/dev/null")
    }

    @Test func twoKeysThatLookAlikeAreTwoKeys() throws {
        // café in NFC and in NFD: equal as Swift strings, different bytes.
        _ = try shell("rcli SET $'rate_limit:login:caf\\xc3\\xa9' 1 >/dev/null; rcli SET $'rate_limit:login:cafe\\xcc\\x81' 1 >/dev/null")
        let json = try closeup(["--json", "keys", "scan", "--kind", "rate-limit", "--match", "rate_limit:login:caf*"])
        #expect(json.stdout.split(separator: "\n").count == 2, "\(json.stdout)")
        _ = try shell("rcli DEL $'rate_limit:login:caf\\xc3\\xa9' $'rate_limit:login:cafe\\xcc\\x81' >/dev/null")
    }

    @Test func aKeyOfAnotherShapeInANamespaceIsListedButNeverDeleted() throws {
        _ = try shell("rcli SET 'otp:attempts:x y' 1 >/dev/null; rcli SET otp:attempts:shape-ok 1 >/dev/null")
        let deleted = try closeup(["keys", "scan", "--kind", "attempts", "--match", "otp:attempts:[xs]*", "--delete", "--yes"])
        #expect(deleted.stdout == "otp:attempts:shape-ok\n", "\(deleted.stdout)")
        #expect(deleted.stderr.contains("deleted 1 key; 1 key not of closeup's shape left alone"), "\(deleted.stderr)")
        #expect(try shell("rcli EXISTS 'otp:attempts:x y' otp:attempts:shape-ok").stdout == "1\n")
        _ = try shell("rcli DEL 'otp:attempts:x y' >/dev/null")
    }

    @Test func storedTextCannotDriveTheTerminal() throws {
        let hostile = "\u{1b}]0;owned\u{07}\u{1b}[2J"
        let redis = try Self.server.connect()
        // A record whose mobile number holds escape sequences: shown escaped (and masked).
        let record = #"{"otp_hash":"00","mobile_number":"\u001b]0;owned\u0007","created_at":"2026-01-13T15:25:00+05:30"}"#
        try redis.call(RedisCommand("SET", "otp:esc", record, "EX", "300"))
        let inspect = try closeup(["inspect", "esc"])
        #expect(inspect.status == 0 && inspect.stdout.contains("mobile       \\x"), "\(inspect.stdout)")
        #expect(!inspect.stdout.contains("\u{1b}") && !inspect.stdout.contains("\u{07}"), "\(inspect.stdout)")
        // One whose expires_at does: corrupt, and the error line shows it escaped.
        let broken = #"{"otp_hash":"00","expires_at":"2026-01-13\u001b[2J"}"#
        try redis.call(RedisCommand("SET", "otp:esc2", broken, "EX", "300"))
        let ttl = try closeup(["otp", "ttl", "esc2"])
        #expect(ttl.status == 6 && ttl.stderr.contains("2026-01-13\\x1b[2J") && !ttl.stderr.contains("\u{1b}"), "\(ttl.stderr)")
        // monitor shows a value another writer cached, escaped.
        let monitor = try RunningCloseup(["--no-env-file", "monitor", "--raw", "--duration", "2"], environment: environment, directory: home)
        #expect(eventually { (try? Self.server.connect().call(RedisCommand("CLIENT", "LIST")).string ?? "")?.contains("cmd=monitor") == true })
        try redis.call(RedisCommand("SET", "user:verification:esc", "true" + hostile, "EX", "60"))
        let watched = try monitor.wait()
        #expect(watched.stdout.contains("user:verification:esc") && !watched.stdout.contains("\u{1b}"), "\(watched.stdout)")
        #expect(watched.stdout.contains("true\\x1b]0;owned\\x07"), "\(watched.stdout)")
    }

    @Test func aMobileThatDoesNotParseIsMaskedAllTheSame() throws {
        let record = #"{"otp_hash":"00","mobile_number":"(987) 654-3210"}"#
        try Self.server.connect().call(RedisCommand("SET", "otp:oddmobile", record, "EX", "300"))
        let inspect = try closeup(["inspect", "oddmobile"])
        #expect(inspect.stdout.contains("mobile       (9**********10"), "\(inspect.stdout)")
        #expect(!inspect.stdout.contains("654-3210"))
    }

    @Test func monitorShowsNeitherItsOwnReadsNorARecordWrittenByMSET() throws {
        let monitor = try RunningCloseup(
            ["--no-env-file", "--json", "monitor", "--raw", "--duration", "3"], environment: environment, directory: home)
        #expect(eventually { (try? Self.server.connect().call(RedisCommand("CLIENT", "LIST")).string ?? "")?.contains("cmd=monitor") == true })
        // A verify with no code: an attempt taken (a counting script monitor reads the count of).
        #expect(try closeup(["otp", "verify", "ownreads", "123456"]).status == 1)
        // Another writer's read is traffic.
        _ = try shell("rcli GET otp:attempts:ownreads >/dev/null")
        _ = try shell(#"rcli MSET otp:msetuser '{"otp_hash":"feedface"}' other:key x >/dev/null"#)
        let result = try monitor.wait()
        // A script's own reads show as client lua; the one read by another client is redis-cli's.
        let reads = result.stdout.split(separator: "\n").filter {
            $0.contains("failed attempts read for ownreads") && !$0.contains(#""client":"lua""#)
        }
        #expect(reads.count == 1, "\(result.stdout)")
        #expect(!result.stdout.contains("feedface") && result.stdout.contains("(otp record)"), "\(result.stdout)")
    }
}
