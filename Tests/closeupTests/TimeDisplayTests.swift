// Timestamps for people are in one zone, the viewer's TZ, whatever zone their
// writer used, with how far they are from now; --json keeps the stored text.
import CloseupKit
import CloseupTestSupport
import Foundation
import Testing

@testable import CloseupCLI

struct TimeDisplayTests {
    @Test func aStoredTimeIsShownInTheViewersZoneWithHowFarItIs() throws {
        let home = try TemporaryDirectory.make(prefix: "closeup-time")
        let user = "tz-\(UUID().uuidString.prefix(8))"
        let now = Int64(Date().timeIntervalSince1970)
        // As the seed writes it: India's offset, four minutes from now.
        let expires = Timestamp.format(epoch: now + 240, utcOffset: 19_800)
        let record = #"{"otp_hash":"x","mobile_number":"+919876500000","created_at":"\#(Timestamp.format(epoch: now - 60, utcOffset: 19_800))","expires_at":"\#(expires)"}"#
        try RedisServer.shared.connect().call(RedisCommand("SET", "otp:\(user)", record, "EX", "240"))
        let environment = Closeup.environment(home: home, extra: ["REDIS_PORT": String(RedisServer.shared.port)])
        let utc = try Closeup.run(["otp", "ttl", user], environment: environment.merging(["TZ": "UTC0"]) { $1 }, directory: home)
        #expect(utc.status == 0 && (utc.stdout.contains("+00:00 (in 3 min)") || utc.stdout.contains("+00:00 (in 4 min)")), "\(utc.stdout)")
        #expect(!utc.stdout.contains("+05:30"), "\(utc.stdout)")
        let inspect = try Closeup.run(["inspect", user], environment: environment.merging(["TZ": "EST5"]) { $1 }, directory: home)
        #expect(inspect.stdout.contains("-05:00 (1 min ago)") && inspect.stdout.contains("-05:00 (in "), "\(inspect.stdout)")
        let json = try Closeup.run(["--json", "otp", "ttl", user], environment: environment.merging(["TZ": "UTC0"]) { $1 }, directory: home)
        #expect(json.stdout.contains(#""expires_at":"\#(expires)""#), "JSON keeps the stored text: \(json.stdout)")
    }

    /// A time stored without its zone names no instant: shown as stored, never moved or dated.
    @Test func aTimeWithoutItsZoneIsShownAsStored() {
        #expect(Format.moment("2026-12-02T06:20:00", or: "?") == "2026-12-02T06:20:00")
        #expect(Format.moment("2026-12-02T06:20:00Z", or: "?").contains("("))
        #expect(Format.moment("not a time\u{1B}[2J", or: "?") == "not a time\\x1b[2J")
    }

    @Test func relativeTimesUseTheLargestWholeUnit() {
        #expect(Format.relative(0) == "now")
        #expect(Format.relative(45) == "in 45 s" && Format.relative(-45) == "45 s ago")
        #expect(Format.relative(299) == "in 4 min" && Format.relative(-7200) == "2 h ago")
        #expect(Format.relative(3 * 86_400 + 5) == "in 3 d")
    }
}
