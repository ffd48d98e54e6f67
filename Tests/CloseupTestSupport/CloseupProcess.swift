// Runs the built `closeup` binary the way a user or script would, in a
// controlled environment, and captures stdout, stderr and the exit status.
import Foundation

public struct CloseupResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// stderr split into non-empty lines.
    public var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
}

public enum Closeup {
    /// The `closeup` binary built beside the test bundle.
    public static var executable: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = bundle.deletingLastPathComponent()
        // The test binary sits inside closeupPackageTests.xctest/ on some toolchains.
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("closeup").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return folder.appendingPathComponent("closeup").path
    }

    /// A clean environment: a fresh HOME and data dir, no Redis variables, no colour.
    public static func environment(home: String, extra: [String: String] = [:]) -> [String: String] {
        var environment = [
            "HOME": home, "XDG_DATA_HOME": home + "/data", "PATH": "/usr/local/bin:/usr/bin:/bin", "TZ": "UTC",
        ]
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    /// Runs closeup with `arguments` in `directory`, feeding `stdin`.
    public static func run(
        _ arguments: [String], environment: [String: String], directory: String, stdin: String = "",
        wrapper: [String] = []
    ) throws -> CloseupResult {
        let command = wrapper + [executable] + arguments
        return try runProgram(command[0], Array(command.dropFirst()), environment: environment, directory: directory, stdin: stdin)
    }

    /// Runs `bash -c script`, with `closeup` in the script meaning the built binary.
    public static func shell(_ script: String, environment: [String: String], directory: String) throws -> CloseupResult {
        try runProgram("/bin/bash", ["-c", "closeup() { '\(executable)' \"$@\"; }\n" + script],
            environment: environment, directory: directory, stdin: "")
    }

    /// Runs closeup with stdout and stderr on one pseudo-terminal of `columns` columns (stdin
    /// from /dev/null); the terminal's output comes back as stdout, with "\r\n" as "\n".
    public static func onTerminal(
        _ arguments: [String], columns: Int = 80, environment: [String: String], directory: String
    ) throws -> CloseupResult {
        let script = """
            import fcntl, json, os, pty, struct, sys, termios
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(sys.argv[1], [sys.argv[1]] + json.loads(sys.argv[3]))
            fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, int(sys.argv[2]), 0, 0))
            out = b""
            while True:
                try: chunk = os.read(fd, 65536)
                except OSError: break
                if not chunk: break
                out += chunk
            _, status = os.waitpid(pid, 0)
            sys.stdout.write(out.decode(errors="replace").replace("\\r\\n", "\\n"))
            sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128)
            """
        let words = "[" + arguments.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\"", with: "\\\"") + "\"" }.joined(separator: ",") + "]"
        return try runProgram(
            "/usr/bin/env", ["python3", "-c", script, executable, String(columns), words], environment: environment,
            directory: directory, stdin: "")
    }

    public static func runProgram(
        _ program: String, _ arguments: [String], environment: [String: String], directory: String, stdin: String
    ) throws -> CloseupResult {
        try ChildProcess.run(program, arguments, environment: environment, directory: directory, stdin: stdin)
    }
}

extension Closeup {
    /// Starts one closeup per argument list at once, then waits for all: a real race between processes.
    public static func runConcurrently(
        _ runs: [[String]], environment: [String: String], directory: String
    ) throws -> [CloseupResult] {
        let children = try runs.map { try ChildProcess(executable, $0, environment: environment, directory: directory) }
        return try children.map { $0.result(status: try $0.wait()) }
    }
}

/// HMAC-SHA256 as the backend computes it, by a second implementation (Python's hmac module).
public func backendHash(secret: String, user: String, code: String) throws -> String {
    let result = try Closeup.runProgram(
        "/usr/bin/env",
        ["python3", "-c", "import hmac,hashlib,sys;print(hmac.new(sys.argv[1].encode(), sys.argv[2].encode(), hashlib.sha256).hexdigest())", secret, "\(user):\(code)"],
        environment: ProcessInfo.processInfo.environment, directory: "/", stdin: "")
    return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// A closeup started in the background (monitor), whose output is read when it ends.
public final class RunningCloseup: @unchecked Sendable {
    let child: ChildProcess

    public init(_ arguments: [String], environment: [String: String], directory: String) throws {
        child = try ChildProcess(Closeup.executable, arguments, environment: environment, directory: directory)
    }

    /// What it has written to stdout so far.
    public var stdoutSoFar: String { child.stdoutSoFar }
    public var stderrSoFar: String { child.stderrSoFar }

    public func signal(_ signal: Int32) { child.signal(signal) }

    /// Its output and status once it ends; a run that outlives the test's patience is killed and fails.
    public func wait() throws -> CloseupResult { child.result(status: try child.wait()) }
}

/// Polls `condition` every 50 ms for up to `seconds`; true when it held.
public func eventually(within seconds: Double = 5, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(50_000)
    }
    return try condition()
}
