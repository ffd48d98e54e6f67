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
    public static func of(_ key: String) -> KeyKind? {
        func user(after prefix: String) -> Bool {
            key.hasPrefix(prefix) && key.utf8.count > prefix.utf8.count && !key.dropFirst(prefix.count).contains(":")
        }
        if user(after: "otp:attempts:") { return .attempts }
        if user(after: "otp:") { return .otp }
        if user(after: "user:verification:") { return .verification }
        if user(after: "video:pending:") { return .pendingVideo }
        if key.hasPrefix("rate_limit:"), key.utf8.count > 11 { return .rateLimit }
        return nil
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
