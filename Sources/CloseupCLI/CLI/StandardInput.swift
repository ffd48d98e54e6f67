// Reading stdin for the '-' arguments: a code, or user ids one per line.
import Glibc

enum StandardInput {
    /// All of stdin as bytes.
    static func readAll() -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes += chunk[..<count]
        }
        return bytes
    }

    /// The first line of stdin: on a terminal it ends at Enter (not at end of input, which a
    /// person would have to type Ctrl-D for); from a pipe or file, at the first newline too.
    static func firstLine() -> String {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = read(STDIN_FILENO, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            guard count == 1, byte != UInt8(ascii: "\n") else { break }
            bytes.append(byte)
        }
        while let last = bytes.last, [0x0D, 0x20, 0x09].contains(last) { bytes.removeLast() }
        return String(decoding: bytes.drop { [0x20, 0x09].contains($0) }, as: UTF8.self)
    }

    /// Lines of stdin with their 1-based numbers; blank lines and trailing '\r' and spaces dropped.
    static func lines() -> [(number: Int, text: String)] {
        var result: [(Int, String)] = []
        for (index, line) in readAll().split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            var end = line.endIndex
            while end > line.startIndex, [0x0D, 0x20, 0x09].contains(line[end - 1]) { end -= 1 }
            var start = line.startIndex
            while start < end, [0x20, 0x09].contains(line[start]) { start += 1 }
            if start < end { result.append((index + 1, String(decoding: line[start..<end], as: UTF8.self))) }
        }
        return result
    }
}
