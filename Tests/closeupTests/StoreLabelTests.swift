// Which store served a result, said by every command (SPEC §4): each JSON object
// carries "store", and human output served by SQLite while a Redis is configured
// is marked "(from SQLite)". Every command runs twice, once with Redis up and once
// with the configured Redis down, and a last test keeps the table complete.
import CloseupTestSupport
import Foundation
import Testing

@testable import CloseupCLI

@Suite(.serialized)
struct StoreLabelTests {
    /// Each command as a script would run it; `{u}` is a user of this run.
    static let runs: [(CommandID, [String])] = [
        (.otpSend, ["otp", "send", "{u}", "--mobile", "9712345678", "--force"]),
        (.otpTTL, ["otp", "ttl", "{u}"]),
        (.otpVerify, ["otp", "verify", "{u}", "000000"]),
        (.otpRevoke, ["otp", "revoke", "{u}"]),
        (.inspect, ["inspect", "{u}"]),
        (.attemptsGet, ["attempts", "get", "{u}"]),
        (.attemptsClear, ["attempts", "clear", "{u}"]),
        (.rateLimitCheck, ["ratelimit", "check", "login", "{u}", "--max", "3", "--window", "60"]),
        (.rateLimitReset, ["ratelimit", "reset", "login", "{u}"]),
        (.pendingVideoSet, ["pending-video", "set", "{u}", "7"]),
        (.pendingVideoGet, ["pending-video", "get", "{u}"]),
        (.pendingVideoClear, ["pending-video", "clear", "{u}"]),
        (.verificationSet, ["verification", "set", "{u}", "true"]),
        (.verificationGet, ["verification", "get", "{u}"]),
        (.verificationClear, ["verification", "clear", "{u}"]),
        (.keysScan, ["keys", "scan", "--match", "user:verification:{u}x*", "--any-key"]),
        (.stats, ["stats", "--kind", "verification", "--sample", "1"]),
    ]

    /// Commands whose results are not a store's data: doctor reports the configuration (its
    /// "store" is the --store setting), monitor watches Redis only and says so in each event.
    /// attempts list walks the whole shared server, where other suites keep counters of every
    /// kind (some of the wrong type on purpose); AttemptsListTests checks its store field in
    /// both stores.
    /// The audit log lives in SQLite whichever store serves (its JSON says "store":"sqlite").
    static let exempt: Set<CommandID> = [.doctor, .monitor, .help, .completions, .attemptsList, .audit]

    @Test(arguments: [true, false])
    func everyResultSaysWhichStoreServedIt(redisUp: Bool) throws {
        let home = try TemporaryDirectory.make(prefix: "closeup-store-label")
        let port = redisUp ? RedisServer.shared.port : try freePort()
        let environment = Closeup.environment(
            home: home, extra: ["REDIS_PORT": String(port), "CLOSEUP_OTP_SECRET": "label-secret"])
        let user = "label-\(UUID().uuidString.prefix(6).lowercased())"
        let store = redisUp ? "redis" : "sqlite"
        // A key for the listing to find, in whichever store serves.
        _ = try Closeup.run(["verification", "set", user + "x1", "true"], environment: environment, directory: home)
        for (command, template) in Self.runs {
            let arguments = template.map { $0.replacingOccurrences(of: "{u}", with: user) }
            let label = "\(command) \(redisUp ? "redis" : "fallback")"
            let json = try Closeup.run(["-q", "--json"] + arguments, environment: environment, directory: home)
            #expect([0, 1].contains(json.status), "\(label): \(json.stderr)")
            let lines = json.stdout.split(separator: "\n")
            #expect(!lines.isEmpty, "\(label): no JSON")
            for line in lines {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                #expect(object["store"] as? String == store, "\(label): \(line)")
            }
            guard command != .keysScan else { continue }  // a key list; the warning says where it came from
            let human = try Closeup.run(["-q"] + arguments, environment: environment, directory: home)
            let firstLine = human.stdout.split(separator: "\n").first.map(String.init) ?? ""
            #expect(firstLine.contains("(from SQLite)") == !redisUp, "\(label): \(human.stdout)")
        }
    }

    @Test func everyCommandIsLabelled() {
        let covered = Set(Self.runs.map(\.0)).union(Self.exempt)
        for command in CommandID.allCases { #expect(covered.contains(command), "\(command) has no store-label row") }
    }
}
