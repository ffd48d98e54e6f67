// A command as its argument vector, and its RESP encoding through hiredis's
// binary-safe argv formatter (never the variadic printf-style one).
import CHiredis

/// One Redis command: name and arguments, sent as binary-safe bulk strings.
public struct RedisCommand: Sendable, Equatable {
    public var arguments: [String]

    public init(_ arguments: String...) { self.arguments = arguments }
    public init(arguments: [String]) { self.arguments = arguments }

    /// Command name and key for messages ("GET otp:u1"), never values (a value may be a secret).
    public var label: String {
        guard let name = arguments.first?.uppercased() else { return "(empty command)" }
        switch name {
        case "AUTH": return "AUTH"
        case "EVALSHA", "EVAL": return arguments.count > 3 ? "script on \(arguments[3])" : name
        default: return arguments.count > 1 ? "\(name) \(arguments[1])" : name
        }
    }

    /// Appends the RESP encoding to `buffer`.
    func encode(into buffer: inout [UInt8]) {
        var storage: [UInt8] = []
        var lengths: [Int] = []
        lengths.reserveCapacity(arguments.count)
        for argument in arguments {
            let before = storage.count
            storage.append(contentsOf: argument.utf8)
            lengths.append(storage.count - before)
        }
        storage.append(0)  // never empty, so the base address exists even for empty arguments
        storage.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self)
            var pointers: [UnsafePointer<CChar>?] = []
            pointers.reserveCapacity(lengths.count)
            var offset = 0
            for length in lengths {
                pointers.append(base + offset)
                offset += length
            }
            var target: UnsafeMutablePointer<CChar>?
            let count = redisFormatCommandArgv(&target, Int32(lengths.count), &pointers, lengths)
            guard count >= 0, let target else { fatalError("closeup: out of memory encoding a Redis command") }
            defer { redisFreeCommand(target) }
            buffer.append(contentsOf: UnsafeRawBufferPointer(start: target, count: Int(count)))
        }
    }
}
