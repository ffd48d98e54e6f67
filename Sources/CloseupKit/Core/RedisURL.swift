// REDIS_URL / --url in its three schemes. Messages repeat the URL with any
// password replaced by "***": an error must never print a secret.

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
            let (path, query) = RedisURL.split(rest, at: "?")
            guard path.hasPrefix("/"), path.count > 1 else { throw invalid("the socket path must be absolute") }
            address = .unix(path: try RedisURL.decode(path, invalid))
            tls = false
            database = try query.map { query throws(CloseupError) in
                guard query.hasPrefix("db=") else { throw invalid("unknown parameter '\(query)'") }
                return try RedisURL.database(query.dropFirst(3), invalid)
            }
        case "redis", "rediss":
            tls = scheme == "rediss"
            guard !rest.contains("?") && !rest.contains("#") else { throw invalid("query parameters are not supported") }
            let (authority, path) = RedisURL.split(rest, at: "/")
            var hostPort = authority
            if let at = authority.lastIndex(of: "@") {
                let credentials = authority[..<at]
                hostPort = authority[authority.index(after: at)...]
                let (user, password) = RedisURL.split(credentials, at: ":")
                username = user.isEmpty ? nil : try RedisURL.decode(user, invalid)
                self.password = try password.flatMap { text throws(CloseupError) in
                    text.isEmpty ? nil : try RedisURL.decode(text, invalid)
                }
            }
            let host: Substring
            var portText: Substring?
            if hostPort.hasPrefix("[") {
                guard let close = hostPort.firstIndex(of: "]") else { throw invalid("unclosed '[' in the host") }
                host = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
                let after = hostPort[hostPort.index(after: close)...]
                if !after.isEmpty {
                    guard after.hasPrefix(":") else { throw invalid("unexpected text after ']'") }
                    portText = after.dropFirst()
                }
            } else {
                (host, portText) = RedisURL.split(hostPort, at: ":")
            }
            guard !host.isEmpty else { throw invalid("no host") }
            var port = 6379
            if let portText {
                guard let number = Int(portText), (1...65535).contains(number) else {
                    throw invalid("port '\(portText)' is not a number from 1 to 65535")
                }
                port = number
            }
            address = .tcp(host: String(host), port: port)
            database = try path.flatMap { path throws(CloseupError) in
                path.isEmpty ? nil : try RedisURL.database(path, invalid)
            }
        default:
            throw invalid("unknown scheme '\(scheme)'")
        }
    }

    /// The URL with its password (if any) replaced by "***".
    public static func redact(_ text: String) -> String {
        guard let schemeEnd = text.firstIndex(of: ":"), text[schemeEnd...].hasPrefix("://") else { return text }
        let start = text.index(schemeEnd, offsetBy: 3)
        // The last '@' anywhere: a password with a raw '/' or '?' must still be hidden.
        guard let at = text[start...].lastIndex(of: "@"),
            let colon = text[start..<at].firstIndex(of: ":")
        else { return text }
        return String(text[...colon]) + "***" + String(text[at...])
    }

    /// True when the URL carries a password (for the "visible in ps" warning).
    public var hasPassword: Bool { password != nil }

    private static func split(_ text: Substring, at separator: Character) -> (Substring, Substring?) {
        guard let index = text.firstIndex(of: separator) else { return (text, nil) }
        return (text[..<index], text[text.index(after: index)...])
    }

    private static func database(
        _ text: Substring, _ invalid: (String) -> CloseupError
    ) throws(CloseupError) -> Int {
        guard let number = Int(text), number >= 0, text.allSatisfy(\.isNumber) else {
            throw invalid("database '\(text)' is not a number")
        }
        return number
    }

    /// Percent-decoding, so passwords may hold '@', ':' or '/'.
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
        return String(decoding: bytes, as: UTF8.self)
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
