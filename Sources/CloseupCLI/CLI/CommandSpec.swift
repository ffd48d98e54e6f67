// The plain-data model of the command line. The table in CommandTable.swift
// is the only list of commands and flags; the parser, --help and (later) the
// man page and completions all read it. No closures: handlers are bound by an
// exhaustive switch over CommandID, so a command without one does not compile.
import CloseupKit

/// Identifies a leaf command, for binding it to its handler.
public enum CommandID: String, CaseIterable, Sendable {
    case otpSend, otpVerify, otpTTL, otpRevoke
    case inspect
    case attemptsGet, attemptsClear, attemptsList
    case rateLimitCheck, rateLimitReset
    case pendingVideoGet, pendingVideoSet, pendingVideoClear
    case verificationGet, verificationSet, verificationClear
    case keysScan
    case stats
    case monitor
    case doctor
    case audit
    case completions
    case help
}

/// What a flag's value must look like; the parser checks it before anything runs.
public enum ValueKind: Sendable {
    case text
    /// A file path; completions offer files.
    case path
    /// A positive number of seconds, fractions allowed.
    case seconds
    /// A whole number of at least 1.
    case count
    case port
    /// A whole number of at least 0.
    case database
}

public struct FlagSpec: Sendable {
    public var long: String
    public var short: Character? = nil
    /// The value placeholder ("SECONDS"); nil makes the flag a switch.
    public var value: String? = nil
    public var kind: ValueKind = .text
    public var choices: [String] = []
    /// The largest value a `.count` flag takes.
    public var maximum: Int? = nil
    /// The setting this flag feeds, if it is a configuration flag.
    public var setting: SettingKey? = nil
    /// The command cannot run without it.
    public var required = false
    /// May be given more than once, each value counting (`--kind otp --kind attempts`).
    public var repeatable = false
    /// One line, for -h and completion descriptions.
    public var summary: String
    /// A Redis connection, TLS, authentication or file option: shown by `closeup help
    /// connection` rather than in the top-level help, which keeps to what people use daily.
    public var connection = false
}

public struct ArgumentSpec: Sendable {
    /// Placeholder, upper case ("USER").
    public var name: String
    public var summary: String
    public var optional = false
    /// Takes all remaining positional words.
    public var variadic = false
    /// The words it accepts, for validation and completions (empty: any).
    public var choices: [String] = []
    /// Completes with command names (for `help`).
    public var completesCommands = false
}

public struct CommandSpec: Sendable {
    public var id: CommandID
    public var path: [String]
    public var summary: String
    /// Paragraphs for --help and the man page.
    public var details: String = ""
    public var arguments: [ArgumentSpec] = []
    public var flags: [FlagSpec] = []
    /// Command lines with a one-line explanation each.
    public var examples: [(command: String, explanation: String)] = []

    public var name: String { path.joined(separator: " ") }
}
