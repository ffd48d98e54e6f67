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
