// The one error type services throw. Each kind maps to one exit status of
// SPEC §4; the message says what happened, without the "closeup: " prefix.
// What the user should change (a flag, a variable, a command to run) is a
// `Remedy`, worded by the CLI: only the CLI knows its flags.

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

    /// What the user can do about it; the CLI words it (it knows the flags and variables).
    public enum Remedy: Sendable, Equatable {
        /// Authentication refused: no password, or a wrong one.
        case checkCredentials
        /// The ACL user may not run a command closeup needs.
        case grantPermission
        /// A server that answers, slowly.
        case raiseTimeout
        /// Redis is required (`--store redis`) and absent.
        case fallbackDisabled
        case checkSQLitePath
        /// The SQLite file is not closeup's: point closeup at a file of its own.
        case ownSQLiteDatabase
        case checkEnvFile
        case checkRedisHost
        case checkCACertificate
        /// The server may want a client certificate.
        case giveClientCertificate
        /// Certificate verification failed: CA, server name, or skip verification.
        case checkServerName
        /// A client certificate and its key go together.
        case pairCertificateAndKey
        /// Delivery by command with no command configured.
        case configureSMSCommand
        /// A live code is in the way; it may be replaced on purpose.
        case forceReplace
        /// The user is blocked; clearing the counter unblocks.
        case clearAttempts(user: String)
        /// A delete that would reach outside closeup's namespaces.
        case dropAnyKey
        /// The send limit of a mobile number was reached; resetting it allows sends now.
        case resetSendLimit
    }

    public var kind: Kind
    public var message: String
    public var remedy: Remedy?
    /// What policy refused, for a refusal (exit 4): the CLI prints it as a result (SPEC §4).
    public var refusal: Refusal?

    public init(_ kind: Kind, _ message: String, remedy: Remedy? = nil) {
        self.kind = kind
        self.message = message
        self.remedy = remedy
    }

    /// A refusal (exit 4) that a script reads as a result.
    public static func refused(_ message: String, _ refusal: Refusal, remedy: Remedy? = nil) -> CloseupError {
        var error = CloseupError(.refused, message, remedy: remedy)
        error.refusal = refusal
        return error
    }

    public var status: ExitStatus {
        switch kind {
        case .negative: .negative
        case .usage: .usage
        case .unavailable: .unavailable
        case .refused: .refused
        case .configuration: .configuration
        case .corrupt: .corrupt
        case .internal: .internalError
        }
    }

    public var exitCode: Int32 { status.rawValue }

    public var description: String { message }

    public static func usage(_ message: String, remedy: Remedy? = nil) -> CloseupError {
        CloseupError(.usage, message, remedy: remedy)
    }
    public static func configuration(_ message: String, remedy: Remedy? = nil) -> CloseupError {
        CloseupError(.configuration, message, remedy: remedy)
    }
    public static func unavailable(_ message: String, remedy: Remedy? = nil) -> CloseupError {
        CloseupError(.unavailable, message, remedy: remedy)
    }
}
