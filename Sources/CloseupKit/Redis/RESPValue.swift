// A Redis reply as a Swift value, made from hiredis's reply tree at once so no
// C pointer outlives the reader. Bulk strings stay bytes until a caller needs text.

/// One RESP2 reply.
public enum RESPValue: Equatable, Sendable {
    case status(String)
    case error(String)
    case integer(Int64)
    case bulk([UInt8])
    /// A nil bulk string or nil array: "no such key".
    case null
    case array([RESPValue])

    /// The reply as text: status and bulk strings, and integers in decimal.
    public var string: String? {
        switch self {
        case .status(let text): text
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .integer(let value): String(value)
        default: nil
        }
    }

    /// The reply as an integer: integer replies, and bulk strings holding a decimal.
    public var integer: Int64? {
        switch self {
        case .integer(let value): value
        case .bulk(let bytes): Int64(String(decoding: bytes, as: UTF8.self))
        default: nil
        }
    }

    public var array: [RESPValue]? {
        if case .array(let items) = self { items } else { nil }
    }

    public var isNull: Bool { self == .null }
}
