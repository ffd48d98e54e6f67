// Fuzzes the RESP reply path: hiredis's reader fed in two pieces, then the Swift conversion.
@testable import CloseupKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let reader = RESPReader()
    let split = size / 2
    do {
        try reader.feed(UnsafeRawBufferPointer(start: data, count: split))
        while try reader.next() != nil {}
        try reader.feed(UnsafeRawBufferPointer(start: data + split, count: size - split))
        while try reader.next() != nil {}
    } catch {}
    return 0
}
