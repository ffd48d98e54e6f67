// The one place Redis keys are built (the seed's CacheKeys), from parts that
// were validated on the way in. A literal "otp:" anywhere else is a bug.

/// An app user id: 1–128 bytes of printable ASCII, no whitespace, no ':'
/// (a colon would let user "attempts:bob" alias bob's attempt counter).
public struct UserID: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    public init(_ raw: String) throws(CloseupError) {
        var raw = raw
        // Over the contiguous bytes: a bulk clear validates millions of ids.
        let valid = raw.withUTF8 { bytes in
            (1...128).contains(bytes.count) && bytes.allSatisfy { (0x21...0x7E).contains($0) && $0 != UInt8(ascii: ":") }
        }
        guard valid else {
            throw .usage(
                "invalid user id '\(CacheKeys.printable(raw))': expected 1-128 printable ASCII characters"
                    + " without spaces or ':'")
        }
        value = raw
    }

    public var description: String { value }
}

/// A mobile number in its stored and keyed form: an optional '+' then 7–15 digits.
public struct MobileNumber: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    /// Strips spaces and dashes, keeps a leading '+'.
    public init(_ raw: String) throws(CloseupError) {
        let compact = String(raw.filter { $0 != " " && $0 != "-" })
        let digits = compact.hasPrefix("+") ? compact.dropFirst() : Substring(compact)
        guard (7...15).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw .usage(
                "invalid mobile number '\(CacheKeys.printable(raw))': expected 7-15 digits, optionally starting with '+'")
        }
        value = compact
    }

    /// "98******10": the first two and last two digits, for human output.
    public var masked: String {
        let plus = value.hasPrefix("+") ? "+" : ""
        let digits = Array(value.dropFirst(plus.count))
        return plus + String(digits.prefix(2)) + String(repeating: "*", count: digits.count - 4)
            + String(digits.suffix(2))
    }

    public var description: String { value }
}

/// A rate-limited action: `[a-z0-9_]{1,64}`.
public struct RateLimitAction: Hashable, Sendable {
    public let value: String

    public init(_ raw: String) throws(CloseupError) {
        let bytes = Array(raw.utf8)
        guard (1...64).contains(bytes.count),
            bytes.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == UInt8(ascii: "_") })
        else {
            throw .usage("invalid action '\(CacheKeys.printable(raw))': expected 1-64 characters of a-z, 0-9 and _")
        }
        value = raw
    }

    /// The backend's OTP send limit (`rate_limit:otp_request:<mobile>`).
    public static let otpRequest = try! RateLimitAction("otp_request")
}

/// What a rate limit counts per: an IP, a mobile number… 1–256 printable bytes.
public struct RateLimitIdentifier: Hashable, Sendable {
    public let value: String

    public init(_ raw: String) throws(CloseupError) {
        let bytes = Array(raw.utf8)
        guard (1...256).contains(bytes.count), bytes.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw .usage("invalid identifier '\(CacheKeys.printable(raw))': expected 1-256 printable characters")
        }
        value = raw
    }

    /// An identifier as the backend keys it for `action`: the send limit (`otp_request`) is kept
    /// per mobile number in its stored form, so a number is taken as `--mobile` takes it (spaces
    /// and dashes stripped) and `'+91 98765-00000'` finds the counter of `+919876500000`.
    public init(_ raw: String, for action: RateLimitAction) throws(CloseupError) {
        if action == .otpRequest { try self.init(MobileNumber(raw).value) } else { try self.init(raw) }
    }
}

/// The keys of SPEC §1, byte for byte what the backend uses.
public enum CacheKeys {
    public static func otp(_ user: UserID) -> String { "otp:" + user.value }
    public static func otpAttempts(_ user: UserID) -> String { "otp:attempts:" + user.value }
    public static func userVerification(_ user: UserID) -> String { "user:verification:" + user.value }
    public static func pendingVideo(_ user: UserID) -> String { "video:pending:" + user.value }
    public static func rateLimit(_ action: RateLimitAction, _ identifier: RateLimitIdentifier) -> String {
        "rate_limit:" + action.value + ":" + identifier.value
    }

    /// `part` with Redis glob characters (`* ? [ ] \`) escaped, so it matches only itself in SCAN MATCH.
    public static func escapeGlob(_ part: String) -> String {
        var escaped = ""
        for character in part {
            if "*?[]\\".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// Text safe to echo in a one-line message: escaped as storage text is, long values cut.
    static func printable(_ raw: String) -> String {
        let shown = Printable.escape(String(raw.unicodeScalars.prefix(64)))
        return raw.unicodeScalars.count > 64 ? shown + "…" : shown
    }
}
