// Every command's --json object, field by field (SPEC §4): the man page's JSON
// OUTPUT section is drawn from this table, and a test runs the commands and
// checks each line they print against it. A field is always present unless its
// note says when it is absent.

struct JSONField {
    var name: Field
    /// "string", "integer", "boolean", "object", "array", with "|null" when it may be null.
    var type: String
    var note: String = ""
    /// Present only when the note says so.
    var optional = false
}

enum JSONContract {
    static func field(_ name: Field, _ type: String, _ note: String = "", optional: Bool = false) -> JSONField {
        JSONField(name: name, type: type, note: note, optional: optional)
    }

    static let store = field(.store, "string", "redis or sqlite: the store that served the result")
    static let user = field(.userID, "string")

    /// What each command prints per result (a command may have two shapes); refusals and errors
    /// are described once, below.
    static let objects: [(CommandID, [JSONField])] = [
        (.otpSend, [
            user, field(.mobileNumber, "string", "the stored form"), field(.channel, "string"), field(.via, "string"),
            field(.createdAt, "string|null"), field(.expiresAt, "string|null"), field(.ttlSeconds, "integer"),
            field(.otp, "string", "the code; only with --via stdout", optional: true), store,
        ]),
        (.otpVerify, [
            user, field(.valid, "boolean"), field(.reason, "string", "wrong_code or no_live_otp; absent when valid", optional: true),
            field(.count, "integer", "failed attempts; with wrong_code", optional: true),
            field(.max, "integer", "with wrong_code", optional: true), field(.blocked, "boolean", "with wrong_code", optional: true),
            store,
        ]),
        (.otpTTL, [
            user, field(.live, "boolean"), field(.ttlSeconds, "integer|null"), field(.expiresAt, "string|null"),
            field(.reason, "string", "no_live_otp; absent when live", optional: true), store,
        ]),
        (.otpRevoke, [
            user, field(.revoked, "boolean"), field(.reason, "string", "no_live_otp; when not revoked", optional: true), store,
        ]),
        (.inspect, [
            user, store, field(.otp, "object|null", "mobile_number, created_at, expires_at, ttl_seconds, store"),
            field(.attempts, "object", "count, max, blocked, ttl_seconds; absent when the counter is corrupt", optional: true),
            field(.verification, "object|null", "verified, ttl_seconds"), field(.pendingVideo, "object|null", "job_id, ttl_seconds"),
            field(.sendRateLimit, "object|null", "identifier, count, max, remaining, reset_in_seconds"),
            field(.problems, "array", "the corrupt values, one message each"),
        ]),
        // inspect --mobile prints this object instead.
        (.inspect, [
            field(.mobileNumber, "string"), field(.count, "integer|null", "sends in the window; null when the counter is corrupt"),
            field(.max, "integer"), field(.remaining, "integer|null"), field(.resetInSeconds, "integer|null"),
            field(.userIDs, "array", "users with a live code sent to the number"), store,
        ]),
        (.attemptsGet, [user, field(.count, "integer"), field(.max, "integer"), field(.blocked, "boolean"), field(.ttlSeconds, "integer|null"), store]),
        (.attemptsClear, [user, field(.cleared, "boolean"), store]),
        (.attemptsList, [user, field(.count, "integer"), field(.max, "integer"), field(.blocked, "boolean"), field(.ttlSeconds, "integer|null"), store]),
        (.rateLimitCheck, [
            field(.action, "string"), field(.identifier, "string", "as keyed (otp_request: the stored mobile form)"),
            field(.allowed, "boolean"), field(.count, "integer"), field(.max, "integer"), field(.remaining, "integer"),
            field(.resetInSeconds, "integer|null", "null when the counter has no TTL"),
            field(.reason, "string", "rate_limited; when not allowed", optional: true), store,
        ]),
        (.rateLimitReset, [field(.action, "string"), field(.identifier, "string"), field(.cleared, "boolean"), store]),
        (.pendingVideoGet, [
            user, field(.jobID, "integer|null"), field(.foundIn, "string|null", "cache or database"),
            field(.ttlSeconds, "integer|null"), field(.reason, "string", "not_cached; when there is none", optional: true), store,
        ]),
        (.pendingVideoSet, [user, field(.jobID, "integer"), field(.ttlSeconds, "integer"), store]),
        (.pendingVideoClear, [user, field(.cleared, "boolean"), store]),
        (.verificationGet, [
            user, field(.verified, "boolean|null"), field(.ttlSeconds, "integer|null"),
            field(.reason, "string", "not_cached; when nothing is cached", optional: true), store,
        ]),
        (.verificationSet, [user, field(.verified, "boolean"), field(.ttlSeconds, "integer"), store]),
        (.verificationClear, [user, field(.cleared, "boolean"), store]),
        (.keysScan, [
            field(.key, "string", "the key, or its bytes in base64"), field(.keyEncoding, "string", "utf-8 or base64"),
            field(.kind, "string|null", "the namespace; null outside them"),
            field(.ttlSeconds, "integer|null", "with --ttl or --no-expiry", optional: true),
            field(.expires, "boolean", "with --ttl or --no-expiry", optional: true),
            field(.wouldDelete, "boolean", "with --dry-run", optional: true),
            field(.deleted, "boolean", "with --delete", optional: true), store,
        ]),
        (.stats, [
            field(.namespaces, "array", "one object per namespace: kind (null for other), keys, without_ttl, ttl_histogram"
                + " (le_60, le_300, le_1800, le_3600, gt_3600, none), memory (estimated_bytes, margin_bytes, sampled,"
                + " sampled_bytes; null when not measured), stale_rows (SQLite only)"),
            field(.totalKeys, "integer"), field(.scanned, "integer", "keys SCAN returned, or SQLite rows"),
            field(.sampleSize, "integer"),
            field(.servers, "array", "per master: address, used_memory, maxmemory, maxmemory_policy, evicted_keys,"
                + " expired_keys, keyspace_hits, keyspace_misses, hit_ratio, dbsize; each null when refused; empty in SQLite"),
            field(.total, "object|null", "the servers added up; null in SQLite"),
            field(.fileBytes, "integer|null", "the SQLite file's size; null over Redis"),
            field(.path, "string|null", "the SQLite file; null over Redis"),
            field(.notes, "array", "what could not be measured and why"),
            field(.findings, "array", "what looks wrong: message, command (or null)"), store,
        ]),
        (.monitor, [
            field(.time, "string"), field(.client, "string"), field(.db, "integer"), field(.command, "string"),
            field(.key, "string|null"), field(.kind, "string|null"), field(.userID, "string|null"), field(.meaning, "string"),
            field(.arguments, "array", "with --raw, redacted", optional: true), field(.store, "string", "always redis"),
        ]),
        (.doctor, [
            field(.version, "string"), field(.envFile, "string|null"), field(.store, "string", "the --store setting"),
            field(.storeMode, "string"),
            field(.redis, "object|null", "target, configured, tls, username, password_source, reachable, latency_ms, server_version,"
                + " topology, role, info_refused, cluster_nodes…; null with --store sqlite"),
            field(.sqlite, "object"), field(.otpSecret, "object", "source, path"), field(.unsafeFiles, "array"),
            field(.warnings, "array"), field(.ok, "boolean"),
        ]),
        (.audit, [
            field(.time, "string"), field(.osUser, "string"), field(.sudoUser, "string|null"), field(.host, "string"),
            field(.command, "string"), field(.targetCount, "integer"), field(.targets, "array", "the first five"),
            field(.redis, "string|null"), field(.servedBy, "string|null", "the store that served the recorded run"),
            field(.outcome, "string"), field(.exit, "integer"), field(.reason, "string|null"),
            field(.store, "string", "always sqlite: where the log lives"),
        ]),
    ]

    /// The man page section: each command's fields, then refusals and errors.
    static var manSection: String {
        // The first paragraph is prose (the page escapes it); the rest is roff, escaped here.
        var out = "With --json each result is one JSON object on one line. Fields are always present unless noted.\n\n"
        let roff = ManPage.escape
        var seen: Set<CommandID> = []
        for (command, fields) in objects {
            guard let spec = CommandTable.command(id: command) else { continue }
            // A second shape of one command is its option's (inspect --mobile).
            let name = seen.insert(command).inserted ? spec.name : spec.name + " --mobile"
            out += ".TP\n.B \(roff(name))\n"
            out += roff(
                fields.map { field in "\(field.name.rawValue) (\(field.type))" + (field.note.isEmpty ? "" : ": \(field.note)") }
                    .joined(separator: "; ")) + ".\n"
        }
        out += """
            .TP
            .B refusals and negative answers
            Exit 1 or 4 prints one object on stdout with reason (\(Reason.allCases.map(\.rawValue).joined(separator: ", "))), what a script needs next (user_id, count, max, ttl_seconds, reset_in_seconds, mobile_number, as they apply) and store; a refusal (exit 4) also its message.
            .TP
            .B errors
            Exit 2, 3, 5, 6 or 70 prints one object on stderr: {"error":{"exit":N,"kind":"usage|unavailable|configuration|corrupt|internal","message":"..."}}. A command of one result prints nothing on stdout then (doctor prints its report first: the report is its result). A listing (attempts list, inspect of many users, the bulk clears) still prints every result it could read, and one error object for each bad line of stdin, corrupt value or key of another type; the first decides the exit status. A failure of the store itself (Redis gone mid-run, a refused command) ends any command with that one error.
            .TP
            .B warnings
            With --json, stderr holds JSON objects only, one per line: a warning is {"warning":{"message":"..."}}; the summaries a listing prints on stderr without --json are left out.

            """
        return out
    }
}
