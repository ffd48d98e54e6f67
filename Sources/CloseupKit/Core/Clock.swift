// Time and randomness as values passed to services, so tests can control both.
import COpenSSL
import Glibc

/// Wall-clock time for TTL arithmetic and timestamps.
public struct Clock: Sendable {
    /// Seconds since the Unix epoch.
    public var now: @Sendable () -> Double
    /// The local UTC offset in seconds at an epoch second (from `TZ`).
    public var utcOffset: @Sendable (Int64) -> Int

    public init(now: @escaping @Sendable () -> Double, utcOffset: @escaping @Sendable (Int64) -> Int) {
        self.now = now
        self.utcOffset = utcOffset
    }

    /// The system clock in the local time zone.
    public static let system = Clock(
        now: {
            var ts = timespec()
            clock_gettime(CLOCK_REALTIME, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        },
        utcOffset: { epoch in
            var time = time_t(epoch)
            var parts = tm()
            localtime_r(&time, &parts)
            return parts.tm_gmtoff
        })

    /// Whole seconds since the epoch.
    public var epochSeconds: Int64 { Int64(now().rounded(.down)) }

    /// `epoch` as closeup writes timestamps: local time with a numeric offset, never `Z`.
    public func timestamp(_ epoch: Int64) -> String {
        Timestamp.format(epoch: epoch, utcOffset: utcOffset(epoch))
    }
}

/// Random bytes from the system CSPRNG.
public struct RandomSource: Sendable {
    public var fill: @Sendable (inout [UInt8]) -> Void

    public init(fill: @escaping @Sendable (inout [UInt8]) -> Void) { self.fill = fill }

    /// OpenSSL's CSPRNG, seeded by the kernel.
    public static let system = RandomSource { bytes in
        let count = bytes.count
        guard bytes.withUnsafeMutableBufferPointer({ RAND_bytes($0.baseAddress, Int32(count)) }) == 1 else {
            // Without the CSPRNG no code or secret may be made; stopping is the only safe answer.
            fatalError("closeup: the system random number generator failed")
        }
    }

    public func bytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        fill(&bytes)
        return bytes
    }
}
