// Getting a code to the user. `stdout` hands the code back for the CLI to
// print; `command` runs CLOSEUP_SMS_COMMAND without a shell (posix_spawnp,
// words split as a shell would, no expansion) with a JSON payload on stdin,
// in a process group of its own so that everything it started can be stopped
// with it. Withdrawing an undelivered code is the OTP service's job.
import Glibc

/// How a code reaches the user (`--via`).
public enum DeliveryRoute: String, Sendable, CaseIterable {
    case stdout
    case command
}

/// The message channel named in the payload (`--channel`).
public enum DeliveryChannel: String, Sendable, CaseIterable {
    case sms
    case whatsapp
}

public struct Delivery: Sendable {
    /// Seconds the command may take before its process group is killed and the delivery fails.
    public var timeout: Double = 10
    /// Seconds between SIGTERM and SIGKILL when the group is stopped early: enough for a wrapper
    /// to pass the signal on, short enough that Ctrl-C still feels immediate.
    public var grace: Double = 0.5

    public init() {}

    /// Runs `commandLine` with `payload` on stdin; throws unavailable (exit 3) when it fails,
    /// and only once nothing it started is left running that could still deliver the code.
    /// Nothing the command prints reaches closeup's output, so a chatty script cannot leak the code;
    /// its first stderr line is quoted in the error with `secret` masked.
    /// - Parameters:
    ///   - hiding: environment variables the command must not see (`Settings.secretVariables`).
    ///   - interrupted: polled while the command runs; a signal number stops it (the error names it).
    public func run(
        commandLine: String, payload: String, secret: String, hiding: Set<String> = [],
        interrupted: () -> Int32? = { nil }
    ) throws(CloseupError) {
        let words = try Self.words(commandLine)
        let program = words[0]
        var input: [Int32] = [0, 0], errors: [Int32] = [0, 0]
        guard Self.pipe(&input) else { throw .unavailable("delivery failed: cannot make a pipe") }
        guard Self.pipe(&errors) else {
            close(input[0])
            close(input[1])
            throw .unavailable("delivery failed: cannot make a pipe")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        // Nothing else: closeup's own descriptors close on exec, but one it inherited would not, and
        // that may be the password (`--password-file /dev/fd/3 3<file`).
        Self.closeInheritedDescriptors(&actions)

        // Its own process group, so a timeout or an interrupt can stop a wrapper and everything it
        // started (and Ctrl-C on closeup's terminal reaches closeup, which then decides). Default
        // dispositions and no blocked signals: closeup ignores SIGPIPE and may itself have been
        // started with signals ignored (a background job of a script); the command must not inherit that.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var everySignal = sigset_t()
        sigfillset(&everySignal)
        posix_spawnattr_setsigdefault(&attributes, &everySignal)
        var noSignal = sigset_t()
        sigemptyset(&noSignal)
        posix_spawnattr_setsigmask(&attributes, &noSignal)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

        var pid: pid_t = 0
        let arguments = words.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        let environment = Self.environment(hiding: hiding) + [nil]
        let status = posix_spawnp(&pid, program, &actions, &attributes, arguments, environment)
        close(input[0])
        close(errors[1])
        defer { close(errors[0]) }
        guard status == 0 else {
            close(input[1])
            let reason = status == ENOENT ? "not found on PATH" : String(cString: strerror(status)).lowercased()
            throw .unavailable("delivery failed: cannot run '\(program)': \(reason); check CLOSEUP_SMS_COMMAND")
        }
        // The payload is far below a pipe's capacity; a command that exits without reading it
        // makes this write fail with EPIPE (SIGPIPE is ignored), which its exit status then explains.
        let bytes = Array(payload.utf8)
        _ = bytes.withUnsafeBytes { write(input[1], $0.baseAddress, $0.count) }
        close(input[1])

        let deadline = Deadline.after(seconds: timeout)
        var said: [UInt8] = []
        var errorsOpen = true
        var exit: Exit?
        while true {
            exit = Self.peekExit(pid)
            if exit != nil { break }
            if let signal = interrupted() {
                stopGroup(pid)
                throw .unavailable("delivery interrupted by \(Self.signalName(signal)): '\(program)' was stopped")
            }
            if deadline.remainingMilliseconds == 0 {
                stopGroup(pid)
                throw .unavailable(
                    "delivery failed: '\(program)' did not finish within \(formatSeconds(timeout)) s and was stopped")
            }
            // Wake at least every 20 ms to see the command end and a signal arrive: the command's
            // children may hold its stderr open long after it has exited.
            let wait = min(20, deadline.remainingMilliseconds)
            if errorsOpen {
                errorsOpen = Self.read(errors[0], into: &said, waiting: wait) != .end
            } else {
                poll(nil, 0, min(2, wait))
            }
        }
        // Whatever it wrote before it ended is in the pipe; its children may still write, unheard.
        while Self.read(errors[0], into: &said, waiting: 0) == .read {}
        guard case .exited(0) = exit else {
            // A child it left behind must not deliver a code that is about to be withdrawn. The
            // command is not reaped yet, so its group id cannot have been reused.
            kill(-pid, SIGKILL)
            Self.reap(pid)
            let how: String
            switch exit {
            case .exited(let code)?: how = "exited with status \(code)"
            case .killed(let signal)?: how = "was killed by signal \(signal)"
            default: how = "ended, and its exit status was lost"
            }
            let line = said.split(separator: UInt8(ascii: "\n")).first.map { Array($0.prefix(200)) } ?? []
            let text = String(decoding: line, as: UTF8.self)
            let quoted = text.isEmpty ? "" : " (it said: \(Self.mask(text, secret: secret)))"
            throw .unavailable("delivery failed: '\(program)' \(how)\(quoted)")
        }
        // A success: whatever it left running in the background is its own business.
        Self.reap(pid)
    }

    /// How the command ended.
    enum Exit: Equatable {
        case exited(Int32)
        case killed(Int32)
        /// It was reaped by someone else (SIGCHLD ignored): its status is lost.
        case unknown
    }

    /// The command's end, if it has ended, without reaping it: while it is a zombie its pid, and
    /// so its process group id, cannot go to another process.
    private static func peekExit(_ pid: pid_t) -> Exit? {
        var info = siginfo_t()
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else {
            return errno == EINTR ? nil : .unknown
        }
        let child = info._sifields._sigchld
        guard child.si_pid == pid else { return nil }
        return info.si_code == CLD_EXITED ? .exited(child.si_status) : .killed(child.si_status)
    }

    private static func reap(_ pid: pid_t) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    /// Stops the command and everything in its process group: SIGTERM, up to `grace` seconds for
    /// the command to end, then SIGKILL for whatever is left, and the command reaped.
    private func stopGroup(_ pid: pid_t) {
        kill(-pid, SIGTERM)
        let graceEnds = Deadline.after(seconds: grace)
        while Self.peekExit(pid) == nil, graceEnds.remainingMilliseconds > 0 { poll(nil, 0, 2) }
        kill(-pid, SIGKILL)
        Self.reap(pid)
    }

    enum ReadResult { case read, nothingYet, end }

    /// Appends what `fd` has (at most 4096 bytes kept), waiting up to `milliseconds` for it.
    private static func read(_ fd: Int32, into collected: inout [UInt8], waiting milliseconds: Int32) -> ReadResult {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, milliseconds) > 0 else { return .nothingYet }
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if count < 0 { return errno == EINTR ? .nothingYet : .end }
        if count == 0 { return .end }
        if collected.count < 4096 { collected += chunk[..<count] }
        return .read
    }

    /// Has the command start with descriptors 0-2 only: glibc's posix_spawn_file_actions_addclosefrom_np
    /// (2.34; not in Swift's Glibc module, so looked up at run time), or else every descriptor
    /// above 2 that is open now is marked close-on-exec.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let handle = dlopen(nil, RTLD_NOW), let address = dlsym(handle, "posix_spawn_file_actions_addclosefrom_np"),
            unsafeBitCast(address, to: CloseFrom.self)(&actions, 3) == 0
        {
            return
        }
        guard let directory = opendir("/proc/self/fd") else { return }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let fd = Int32(name), fd > 2 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        }
    }

    /// closeup's own environment, byte for byte, without the variables named in `hidden`.
    private static func environment(hiding hidden: Set<String>) -> [UnsafeMutablePointer<CChar>?] {
        var kept: [UnsafeMutablePointer<CChar>?] = []
        // environ is NULL after clearenv(), hence the optional.
        var entry: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = environ
        while let pair = entry?.pointee {
            let text = String(cString: pair)
            if !hidden.contains(String(text.prefix { $0 != "=" })) { kept.append(pair) }
            entry = entry! + 1
        }
        return kept
    }

    /// "SIGINT" for 2, and so on for the signals that interrupt closeup.
    public static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        case SIGHUP: "SIGHUP"
        default: "signal \(signal)"
        }
    }

    /// A pipe whose ends are not inherited by the child (it gets them through dup2 only).
    private static func pipe(_ fds: inout [Int32]) -> Bool {
        guard Glibc.pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }

    private static func mask(_ text: String, secret: String) -> String {
        guard !secret.isEmpty else { return text }
        return text.split(separator: secret, omittingEmptySubsequences: false)
            .joined(separator: String(repeating: "*", count: secret.count))
    }

    /// The command line's words, program first; throws a configuration error (exit 5) for one that
    /// names no program or leaves a quote open, so `send` can refuse it before issuing a code.
    public static func words(_ commandLine: String) throws(CloseupError) -> [String] {
        let words = try split(commandLine)
        guard !words.isEmpty else {
            throw .configuration("CLOSEUP_SMS_COMMAND is empty; set it to the command that sends a message")
        }
        return words
    }

    /// Splits a command line into words as a POSIX shell would: whitespace separates, '…' is
    /// literal, "…" allows \" \\ \$ \` escapes, a backslash outside quotes escapes the next
    /// character. Nothing is expanded.
    public static func split(_ line: String) throws(CloseupError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var characters = line.makeIterator()
        func unterminated() -> CloseupError {
            .configuration("CLOSEUP_SMS_COMMAND has an unterminated quote: '\(line)'")
        }
        while let character = characters.next() {
            switch character {
            case " ", "\t", "\n":
                if inWord { words.append(current) }
                current = ""
                inWord = false
            case "'":
                inWord = true
                var closed = false
                while let next = characters.next() {
                    if next == "'" { closed = true; break }
                    current.append(next)
                }
                if !closed { throw unterminated() }
            case "\"":
                inWord = true
                var closed = false
                while let next = characters.next() {
                    if next == "\"" { closed = true; break }
                    if next == "\\", let escaped = characters.next() {
                        if !"\"\\$`".contains(escaped) { current.append("\\") }
                        current.append(escaped)
                    } else {
                        current.append(next)
                    }
                }
                if !closed { throw unterminated() }
            case "\\":
                inWord = true
                if let escaped = characters.next() { current.append(escaped) }
            default:
                inWord = true
                current.append(character)
            }
        }
        if inWord { words.append(current) }
        return words
    }
}
