// How far long work has got, for a person waiting at a terminal: one line on
// stderr, drawn only once the work has taken a second (a quick command shows
// nothing), redrawn at most five times a second, and erased before anything
// else is written to stderr and when the work ends. Never drawn when stderr is
// not a terminal (a script's log stays clean) or when stdout is the same kind
// of screen being written to (the line would tear the listing).
import Glibc

final class ProgressLine {
    private var enabled = false
    private var started = 0.0
    private var drawn = 0.0
    private(set) var isShown = false

    /// Starts the clock. `stdoutQuiet`: the command writes nothing to stdout until it ends, so a
    /// terminal on stdout does not rule the line out.
    /// A dumb terminal cannot erase a line.
    func begin(stdoutQuiet: Bool, quiet: Bool, dumbTerminal: Bool) {
        enabled = !quiet && !dumbTerminal && isatty(STDERR_FILENO) == 1 && (stdoutQuiet || isatty(STDOUT_FILENO) == 0)
        started = Self.now()
        drawn = 0
    }

    /// Redraws the line when it is due; `text` gets the seconds since `begin` and is called only then.
    func update(_ text: (Double) -> String) {
        guard enabled else { return }
        let now = Self.now()
        guard now - started >= 1, now - drawn >= 0.2 else { return }
        drawn = now
        Self.write("\r\u{1B}[K" + text(now - started))
        isShown = true
    }

    /// Takes the line off the screen (before other output, and at the end).
    func erase() {
        guard isShown else { return }
        Self.write("\r\u{1B}[K")
        isShown = false
    }

    /// Ends the work: the line is erased and not drawn again.
    func end() {
        erase()
        enabled = false
    }

    /// "12,345": counts of keys and ids are read at a glance.
    static func grouped(_ number: Int) -> String {
        let digits = Array(String(number))
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return text
    }

    /// "412,000/s": a rate from a count and seconds.
    static func rate(_ count: Int, _ seconds: Double) -> String {
        grouped(seconds > 0 ? Int(Double(count) / seconds) : 0) + "/s"
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// A failed write is dropped: the progress line is a courtesy, never a reason to stop.
    private static func write(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
