// The one table of closeup's commands and flags (order is documentation order).

public enum CommandTable {
    public static let version = "0.1.0"

    /// Accepted before or after any command.
    public static let globalFlags: [FlagSpec] = [
        FlagSpec(long: "help", short: "h", summary: "Show help for closeup or the command"),
        FlagSpec(long: "version", summary: "Print the version and exit"),
        FlagSpec(long: "json", summary: "Print one JSON object per result (JSON Lines when streaming)"),
        FlagSpec(long: "quiet", short: "q", summary: "Hide warnings (errors are always shown)"),
        FlagSpec(
            long: "color", value: "WHEN", choices: ["auto", "always", "never"],
            summary: "Colour human output: auto (terminal only), always or never"),
        FlagSpec(
            long: "url", value: "URL", setting: .url,
            summary: "Redis URL: redis://[user[:pass]@]host[:port][/db], rediss://… or unix:///path[?db=N]"),
        FlagSpec(long: "host", value: "HOST", setting: .host, summary: "Redis host name or address"),
        FlagSpec(long: "port", value: "PORT", kind: .port, setting: .port, summary: "Redis port (default 6379)"),
        FlagSpec(long: "db", value: "N", kind: .database, setting: .db, summary: "Redis database number (default 0)"),
        FlagSpec(long: "username", value: "NAME", setting: .username, summary: "Redis ACL user name"),
        FlagSpec(
            long: "password-file", value: "FILE", kind: .path, setting: .passwordFile,
            summary: "Read the Redis password from FILE (trailing whitespace stripped)"),
        FlagSpec(long: "askpass", summary: "Prompt for the Redis password on the terminal"),
        FlagSpec(long: "tls", setting: .tls, summary: "Connect to Redis over TLS"),
        FlagSpec(
            long: "cacert", value: "FILE", kind: .path, setting: .cacert,
            summary: "CA certificates to verify the server with (default: system store)"),
        FlagSpec(long: "cert", value: "FILE", kind: .path, setting: .cert, summary: "Client certificate for mutual TLS"),
        FlagSpec(long: "key", value: "FILE", kind: .path, setting: .key, summary: "Private key of the client certificate"),
        FlagSpec(long: "insecure", setting: .insecure, summary: "Skip TLS certificate and host name verification"),
        FlagSpec(long: "sni", value: "NAME", setting: .sni, summary: "Send and verify NAME instead of the host"),
        FlagSpec(long: "cluster", setting: .cluster, summary: "Treat Redis as a cluster from the start"),
        FlagSpec(
            long: "connect-timeout", value: "SECONDS", kind: .seconds, setting: .connectTimeout,
            summary: "Seconds to connect to Redis (default 5)"),
        FlagSpec(
            long: "timeout", value: "SECONDS", kind: .seconds, setting: .timeout,
            summary: "Seconds to wait for each Redis reply (default 5)"),
        FlagSpec(
            long: "store", value: "STORE", choices: ["auto", "redis", "sqlite"], setting: .store,
            summary: "auto: Redis, SQLite when Redis is away; redis: no fallback; sqlite: SQLite only"),
        FlagSpec(long: "sqlite", value: "PATH", kind: .path, setting: .sqlitePath, summary: "SQLite database file"),
        FlagSpec(long: "env-file", value: "FILE", kind: .path, summary: "Read settings from FILE instead of ./.env"),
        FlagSpec(long: "no-env-file", summary: "Do not read ./.env"),
        FlagSpec(
            long: "max-attempts", value: "N", kind: .count, setting: .maxAttempts,
            summary: "Failed verifications that block a user (default 5)"),
    ]

    public static let commands: [CommandSpec] = [
        CommandSpec(
            id: .doctor, path: ["doctor"],
            summary: "Check configuration, Redis, SQLite and the OTP secret",
            details: """
                Shows where each part of the configuration came from, whether Redis answers (round-trip \
                latency, server version, standalone or cluster, role), the SQLite file and its schema, \
                and where the OTP secret comes from. Passwords are never shown, only where they came from.

                Exits 0 when what is configured works, 3 when a configured Redis or the SQLite file \
                cannot be used, and 5 when Redis refuses the credentials.
                """,
            examples: [
                ("closeup doctor", "check the embedded default or the Redis in ./.env"),
                ("closeup --url redis://cache.internal:6379/0 doctor --json", "a report for scripts"),
            ]),
        CommandSpec(
            id: .help, path: ["help"],
            summary: "Show help for a command",
            details: "Prints the same text as COMMAND --help.",
            arguments: [ArgumentSpec(name: "COMMAND", summary: "The command, e.g. doctor", optional: true, variadic: true)],
            examples: [("closeup help doctor", "what doctor checks")]),
    ]

    /// The command at exactly `path`, if any.
    public static func command(_ path: [String]) -> CommandSpec? {
        commands.first { $0.path == path }
    }

    /// True when some command's path starts with `prefix` and is longer (a group such as "otp").
    public static func isGroup(_ prefix: [String]) -> Bool {
        commands.contains { $0.path.count > prefix.count && Array($0.path.prefix(prefix.count)) == prefix }
    }

    /// The words that can follow `prefix` ("send", "verify"… after "otp").
    public static func nextWords(after prefix: [String]) -> [String] {
        var words: [String] = []
        for command in commands where command.path.count > prefix.count && Array(command.path.prefix(prefix.count)) == prefix {
            let word = command.path[prefix.count]
            if !words.contains(word) { words.append(word) }
        }
        return words
    }
}
