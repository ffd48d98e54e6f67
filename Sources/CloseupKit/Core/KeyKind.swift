// The five namespaces closeup owns, and telling a key's namespace from its name.

public enum KeyKind: String, CaseIterable, Sendable {
    case otp
    case attempts
    case verification
    case pendingVideo = "pending-video"
    case rateLimit = "rate-limit"

    /// The SCAN pattern of the namespace. `otp:*` also matches attempt counters;
    /// `kind(of:)` tells them apart.
    public var pattern: String {
        switch self {
        case .otp: "otp:*"
        case .attempts: "otp:attempts:*"
        case .verification: "user:verification:*"
        case .pendingVideo: "video:pending:*"
        case .rateLimit: "rate_limit:*"
        }
    }

    /// The namespace of `key`, or nil when it is none of closeup's. Per-user keys end in a
    /// user id, which never holds ':' — so `otp:attempts:u` is an attempt counter, not an OTP.
    public static func of(_ key: String) -> KeyKind? { of(Array(key.utf8)) }

    /// The namespace of a key given as the bytes SCAN returned.
    public static func of(_ key: [UInt8]) -> KeyKind? {
        func user(after prefix: [UInt8]) -> Bool {
            key.count > prefix.count && key.starts(with: prefix) && !key[prefix.count...].contains(UInt8(ascii: ":"))
        }
        if user(after: Prefix.attempts) { return .attempts }
        if user(after: Prefix.otp) { return .otp }
        if user(after: Prefix.verification) { return .verification }
        if user(after: Prefix.pendingVideo) { return .pendingVideo }
        if key.count > Prefix.rateLimit.count, key.starts(with: Prefix.rateLimit) { return .rateLimit }
        return nil
    }

    /// The prefixes as bytes, made once: `of` runs for every key of a scan.
    private enum Prefix {
        static let otp = Array("otp:".utf8)
        static let attempts = Array("otp:attempts:".utf8)
        static let verification = Array("user:verification:".utf8)
        static let pendingVideo = Array("video:pending:".utf8)
        static let rateLimit = Array("rate_limit:".utf8)
    }

    /// Whether `key` is exactly a key closeup builds (SPEC §1): its namespace's prefix and a valid
    /// user id, or a valid action and identifier. Only such keys are ever deleted: a key in a
    /// namespace but not of this shape (`otp:x y`, bytes that are not ASCII) is someone else's.
    public static func isWellFormed(_ key: [UInt8]) -> Bool {
        func printable(_ bytes: ArraySlice<UInt8>, _ range: ClosedRange<Int>, colon: Bool) -> Bool {
            range.contains(bytes.count) && bytes.allSatisfy { (0x21...0x7E).contains($0) && (colon || $0 != UInt8(ascii: ":")) }
        }
        switch of(key) {
        case .otp: return printable(key[4...], 1...128, colon: false)
        case .attempts: return printable(key[13...], 1...128, colon: false)
        case .verification: return printable(key[18...], 1...128, colon: false)
        case .pendingVideo: return printable(key[14...], 1...128, colon: false)
        case .rateLimit:
            let rest = key[11...]
            guard let colon = rest.firstIndex(of: UInt8(ascii: ":")) else { return false }
            let action = rest[..<colon]
            return (1...64).contains(action.count)
                && action.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == UInt8(ascii: "_") }
                && printable(rest[(colon + 1)...], 1...256, colon: true)
        case nil: return false
        }
    }

    /// The user a per-user key belongs to (`otp:u1` → "u1"), as written; nil for rate limits
    /// and keys outside the namespaces.
    public static func userPart(of key: String) -> String? {
        let prefix: String
        switch of(key) {
        case .otp: prefix = "otp:"
        case .attempts: prefix = "otp:attempts:"
        case .verification: prefix = "user:verification:"
        case .pendingVideo: prefix = "video:pending:"
        case .rateLimit, nil: return nil
        }
        return String(key.dropFirst(prefix.count))
    }
}
