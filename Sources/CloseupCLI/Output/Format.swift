// Small formatting helpers shared by the human renderers.
import CloseupKit

enum Format {
    /// "in 287 s", or "no expiry" for a key without TTL.
    static func lifetime(_ ttl: Int64?) -> String {
        ttl.map { "expires in \($0) s" } ?? "no expiry"
    }

    /// A store as people write it: "Redis", "SQLite".
    static func name(_ store: StoreSource) -> String {
        switch store {
        case .redis: "Redis"
        case .sqlite: "SQLite"
        }
    }

    /// A JSON field for a TTL: the seconds, or null without one.
    static func ttl(_ ttl: Int64?) -> JSON { ttl.map(JSON.integer) ?? .null }

    /// A mobile number as stored, masked (SPEC §4). One that does not parse is masked all the
    /// same, after escaping: first two and last two characters kept, the rest starred.
    static func masked(_ mobile: String?) -> String {
        guard let mobile else { return "unknown" }
        if let parsed = try? MobileNumber(mobile) { return parsed.masked }
        let shown = Array(Printable.escape(mobile))
        guard shown.count > 4 else { return String(repeating: "*", count: shown.count) }
        return String(shown.prefix(2)) + String(repeating: "*", count: shown.count - 4) + String(shown.suffix(2))
    }

    /// A rate-limit identifier for people: a send window's is a mobile number, masked (SPEC §4).
    static func identifier(_ identifier: RateLimitIdentifier, of action: RateLimitAction) -> String {
        action == .otpRequest ? masked(identifier.value) : Printable.escape(identifier.value)
    }

    /// An audit target for people: `otp_request:<mobile>` with the number masked.
    static func maskedTarget(_ target: String) -> String {
        let prefix = RateLimitAction.otpRequest.value + ":"
        guard target.hasPrefix(prefix) else { return target }
        return prefix + masked(String(target.dropFirst(prefix.count)))
    }

    /// A stored timestamp for people: in the viewer's zone (TZ), whatever zone its writer used,
    /// with how far it is from now ("2026-01-13T15:30:00+00:00 (in 4 min)"). Text that is not a
    /// timestamp is shown as stored, escaped; JSON keeps the stored text (SPEC §4).
    static func moment(_ stored: String?, or absent: String, clock: Clock = .system) -> String {
        guard let stored else { return absent }
        let now = clock.epochSeconds
        // A time without its zone names no instant: it is shown as stored, with no "in …".
        guard hasZone(stored), let epoch = Timestamp.parse(stored, defaultOffset: clock.utcOffset(now))
        else {
            return Printable.escape(stored)
        }
        let second = Int64(epoch.rounded(.down))
        return "\(clock.timestamp(second)) (\(relative(second - now)))"
    }

    /// Whether an ISO 8601 time ends in its zone: "Z" or "+05:30".
    static func hasZone(_ text: String) -> Bool {
        if text.hasSuffix("Z") { return true }
        let tail = Array(text.utf8.suffix(6))
        func digit(_ index: Int) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(tail[index]) }
        return tail.count == 6 && (tail[0] == UInt8(ascii: "+") || tail[0] == UInt8(ascii: "-")) && digit(1) && digit(2)
            && tail[3] == UInt8(ascii: ":") && digit(4) && digit(5)
    }

    /// "in 4 min", "2 h ago", "now": the largest whole unit.
    static func relative(_ seconds: Int64) -> String {
        let magnitude = seconds.magnitude
        guard magnitude > 0 else { return "now" }
        let amount =
            magnitude < 60 ? "\(magnitude) s" : magnitude < 3600 ? "\(magnitude / 60) min"
            : magnitude < 86_400 ? "\(magnitude / 3600) h" : "\(magnitude / 86_400) d"
        return seconds > 0 ? "in \(amount)" : "\(amount) ago"
    }
}
