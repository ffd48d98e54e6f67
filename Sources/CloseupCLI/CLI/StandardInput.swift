// Reading stdin for the '-' arguments: a code, or user ids one per line. Lines
// are read as they come, a chunk at a time, so a list of ten million ids costs
// what ten thousand do.
import Glibc

enum StandardInput {
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

    /// Non-blank lines of stdin with their 1-based numbers, surrounding blanks and a trailing
    /// '\r' dropped, read a chunk at a time.
    struct Lines: IteratorProtocol, Sequence {
        private var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        private var pending: [UInt8] = []
        private var start = 0
        private var number = 0
        private var ended = false

        mutating func next() -> (number: Int, text: String)? {
            while true {
                if let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                    defer { start = newline + 1 }
                    number += 1
                    if let text = Self.trimmed(pending[start..<newline]) { return (number, text) }
                    continue
                }
                if ended {
                    guard start < pending.count else { return nil }
                    defer { start = pending.count }
                    number += 1
                    if let text = Self.trimmed(pending[start...]) { return (number, text) }
                    return nil
                }
                // Keep only the unfinished line, then read more.
                pending.removeSubrange(..<start)
                start = 0
                let count = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
                // A noted Ctrl-C (Interruption) ends the list where it is; other interruptions retry.
                if count < 0 && errno == EINTR && Interruption.caught != nil { ended = true }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { ended = true } else { pending += chunk[..<count] }
            }
        }

        private static func trimmed(_ line: ArraySlice<UInt8>) -> String? {
            var end = line.endIndex
            while end > line.startIndex, [0x0D, 0x20, 0x09].contains(line[end - 1]) { end -= 1 }
            var first = line.startIndex
            while first < end, [0x20, 0x09].contains(line[first]) { first += 1 }
            return first < end ? String(decoding: line[first..<end], as: UTF8.self) : nil
        }
    }
}
