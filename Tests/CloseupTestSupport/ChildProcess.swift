// Every process a test starts goes through here, not Foundation's Process, because
// the tests run many children at once and each must be fully independent:
// - its stdin, stdout and stderr are files, never pipes and never the test runner's
//   own output, so nothing waits for an end-of-file a stray grandchild holds open;
// - it inherits no other descriptor, and starts with no blocked signals and default
//   dispositions (a test thread blocks SIGTERM; its children must not);
// - waiting has a deadline, after which the child is killed and the test fails
//   with its command line instead of hanging the whole run.
import Foundation

public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    public let command: [String]
    /// Files holding what the child wrote to stdout and stderr (nil when discarded).
    public let outputPath: String?
    public let errorPath: String?
    private let lock = NSLock()
    private var exitStatus: Int32?

    /// Starts `program` with `arguments` in `directory`. `stdin` is fed from a file holding
    /// those bytes (or /dev/null when nil); with `captureOutput` false, output is discarded.
    public init(
        _ program: String, _ arguments: [String], environment: [String: String], directory: String,
        stdin: String? = nil, captureOutput: Bool = true
    ) throws {
        command = [program] + arguments
        let folder = try TemporaryDirectory.make(prefix: "closeup-child")
        let inputPath = stdin.map { _ in folder + "/stdin" } ?? "/dev/null"
        if let stdin { try Data(stdin.utf8).write(to: URL(fileURLWithPath: inputPath)) }
        outputPath = captureOutput ? folder + "/stdout" : nil
        errorPath = captureOutput ? folder + "/stderr" : nil

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try GNUSpawn.closeFrom(&actions, 3)
        try GNUSpawn.changeDirectory(&actions, directory)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGHUP, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = command.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let failed = posix_spawn(&pid, program, &actions, &attributes, argv, envp)
        guard failed == 0 else {
            throw TestSupportError("cannot start \(program): \(String(cString: strerror(failed)))")
        }
        self.pid = pid
    }

    /// Runs a program to its end and returns what it wrote and its status.
    public static func run(
        _ program: String, _ arguments: [String], environment: [String: String], directory: String,
        stdin: String = "", timeout: Double = ChildProcess.defaultTimeout
    ) throws -> CloseupResult {
        let child = try ChildProcess(program, arguments, environment: environment, directory: directory, stdin: stdin)
        let status = try child.wait(timeout: timeout)
        return child.result(status: status)
    }

    /// Longer than any single closeup run in the tests takes, short enough that a hang
    /// fails one test in minutes rather than stalling CI.
    public static let defaultTimeout: Double = 90

    public var isRunning: Bool { reap(blocking: false) == nil }

    public func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Waits for the child to end and returns its status: the exit code, or 128 + the signal
    /// that killed it, as a shell reports it. Past `timeout` seconds it kills the child and throws.
    @discardableResult
    public func wait(timeout: Double = ChildProcess.defaultTimeout) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        var pause: useconds_t = 500
        while Date() < deadline {
            if let status = reap(blocking: false) { return status }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
        kill(pid, SIGKILL)
        _ = reap(blocking: true)
        let tail = errorPath.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }?.suffix(400) ?? ""
        throw TestSupportError("\(command.joined(separator: " ")) did not end within \(timeout) s; killed. stderr: \(tail)")
    }

    /// What the child has written to stdout so far.
    public var stdoutSoFar: String { outputPath.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? "" }
    public var stderrSoFar: String { errorPath.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? "" }

    public func result(status: Int32) -> CloseupResult {
        CloseupResult(status: status, stdout: stdoutSoFar, stderr: stderrSoFar)
    }

    private func reap(blocking: Bool) -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let exitStatus { return exitStatus }
        var raw: Int32 = 0
        let reaped = waitpid(pid, &raw, blocking ? 0 : WNOHANG)
        guard reaped == pid else { return nil }
        // WIFEXITED / WEXITSTATUS / WTERMSIG by hand: Swift does not import those macros.
        let signal = raw & 0x7f
        exitStatus = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
        return exitStatus
    }

    deinit {
        if reap(blocking: false) == nil {
            kill(pid, SIGKILL)
            _ = reap(blocking: true)
        }
    }
}

/// glibc's posix_spawn_file_actions_addclosefrom_np and _addchdir_np, which Swift's Glibc
/// module does not declare (they sit behind _GNU_SOURCE); looked up once at run time.
private enum GNUSpawn {
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    static let closeFromFunction = symbol("posix_spawn_file_actions_addclosefrom_np", as: CloseFrom.self)
    static let changeDirectoryFunction = symbol("posix_spawn_file_actions_addchdir_np", as: ChangeDirectory.self)

    static func symbol<T>(_ name: String, as type: T.Type) -> T? {
        guard let handle = dlopen(nil, RTLD_NOW), let address = dlsym(handle, name) else { return nil }
        return unsafeBitCast(address, to: type)
    }

    static func closeFrom(_ actions: inout posix_spawn_file_actions_t, _ lowest: Int32) throws {
        guard let function = closeFromFunction else { throw TestSupportError("glibc lacks posix_spawn_file_actions_addclosefrom_np (needs 2.34)") }
        guard function(&actions, lowest) == 0 else { throw TestSupportError("posix_spawn_file_actions_addclosefrom_np failed") }
    }

    static func changeDirectory(_ actions: inout posix_spawn_file_actions_t, _ directory: String) throws {
        guard let function = changeDirectoryFunction else { throw TestSupportError("glibc lacks posix_spawn_file_actions_addchdir_np (needs 2.29)") }
        guard function(&actions, directory) == 0 else { throw TestSupportError("posix_spawn_file_actions_addchdir_np failed") }
    }
}
