// Results as values: a handler says what the answer is (fields, text, outcome,
// store) and `CommandContext.render` alone decides how it is shown: one JSON
// line or text, where "(from SQLite)" goes, which reason a script reads, and
// the exit status. Refusals thrown as errors come through the same door.
import CloseupKit

/// One answer of a command (one line of a stream, for listing and bulk commands).
struct CommandResult {
    enum Outcome: Equatable {
        case success
        /// Exit 1: wrong code, no live OTP, nothing cached, rate-limited on a check.
        case negative(Reason)
        /// Exit 4: blocked, live code, send limit (see `init(refusal:)`).
        case refused(Reason)
    }

    var fields: Fields
    /// What a person reads on stdout.
    var text: String
    var outcome: Outcome = .success
    /// The result's own store where it differs from the run's (a code found in SQLite's copy).
    var store: StoreSource? = nil
    /// Whether the text gets "(from SQLite)" when SQLite served although a Redis is configured;
    /// off where the text names its store itself (inspect) or SQLite is no fallback (the audit log).
    var marksStore = true
    /// Whether the JSON line ends with the `store` that served it; off for doctor, whose `store`
    /// is the setting it reports.
    var reportsStore = true
    /// Values found corrupt beside the answer (inspect shows all it could read): each is
    /// reported on stderr and the first decides the exit status.
    var problems: [CloseupError] = []
    /// A summary that ends a stream: text for people only, as JSON Lines give a line per item.
    var humanOnly = false

    var status: ExitStatus {
        if let problem = problems.first { return problem.status }
        switch outcome {
        case .success: return .success
        case .negative: return .negative
        case .refused: return .refused
        }
    }

    /// The summary of a stream (see `humanOnly`).
    static func summary(_ text: String) -> CommandResult {
        CommandResult(fields: [], text: text, humanOnly: true)
    }
}

extension CommandResult {
    /// A refusal as the result a script reads: why, and what it needs next (SPEC §4).
    init(refusal: Refusal, message: String) {
        switch refusal {
        case .blocked(let user, let count, let max):
            fields = [(.userID, .string(user.value)), (.count, .integer(count)), (.max, .integer(max)), (.blocked, .bool(true))]
            outcome = .refused(.blocked)
        case .liveOTP(let user, let ttl):
            fields = [(.userID, .string(user.value)), (.ttlSeconds, Format.ttl(ttl))]
            outcome = .refused(.liveOTP)
        case .rateLimited(let mobile, let count, let max, let resetIn):
            fields = [
                (.mobileNumber, .string(mobile.value)), (.count, .integer(count)), (.max, .integer(max)),
                (.resetInSeconds, Format.ttl(resetIn)),
            ]
            outcome = .refused(.rateLimited)
        }
        fields.append((.message, .string(message)))
        text = message
    }
}

extension CommandContext {
    /// Shows one result and returns the exit status it stands for. With --json: its fields, the
    /// reason of a negative answer, and the store that served it, as one line on stdout.
    /// Otherwise its text, the first line marked "(from SQLite)" when SQLite served although a
    /// Redis is configured (SPEC §4). Problems beside it go to stderr either way.
    @discardableResult
    func render(_ result: CommandResult) -> ExitStatus {
        let source = result.store ?? store.served
        if json {
            if !result.humanOnly {
                var fields = result.fields
                switch result.outcome {
                case .success: break
                case .negative(let reason), .refused(let reason): fields.insert((.reason, .string(reason.rawValue)), at: 0)
                }
                if result.reportsStore { fields.append((.store, .optional(source?.rawValue))) }
                terminal.line(JSON.fields(fields).serialized)
            }
        } else if result.marksStore, marksSQLite(source) {
            let firstLine = result.text.firstIndex(of: "\n") ?? result.text.endIndex
            terminal.line(result.text[..<firstLine] + " (from SQLite)" + result.text[firstLine...])
        } else {
            terminal.line(result.text)
        }
        for problem in result.problems { terminal.report(problem) }
        return result.status
    }

    /// Whether a result served by `source` should say so to a human (see `render`).
    func marksSQLite(_ source: StoreSource?) -> Bool { source == .sqlite && settings.redisConfigured }

    /// Shows an error the run ends with, returning its status. A refusal is a result with
    /// --json (on stdout, with its reason); anything else is one line on stderr, or one JSON
    /// object there (see Terminal.report). A run a signal cut short (the service undid its work)
    /// ends as the signal asked, and says so.
    func render(_ error: CloseupError) -> ExitStatus {
        if json, let refusal = error.refusal, Interruption.caught == nil {
            return render(CommandResult(refusal: refusal, message: error.line))
        }
        return Self.report(error, on: terminal)
    }

    /// Reports an error on stderr, with or without a context (settings that do not resolve).
    @discardableResult
    static func report(_ error: CloseupError, on terminal: Terminal) -> ExitStatus {
        let status = Interruption.caught.map(ExitStatus.signal) ?? error.status
        let line = error.kind == .internal ? error.line + "; this is a bug in closeup; please report it" : error.line
        terminal.report(error, line: line, exit: status.rawValue)
        return status
    }
}
