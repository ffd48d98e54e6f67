// Lua scripts sent by digest: EVALSHA first, the full EVAL only when the server
// has not seen the script yet (NOSCRIPT), so the common path is one short command.
import COpenSSL

/// A Lua script touching exactly one key, so it is valid in Redis Cluster too.
public struct RedisScript: Sendable {
    public let source: String
    /// Lowercase hex SHA-1 of the source, as Redis names scripts.
    public let digest: String

    public init(_ source: String) {
        self.source = source
        var hash = [UInt8](repeating: 0, count: Int(SHA_DIGEST_LENGTH))
        let bytes = Array(source.utf8)
        SHA1(bytes, bytes.count, &hash)
        digest = hexString(hash)
    }

    /// The EVALSHA form, for pipelines that handle NOSCRIPT themselves.
    public func evalsha(key: String, arguments: [String]) -> RedisCommand {
        RedisCommand(arguments: ["EVALSHA", digest, "1", key] + arguments)
    }

    public func eval(key: String, arguments: [String]) -> RedisCommand {
        RedisCommand(arguments: ["EVAL", source, "1", key] + arguments)
    }
}

/// Lowercase hex, two digits a byte.
func hexString(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    text.reserveCapacity(bytes.count * 2)
    for byte in bytes {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: text, as: UTF8.self)
}
