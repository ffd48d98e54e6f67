// Fuzzes the argument parser: the input is argv, NUL-separated.
import CloseupCLI

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let arguments = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    if case .help(let path) = (try? Parser.parse(arguments)) ?? .version { _ = HelpRenderer.render(path) }
    return 0
}
