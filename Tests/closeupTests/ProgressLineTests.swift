// The progress line of long work, seen on a real pseudo-terminal: drawn on
// stderr once the work has taken a second, erased at the end, never drawn for
// quick work or when stderr is not a terminal. The work is made slow by not
// reading closeup's stdout (a scan) or its stdin (a bulk clear) for a while.
import CloseupKit
import CloseupTestSupport
import Foundation
import Testing

@Suite(.serialized)
final class ProgressLineTests {
    /// 20,000 attempt counters: about 500 KB of listing, far past a pipe's 64 KiB.
    static let keys = 20_000
    static let server: RedisServer = {
        let server = try! RedisServer()
        let redis = try! server.connect()
        for start in stride(from: 0, to: keys, by: 5_000) {
            _ = try! redis.pipeline((start..<start + 5_000).map { RedisCommand("SET", "otp:attempts:user\($0)", "1", "EX", "3600") })
        }
        return server
    }()

    let home: String
    init() throws { home = try TemporaryDirectory.make(prefix: "closeup-progress") }

    struct Run {
        var terminal: String
        var stdout: String
        var stderrPipe: String
        var exit: Int
    }

    /// Runs closeup with stderr on a pseudo-terminal (or a pipe), stdout and stdin on pipes. The
    /// first part of stdin is written at once; for `stall` seconds neither stdout is read nor the
    /// rest of stdin written; then both flow until closeup ends.
    func run(
        _ arguments: [String], stall: Double, stderrOnTerminal: Bool = true, stdoutOnTerminal: Bool = false,
        term: String = "xterm", stdin: (String, String) = ("", "")
    ) throws -> Run {
        let script = """
            import json, os, pty, select, sys, time
            closeup, arguments, stall, on_tty = sys.argv[1], json.loads(sys.argv[2]), float(sys.argv[3]), sys.argv[4] == "1"
            out_on_tty, first, rest = sys.argv[5] == "1", sys.argv[6].encode(), sys.argv[7].encode()
            out_r, out_w = os.pipe(); err_r, err_w = os.pipe(); in_r, in_w = os.pipe()
            pid, fd = pty.fork()
            if pid == 0:
                os.dup2(in_r, 0)
                if not out_on_tty: os.dup2(out_w, 1)
                if not on_tty: os.dup2(err_w, 2)
                os.execv(closeup, [closeup] + arguments)
            for end in (out_w, err_w, in_r): os.close(end)
            os.write(in_w, first)
            seen = {fd: b"", out_r: b"", err_r: b""}
            def pump(ends, seconds):
                ready = select.select(ends, [], [], seconds)[0]
                for end in ready:
                    try: chunk = os.read(end, 65536)
                    except OSError: chunk = b""
                    seen[end] += chunk
            started = time.time()
            # A terminal that is not read fills up and stalls closeup's writes to it.
            while time.time() < started + stall: pump([err_r] if out_on_tty else [fd, err_r], 0.05)
            os.write(in_w, rest); os.close(in_w)
            status, deadline = None, time.time() + 30
            while time.time() < deadline:
                pump([fd, out_r, err_r], 0.05)
                done, status = os.waitpid(pid, os.WNOHANG)
                if done: break
            for _ in range(20): pump([fd, out_r, err_r], 0.02)
            print(json.dumps({"terminal": seen[fd].decode(errors="replace"), "stdout": seen[out_r].decode(errors="replace"),
                              "stderr": seen[err_r].decode(errors="replace"),
                              "exit": os.WEXITSTATUS(status) if done and os.WIFEXITED(status) else -1}))
            """
        let argumentsJSON = String(
            data: try JSONSerialization.data(withJSONObject: ["--no-env-file", "--port", String(Self.server.port)] + arguments),
            encoding: .utf8)!
        let result = try Closeup.runProgram(
            "/usr/bin/env",
            ["python3", "-c", script, Closeup.executable, argumentsJSON, String(stall), stderrOnTerminal ? "1" : "0",
             stdoutOnTerminal ? "1" : "0", stdin.0, stdin.1],
            environment: Closeup.environment(home: home, extra: ["TERM": term]), directory: home, stdin: "")
        #expect(result.status == 0, "\(result.stderr)")
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        return Run(
            terminal: fields["terminal"] as? String ?? "", stdout: fields["stdout"] as? String ?? "",
            stderrPipe: fields["stderr"] as? String ?? "", exit: fields["exit"] as? Int ?? -1)
    }

    static let erase = "\r\u{1B}[K"

    @Test func aScanPastASecondShowsItsProgressOnTheTerminalAndErasesIt() throws {
        let run = try run(["keys", "scan", "--kind", "attempts"], stall: 1.5)
        #expect(run.exit == 0)
        #expect(run.stdout.split(separator: "\n").count == Self.keys)
        // Drawn: "\r\e[Kscanned 9,000 keys, listed 9,000 (6,000/s)", then erased at the end.
        #expect(run.terminal.hasPrefix(Self.erase + "scanned "), "\(run.terminal.debugDescription)")
        #expect(run.terminal.contains(" keys, listed ") && run.terminal.contains("/s)"))
        #expect(run.terminal.hasSuffix(")" + Self.erase), "\(run.terminal.debugDescription)")
        #expect(run.terminal.range(of: #"scanned [0-9]{1,2},[0-9]{3} keys"#, options: .regularExpression) != nil)
    }

    /// stats prints nothing until it is done: a server paused for 1.5 s makes it slow.
    @Test func statsPastASecondShowsItsProgressAndErasesItBeforeItsTable() throws {
        try Self.server.connect().call(RedisCommand("CLIENT", "PAUSE", "1500", "ALL"))
        let run = try run(["stats", "--sample", "10"], stall: 0)
        #expect(run.exit == 0)
        #expect(run.stdout.hasPrefix("namespace") && run.stdout.contains("20,000"), "\(run.stdout)")
        #expect(run.terminal.hasPrefix(Self.erase + "scanned "), "\(run.terminal.debugDescription)")
        #expect(run.terminal.hasSuffix(")" + Self.erase), "\(run.terminal.debugDescription)")
    }

    @Test func aBulkClearPastASecondShowsItsProgressAndItsSummaryStaysOnStdout() throws {
        let first = (0..<10).map { "user\($0)\n" }.joined()
        let rest = (10..<20).map { "user\($0)\n" }.joined()
        let run = try run(["attempts", "clear", "-"], stall: 1.5, stdin: (first, rest))
        #expect(run.exit == 0)
        #expect(run.stdout == "cleared 20 attempt counters\n")
        #expect(run.terminal.hasPrefix(Self.erase + "read 20 users, cleared 20 ("), "\(run.terminal.debugDescription)")
        #expect(run.terminal.hasSuffix("/s)" + Self.erase), "\(run.terminal.debugDescription)")
        for user in 0..<20 {
            _ = try Self.server.connect().call(RedisCommand("SET", "otp:attempts:user\(user)", "1", "EX", "3600"))
        }
    }

    @Test func quickWorkShowsNothing() throws {
        let run = try run(["keys", "scan", "--kind", "attempts", "--limit", "10"], stall: 0)
        #expect(run.exit == 0 && run.stdout.split(separator: "\n").count == 10)
        #expect(run.terminal.isEmpty, "\(run.terminal.debugDescription)")
    }

    @Test func noProgressWhenStderrIsNotATerminalOrWithQuietOrADumbTerminalOrKeysOnTheTerminal() throws {
        let piped = try run(["keys", "scan", "--kind", "attempts"], stall: 1.5, stderrOnTerminal: false)
        #expect(piped.exit == 0 && piped.stdout.split(separator: "\n").count == Self.keys)
        #expect(piped.stderrPipe.isEmpty && piped.terminal.isEmpty, "\(piped.stderrPipe.debugDescription)")

        let quiet = try run(["--quiet", "keys", "scan", "--kind", "attempts"], stall: 1.5)
        #expect(quiet.exit == 0 && quiet.stdout.split(separator: "\n").count == Self.keys)
        #expect(quiet.terminal.isEmpty, "\(quiet.terminal.debugDescription)")

        let dumb = try run(["keys", "scan", "--kind", "attempts"], stall: 1.5, term: "dumb")
        #expect(dumb.exit == 0 && dumb.stdout.split(separator: "\n").count == Self.keys)
        #expect(dumb.terminal.isEmpty, "\(dumb.terminal.debugDescription)")

        // Keys listed to the terminal itself (stalled there for 1.5 s): the line would tear them.
        let listing = try run(["keys", "scan", "--kind", "attempts"], stall: 1.5, stdoutOnTerminal: true)
        #expect(listing.exit == 0)
        #expect(listing.terminal.split(separator: "\r\n").count == Self.keys, "\(listing.terminal.suffix(200).debugDescription)")
        #expect(!listing.terminal.contains("scanned") && !listing.terminal.contains("\u{1B}"))
    }
}

/// Ctrl-C in the middle of bulk work: a delete ends at a batch boundary having listed and
/// counted every key it removed (none removed unseen), and the run ends by the signal.
struct InterruptedBulkWorkTests {
    @Test func ctrlCDuringADeleteListsAndCountsEveryKeyItRemoved() throws {
        let server = try RedisServer()
        let admin = try server.connect(timeout: 60)
        let fill = "for i = tonumber(ARGV[1]), tonumber(ARGV[2]) - 1, 1000 do local b = {} for j = i, i + 999 do b[#b+1] = 'otp:attempts:user' .. j b[#b+1] = '1' end redis.call('MSET', unpack(b)) end return 1"
        _ = try admin.call(RedisCommand("EVAL", fill, "0", "0", "300000"))
        let home = try TemporaryDirectory.make(prefix: "closeup-interrupted")
        let running = try RunningCloseup(
            ["keys", "scan", "--kind", "attempts", "--delete", "--yes"],
            environment: Closeup.environment(home: home, extra: ["REDIS_PORT": String(server.port)]), directory: home)
        #expect(eventually { !running.stdoutSoFar.isEmpty }, "the delete never started")
        running.signal(SIGINT)
        let result = try running.wait()
        let left = try admin.call(RedisCommand("DBSIZE")).number ?? -1
        let removed = 300_000 - Int(left)
        let listed = result.stdout.split(separator: "\n").count
        #expect(result.status == 128 + SIGINT, "\(result.stderr)")
        #expect(removed > 0 && removed < 300_000, "the signal did not land mid-delete: \(removed)")
        #expect(listed == removed, "listed \(listed), removed \(removed)")
        #expect(result.stderr == "closeup: deleted \(removed) keys\n", "\(result.stderr)")
    }
}
