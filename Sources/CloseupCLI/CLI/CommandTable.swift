// The one table of closeup's commands and flags (order is documentation order).
import CBuildInfo
import CloseupKit

public enum CommandTable {
    public static let version = "0.1.0"
    /// The commit of the build (`make build` passes it), empty for a plain `swift build`.
    public static let commit = String(cString: closeup_commit())
    /// What --version prints: "closeup 0.1.0 (commit 1a2b3c4d5e6f)".
    public static var versionLine: String { "closeup \(version)" + (commit.isEmpty ? "" : " (commit \(commit))") }
    /// The longest TTL or window, and the largest --max (SPEC §2): ten years in seconds. Beyond
    /// it a number is a typo, and Redis and 64-bit arithmetic would meet values they cannot take.
    public static let longestSpan = 315_360_000

    /// Accepted before or after any command.
    public static let globalFlags: [FlagSpec] = [
        FlagSpec(long: "help", short: "h", summary: "Show help for closeup or the command"),
        FlagSpec(long: "version", summary: "Print the version and exit"),
        FlagSpec(long: "json", summary: "One JSON object per result, one per line"),
        FlagSpec(long: "quiet", short: "q", summary: "Hide warnings (errors are always shown)"),
        FlagSpec(
            long: "color", value: "WHEN", choices: ["auto", "always", "never"],
            summary: "auto (default: on a terminal), always or never"),
        FlagSpec(
            long: "url", value: "URL", setting: .url,
            summary: "Redis URL: redis://[user[:pass]@]host[:port][/db], rediss://… or unix:///path[?db=N]", connection: true),
        FlagSpec(long: "host", value: "HOST", setting: .host, summary: "Redis host name or address (default 127.0.0.1)", connection: true),
        FlagSpec(long: "port", value: "PORT", kind: .port, setting: .port, summary: "Redis port (default 6379)", connection: true),
        FlagSpec(long: "db", value: "N", kind: .database, setting: .db, summary: "Redis database number (default 0)", connection: true),
        FlagSpec(long: "username", value: "NAME", setting: .username, summary: "Redis ACL user name", connection: true),
        FlagSpec(
            long: "password-file", value: "FILE", kind: .path, setting: .passwordFile,
            summary: "Read the Redis password from FILE (trailing whitespace stripped)", connection: true),
        FlagSpec(long: "askpass", summary: "Prompt for the Redis password on the terminal", connection: true),
        FlagSpec(long: "tls", setting: .tls, summary: "Connect to Redis over TLS", connection: true),
        FlagSpec(
            long: "cacert", value: "FILE", kind: .path, setting: .cacert,
            summary: "CA certificates to verify the server with (default: system store)", connection: true),
        FlagSpec(long: "cert", value: "FILE", kind: .path, setting: .cert, summary: "Client certificate for mutual TLS", connection: true),
        FlagSpec(long: "key", value: "FILE", kind: .path, setting: .key, summary: "Private key of the client certificate", connection: true),
        FlagSpec(long: "insecure", setting: .insecure, summary: "Skip TLS certificate and host name verification", connection: true),
        FlagSpec(long: "sni", value: "NAME", setting: .sni, summary: "Send and verify NAME instead of the host", connection: true),
        FlagSpec(long: "cluster", setting: .cluster, summary: "Treat Redis as a cluster from the start", connection: true),
        FlagSpec(
            long: "connect-timeout", value: "SECONDS", kind: .seconds, setting: .connectTimeout,
            summary: "Seconds to connect to Redis (default 5)", connection: true),
        FlagSpec(
            long: "timeout", value: "SECONDS", kind: .seconds, setting: .timeout,
            summary: "Seconds to wait for each Redis reply (default 5)", connection: true),
        FlagSpec(
            long: "store", value: "STORE", choices: ["auto", "redis", "sqlite"], setting: .store,
            summary: "auto (default): Redis, else SQLite; redis; sqlite"),
        FlagSpec(long: "sqlite", value: "PATH", kind: .path, setting: .sqlitePath, summary: "SQLite database file (default $XDG_DATA_HOME/closeup/closeup.sqlite3)", connection: true),
        FlagSpec(long: "env-file", value: "FILE", kind: .path, summary: "Read settings from FILE instead of ./.env", connection: true),
        FlagSpec(long: "no-env-file", summary: "Do not read ./.env", connection: true),
        FlagSpec(
            long: "max-attempts", value: "N", kind: .count, setting: .maxAttempts,
            summary: "Failed verifications that block a user (default 5)", connection: true),
        FlagSpec(long: "reason", value: "TEXT", summary: "Why: kept in the audit log with the change"),
    ]

    /// One line for each group of subcommands, for help, the man page and completions.
    public static let groups: [(word: String, summary: String)] = [
        ("otp", "One-time codes: send, verify, ttl, revoke"),
        ("attempts", "Failed-attempt counters: get, clear, list"),
        ("ratelimit", "Fixed-window rate limits: check, reset"),
        ("pending-video", "The pending video job cache: get, set, clear"),
        ("verification", "The verification status cache: get, set, clear"),
        ("keys", "Keys of closeup's namespaces: scan (and delete)"),
    ]

    static let user = ArgumentSpec(name: "USER", summary: "The app user id (1-128 printable ASCII characters, no spaces or ':')")
    static let users = ArgumentSpec(
        name: "USER", summary: "User ids, or '-' to read them from stdin, one per line", variadic: true)

    public static let commands: [CommandSpec] = [
        CommandSpec(
            id: .otpSend, path: ["otp", "send"],
            summary: "Issue a one-time code and deliver it",
            details: """
                Refuses while the user is blocked, while a live code exists (unless --force), and when \
                the mobile number has had 3 sends in the last 300 s (refused sends do not count). The \
                code is stored as an HMAC in Redis (SET NX EX) and in SQLite, then delivered. If \
                delivery fails the code is withdrawn from both, so nobody waits for a code that never came.

                --via stdout prints the code (the default when CLOSEUP_SMS_COMMAND is not set); --via \
                command runs CLOSEUP_SMS_COMMAND with a JSON payload on stdin (user_id, mobile_number, \
                channel, otp, expires_at) and treats a non-zero exit, or 10 s without finishing, as failure. \
                The command gets no secret in its environment and runs in its own process group, which is \
                killed on the timeout or when closeup is interrupted. A code that cannot be printed in \
                full (full disk, closed stdout, no reader) is withdrawn too. A failed delivery exits 3.
                """,
            arguments: [user],
            flags: [
                FlagSpec(long: "mobile", value: "NUMBER", required: true, summary: "Mobile number: '+' optional, then 7-15 digits"),
                FlagSpec(long: "channel", value: "CHANNEL", choices: ["sms", "whatsapp"], summary: "Message channel (default sms)"),
                FlagSpec(
                    long: "via", value: "ROUTE", choices: ["stdout", "command"],
                    summary: "Print the code, or run CLOSEUP_SMS_COMMAND (default command when it is set, else stdout)"),
                FlagSpec(long: "force", summary: "Replace a live code"),
                FlagSpec(
                    long: "ttl", value: "SECONDS", kind: .count, maximum: CommandTable.longestSpan,
                    summary: "Lifetime of the code (default 300)"),
            ],
            examples: [
                ("closeup otp send user123 --mobile 9876543210", "issue a code and print it"),
                ("closeup otp send user123 --mobile '+91 98765-43210' --via command --channel whatsapp", "send it"),
            ]),
        CommandSpec(
            id: .otpVerify, path: ["otp", "verify"],
            summary: "Check a code; a right one is consumed",
            details: """
                Exits 0 and consumes the code when it is right, 1 when it is wrong (counting a failed \
                attempt) or there is no live code, 4 while the user is blocked. A code verifies at most \
                once, whichever store answers. CODE '-' reads the code from stdin, keeping it out of ps.
                """,
            arguments: [user, ArgumentSpec(name: "CODE", summary: "The 6-digit code, or '-' to read it from stdin")],
            examples: [("echo 123456 | closeup otp verify user123 -", "verify without the code in ps")]),
        CommandSpec(
            id: .otpTTL, path: ["otp", "ttl"],
            summary: "Seconds left on the live code",
            details: "Exits 1 when the user has no live code.",
            arguments: [user],
            examples: [("closeup otp ttl user123", "how long the code lives")]),
        CommandSpec(
            id: .inspect, path: ["inspect"],
            summary: "Everything about a user, or many",
            details: """
                The live code (masked mobile, created, expires, ttl, store), failed attempts and whether \
                the user is blocked, the verification cache, the pending video, and the send rate-limit \
                window of the code's mobile number. Many users (or '-': ids from stdin, one per line) \
                get one block each, a blank line between (--json: one line each), read 500 users at a \
                time in two round trips. Exits 0 whenever it could look; 6 after the reports when a \
                stored value is corrupt (the value is left as it is); 2 after the rest when a line of \
                stdin is not a user id.

                --mobile NUMBER shows that number's send window (count, max, resets in) and the users \
                with a live code sent to it, each as above. The users are found through SQLite's copies \
                of the codes closeup issued: a code another writer stored in Redis alone is not found.
                """,
            arguments: [
                ArgumentSpec(
                    name: "USER", summary: "User ids, or '-' to read them from stdin, one per line", optional: true,
                    variadic: true)
            ],
            flags: [FlagSpec(long: "mobile", value: "NUMBER", summary: "A mobile number instead of users")],
            examples: [
                ("closeup inspect user123", "why can user123 not log in?"),
                ("cut -f1 ticket.tsv | closeup --json inspect -", "forty users from one ticket"),
                ("closeup inspect --mobile '+91 98765-43210'", "\"I get no SMS\": the number's window and codes"),
            ]),
        CommandSpec(
            id: .attemptsGet, path: ["attempts", "get"],
            summary: "Failed verification attempts of a user",
            details: "Prints 0 when there is no counter.",
            arguments: [user],
            examples: [("closeup attempts get user123", "is user123 blocked?")]),
        CommandSpec(
            id: .otpRevoke, path: ["otp", "revoke"],
            summary: "Revoke live codes: delete them in Redis, mark SQLite's copies used",
            details: """
                Deletes otp:USER in pipelined batches and marks the SQLite copies used, so a revoked \
                code can never verify, not even through the SQLite fallback. Exits 0 when at least one \
                user had a live code, 1 when none had. With '-', user ids are read from stdin, one per \
                line; a bad line is reported with its number and skipped, the rest are revoked, and the \
                exit status is 2. A bad id among the arguments revokes nothing (exit 2).
                """,
            arguments: [users],
            examples: [
                ("closeup otp revoke user123", "the code was sent to the wrong number"),
                ("cut -f1 leaked.tsv | closeup otp revoke -", "revoke many"),
            ]),
        CommandSpec(
            id: .attemptsClear, path: ["attempts", "clear"],
            summary: "Clear failed attempts, unblocking users",
            details: """
                Deletes the counters in pipelined batches. With '-', user ids are read from stdin, one \
                per line; a bad line is reported with its number and skipped, the rest are cleared, and \
                the exit status is 2. A bad id among the arguments clears nothing (exit 2).
                """,
            arguments: [users],
            examples: [
                ("closeup attempts clear user123", "unblock one user"),
                ("cut -f1 blocked.tsv | closeup attempts clear -", "unblock many"),
            ]),
        CommandSpec(
            id: .attemptsList, path: ["attempts", "list"],
            summary: "Users with failed attempts: who is blocked right now",
            details: """
                Streams every user with a failed-attempt counter, as SCAN finds them: the count, the \
                maximum, whether the user is blocked, and the seconds the counter has left. It walks \
                every master of a cluster, reads each SCAN batch's counters in one pipeline, and keeps \
                nothing across batches (flat memory; a counter SCAN returns twice may be listed twice). \
                With Redis away it lists SQLite's counters. A key not of closeup's shape (otp:attempts:a b) \
                is not listed. The count of users listed goes to stderr. A list that finds nobody exits 0; \
                a counter that is not a number, or a key of another type, is reported naming its key \
                and the list goes on: the first such problem decides the exit status (6, or 3 for a \
                wrong-type key).
                """,
            flags: [
                FlagSpec(long: "blocked", summary: "Only users at --max-attempts or over"),
                FlagSpec(
                    long: "min", value: "N", kind: .count, maximum: CommandTable.longestSpan,
                    summary: "Only users with at least N failed attempts (default 1)"),
            ],
            examples: [
                ("closeup attempts list --blocked", "who is blocked right now?"),
                (
                    "closeup --json attempts list --blocked | jq -r .user_id | closeup attempts clear -",
                    "unblock everyone"
                ),
            ]),
        CommandSpec(
            id: .rateLimitCheck, path: ["ratelimit", "check"],
            summary: "Count a request against a fixed-window rate limit",
            details: """
                The backend's fixed window (rate_limit:ACTION:IDENTIFIER): the window opens with the \
                first request and lasts --window seconds. A request under --max is counted and allowed \
                (exit 0); one at the limit is refused (exit 1) and not counted, so the counter never \
                exceeds the limit. One atomic step, which also gives a counter found without a TTL its \
                window. --peek reports without counting. For otp_request the identifier is a mobile \
                number taken as --mobile takes it: spaces and dashes are stripped, a leading + is kept.
                """,
            arguments: [
                ArgumentSpec(name: "ACTION", summary: "The action, [a-z0-9_]{1,64} (e.g. otp_request)"),
                ArgumentSpec(name: "IDENTIFIER", summary: "What is limited: an IP, a mobile number…"),
            ],
            flags: [
                FlagSpec(
                    long: "max", value: "N", kind: .count, maximum: CommandTable.longestSpan, required: true,
                    summary: "Requests allowed per window"),
                FlagSpec(
                    long: "window", value: "SECONDS", kind: .count, maximum: CommandTable.longestSpan, required: true,
                    summary: "Length of the window"),
                FlagSpec(long: "peek", summary: "Report without counting"),
            ],
            examples: [
                ("closeup ratelimit check otp_request 9876543210 --max 3 --window 300 --peek", "may this number get a code?")
            ]),
        CommandSpec(
            id: .rateLimitReset, path: ["ratelimit", "reset"],
            summary: "Delete a rate-limit counter",
            details: """
                For otp_request the identifier is a mobile number taken as --mobile takes it ('+91 \
                98765-00000' is +919876500000). A counter that is not there is not an error (exit 0).
                """,
            arguments: [
                ArgumentSpec(name: "ACTION", summary: "The action, [a-z0-9_]{1,64}"),
                ArgumentSpec(name: "IDENTIFIER", summary: "What is limited"),
            ],
            examples: [("closeup ratelimit reset otp_request 9876543210", "let the number ask again now")]),
        CommandSpec(
            id: .pendingVideoGet, path: ["pending-video", "get"],
            summary: "The user's pending video job",
            details: """
                From the cache (video:pending:USER), else the newest job of the user in the SQLite table \
                video_jobs whose status is queued, photo_processing or lipsync_processing, which is then \
                cached for 1800 s. Exits 1 when there is none.
                """,
            arguments: [user],
            examples: [("closeup pending-video get user123", "is a video still being made?")]),
        CommandSpec(
            id: .pendingVideoSet, path: ["pending-video", "set"],
            summary: "Cache a pending video job",
            arguments: [user, ArgumentSpec(name: "JOB_ID", summary: "The job id, a whole number")],
            flags: [
                FlagSpec(
                    long: "ttl", value: "SECONDS", kind: .count, maximum: CommandTable.longestSpan,
                    summary: "Lifetime of the entry (default 1800)")
            ],
            examples: [("closeup pending-video set user123 456", "cache job 456")]),
        CommandSpec(
            id: .pendingVideoClear, path: ["pending-video", "clear"],
            summary: "Clear pending video cache entries",
            details: "The jobs themselves stay in video_jobs. '-' reads user ids from stdin, as for attempts clear.",
            arguments: [users],
            examples: [("closeup pending-video clear user123", "the video is done")]),
        CommandSpec(
            id: .verificationGet, path: ["verification", "get"],
            summary: "The cached verification status of a user",
            details: "Exits 0 for a cached true or false, 1 when nothing is cached.",
            arguments: [user],
            examples: [("closeup verification get user123", "what the backend will believe")]),
        CommandSpec(
            id: .verificationSet, path: ["verification", "set"],
            summary: "Cache a verification status",
            arguments: [user, ArgumentSpec(name: "STATUS", summary: "true or false", choices: ["true", "false"])],
            flags: [
                FlagSpec(
                    long: "ttl", value: "SECONDS", kind: .count, maximum: CommandTable.longestSpan,
                    summary: "Lifetime of the entry (default 3600)")
            ],
            examples: [("closeup verification set user123 true", "mark as verified for an hour")]),
        CommandSpec(
            id: .verificationClear, path: ["verification", "clear"],
            summary: "Clear cached verification statuses",
            details: "'-' reads user ids from stdin, as for attempts clear.",
            arguments: [users],
            examples: [("closeup verification clear user123", "make the backend ask the database again")]),
        CommandSpec(
            id: .keysScan, path: ["keys", "scan"],
            summary: "List (or delete) keys of closeup's namespaces",
            details: """
                Walks SCAN and streams one key per line as it goes, with flat memory: nothing is kept \
                across SCAN batches, so a key SCAN returns twice (while Redis resizes) is listed twice. Only \
                the five namespaces are listed (otp, attempts, verification, pending-video, rate-limit; \
                --kind otp means otp:USER keys, not the attempt counters) unless --any-key is given. \
                --match filters within them, matched against the whole key as Redis's MATCH does. A scan \
                that lists nothing exits 0.

                --delete unlinks what it finds in pipelined batches. On a terminal it shows the count and \
                asks; otherwise it needs --yes (without it nothing is deleted and the exit status is 2). \
                --dry-run lists what would go and needs no --yes. A key outside the namespaces is never \
                deleted: --delete with --any-key is refused. The count of deleted keys goes to stderr.
                """,
            flags: [
                FlagSpec(
                    long: "kind", value: "KIND", choices: KeyKind.allCases.map(\.rawValue), repeatable: true,
                    summary: "Only this namespace, repeatable (default all five)"),
                FlagSpec(long: "match", value: "GLOB", summary: "Only keys matching this Redis glob, the whole key (default every key)"),
                // Bounded so that no honest SCAN reply outgrows what the RESP reader accepts.
                FlagSpec(
                    long: "count", value: "N", kind: .count, maximum: 1_000_000,
                    summary: "SCAN COUNT hint (default 1000, at most 1000000)"),
                FlagSpec(long: "limit", value: "N", kind: .count, summary: "Stop after N keys (default no limit)"),
                FlagSpec(long: "ttl", summary: "Add the TTL column"),
                FlagSpec(long: "no-expiry", summary: "Only keys without a TTL (a bug signal here)"),
                FlagSpec(long: "any-key", summary: "Also list keys outside closeup's namespaces"),
                FlagSpec(long: "null", short: "0", summary: "Separate keys with NUL instead of newline"),
                FlagSpec(long: "delete", summary: "Unlink the keys found"),
                FlagSpec(long: "dry-run", summary: "With --delete: only list what would be deleted"),
                FlagSpec(long: "yes", summary: "With --delete: do not ask"),
            ],
            examples: [
                ("closeup keys scan --kind attempts --ttl", "every attempt counter and its TTL"),
                ("closeup keys scan --no-expiry", "keys a faulty writer left without a TTL"),
                ("closeup keys scan --kind otp --match 'otp:test-*' --delete --yes", "remove test users' codes"),
            ]),
        CommandSpec(
            id: .monitor, path: ["monitor"],
            summary: "Watch traffic on closeup's namespaces, decoded",
            details: """
                Runs MONITOR on a connection of its own and prints one event per line: time, client, \
                key and what it means ("OTP issued for u1 (ttl 300)"). Passwords (AUTH, HELLO, ACL, \
                CONFIG), OTP records and script arguments on OTP keys are redacted, also with --raw, \
                which shows the commands undecoded. It reconnects, with backoff, when the server drops \
                the connection, and ends cleanly (exit 0) on Ctrl-C, SIGTERM or after --duration.

                Where the server refuses MONITOR, whatever the error (ElastiCache Serverless does; so \
                does an ACL user without +monitor), it says so on stderr and polls instead: every \
                --interval it re-scans the namespaces and reports keys created, changed, and expired or \
                deleted.
                """,
            flags: [
                FlagSpec(long: "user", value: "USER", summary: "Only this user's keys (default every user)"),
                FlagSpec(
                    long: "kind", value: "KIND", choices: KeyKind.allCases.map(\.rawValue), repeatable: true,
                    summary: "Only this namespace, repeatable (default all five)"),
                FlagSpec(long: "duration", value: "SECONDS", kind: .seconds, summary: "Stop after this long (default at Ctrl-C)"),
                FlagSpec(long: "raw", summary: "Show the commands undecoded (still redacted)"),
                FlagSpec(long: "interval", value: "SECONDS", kind: .seconds, summary: "Seconds between polls (default 1)"),
            ],
            examples: [
                ("closeup monitor --user user123", "watch one user try to log in"),
                ("closeup --json monitor --kind rate-limit --duration 60", "a minute of rate-limit traffic for a script"),
            ]),
        CommandSpec(
            id: .stats, path: ["stats"],
            summary: "Keys, TTLs, memory per namespace; server health",
            details: """
                One SCAN pass over the keyspace (every master of a cluster, flat memory) counts the keys \
                of each namespace, those without a TTL, and a TTL histogram (at most 1 min, 5 min, 30 min, \
                1 h, more, none: each default TTL falls at the top of a bucket). Keys outside the five \
                namespaces are one "other" line (not with --kind). Memory per namespace is MEMORY USAGE \
                on a uniform sample of --sample keys, scaled to the namespace's keys; the sample size \
                and the 95 % interval are shown. Then, per master and in total, what INFO and DBSIZE \
                say: used memory, maxmemory and its policy, evicted and expired keys, the keyspace hit \
                ratio. A refused INFO, DBSIZE or MEMORY USAGE (least privilege) drops those lines with a \
                note, never the command. With SQLite serving, the same table from its tables (live rows, \
                rows kept past their life, the file size). What looks wrong is said at the end, with the \
                command that shows it: keys without a TTL, evictions, a hit ratio under 85 %.
                """,
            flags: [
                FlagSpec(
                    long: "kind", value: "KIND", choices: KeyKind.allCases.map(\.rawValue), repeatable: true,
                    summary: "Only this namespace, repeatable (default all five)"),
                FlagSpec(
                    long: "sample", value: "N", kind: .count, maximum: 100_000,
                    summary: "Keys per namespace whose memory is measured (default 1000)"),
            ],
            examples: [
                ("closeup stats", "the whole picture"),
                ("closeup stats --kind attempts --json", "the counters, for a script"),
            ]),
        CommandSpec(
            id: .audit, path: ["audit"],
            summary: "Who changed what: the audit log, newest first",
            details: """
                Every command that changes state (otp send, otp revoke, a successful otp verify, every \
                clear, set and reset, keys scan --delete) appends one record to the audit_log table of \
                the SQLite database, whichever store served it, and sends the same line to syslog \
                (facility authpriv): the time, the OS user (and SUDO_USER), the host, the command, how \
                many targets and the first five (user ids), the Redis target, the store that served, \
                the outcome and exit status, and the text of --reason. Never a code, hash or password. \
                A run that cannot write its record says so on stderr; the change stands.
                """,
            flags: [
                FlagSpec(long: "since", value: "DURATION", summary: "Only records this recent: 90s, 30m, 1h, 2d (default all)"),
                FlagSpec(long: "user", value: "USER", summary: "Only records naming this user id (default every user)"),
                FlagSpec(long: "command", value: "NAME", summary: "Only this command, e.g. 'attempts clear' (default every command)"),
                FlagSpec(
                    long: "limit", value: "N", kind: .count, maximum: 1_000_000,
                    summary: "At most N records (default 50)"),
            ],
            examples: [
                ("closeup audit --since 1h", "what changed in the last hour"),
                ("closeup audit --user user123 --json", "who touched user123"),
                ("closeup attempts clear user123 --reason 'ticket 4821'", "a change with its reason"),
            ]),
        CommandSpec(
            id: .doctor, path: ["doctor"],
            summary: "Check configuration, Redis, SQLite, OTP secret",
            details: """
                Shows where each part of the configuration came from, whether Redis answers (round-trip \
                latency, server version, standalone or cluster, role), the SQLite file and its schema, \
                and where the OTP secret comes from. Passwords are never shown, only where they came from. \
                In a cluster, every master must answer a PING and cluster_state must be ok. A refused \
                INFO (an ACL without @dangerous) leaves version and role unknown and is no failure.

                Exits 0 when what is configured works, 3 when a configured Redis (or a master of its \
                cluster) or the SQLite file cannot be used or answers with an error, and 5 when Redis \
                refuses the credentials or its host does not exist.
                """,
            examples: [
                ("closeup doctor", "check the embedded default or the Redis in ./.env"),
                ("closeup --url redis://cache.internal:6379/0 doctor --json", "a report for scripts"),
            ]),
        CommandSpec(
            id: .completions, path: ["completions"],
            summary: "Print the shell completion script",
            details: """
                Prints the completion script for bash, zsh or fish, generated from the same table as \
                the parser and this help. make install puts them where the shells look.
                """,
            arguments: [ArgumentSpec(name: "SHELL", summary: "bash, zsh or fish", choices: ["bash", "zsh", "fish"])],
            examples: [
                (
                    "mkdir -p ~/.local/share/bash-completion/completions && closeup completions bash > ~/.local/share/bash-completion/completions/closeup",
                    "install for one user"
                )
            ]),
        CommandSpec(
            id: .help, path: ["help"],
            summary: "Show help for a command",
            details: "Prints the same text as COMMAND --help.",
            arguments: [
                ArgumentSpec(
                    name: "COMMAND", summary: "The command, e.g. doctor", optional: true, variadic: true,
                    completesCommands: true)
            ],
            examples: [("closeup help doctor", "what doctor checks")]),
    ]

    /// The summary of a group ("otp"), or of the command at `path`.
    public static func summary(_ path: [String]) -> String {
        if let command = command(path) { return command.summary }
        return groups.first { [$0.word] == path }?.summary ?? ""
    }

    /// Every path that names a group or a command, [] (closeup itself) first, in table order.
    public static var allPaths: [[String]] {
        var paths: [[String]] = [[]]
        for command in commands {
            for length in 1...command.path.count {
                let prefix = Array(command.path.prefix(length))
                if !paths.contains(prefix) { paths.append(prefix) }
            }
        }
        return paths
    }

    /// The command at exactly `path`, if any.
    static func command(id: CommandID) -> CommandSpec? { commands.first { $0.id == id } }

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
