// REDIS_URL / --url in its three schemes. A URL may carry a password, so no
// message repeats anything that could be part of one: the URL is shown through
// `redact`, and a reason quotes only what cannot be the password (a scheme, a
// port or database after the credentials).

/// The parts a Redis URL supplies (SPEC §3).
public struct RedisURL: Sendable, Equatable {
    public var address: RedisOptions.Address
    public var database: Int?
    public var username: String?
    public var password: String?
    public var tls: Bool

    static let expected = "expected redis://[user[:password]@]host[:port][/db], rediss://… or unix:///path[?db=N]"

    /// Parses `text`; any flaw is a configuration error (exit 5) naming the redacted URL.
    public init(_ text: String) throws(CloseupError) {
        func invalid(_ reason: String) -> CloseupError {
            .configuration("invalid Redis URL '\(RedisURL.redact(text))': \(reason); \(RedisURL.expected)")
        }
        guard let schemeEnd = text.firstIndex(of: ":"), text[schemeEnd...].hasPrefix("://") else {
            throw invalid("no scheme")
        }
        let scheme = text[..<schemeEnd].lowercased()
        let rest = text[text.index(schemeEnd, offsetBy: 3)...]
        switch scheme {
        case "unix":
            // The path may hold an '@' (/run/user@1000/…): only text before the path is credentials.
            guard rest.hasPrefix("/") else {
                throw invalid(
                    rest.contains("@")
                        ? "a unix:// URL takes no user name or password; give them with --username and"
                            + " REDIS_PASSWORD, --password-file or --askpass"
                        : "the socket path must be absolute")
            }
            let (path, query) = RedisURL.split(rest, at: "?")
            guard path.count > 1 else { throw invalid("the socket path must be absolute") }
            address = .unix(path: try RedisURL.decode(path, invalid))
            tls = false
            database = try query.flatMap { query throws(CloseupError) in
                try RedisURL.database(inQuery: query, invalid)
            }
        case "redis", "rediss":
            tls = scheme == "rediss"
            // Everything before the last '@' is the user and password, whatever it holds (redis-cli reads
            // it so too): a host, port or database never holds an '@', a password may hold '/', '?' or '#'.
            var location = rest
            if let at = rest.lastIndex(of: "@") {
                let (user, password) = RedisURL.split(rest[..<at], at: ":")
                let badEscape: (String) -> CloseupError = { _ in
                    invalid("bad percent-escape in the user name or password")
                }
                username = user.isEmpty ? nil : try RedisURL.decode(user, badEscape)
                self.password = try password.flatMap { text throws(CloseupError) in
                    text.isEmpty ? nil : try RedisURL.decode(text, badEscape)
                }
                location = rest[rest.index(after: at)...]
            }
            // With no '@', what looks like a port or database may be a password missing its "@host":
            // it is quoted only when it is a number.
            let credentialsGiven = location.startIndex != rest.startIndex
            guard !location.contains("?") && !location.contains("#") else {
                throw invalid("query parameters are not supported")
            }
            let (authority, path) = RedisURL.split(location, at: "/")
            let (host, portText) = try RedisURL.splitPort(authority, invalid)
            guard !host.isEmpty else { throw invalid("no host") }
            var port = 6379
            if let portText {
                guard let number = Int(portText), (1...65535).contains(number) else {
                    throw invalid(
                        credentialsGiven || portText.allSatisfy(\.isASCIIDigit)
                            ? "port '\(portText)' is not a number from 1 to 65535"
                            : "the port is not a number from 1 to 65535")
                }
                port = number
            }
            address = .tcp(host: String(host), port: port)
            database = try path.flatMap { path throws(CloseupError) in
                path.isEmpty ? nil : try RedisURL.database(path, quoted: credentialsGiven, invalid)
            }
        default:
            throw invalid(RedisURL.isScheme(scheme[...]) ? "unknown scheme '\(scheme)'" : "no scheme")
        }
    }

    /// The URL with everything that may be a password replaced by "***": everything before the
    /// last '@' (a user name is kept only in a well-formed "scheme://user:…@"), query parameters
    /// but `db=N`, a fragment, and — when there is no '@' — a port or database that is not a number.
    public static func redact(_ text: String) -> String {
        var prefixEnd = text.startIndex
        var unix = false
        // "scheme:/" or "scheme://"; a "word:" with no slash is as likely "user:" or "host:".
        if let colon = text.firstIndex(of: ":"), isScheme(text[..<colon]), text[colon...].hasPrefix(":/") {
            unix = text[..<colon].lowercased() == "unix"
            prefixEnd = text.index(after: colon)
            var slashes = 0
            while prefixEnd < text.endIndex, text[prefixEnd] == "/", slashes < 2 {
                prefixEnd = text.index(after: prefixEnd)
                slashes += 1
            }
        }
        var out = String(text[..<prefixEnd])
        var rest = text[prefixEnd...]
        let credentialsGiven = rest.contains("@")
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            if out.hasSuffix("://"), let colon = credentials.firstIndex(of: ":"),
                !credentials[..<colon].contains(where: { "/?#".contains($0) })
            {
                out += credentials[...colon]
            }
            out += "***@"
            rest = rest[rest.index(after: at)...]
        }
        let fragment = rest.firstIndex(of: "#")
        let beforeFragment = rest[..<(fragment ?? rest.endIndex)]
        let (location, query) = split(beforeFragment, at: "?")
        if credentialsGiven || unix && location.hasPrefix("/") {
            out += location
        } else {
            let (authority, path) = split(location, at: "/")
            let hostEnd =
                authority.hasPrefix("[")
                ? authority.firstIndex(of: "]").map { authority.index(after: $0) } ?? authority.endIndex
                : authority.firstIndex(of: ":") ?? authority.endIndex
            let port = authority[hostEnd...]
            // "host:word" with no '@' is as likely "user:password" as a host and a bad port.
            if port.hasPrefix(":"), !port.dropFirst().allSatisfy(\.isASCIIDigit) {
                return out + authority[..<hostEnd] + ":***"
            }
            out += authority
            if let path { out += "/" + (path.allSatisfy(\.isASCIIDigit) ? path : "***") }
        }
        if let query {
            let parameters = query.split(separator: "&", omittingEmptySubsequences: false).map { parameter in
                parameter.isEmpty || parameter.hasPrefix("db=") && parameter.dropFirst(3).allSatisfy(\.isASCIIDigit)
                    ? String(parameter) : "***"
            }
            out += "?" + parameters.joined(separator: "&")
        }
        if let fragment { out += rest[fragment...].count > 1 ? "#***" : "#" }
        return out
    }

    /// True when the URL carries a password (for the "visible in ps" warning).
    public var hasPassword: Bool { password != nil }

    private static func split(_ text: Substring, at separator: Character) -> (Substring, Substring?) {
        guard let index = text.firstIndex(of: separator) else { return (text, nil) }
        return (text[..<index], text[text.index(after: index)...])
    }

    /// "host", "host:port", "[v6]" or "[v6]:port".
    private static func splitPort(
        _ authority: Substring, _ invalid: (String) -> CloseupError
    ) throws(CloseupError) -> (host: Substring, port: Substring?) {
        guard authority.hasPrefix("[") else { return split(authority, at: ":") }
        guard let close = authority.firstIndex(of: "]") else { throw invalid("unclosed '[' in the host") }
        let host = authority[authority.index(after: authority.startIndex)..<close]
        let after = authority[authority.index(after: close)...]
        if after.isEmpty { return (host, nil) }
        guard after.hasPrefix(":") else { throw invalid("unexpected text after ']'") }
        return (host, after.dropFirst())
    }

    /// `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` (RFC 3986).
    private static func isScheme(_ text: Substring) -> Bool {
        guard let first = text.first, first.isASCII, first.isLetter else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }
    }

    private static func database(
        _ text: Substring, quoted: Bool = true, _ invalid: (String) -> CloseupError
    ) throws(CloseupError) -> Int {
        guard let number = Int(text), number >= 0, text.allSatisfy(\.isASCIIDigit) else {
            throw invalid(quoted ? "database '\(text)' is not a number" : "the database is not a number")
        }
        return number
    }

    /// A unix:// URL's query: `db=N` and nothing else. Another parameter is not quoted, name or
    /// value: "?password=…" is the common one, and a password with a raw '?' lands here too.
    private static func database(
        inQuery query: Substring, _ invalid: (String) -> CloseupError
    ) throws(CloseupError) -> Int? {
        var database: Int?
        for parameter in query.split(separator: "&") {
            let (name, value) = split(parameter, at: "=")
            guard name == "db", let value else { throw invalid("only the parameter db=N is supported") }
            database = try self.database(value, invalid)
        }
        return database
    }

    /// Percent-decoding, so passwords may hold '%' or any character; the result must be UTF-8.
    private static func decode(_ text: Substring, _ invalid: (String) -> CloseupError) throws(CloseupError) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw invalid("bad percent-escape")
            }
            bytes.append(high << 4 | low)
        }
        // Never repaired with U+FFFD: a password changed in silence would only fail later as WRONGPASS.
        guard let decoded = String(validating: bytes, as: UTF8.self) else { throw invalid("bad percent-escape") }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
