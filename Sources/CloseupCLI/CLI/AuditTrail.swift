// The audit record of a run (SPEC §2): which commands write one, what their
// targets are, and the record itself, written once the command has ended
// whatever its outcome. Only targets go in (user ids, a rate-limit key, a scan
// pattern); a code, a hash or a password never does.
import CloseupKit

/// What a command tells the audit about its targets when the command line does not say it all
/// (ids read from stdin, keys a scan deleted).
final class AuditTrail {
    private(set) var targets: [String] = []
    private(set) var count: Int?

    /// Adds targets; only the first few are kept by name, all are counted.
    func add(_ names: some Sequence<String>) {
        for name in names {
            count = (count ?? 0) + 1
            if targets.count < AuditLog.keptTargets { targets.append(name) }
        }
    }

    /// The number of targets, when it differs from the names given (the keys a scan deleted).
    func setCount(_ count: Int) { self.count = count }

    /// Set by a command that changes state only on some outcomes (a verify that consumed a code).
    private(set) var changed = false
    func markChanged() { changed = true }
}

enum Audit {
    /// The longest --reason kept: a ticket reference and a sentence, not a document.
    static let longestReason = 500

    /// Refuses a --reason the log would not keep whole, before anything is done.
    static func validateReason(_ arguments: ParsedArguments) throws(CloseupError) {
        guard let reason = arguments.value("reason") else { return }
        guard !reason.isEmpty, reason.count <= longestReason else {
            throw .usage("invalid --reason: expected 1-\(longestReason) characters, got \(reason.count)")
        }
    }

    /// Commands that change state, and when they do.
    static func changesState(_ arguments: ParsedArguments, trail: AuditTrail) -> Bool {
        switch arguments.command.id {
        case .otpSend, .otpRevoke, .attemptsClear, .rateLimitReset, .pendingVideoSet, .pendingVideoClear,
            .verificationSet, .verificationClear:
            true
        case .otpVerify: trail.changed  // a verify changes state when it consumes the code
        case .keysScan: arguments.has("delete") && !arguments.has("dry-run")
        default: false
        }
    }

    /// The targets the command line names: user ids (never a code), or what a rate limit keys.
    static func namedTargets(_ arguments: ParsedArguments) -> [String] {
        let positionals = arguments.positionals
        switch arguments.command.id {
        case .otpRevoke, .attemptsClear, .pendingVideoClear, .verificationClear: return []  // BulkClearCommand adds each window
        case .rateLimitReset:
            guard positionals.count == 2 else { return [] }
            // As the key names it: an otp_request identifier is a mobile number in its stored form.
            let identifier = (try? RateLimitAction(positionals[0])).flatMap { try? RateLimitIdentifier(positionals[1], for: $0) }
            return ["\(positionals[0]):\(identifier?.value ?? positionals[1])"]
        case .keysScan:
            return [arguments.value("match") ?? "", arguments.all("kind").joined(separator: ",")].filter { !$0.isEmpty }
        default: return positionals.first.map { [$0] } ?? []
        }
    }

    /// Writes the run's record to SQLite and syslog, once its final status is known (a result
    /// that did not reach stdout makes it 3); a record that cannot be written is said on stderr
    /// and changes nothing else.
    static func record(_ context: CommandContext, status: ExitStatus, error: CloseupError?) {
        let arguments = context.arguments
        let trail = context.audit
        guard changesState(arguments, trail: trail) else { return }
        // Input or configuration refused before any work (a bad id, a missing delivery command,
        // credentials Redis refuses) changed nothing: no record, and no database made for one. A
        // bulk run that cleared the good ids of a bad list is recorded.
        if error?.kind == .configuration { return }
        if error?.kind == .usage || status == .usage, trail.count == nil { return }
        let named = namedTargets(arguments)
        let targets = Array((named + trail.targets).prefix(AuditLog.keptTargets))
        // What the command counted (ids cleared, keys deleted), else what the command line names.
        let count = trail.count ?? named.count
        let outcome =
            switch status {
            case .success: "ok"
            case .negative: "negative"
            case .refused: "refused"
            default: error.map { "\($0.kind)" } ?? "failed"
            }
        let clock = Clock.system
        let now = clock.epochSeconds
        let record = AuditRecord(
            time: clock.timestamp(now), epoch: now, osUser: AuditLog.osUser, sudoUser: context.environment["SUDO_USER"],
            host: AuditLog.hostName, command: arguments.command.name, targetCount: count, targets: targets,
            redis: context.settings.redisConfigured ? context.settings.redis.target : nil,
            store: context.store.served?.rawValue, outcome: outcome, exit: status.rawValue, reason: arguments.value("reason"))
        do throws(CloseupError) {
            if let failure = AuditLog.append(record, to: try context.store.sqlite()) { throw failure }
        } catch {
            let stands = status == .success ? "; the change stands" : ""
            context.terminal.warn("the audit record of this run could not be written (\(error.message))\(stands)")
        }
    }
}
