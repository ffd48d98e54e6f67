// SIGINT, SIGTERM and SIGHUP while a run holds something it must undo: an OTP
// stored but not yet delivered. Until then a signal ends closeup at once, as
// usual; from `hold()` on the first one is only noted, the service withdraws the
// code, and the run then ends as the signal asked (see Runner). Later signals
// change nothing: a second Ctrl-C must not cut the withdrawal short and leave a
// code live that never arrived (the cleanup is bounded by the Redis timeouts and
// the delivery command's half-second grace). Monitor has handlers of its own: it
// stops cleanly on any signal and has nothing to undo.
import CloseupKit
import Glibc

/// The first signal noted since `hold()`; 0 for none. Written only by the handler.
nonisolated(unsafe) private var noted: sig_atomic_t = 0

enum Interruption {
    static let signals = [SIGINT, SIGTERM, SIGHUP]

    /// From now on the signals are noted instead of ending the run. No SA_RESTART: a write to a
    /// stalled stdout returns EINTR, so the code's own delivery can be interrupted too. A signal
    /// ignored when closeup started (a background job of a script) stays ignored.
    static func hold() {
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signal in signals {
            var previous = sigaction()
            sigaction(signal, nil, &previous)
            let ignored = unsafeBitCast(SIG_IGN, to: Int.self)
            if unsafeBitCast(previous.__sigaction_handler.sa_handler, to: Int.self) == ignored { continue }
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in
                if noted == 0 { noted = signal }
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(signal, &action, nil)
            sigaddset(&unblock, signal)
        }
        // A parent may have started us with these blocked; a blocked signal would never be noted.
        sigprocmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// The signal noted since `hold()`, if any.
    static var caught: Int32? { noted == 0 ? nil : noted }

    /// Ends the process as `signal` would have: default action, unblocked, raised. A parent
    /// (a shell loop) then sees a run killed by the signal, not one that chose to exit.
    static func end(as signal: Int32) -> Never {
        Glibc.signal(signal, SIG_DFL)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, signal)
        sigprocmask(SIG_UNBLOCK, &set, nil)
        raise(signal)
        exit(ExitStatus.signal(signal).rawValue)  // not reached unless the signal could not end us
    }
}
