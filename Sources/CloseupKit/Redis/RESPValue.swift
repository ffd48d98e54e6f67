// A Redis reply as a Swift value, made from hiredis's reply tree at once so no
// C pointer outlives the reader. Bulk strings stay bytes until a caller needs
// text. It has no lenient accessors on purpose: services read replies only
// through `RedisReply`, which throws on an error reply or a wrong type.

/// One RESP2 reply.
public enum RESPValue: Equatable, Sendable {
    case status(String)
    case error(String)
    case integer(Int64)
    case bulk([UInt8])
    /// A nil bulk string or nil array: "no such key".
    case null
    case array([RESPValue])
}
