// Monotonic deadlines for socket waits: wall-clock changes must never stretch
// or cut a Redis timeout.
import Glibc

/// A point on the monotonic clock after which an operation gives up.
public struct Deadline: Sendable {
    /// Nanoseconds on CLOCK_MONOTONIC.
    let nanoseconds: UInt64

    public static func now() -> Deadline {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Deadline(nanoseconds: UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec))
    }

    /// A deadline `seconds` from now.
    public static func after(seconds: Double) -> Deadline {
        Deadline(nanoseconds: now().nanoseconds &+ UInt64(max(0, seconds) * 1e9))
    }

    /// Milliseconds left, for `poll()`: 0 once passed, rounded up so a wait never ends early.
    var remainingMilliseconds: Int32 {
        let current = Deadline.now().nanoseconds
        guard nanoseconds > current else { return 0 }
        return Int32(clamping: (nanoseconds - current + 999_999) / 1_000_000)
    }

    /// Seconds elapsed since `start`, for latency reports.
    public static func seconds(since start: Deadline) -> Double {
        Double(now().nanoseconds &- start.nanoseconds) / 1e9
    }
}
