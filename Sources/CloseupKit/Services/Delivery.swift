// Getting a code to the user. `stdout` hands the code back for the CLI to
// print; `command` runs CLOSEUP_SMS_COMMAND without a shell (posix_spawnp,
// words split as a shell would, no expansion) with a JSON payload on stdin.
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
    /// Seconds the command may take before it is killed and the delivery fails.
    public var timeout: Double = 10

    public init() {}

    /// Runs `commandLine` with `payload` on stdin; throws unavailable (exit 3) when it fails.
    /// Nothing the command prints reaches closeup's output, so a chatty script cannot leak the code;
    /// its first stderr line is quoted in the error with `secret` masked.
    public func run(commandLine: String, payload: String, secret: String) throws(CloseupError) {
        let words = try Self.split(commandLine)
        guard let program = words.first else {
            throw .configuration("CLOSEUP_SMS_COMMAND is empty; set it to the command that sends a message")
        }
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

        var pid: pid_t = 0
        let arguments = words.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        let status = posix_spawnp(&pid, program, &actions, nil, arguments, environ)
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
        let said = Self.firstLine(of: errors[0], until: deadline)
        var exitStatus: Int32 = 0
        while waitpid(pid, &exitStatus, WNOHANG) == 0 {
            if deadline.remainingMilliseconds == 0 {
                kill(pid, SIGKILL)
                waitpid(pid, &exitStatus, 0)
                throw .unavailable(
                    "delivery failed: '\(program)' did not finish within \(formatSeconds(timeout)) s and was stopped")
            }
            usleep(2000)
        }
        let signal = exitStatus & 0x7f
        let exitCode = (exitStatus >> 8) & 0xff
        guard signal == 0 && exitCode == 0 else {
            let how = signal == 0 ? "exited with status \(exitCode)" : "was killed by signal \(signal)"
            let quoted = said.isEmpty ? "" : " (it said: \(Self.mask(said, secret: secret)))"
            throw .unavailable("delivery failed: '\(program)' \(how)\(quoted)")
        }
    }

    /// A pipe whose ends are not inherited by the child (it gets them through dup2 only).
    private static func pipe(_ fds: inout [Int32]) -> Bool {
        guard Glibc.pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }

    /// The first line the command wrote to stderr (at most 200 bytes), read until EOF or `deadline`.
    private static func firstLine(of fd: Int32, until deadline: Deadline) -> String {
        var collected: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, deadline.remainingMilliseconds) > 0 else { break }
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            if collected.count < 4096 { collected += chunk[..<count] }
        }
        let line = collected.split(separator: UInt8(ascii: "\n")).first.map { Array($0.prefix(200)) } ?? []
        return String(decoding: line, as: UTF8.self)
    }

    private static func mask(_ text: String, secret: String) -> String {
        guard !secret.isEmpty else { return text }
        return text.split(separator: secret, omittingEmptySubsequences: false)
            .joined(separator: String(repeating: "*", count: secret.count))
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
