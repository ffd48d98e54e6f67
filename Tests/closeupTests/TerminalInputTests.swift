// closeup at a real terminal (a pseudo-terminal driven by Python's pty module):
// --askpass gives the terminal its echo back when interrupted, and `otp verify
// USER -` takes the code at Enter instead of waiting for end of input.
import CloseupTestSupport
import Foundation
import Testing

struct TerminalInputTests {
    /// Runs closeup on a pseudo-terminal: types `keys` once `prompt` appears (or at once), then
    /// reports how it ended and whether the terminal's echo was on afterwards.
    func onTerminal(_ arguments: [String], prompt: String?, keys: String, home: String) throws -> [String: Any] {
        let script = """
            import json, os, pty, select, sys, termios, time
            closeup, prompt, keys = sys.argv[1], sys.argv[2], sys.argv[3]
            arguments = json.loads(sys.argv[4])
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(closeup, [closeup] + arguments)
            seen, deadline = b"", time.time() + 10
            while prompt and prompt.encode() not in seen and time.time() < deadline:
                if select.select([fd], [], [], 0.1)[0]:
                    try: seen += os.read(fd, 1024)
                    except OSError: break
            time.sleep(0.2)
            os.write(fd, keys.encode())
            started, status = time.time(), None
            while time.time() < started + 5:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done: break
                if select.select([fd], [], [], 0.05)[0]:
                    try: seen += os.read(fd, 1024)
                    except OSError: pass
            else:
                os.kill(pid, 9); os.waitpid(pid, 0); status = None
            echo = bool(termios.tcgetattr(fd)[3] & termios.ECHO)
            print(json.dumps({"ended": status is not None, "signal": os.WTERMSIG(status) if status is not None and os.WIFSIGNALED(status) else 0,
                              "exit": os.WEXITSTATUS(status) if status is not None and os.WIFEXITED(status) else -1,
                              "seconds": time.time() - started, "echo": echo, "output": seen.decode(errors="replace")}))
            """
        let argumentsJSON = String(data: try JSONSerialization.data(withJSONObject: ["--no-env-file"] + arguments), encoding: .utf8)!
        let result = try Closeup.runProgram(
            "/usr/bin/env", ["python3", "-c", script, Closeup.executable, prompt ?? "", keys, argumentsJSON],
            environment: Closeup.environment(home: home), directory: home, stdin: "")
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
    }

    @Test func anInterruptedAskpassGivesTheTerminalItsEchoBack() throws {
        let home = try TemporaryDirectory.make(prefix: "closeup-askpass")
        let ended = try onTerminal(
            ["--askpass", "--port", String(try freePort()), "attempts", "get", "u1"], prompt: "Redis password: ",
            keys: "\u{03}", home: home)
        #expect(ended["ended"] as? Bool == true && ended["signal"] as? Int == Int(SIGINT), "\(ended)")
        #expect(ended["echo"] as? Bool == true, "\(ended)")
    }

    @Test func verifyTakesTheCodeAtEnter() throws {
        let home = try TemporaryDirectory.make(prefix: "closeup-verify-tty")
        let ended = try onTerminal(
            ["--store", "sqlite", "otp", "verify", "u1", "-"], prompt: nil, keys: "123456\n", home: home)
        // No code was sent: "no live OTP", exit 1, without waiting for Ctrl-D.
        #expect(ended["ended"] as? Bool == true && ended["exit"] as? Int == 1, "\(ended)")
        #expect((ended["output"] as? String)?.contains("no live OTP") == true, "\(ended)")
    }
}
