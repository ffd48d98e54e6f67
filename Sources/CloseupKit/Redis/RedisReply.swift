// The one place a reply gets its meaning. Every reply a service reads is a
// RedisReply, and its only accessors are these: an error reply throws
// `RedisError.reply` naming the command, a reply of another type than the
// caller expects throws `RedisError.unexpectedReply`. So no error reply can be
// read as "no such key", as 0, or as corrupt data.

/// A reply together with the command it answers (for messages).
public struct RedisReply: Sendable {
    /// Private: nothing outside this file reads a reply but through the accessors below.
    private let value: RESPValue
    private let origin: RedisCommand

    /// "GET otp:u1", "script on otp:u1": names the command, never its values. Made only when
    /// asked (an error to word), not for each of a bulk job's million replies.
    public var command: String { origin.label }

    init(_ value: RESPValue, to command: RedisCommand) {
        self.value = value
        origin = command
    }

    /// The undecoded reply, for tests that check what the server sent.
    @_spi(Testing) public var raw: RESPValue { value }

    /// The error reply's text, for the few callers that asked to keep errors (NOSCRIPT, undo).
    public var errorMessage: String? {
        if case .error(let message) = value { message } else { nil }
    }

    /// Throws the error reply, if this is one.
    @discardableResult
    public func checked() throws(RedisError) -> RedisReply {
        if case .error(let message) = value { throw .reply(command: command, message: message) }
        return self
    }

    /// A bulk string's bytes, or nil for a nil reply ("no such key").
    public func bytes() throws(RedisError) -> [UInt8]? {
        switch value {
        case .bulk(let bytes): return bytes
        case .null: return nil
        default: throw unexpected("a string")
        }
    }

    /// A bulk or status string as text, or nil for a nil reply. Bytes that are not UTF-8 are
    /// replaced, so use `bytes()` for keys.
    public func text() throws(RedisError) -> String? {
        switch value {
        case .bulk(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .status(let text): return text
        case .null: return nil
        default: throw unexpected("a string")
        }
    }

    /// An integer reply.
    public func integer() throws(RedisError) -> Int64 {
        if case .integer(let number) = value { return number }
        throw unexpected("an integer")
    }

    /// An integer reply, or nil for a nil reply (MEMORY USAGE of a key that is gone).
    public func optionalInteger() throws(RedisError) -> Int64? {
        switch value {
        case .integer(let number): return number
        case .null: return nil
        default: throw unexpected("an integer")
        }
    }

    /// An integer reply that is 0 or 1: whether DEL or UNLINK of one key removed it.
    public func flag() throws(RedisError) -> Bool {
        let number = try integer()
        guard number == 0 || number == 1 else { throw unexpected("0 or 1") }
        return number == 1
    }

    /// An array reply's elements, each still to be decoded.
    public func array() throws(RedisError) -> [RedisReply] {
        if case .array(let items) = value { return items.map { RedisReply($0, to: origin) } }
        throw unexpected("an array")
    }

    /// A `+OK`-style status, or nil for a nil reply (`SET … NX` that did not set).
    public func status() throws(RedisError) -> String? {
        switch value {
        case .status(let text): return text
        case .null: return nil
        default: throw unexpected("a status")
        }
    }

    /// A SCAN reply: the next cursor ("0" when the walk is done) and the keys of this page.
    /// Keys are bytes, exactly as stored: one that is not UTF-8 is never re-encoded.
    public func scanPage() throws(RedisError) -> (cursor: String, keys: [[UInt8]]) {
        let parts = try array()
        guard parts.count == 2, let cursor = try parts[0].text(), case .array(let items) = parts[1].value else {
            throw unexpected("a cursor and a key list")
        }
        // A cursor is an unsigned 64-bit number: anything else sent back as the next cursor could
        // end the walk early ("-1") or start it again ("").
        guard RedisReply.isCursor(cursor) else { throw unexpected("a cursor that is a number") }
        // Read in place: a page holds up to COUNT keys, and a scan may hold millions.
        var keys: [[UInt8]] = []
        keys.reserveCapacity(items.count)
        for item in items {
            guard case .bulk(let bytes) = item else { throw unexpected("a key") }
            keys.append(bytes)
        }
        return (cursor, keys)
    }

    /// Decimal digits that fit in 64 unsigned bits.
    static func isCursor(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } && UInt64(text) != nil
    }

    /// A TTL reply: -2 no such key, -1 no expiry, else seconds.
    public func lifetime() throws(RedisError) -> Lifetime {
        let ttl = try integer()
        guard ttl >= -2 else { throw unexpected("a TTL") }
        return Lifetime(ttl: ttl)
    }

    private func unexpected(_ expected: String) -> RedisError {
        if case .error(let message) = value { return .reply(command: command, message: message) }
        return .unexpectedReply(command: command, expected: expected, received: value.kindName)
    }
}

extension [RedisReply] {
    /// The replies to `commands`, in order, each knowing its command.
    init(_ values: [RESPValue], answering commands: [RedisCommand]) {
        self = zip(values, commands).map { RedisReply($0, to: $1) }
    }

    /// The replies, or the first error reply among them thrown (once all are in: the stream
    /// position stays known and the connection usable).
    func checked() throws(RedisError) -> [RedisReply] {
        for reply in self { try reply.checked() }
        return self
    }
}

/// A key's remaining lifetime, from TTL.
public enum Lifetime: Sendable, Equatable {
    case seconds(Int64)
    case noExpiry
    /// No such key (gone between SCAN and TTL, or never there).
    case gone

    init(ttl: Int64) {
        self = ttl >= 0 ? .seconds(ttl) : ttl == -1 ? .noExpiry : .gone
    }

    /// The seconds left; nil without an expiry or without a key.
    public var seconds: Int64? {
        if case .seconds(let seconds) = self { seconds } else { nil }
    }
}

extension RESPValue {
    /// The reply's type in words, for "expected an integer, got an array".
    var kindName: String {
        switch self {
        case .status: "a status"
        case .error: "an error"
        case .integer: "an integer"
        case .bulk: "a string"
        case .null: "nil"
        case .array: "an array"
        }
    }
}
