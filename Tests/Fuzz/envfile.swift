// Fuzzes the env file parser.
import CloseupKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? EnvFile(path: ".env", text: String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self))
    return 0
}
