// A command as its argument vector, and its binary-safe RESP encoding
// (checked against hiredis's argv formatter; never the printf-style one).
import CHiredis

/// One Redis command: name and arguments, sent as binary-safe bulk strings.
public struct RedisCommand: Sendable, Equatable {
    public var arguments: [String]
    /// A key as the bytes SCAN returned, standing in for `arguments[1]`: a key that is not UTF-8
    /// must reach the server exactly as it is, never re-encoded.
    private var keyBytes: [UInt8]?
    /// Where `keyBytes` stands among the arguments.
    private var keyIndex = 1

    public init(_ arguments: String...) { self.arguments = arguments }
    public init(arguments: [String]) { self.arguments = arguments }

    /// `name key` with the key as raw bytes (TTL, UNLINK, GET of a key SCAN found).
    public init(_ name: String, key: [UInt8]) { self.init([name], key: key) }

    /// `words… key` with the key as raw bytes (MEMORY USAGE of a key SCAN found).
    public init(_ words: [String], key: [UInt8]) {
        arguments = words + [String(decoding: key, as: UTF8.self)]
        keyBytes = key
        keyIndex = words.count
    }

    /// Command name and key for messages ("GET otp:u1"), never values (a value may be a secret).
    public var label: String {
        guard let name = arguments.first?.uppercased() else { return "(empty command)" }
        switch name {
        case "AUTH": return "AUTH"
        case "EVALSHA", "EVAL": return arguments.count > 3 ? "script on \(arguments[3])" : name
        default:
            guard arguments.count > 1 else { return name }
            return "\(name) \(keyBytes.map(Printable.escape) ?? arguments[1])"
        }
    }

    /// The key that decides which cluster node serves this command, as bytes; nil for keyless commands.
    public var routingKey: [UInt8]? {
        guard let name = arguments.first?.uppercased(), arguments.count > 1 else { return nil }
        switch name {
        case "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO":
            return arguments.count > 3 && (Int(arguments[2]) ?? 0) > 0 ? Array(arguments[3].utf8) : nil
        case "PING", "INFO", "SCAN", "CLUSTER", "ASKING", "SCRIPT", "MONITOR", "ACL", "CLIENT", "DBSIZE", "AUTH",
            "SELECT", "HELLO", "CONFIG", "DEBUG", "FLUSHALL", "FLUSHDB":
            return nil
        case "MEMORY":
            return arguments.count > 2 ? keyBytes ?? Array(arguments[2].utf8) : nil
        default:
            return keyBytes ?? Array(arguments[1].utf8)
        }
    }

    /// Appends the RESP encoding to `buffer`: `*N` then `$len` and the bytes of each argument.
    /// Written here rather than by hiredis's redisFormatCommandArgv, which formats each length with
    /// sprintf and costs ~5x more per command on bulk pipelines; a test holds the two byte-identical.
    func encode(into buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "*"))
        appendDecimal(arguments.count, to: &buffer)
        for (index, argument) in arguments.enumerated() {
            buffer.append(UInt8(ascii: "$"))
            if index == keyIndex, let keyBytes {
                appendDecimal(keyBytes.count, to: &buffer)
                buffer.append(contentsOf: keyBytes)
            } else {
                var argument = argument
                argument.withUTF8 { bytes in
                    appendDecimal(bytes.count, to: &buffer)
                    buffer.append(contentsOf: bytes)
                }
            }
            buffer.append(0x0D)
            buffer.append(0x0A)
        }
    }

    /// The encoding by hiredis's own formatter, the reference `encode` is tested against.
    static func hiredisEncoding(_ arguments: [String]) -> [UInt8] {
        var storage: [UInt8] = []
        var lengths: [Int] = []
        for argument in arguments {
            storage.append(contentsOf: argument.utf8)
            lengths.append(argument.utf8.count)
        }
        storage.append(0)  // never empty, so the base address exists even for empty arguments
        return storage.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self)
            var pointers: [UnsafePointer<CChar>?] = []
            var offset = 0
            for length in lengths {
                pointers.append(base + offset)
                offset += length
            }
            var target: UnsafeMutablePointer<CChar>?
            let count = redisFormatCommandArgv(&target, Int32(lengths.count), &pointers, lengths)
            guard count >= 0, let target else { return [] }
            defer { redisFreeCommand(target) }
            return Array(UnsafeRawBufferPointer(start: target, count: Int(count)))
        }
    }
}

/// Appends `value` (>= 0) in decimal followed by CRLF, digit by digit: a bulk pipeline does
/// this three times per command.
private func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
    if value < 10 {
        // Counts and most lengths: one digit.
        buffer.append(contentsOf: [UInt8(ascii: "0") + UInt8(value), 0x0D, 0x0A])
        return
    }
    var divisor = 1
    while divisor <= value / 10 { divisor *= 10 }
    var rest = value
    while divisor > 0 {
        buffer.append(UInt8(ascii: "0") + UInt8(rest / divisor))
        rest %= divisor
        divisor /= 10
    }
    buffer.append(0x0D)
    buffer.append(0x0A)
}
