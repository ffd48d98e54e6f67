// --askpass: read the Redis password from the terminal with echo off, so it is
// neither on the command line (ps) nor on the screen. Echo comes back however
// the prompt ends: Enter, an error, or a signal (Ctrl-C, kill, hang-up).
import CloseupKit
import Glibc

/// What a signal handler needs to give the terminal its echo back (handlers take no context).
nonisolated(unsafe) private var terminalToRestore: Int32 = -1
nonisolated(unsafe) private var savedTerminal = termios()

enum Askpass {
    static func read(prompt: String) throws(CloseupError) -> String {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else {
            throw .configuration("--askpass needs a terminal; use REDIS_PASSWORD or --password-file in scripts")
        }
        defer { close(fd) }
        _ = prompt.withCString { write(fd, $0, strlen($0)) }
        var saved = termios()
        let canSilence = tcgetattr(fd, &saved) == 0
        let signals = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP]
        var previous: [sighandler_t?] = []
        if canSilence {
            savedTerminal = saved
            terminalToRestore = fd
            // Restore echo, then die of the signal as if nothing had been caught.
            previous = signals.map { signal($0) { caught in
                if terminalToRestore >= 0 {
                    tcsetattr(terminalToRestore, TCSAFLUSH, &savedTerminal)
                    _ = write(terminalToRestore, "\n", 1)
                }
                signal(caught, SIG_DFL)
                raise(caught)
            } }
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(fd, TCSAFLUSH, &silent)
        }
        defer {
            if canSilence {
                tcsetattr(fd, TCSAFLUSH, &saved)
                terminalToRestore = -1
                for (signal, handler) in zip(signals, previous) { Glibc.signal(signal, handler) }
            }
            _ = write(fd, "\n", 1)
        }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while Glibc.read(fd, &byte, 1) == 1, byte != UInt8(ascii: "\n") { bytes.append(byte) }
        let password = String(decoding: bytes, as: UTF8.self)
        guard !password.isEmpty else { throw .configuration("no password entered at the --askpass prompt") }
        return password
    }
}
