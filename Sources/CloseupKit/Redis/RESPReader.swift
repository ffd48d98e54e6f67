// Incremental RESP parsing with hiredis's I/O-free reader: feed bytes as they
// arrive, take whole replies out. "Need more bytes" is not an error.
import CHiredis

/// Parses a byte stream into replies. Not thread-safe; one per connection.
final class RESPReader {
    private let reader: UnsafeMutablePointer<redisReader>

    init() {
        // Creating a reader only fails when malloc does; nothing sensible can follow that.
        guard let reader = closeup_reader_create() else { fatalError("closeup: out of memory creating the RESP reader") }
        self.reader = reader
    }

    deinit { closeup_reader_free(reader) }

    private var failure: RESPReaderError {
        let refused = closeup_reader_refused(reader)
        if refused > 0 {
            return RESPReaderError(
                reason: "an array of \(refused) elements, more than the \(CLOSEUP_MAX_ARRAY_ELEMENTS) closeup accepts")
        }
        return RESPReaderError(reason: String(cString: closeup_reader_error(reader)))
    }

    /// Appends bytes received from the server.
    func feed(_ bytes: UnsafeRawBufferPointer) throws(RESPReaderError) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        if redisReaderFeed(reader, base.assumingMemoryBound(to: CChar.self), bytes.count) != REDIS_OK { throw failure }
    }

    /// What a SCAN reply not yet taken out starts with, read from the bytes fed so far without
    /// parsing the page: its cursor, so the next SCAN can be sent before the page is parsed.
    enum ScanCursor: Equatable {
        case cursor(String)
        /// The bytes so far end before the cursor does.
        case needMore
        /// Not the start of a SCAN reply (an error reply, say): parse it as usual.
        case notAScanReply
    }

    /// Peeks at the unparsed bytes: valid only between replies (after `next` returned one, or
    /// before it was first called), when they begin with the next reply.
    func scanCursor() -> ScanCursor {
        let state = reader.pointee
        guard let base = state.buf, state.len > state.pos else { return .needMore }
        let bytes = UnsafeRawBufferPointer(start: base + state.pos, count: state.len - state.pos)
        // *2\r\n$<length>\r\n<cursor>\r\n
        let head: [UInt8] = Array("*2\r\n$".utf8)
        for (index, byte) in head.enumerated() {
            guard index < bytes.count else { return .needMore }
            guard bytes[index] == byte else { return .notAScanReply }
        }
        var index = head.count, length = 0
        while index < bytes.count, bytes[index] != UInt8(ascii: "\r") {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]), length < 1000 else { return .notAScanReply }
            length = length * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        let start = index + 2
        guard start + length + 2 <= bytes.count else { return .needMore }
        let cursor = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<start + length]), as: UTF8.self)
        // Not a number: never sent back; the page's own check says what is wrong.
        return RedisReply.isCursor(cursor) ? .cursor(cursor) : .notAScanReply
    }

    /// The next complete reply, or nil until more bytes arrive.
    func next() throws(RESPReaderError) -> RESPValue? {
        var raw: UnsafeMutableRawPointer?
        if redisReaderGetReply(reader, &raw) != REDIS_OK || closeup_reader_failed(reader) != 0 { throw failure }
        guard let raw else { return nil }
        defer { freeReplyObject(raw) }
        return RESPValue(raw.assumingMemoryBound(to: redisReply.self).pointee)
    }
}

/// The reader met bytes that are not RESP; it refuses further input after this.
struct RESPReaderError: Error, Equatable {
    var reason: String
}

extension RESPValue {
    /// Copies a hiredis reply tree; the caller frees the tree.
    fileprivate init(_ reply: redisReply) {
        func text() -> String {
            guard let str = reply.str else { return "" }
            return String(decoding: UnsafeRawBufferPointer(start: str, count: reply.len), as: UTF8.self)
        }
        switch reply.type {
        case REDIS_REPLY_STATUS: self = .status(text())
        case REDIS_REPLY_ERROR: self = .error(text())
        case REDIS_REPLY_INTEGER: self = .integer(reply.integer)
        case REDIS_REPLY_STRING:
            self = .bulk(reply.str.map { Array(UnsafeRawBufferPointer(start: $0, count: reply.len)) } ?? [])
        case REDIS_REPLY_ARRAY:
            var items: [RESPValue] = []
            items.reserveCapacity(reply.elements)
            for index in 0..<reply.elements {
                items.append(reply.element[index].map { RESPValue($0.pointee) } ?? .null)
            }
            self = .array(items)
        default: self = .null
        }
    }
}
