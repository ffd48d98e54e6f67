// inspect of many users (issue "support desk"): a ticket's worth of users from
// stdin in a handful of round trips (counted with strace on the real binary), one
// report each in order, the corrupt one reported beside the others.
import CloseupKit
import CloseupTestSupport
import Foundation
import Testing

@Suite(.serialized)
final class InspectManyTests {
    static let server = try! RedisServer()
    let home: String
    let environment: [String: String]

    init() throws {
        home = try TemporaryDirectory.make(prefix: "closeup-inspect-many")
        environment = Closeup.environment(
            home: home, extra: ["REDIS_PORT": String(Self.server.port), "CLOSEUP_OTP_SECRET": "inspect-secret"])
    }

    @Test func aThousandUsersFromStdinInAtMostTwentyRoundTrips() throws {
        let tag = UUID().uuidString.prefix(6).lowercased()
        let users = (0..<1000).map { "im\(tag)-\($0)" }
        let admin = try Self.server.connect()
        // Every tenth user blocked, ten others with a live code (and so a send window).
        _ = try admin.pipeline(users.enumerated().compactMap { index, user in
            index % 10 == 0 ? RedisCommand("SET", "otp:attempts:\(user)", "5", "EX", "600") : nil
        })
        for index in stride(from: 5, to: 1000, by: 100) {  // not among the blocked, whose sends are refused
            let sent = try Closeup.run(
                ["otp", "send", users[index], "--mobile", "9700\(tag.hashValue & 0xff)\(100_000 + index)", "--force"],
                environment: environment, directory: home)
            #expect(sent.status == 0, "\(sent.stderr)")
        }
        let trace = home + "/trace.txt"
        let stdin = users.joined(separator: "\n") + "\n"
        try stdin.write(toFile: home + "/users.txt", atomically: true, encoding: .utf8)
        let result = try Closeup.shell(
            "strace -f -e trace=sendto,write -o '\(trace)' '\(Closeup.executable)' --no-env-file --json inspect -"
                + " < '\(home)/users.txt'",
            environment: environment, directory: home)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 1000)
        let reports = lines.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
        #expect(reports.map { $0["user_id"] as? String ?? "" } == users, "reports in the order asked")
        #expect(reports.filter { ($0["attempts"] as? [String: Any])?["blocked"] as? Bool == true }.count == 100)
        #expect(reports.filter { $0["otp"] is [String: Any] }.count == 10)
        #expect(reports.filter { $0["send_rate_limit"] is [String: Any] }.count == 10)
        // Round trips: writes to the Redis socket (closeup sends with sendto; stdout is write).
        let sends = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").filter { $0.contains("sendto(") }
        #expect(sends.count <= 20, "\(sends.count) round trips")
    }

    /// "I get no SMS" arrives with a number: its send window, and who has a live code sent to it.
    @Test(arguments: [false, true])
    func aMobileNumberShowsItsWindowAndTheUsersWithALiveCode(sqliteOnly: Bool) throws {
        let store = sqliteOnly ? ["--store", "sqlite"] : []
        let tag = UUID().uuidString.prefix(6).lowercased()
        let number = "+4479\(Int.random(in: 1_000_000...9_999_999))"
        let typed = String(number.prefix(3)) + " " + String(number.dropFirst(3))
        func run(_ arguments: [String]) throws -> CloseupResult {
            try Closeup.run(store + arguments, environment: environment, directory: home)
        }
        // Nothing sent yet: an empty window, nobody.
        let none = try run(["--json", "inspect", "--mobile", typed])
        #expect(none.status == 0, "\(none.stderr)")
        let empty = (try JSONSerialization.jsonObject(with: Data(none.stdout.utf8))) as? [String: Any]
        #expect(empty?["count"] as? Int == 0 && (empty?["user_ids"] as? [String])?.isEmpty == true, "\(none.stdout)")

        for user in ["a\(tag)", "b\(tag)"] { #expect(try run(["otp", "send", user, "--mobile", number]).status == 0) }
        #expect(try run(["otp", "send", "c\(tag)", "--mobile", "+4479\(Int.random(in: 1_000_000...9_999_999))"]).status == 0)
        #expect(try run(["otp", "revoke", "b\(tag)"]).status == 0)
        let found = try run(["--json", "inspect", "--mobile", typed])
        let object = (try JSONSerialization.jsonObject(with: Data(found.stdout.utf8))) as? [String: Any]
        #expect(object?["mobile_number"] as? String == number && object?["count"] as? Int == 2 && object?["max"] as? Int == 3)
        #expect(object?["user_ids"] as? [String] == ["a\(tag)"], "a revoked code and another number's are not listed")
        #expect(object?["store"] as? String == (sqliteOnly ? "sqlite" : "redis"))
        let human = try run(["inspect", "--mobile", number])
        #expect(human.stdout.contains("2 of 3 sends") && human.stdout.contains("live codes     a\(tag)"), "\(human.stdout)")
        #expect(!human.stdout.contains(String(number.dropFirst(3))), "the number is masked for people")
        #expect(try run(["inspect", "a\(tag)", "--mobile", number]).status == 2)
        #expect(try run(["inspect"]).status == 2)
    }

    /// A corrupt send counter is reported, and the users with a code are still shown (exit 6).
    @Test func aCorruptSendCounterStillShowsTheUsers() throws {
        let tag = UUID().uuidString.prefix(6).lowercased()
        let number = "+4478\(Int.random(in: 1_000_000...9_999_999))"
        #expect(try Closeup.run(["otp", "send", "w\(tag)", "--mobile", number], environment: environment, directory: home).status == 0)
        try Self.server.connect().call(RedisCommand("SET", "rate_limit:otp_request:\(number)", "abc", "EX", "100"))
        let result = try Closeup.run(["--json", "inspect", "--mobile", number], environment: environment, directory: home)
        #expect(result.status == 6, "\(result.stderr)")
        let object = (try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any]
        #expect(object?["user_ids"] as? [String] == ["w\(tag)"] && object?["count"] is NSNull, "\(result.stdout)")
        #expect(result.stderr.contains("rate_limit:otp_request:\(number)"), "\(result.stderr)")
    }

    @Test func aCorruptValueIsReportedBesideTheOtherUsers() throws {
        let tag = UUID().uuidString.prefix(6).lowercased()
        try Self.server.connect().call(RedisCommand("SET", "user:verification:bad\(tag)", "maybe", "EX", "600"))
        let result = try Closeup.run(
            ["inspect", "ok\(tag)", "bad\(tag)", "also\(tag)"], environment: environment, directory: home)
        #expect(result.status == 6, "\(result.stderr)")
        let blocks = result.stdout.components(separatedBy: "\n\n")
        #expect(blocks.count == 3 && blocks[2].contains("also\(tag)"), "\(result.stdout)")
        #expect(result.stderr.contains("user:verification:bad\(tag)"), "\(result.stderr)")
    }

    @Test func aBadLineOfStdinIsReportedAndTheRestInspected() throws {
        let result = try Closeup.run(
            ["--json", "inspect", "-"], environment: environment, directory: home, stdin: "u1\nnot a user\nu2\n")
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").count == 2)
        #expect(result.stderr.contains("stdin line 2"), "\(result.stderr)")
    }
}
