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

extension RedisConnection {
    /// Runs `script` on `key`; an error reply other than NOSCRIPT is thrown.
    public func run(_ script: RedisScript, key: String, arguments: [String] = []) throws(RedisError) -> RESPValue {
        let reply = try pipeline([script.evalsha(key: key, arguments: arguments)])[0]
        if case .error(let message) = reply {
            guard message.hasPrefix("NOSCRIPT") else {
                throw .reply(command: "script on \(key)", message: message)
            }
            return try call(script.eval(key: key, arguments: arguments))
        }
        return reply
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
