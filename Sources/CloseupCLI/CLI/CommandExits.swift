// What each command's exit statuses mean (SPEC §4), for its --help and man entry.
// The codes are SPEC's, the same for every command; these say what each means here.
import CloseupKit

extension CommandTable {
    /// The statuses `id` ends with and their meaning for it, in order.
    static func exits(_ id: CommandID) -> [(ExitStatus, String)] {
        let corrupt = (ExitStatus.corrupt, "a stored value cannot be parsed (the key is named, the value left as it is)")
        let own: [(ExitStatus, String)] =
            switch id {
            case .otpSend:
                [(.success, "sent (with --via stdout: printed)"),
                 (.refused, "the user is blocked, a live code exists, or the number's send limit is reached"),
                 (.unavailable, "delivery failed: the code was withdrawn and a retry is safe")]
            case .otpVerify:
                [(.success, "valid: the code is consumed"), (.negative, "a wrong code, or no live code"),
                 (.refused, "the user is blocked"), corrupt]
            case .otpTTL: [(.success, "a live code"), (.negative, "no live code"), corrupt]
            case .otpRevoke: [(.success, "at least one live code revoked"), (.negative, "none was live")]
            case .inspect:
                [(.success, "it could look (nothing found is no failure)"),
                 (.corrupt, "a corrupt value (everything else is shown)")]
            case .attemptsGet: [(.success, "the count (0 without a counter)"), corrupt]
            case .attemptsClear, .pendingVideoClear, .verificationClear:
                [(.success, "cleared, or nothing to clear"), (.usage, "a bad id (on stdin: the others are still cleared)")]
            case .attemptsList:
                [(.success, "listed (also nobody)"),
                 (.corrupt, "a counter that is not a number (the list goes on; 3 for a key of another type)")]
            case .rateLimitCheck: [(.success, "allowed"), (.negative, "limited"), corrupt]
            case .rateLimitReset: [(.success, "reset, or there was no counter")]
            case .pendingVideoGet: [(.success, "a job found"), (.negative, "none cached or queued"), corrupt]
            case .verificationGet: [(.success, "a status cached (false too)"), (.negative, "nothing cached"), corrupt]
            case .pendingVideoSet, .verificationSet: [(.success, "cached")]
            case .keysScan:
                [(.success, "listed or deleted (also nothing)"), (.negative, "a delete declined at its prompt"),
                 (.usage, "bad input, or a delete without --yes when stdin is not a terminal (nothing deleted)")]
            case .monitor: [(.success, "ended by Ctrl-C, SIGTERM or --duration")]
            case .stats: [(.success, "it could count, whatever it found")]
            case .audit: [(.success, "the records (also none)")]
            case .doctor:
                [(.success, "what is configured works"),
                 (.unavailable, "a configured Redis (or a master) or the SQLite file cannot be used"),
                 (.configuration, "credentials refused, no such host, or files others may change")]
            case .completions: [(.success, "the script printed"), (.usage, "an unknown shell")]
            case .help: [(.success, "the help printed"), (.usage, "no such command or topic")]
            }
        guard id != .help, id != .completions else { return own }
        var all = own
        let common: [(ExitStatus, String)] = [
            (.usage, "bad input: an unknown flag, a bad user id, number or value"),
            (.unavailable, "Redis unreachable with --store redis, Redis lost mid-run, SQLite unusable"),
            (.configuration, "a bad URL, an unreadable file, a malformed env file, refused credentials"),
        ]
        for entry in common where !all.contains(where: { $0.0 == entry.0 }) { all.append(entry) }
        return all.sorted { $0.0.rawValue < $1.0.rawValue }
    }
}
