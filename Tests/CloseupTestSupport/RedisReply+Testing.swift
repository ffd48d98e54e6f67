// Lenient readers of replies, for tests only: a test looks at what the server
// sent and fails on its own terms. closeup's own code reads replies only
// through RedisReply's throwing accessors.
@_spi(Testing) import CloseupKit

extension RedisReply {
    public var resp: RESPValue { raw }
    public var string: String? { raw.string }
    /// An integer reply, or a bulk string holding a decimal.
    public var number: Int64? { raw.number }
    public var items: [RESPValue]? { raw.items }
    public var isNull: Bool { raw == .null }
}

extension RESPValue {
    public var string: String? {
        switch self {
        case .status(let text): text
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .integer(let value): String(value)
        default: nil
        }
    }

    public var number: Int64? {
        switch self {
        case .integer(let value): value
        case .bulk(let bytes): Int64(String(decoding: bytes, as: UTF8.self))
        default: nil
        }
    }

    public var items: [RESPValue]? {
        if case .array(let items) = self { items } else { nil }
    }
}
