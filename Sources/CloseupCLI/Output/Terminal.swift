// Everything closeup writes goes through here: stdout for results, stderr for
// diagnostics, colour only when it helps (a terminal, no NO_COLOR, TERM not dumb).
import CloseupKit
import Glibc

/// Output streams and their capabilities for one run.
public final class Terminal {
    public var colorOnStdout: Bool
    public var quiet = false
    private var warned: Set<String> = []

    public init(color: String?, environment: [String: String]) {
        switch color {
        case "always": colorOnStdout = true
        case "never": colorOnStdout = false
        default:
            colorOnStdout =
                isatty(STDOUT_FILENO) == 1 && environment["NO_COLOR"].map(\.isEmpty) ?? true
                && environment["TERM"] != "dumb"
        }
        if color != "always", let noColor = environment["NO_COLOR"], !noColor.isEmpty { colorOnStdout = false }
    }

    private var buffer: [UInt8] = []
    /// Set once stdout's reader has gone away; later output is dropped.
    private var stdoutClosed = false

    /// Writes to stdout through a buffer (flushed at 64 KiB, by `flush`, and by `finish`).
    public func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 64 * 1024 { flush() }
    }

    public func line(_ text: String) { write(text + "\n") }

    /// Writes bytes as they are (a key that is not UTF-8, for -0).
    public func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 64 * 1024 { flush() }
    }

    /// Writes stored bytes escaped (see Printable), straight into the output buffer: a listing
    /// of millions of keys makes no string per key.
    public func write(escaping bytes: [UInt8]) {
        Printable.escape(bytes, into: &buffer)
        if buffer.count >= 64 * 1024 { flush() }
    }

    /// `closeup: warning: …` on stderr, once per message, unless --quiet.
    public func warn(_ message: String) {
        guard !quiet, warned.insert(message).inserted else { return }
        flush()  // keep stdout and stderr in the order they were written
        Terminal.writeAll(STDERR_FILENO, "closeup: warning: \(message)\n")
    }

    /// `closeup: …` on stderr: a summary beside a stream on stdout (hidden by --quiet).
    public func note(_ message: String) {
        guard !quiet else { return }
        flush()
        Terminal.writeAll(STDERR_FILENO, "closeup: \(message)\n")
    }

    /// `closeup: …` on stderr; errors are shown even with --quiet.
    public func error(_ message: String) {
        flush()
        Terminal.writeAll(STDERR_FILENO, "closeup: \(message)\n")
    }

    /// A raw block on stderr (usage lines after an error).
    public func errorDetail(_ text: String) {
        Terminal.writeAll(STDERR_FILENO, text + "\n")
    }

    public func paint(_ text: String, _ style: Style) -> String {
        colorOnStdout ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    public enum Style: String {
        case bold = "1", red = "31", green = "32", yellow = "33", dim = "2"
    }

    /// Sends buffered output now (streaming commands call this per line).
    public func flush() {
        guard !buffer.isEmpty else { return }
        if !stdoutClosed, !Terminal.writeAll(STDOUT_FILENO, buffer) { stdoutClosed = true }
        buffer.removeAll(keepingCapacity: true)
    }

    /// True once stdout's reader went away (`closeup … | head`): a quiet end, not an error.
    public var isClosed: Bool { stdoutClosed }

    @discardableResult
    private static func writeAll(_ fd: Int32, _ text: String) -> Bool { writeAll(fd, Array(text.utf8)) }

    /// Writes every byte, retrying short writes; false on EPIPE or another failure.
    @discardableResult
    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let count = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += count
            }
            return true
        }
    }
}
