// Fuzzes the Redis URL parser and its redaction.
import CloseupKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? RedisURL(text)
    _ = RedisURL.redact(text)
    return 0
}
