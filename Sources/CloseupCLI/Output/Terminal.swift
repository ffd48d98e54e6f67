// Everything closeup writes goes through here: stdout for results, stderr for
// diagnostics, colour only when it helps (a terminal, no NO_COLOR, TERM not dumb).
// A write to stdout that fails is remembered, not reported: Runner turns it
// into exit 3, except for a reader that went away (SPEC §4).
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
        dumbTerminal = environment["TERM"] == "dumb"
    }

    private let dumbTerminal: Bool
    private let progressLine = ProgressLine()

    /// Long work (a scan, a bulk clear) may show how far it has got on stderr from now on (see
    /// ProgressLine); `stdoutQuiet` when nothing is written to stdout before the work ends.
    public func beginProgress(stdoutQuiet: Bool) {
        // With --json stderr holds JSON objects only, even on a terminal.
        guard !jsonDiagnostics else { return }
        progressLine.begin(stdoutQuiet: stdoutQuiet, quiet: quiet, dumbTerminal: dumbTerminal)
    }

    /// Redraws the progress line when due; `text` gets the seconds since `beginProgress`.
    public func progress(_ text: (Double) -> String) { progressLine.update(text) }

    /// Erases the progress line for good.
    public func endProgress() { progressLine.end() }

    private var buffer: [UInt8] = []

    /// Why stdout stopped taking output, once it has; later output is dropped.
    public enum WriteFailure: Equatable {
        /// The reader went away (EPIPE, `closeup … | head`): a quiet end for a listing.
        case readerGone
        /// Anything else (a full disk, a closed descriptor): an error, exit 3 (SPEC §4).
        case failed(reason: String)

        /// What the user reads, after "cannot write to stdout: ".
        public var reason: String {
            switch self {
            case .readerGone: "its reader went away"
            case .failed(let reason): reason
            }
        }
    }

    public private(set) var writeFailure: WriteFailure?

    /// Set when descriptor 1 was not open at start-up (see `openMissingStandardDescriptors`):
    /// /dev/null stands in for it, and the first write fails as a write to a closed stdout would.
    public var stdoutWasClosed = false

    /// Writes to stdout through a buffer (flushed at 64 KiB, by `flush`, and when the run ends).
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
        diagnostic("warning: ", message, json: .warning)
    }

    /// `closeup: …` on stderr: a summary beside a stream on stdout (hidden by --quiet, and with
    /// --json, whose lines already say it all).
    public func note(_ message: String) {
        guard !quiet, !jsonDiagnostics else { return }
        diagnostic("", message, json: .warning)
    }

    /// Set when the command line asked for --json: then stderr carries JSON objects only, one
    /// per line, `{"warning":{"message":"…"}}` and `{"error":{…}}` (SPEC §4).
    public var jsonDiagnostics = false

    /// An error the run reports, shown even with --quiet: `closeup: <line>`, or with --json one
    /// object on stderr, `{"error":{"exit":N,"kind":"…","message":"…"}}` (the message with its remedy).
    /// `exit` is the run's status where it is not the error's own (a signal ended the run).
    public func report(_ error: CloseupError, line: String, exit: Int32? = nil) {
        let kind =
            switch error.kind {
            case .negative: "negative"
            case .usage: "usage"
            case .unavailable: "unavailable"
            case .refused: "refused"
            case .configuration: "configuration"
            case .corrupt: "corrupt"
            case .internal: "internal"
            }
        diagnostic("", line, json: .error, [(.exit, .integer(Int64(exit ?? error.exitCode))), (.kind, .string(kind))])
    }

    /// One line on stderr after whatever stdout holds so far, the progress line erased first:
    /// `closeup: <label><message>`, or with --json `{"<json>":{<fields>,"message":"…"}}`.
    private func diagnostic(_ label: String, _ message: String, json: Field, _ fields: Fields = []) {
        flush()  // keep stdout and stderr in the order they were written
        progressLine.erase()
        if jsonDiagnostics {
            let object = JSON.fields([(json, .fields(fields + [(.message, .string(message))]))])
            Terminal.writeAll(STDERR_FILENO, object.serialized + "\n")
        } else {
            Terminal.writeAll(STDERR_FILENO, "closeup: \(label)\(Printable.neutralizingControls(message))\n")
        }
    }

    /// The columns of the terminal on `descriptor`, or 80 when it is not a terminal (a pipe, a
    /// file: help read there is read as text, at the width text is written).
    public static func width(of descriptor: Int32) -> Int {
        var size = winsize()
        guard isatty(descriptor) == 1, ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return max(40, Int(size.ws_col))
    }

    /// A raw block on stderr (usage lines after an error).
    public func errorDetail(_ text: String) {
        progressLine.erase()
        Terminal.writeAll(STDERR_FILENO, text + "\n")
    }

    public func paint(_ text: String, _ style: Style) -> String {
        colorOnStdout ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    public enum Style: String {
        case bold = "1", red = "31", green = "32", yellow = "33", dim = "2"
    }

    /// Sends buffered output now (streaming commands call this per line); false once stdout has
    /// failed (`writeFailure` says how), now or before.
    @discardableResult
    public func flush() -> Bool {
        guard writeFailure == nil else {
            buffer.removeAll(keepingCapacity: true)
            return false
        }
        guard !buffer.isEmpty else { return true }
        defer { buffer.removeAll(keepingCapacity: true) }
        if stdoutWasClosed {
            writeFailure = .failed(reason: "it is closed")
            return false
        }
        if let error = Terminal.writeAll(STDOUT_FILENO, buffer) {
            writeFailure = error == EPIPE ? .readerGone : .failed(reason: Terminal.describe(error))
            return false
        }
        return true
    }

    /// True once stdout stopped taking output, for whatever reason: a streaming command stops
    /// there (`writeFailure` decides whether the run failed).
    public var isClosed: Bool { writeFailure != nil }

    /// Opens /dev/null on each of descriptors 0-2 that is not open, before anything else opens a
    /// file: the Redis socket or a database that landed on descriptor 1 would otherwise receive
    /// what closeup prints (an OTP among it). Returns whether stdout was one of them.
    public static func openMissingStandardDescriptors() -> Bool {
        var stdoutMissing = false
        for fd in Int32(0)...2 where fcntl(fd, F_GETFD) < 0 && errno == EBADF {
            // The lowest free descriptor is this one.
            let opened = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY)
            if opened >= 0, opened != fd {
                dup2(opened, fd)
                close(opened)
            }
            if fd == STDOUT_FILENO { stdoutMissing = true }
        }
        return stdoutMissing
    }

    @discardableResult
    private static func writeAll(_ fd: Int32, _ text: String) -> Int32? { writeAll(fd, Array(text.utf8)) }

    /// Writes every byte, retrying short writes; the errno of a failure, nil when all was written.
    /// A signal that interrupts a stalled write (Interruption) fails it as EINTR.
    @discardableResult
    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let count = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if count < 0 {
                    if errno == EINTR && Interruption.caught == nil { continue }
                    return errno
                }
                offset += count
            }
            return nil
        }
    }

    private static func describe(_ error: Int32) -> String {
        if error == EINTR, let signal = Interruption.caught { return "interrupted by \(Delivery.signalName(signal))" }
        return String(cString: strerror(error)).lowercased()
    }
}
