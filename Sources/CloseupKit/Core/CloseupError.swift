// The one error type services throw. Each kind maps to one exit status of
// SPEC §4; the message is the user's one line, without the "closeup: " prefix.

/// A failure a user can act on, already worded for them.
public struct CloseupError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// A negative answer (wrong code, nothing cached): exit 1.
        case negative
        /// Unknown flag, bad user id, bad number: exit 2.
        case usage
        /// Redis unreachable with the fallback off, SQLite unusable, delivery failed: exit 3.
        case unavailable
        /// Blocked user, live OTP, rate limit: exit 4.
        case refused
        /// Bad URL, unreadable file, malformed env file, authentication refused: exit 5.
        case configuration
        /// A stored value that cannot be parsed: exit 6.
        case corrupt
        /// A bug in closeup: exit 70.
        case `internal`
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var exitCode: Int32 {
        switch kind {
        case .negative: 1
        case .usage: 2
        case .unavailable: 3
        case .refused: 4
        case .configuration: 5
        case .corrupt: 6
        case .internal: 70
        }
    }

    public var description: String { message }

    public static func usage(_ message: String) -> CloseupError { CloseupError(.usage, message) }
    public static func configuration(_ message: String) -> CloseupError { CloseupError(.configuration, message) }
    public static func unavailable(_ message: String) -> CloseupError { CloseupError(.unavailable, message) }
}
