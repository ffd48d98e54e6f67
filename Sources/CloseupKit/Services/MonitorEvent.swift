// One line of Redis's MONITOR stream, parsed, redacted and put into words.
// Redaction happens here, once, so neither the decoded nor the raw view can
// show a password, an OTP record or a hash.

/// A command seen on the wire (or a change seen by polling), in closeup's terms.
public struct MonitorEvent: Sendable, Equatable {
    /// Seconds since the epoch, as the server stamped it.
    public var time: Double
    public var database: Int
    /// "127.0.0.1:5555", "lua" for a script's own calls, "poll" in polling mode.
    public var client: String
    public var command: String
    public var key: String?
    public var kind: KeyKind?
    /// The user of a per-user key.
    public var user: String?
    /// What happened, in words: "OTP issued for u1 (ttl 300)".
    public var meaning: String
    /// The command's arguments after the name, with secrets replaced by "(redacted)".
    public var arguments: [String]
}

public enum MonitorLine {
    /// Parses `1700000000.123456 [0 127.0.0.1:5555] "SET" "k" "v"` into an event; nil if it is not such a line.
    public static func parse(_ line: String) -> MonitorEvent? {
        let bytes = Array(line.utf8)
        var index = 0
        func take(until stop: UInt8) -> String? {
            let start = index
            while index < bytes.count, bytes[index] != stop { index += 1 }
            guard index < bytes.count else { return nil }
            defer { index += 1 }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
        // "127.0.0.1:5555", "lua", "unix:/tmp/redis.sock", or an IPv6 client "[::1]:5555", whose
        // own brackets come before the one that closes the client.
        func takeClient() -> String? {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { return take(until: UInt8(ascii: "]")) }
            let start = index
            index += 1
            guard take(until: UInt8(ascii: "]")) != nil, let port = take(until: UInt8(ascii: "]")) else { return nil }
            return String(decoding: bytes[start..<(index - 1 - port.utf8.count)], as: UTF8.self) + port
        }
        guard let timeText = take(until: UInt8(ascii: " ")), let time = Double(timeText),
            take(until: UInt8(ascii: "[")) == "",
            let databaseText = take(until: UInt8(ascii: " ")), let database = Int(databaseText),
            let client = takeClient()
        else { return nil }
        var arguments: [String] = []
        while index < bytes.count {
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
            guard index < bytes.count else { break }
            guard bytes[index] == UInt8(ascii: "\""), let argument = quoted(bytes, &index) else { return nil }
            arguments.append(argument)
        }
        guard let name = arguments.first else { return nil }
        return describe(
            time: time, database: database, client: client, command: name.uppercased(),
            arguments: Array(arguments.dropFirst()))
    }

    /// One argument as Redis's sdscatrepr writes it: "…" with \\ \" \n \r \t \a \b \xHH.
    private static func quoted(_ bytes: [UInt8], _ index: inout Int) -> String? {
        index += 1
        var out: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            guard byte == UInt8(ascii: "\\"), index < bytes.count else {
                out.append(byte)
                continue
            }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "x"):
                guard index + 1 < bytes.count, let value = UInt8(String(decoding: bytes[index...index + 1], as: UTF8.self), radix: 16)
                else { return nil }
                out.append(value)
                index += 2
            default: out.append(escape)
            }
        }
        return nil
    }

    /// Builds the event: finds the key, redacts, and says what it means.
    static func describe(time: Double, database: Int, client: String, command: String, arguments: [String]) -> MonitorEvent {
        let key: String? =
            switch command {
            case "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO":
                arguments.count > 2 && (Int(arguments[1]) ?? 0) > 0 ? arguments[2] : nil
            case "AUTH", "HELLO", "PING", "SELECT", "INFO", "CLIENT", "CONFIG", "ACL", "MONITOR", "SCAN", "DBSIZE", "MULTI", "EXEC":
                nil
            case "MSET", "MSETNX":
                // key value key value…: the first key of closeup's namespaces, wherever it stands.
                stride(from: 0, to: arguments.count, by: 2).map { arguments[$0] }.first { KeyKind.of($0) != nil }
                    ?? arguments.first
            default: arguments.first
            }
        let kind = key.flatMap(KeyKind.of)
        let user = key.flatMap(KeyKind.userPart)
        let redacted = redact(command: command, arguments: arguments, kind: kind)
        return MonitorEvent(
            time: time, database: database, client: client, command: command, key: key, kind: kind, user: user,
            meaning: meaning(command: command, arguments: arguments, key: key, kind: kind, user: user, client: client),
            arguments: redacted)
    }

    /// Commands on an OTP key whose arguments after the key hold no part of a record.
    static let valueFree: Set<String> = [
        "GET", "GETDEL", "DEL", "UNLINK", "EXISTS", "TTL", "PTTL", "EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT",
        "PERSIST", "TYPE", "OBJECT", "DUMP", "STRLEN", "EXPIRETIME", "PEXPIRETIME", "TOUCH", "MEMORY",
    ]

    /// Replaces secrets: passwords (AUTH, HELLO … AUTH, ACL SETUSER >pass, CONFIG SET
    /// requirepass/masterauth, MIGRATE AUTH), OTP records, and script arguments on OTP keys.
    static func redact(command: String, arguments: [String], kind: KeyKind?) -> [String] {
        let hidden = "(redacted)"
        var out = arguments
        switch command {
        case "AUTH":
            out = out.map { _ in hidden }
        case "HELLO", "MIGRATE":
            for (index, word) in arguments.enumerated() where ["AUTH", "AUTH2"].contains(word.uppercased()) {
                for next in (index + 1)..<min(arguments.count, index + 3) { out[next] = hidden }
            }
        case "ACL":
            out = out.map { $0.hasPrefix(">") || $0.hasPrefix("#") || $0.hasPrefix("<") || $0.hasPrefix("!") ? hidden : $0 }
        case "CONFIG":
            for (index, word) in arguments.enumerated()
            where ["REQUIREPASS", "MASTERAUTH", "MASTERUSER"].contains(word.uppercased()) && index + 1 < arguments.count {
                out[index + 1] = hidden
            }
        case "RESTORE" where kind == .otp && arguments.count > 2:
            out[2] = "(otp record)"  // a DUMP payload holds the record in plain
        case "MSET", "MSETNX":
            // key value key value…: every value stored at an OTP key is a record.
            for index in stride(from: 1, to: arguments.count, by: 2) where KeyKind.of(arguments[index - 1]) == .otp {
                out[index] = "(otp record)"
            }
        case _ where kind == .otp && ["SET", "SETNX", "GETSET", "SETEX", "PSETEX"].contains(command):
            let valueIndex = command == "SETEX" || command == "PSETEX" ? 2 : 1
            if valueIndex < out.count { out[valueIndex] = "(otp record)" }
        case _ where kind == .otp && command.hasPrefix("EVAL"):
            let keyCount = Int(arguments.count > 1 ? arguments[1] : "0") ?? 0
            for index in (2 + keyCount)..<max(2 + keyCount, arguments.count) { out[index] = hidden }
        case _ where kind == .otp && !Self.valueFree.contains(command):
            // Any other write to an OTP key (SETRANGE, APPEND, HSET, RPUSH, XADD…) may carry part of a
            // record: everything after the key is hidden.
            for index in 1..<max(1, arguments.count) { out[index] = hidden }
        default:
            break
        }
        return out
    }

    private static func meaning(
        command: String, arguments: [String], key: String?, kind: KeyKind?, user: String?, client: String
    ) -> String {
        guard let key, let kind else { return command }
        let who = user ?? ""
        func ttl() -> String? {
            for (index, word) in arguments.enumerated() where index + 1 < arguments.count {
                switch word.uppercased() {
                case "EX": return "ttl \(arguments[index + 1])"
                case "PX": return "ttl \((Int(arguments[index + 1]) ?? 0) / 1000)"
                default: continue
                }
            }
            return nil
        }
        let lifetime = ttl().map { " (\($0))" } ?? ""
        let isScript = command.hasPrefix("EVAL")
        switch (kind, command) {
        case (.otp, "SET"): return "OTP issued for \(who)\(lifetime)"
        case (.otp, "GET"): return "OTP read for \(who)"
        case (.otp, "DEL"), (.otp, "UNLINK"): return client == "lua" ? "OTP consumed for \(who)" : "OTP deleted for \(who)"
        case (.otp, "TTL"), (.otp, "PTTL"): return "OTP lifetime read for \(who)"
        case (.otp, _) where isScript: return "OTP checked for \(who)"
        case (.attempts, "INCR"): return "failed attempt for \(who)"
        // closeup's verify takes an attempt (script with max and TTL) before comparing, and gives it back
        // (script with no arguments) unless the code was wrong.
        case (.attempts, _) where isScript && arguments.count > 3:
            return "verify attempt taken for \(who) (max \(arguments[3]))"
        case (.attempts, _) where isScript: return "verify attempt given back for \(who)"
        case (.attempts, "GET"): return "failed attempts read for \(who)"
        case (.attempts, "DEL"), (.attempts, "UNLINK"): return "failed attempts cleared for \(who)"
        case (.attempts, "EXPIRE"): return "failed-attempt window set for \(who)"
        case (.attempts, "SET"): return "failed-attempt counter started for \(who)\(lifetime)"
        case (.verification, "SET"): return "verification cached for \(who): \(arguments.count > 1 ? arguments[1] : "?")\(lifetime)"
        case (.verification, "GET"): return "verification read for \(who)"
        case (.verification, "DEL"), (.verification, "UNLINK"): return "verification cleared for \(who)"
        case (.pendingVideo, "SET"): return "pending video \(arguments.count > 1 ? arguments[1] : "?") cached for \(who)\(lifetime)"
        case (.pendingVideo, "GET"): return "pending video read for \(who)"
        case (.pendingVideo, "DEL"), (.pendingVideo, "UNLINK"): return "pending video cleared for \(who)"
        case (.rateLimit, _) where isScript || command == "INCR":
            let limit = isScript && arguments.count > 3 ? " (max \(arguments[3])\(arguments.count > 4 ? " per \(arguments[4]) s" : ""))" : ""
            return "rate limit \(maskedRateLimit(key)) counted\(limit)"
        case (.rateLimit, "GET"): return "rate limit \(maskedRateLimit(key)) read"
        case (.rateLimit, "SET"): return "rate limit \(maskedRateLimit(key)) window opened\(lifetime)"
        case (.rateLimit, "DEL"), (.rateLimit, "UNLINK"): return "rate limit \(maskedRateLimit(key)) reset"
        default: return "\(command) on \(kind.rawValue) key\(user.map { " of \($0)" } ?? "")"
        }
    }

    /// `otp_request:98******10`: the action and the identifier, a mobile number masked.
    public static func maskedRateLimit(_ key: String) -> String {
        let rest = key.dropFirst("rate_limit:".count)
        guard let colon = rest.firstIndex(of: ":") else { return String(rest) }
        let identifier = String(rest[rest.index(after: colon)...])
        let shown = (try? MobileNumber(identifier))?.masked ?? identifier
        return String(rest[..<colon]) + ":" + shown
    }
}
