// inspect USER... | -: the whole picture of a user, for the 3 a.m. "why can't X log in", or of
// every user of a ticket at once.
import CloseupKit

enum InspectCommand {
    /// Users are read a window at a time: two round trips per window (see Inspector).
    static let window = 500

    static func run(_ context: CommandContext) throws(CloseupError) -> ExitStatus {
        if let number = context.arguments.value("mobile") {
            guard context.arguments.positionals.isEmpty else { throw .usage("give users or --mobile, not both") }
            return context.render(try mobile(context, try MobileNumber(number)))
        }
        guard !context.arguments.positionals.isEmpty else { throw .usage("'inspect' needs USER... or --mobile NUMBER") }
        var list = try UserList(context.arguments.positionals, terminal: context.terminal)
        let inspector = Inspector(store: context.store)
        let terminal = context.terminal
        var status = ExitStatus.success
        var first = true
        while let users = list.next(upTo: window) {
            for report in try inspector.inspect(users) {
                var result = result(report, terminal)
                if !first { result.text = "\n" + result.text }
                first = false
                // The first corrupt value decides the exit status; every one is reported.
                let shown = context.render(result)
                if status == .success { status = shown }
            }
            terminal.flush()
            if terminal.isClosed { break }
        }
        return status == .success && list.badInput ? .usage : status
    }

    /// inspect --mobile: the send window, then each user with a live code sent to the number.
    static func mobile(_ context: CommandContext, _ number: MobileNumber) throws(CloseupError) -> CommandResult {
        let (window, reports, windowProblems) = try Inspector(store: context.store).inspect(mobile: number)
        let limit: String
        if let window {
            let reset = window.count > 0 ? ", \(window.resetInSeconds.map { "resets in \($0) s" } ?? "no expiry")" : ""
            limit = "\(window.count) of \(window.limit) sends\(reset)"
        } else {
            limit = "unreadable (see the error below)"
        }
        let users = reports.isEmpty ? "none" : reports.map(\.user.value).joined(separator: ", ")
        return CommandResult(
            fields: [
                (.mobileNumber, .string(number.value)), (.count, .optional(window?.count)),
                (.max, .integer(OTPService.sendLimit)), (.remaining, .optional(window?.remaining)),
                (.resetInSeconds, Format.ttl(window?.resetInSeconds)),
                (.userIDs, .array(reports.map { .string($0.user.value) })),
            ],
            text: "mobile         \(number.masked)\n"
                + "send limit     \(limit)\n"
                + "live codes     \(users)"
                + reports.map { "\n\n" + human(report: $0, context.terminal) }.joined(),
            problems: windowProblems + reports.flatMap(\.problems))
    }

    /// One user's report: each row names its store, so the text needs no "(from SQLite)".
    static func result(_ report: InspectReport, _ terminal: Terminal) -> CommandResult {
        CommandResult(
            fields: fields(report), text: human(report: report, terminal), store: report.source, marksStore: false,
            problems: report.problems)
    }

    static func human(report: InspectReport, _ terminal: Terminal) -> String {
        func row(_ label: String, _ value: String) -> String {
            label + String(repeating: " ", count: max(1, 15 - label.count)) + value + "\n"
        }
        var out = row("user", terminal.paint(report.user.value, .bold) + " (from \(Format.name(report.source)))")
        if let otp = report.otp {
            let lifetime = otp.ttl.map { "\($0) s left" } ?? "no expiry"
            out += row("otp", "live, \(lifetime), from \(Format.name(otp.source))")
            out += row("  mobile", Format.masked(otp.record.mobileNumber))
            out += row("  created", Format.moment(otp.record.createdAt, or: "unknown"))
            out += row("  expires", Format.moment(otp.record.expiresAt, or: "unknown"))
        } else {
            out += row("otp", "none")
        }
        if let attempts = report.attempts {
            let lifetime = attempts.count > 0 ? " (\(Format.lifetime(attempts.ttl)))" : ""
            out += row("attempts", "\(attempts.count) of \(attempts.max)\(lifetime)")
            out += row("blocked", attempts.blocked ? terminal.paint("yes", .red) : "no")
        }
        if let verification = report.verification {
            out += row("verification", "\(verification.value) (\(Format.lifetime(verification.ttl)))")
        } else {
            out += row("verification", "not cached")
        }
        if let video = report.pendingVideo {
            out += row("pending video", "job \(video.jobID) (\(Format.lifetime(video.ttl)))")
        } else {
            out += row("pending video", "none")
        }
        if let window = report.sendWindow, let mobile = report.sendWindowMobile {
            let reset = window.count > 0 ? ", \(window.resetInSeconds.map { "resets in \($0) s" } ?? "no expiry")" : ""
            out += row("send limit", "\(window.count) of \(window.limit) sends to \(mobile.masked)\(reset)")
        }
        return String(out.dropLast())  // the renderer ends the line
    }

    static func fields(_ report: InspectReport) -> Fields {
        var fields: Fields = [(.userID, .string(report.user.value))]
        fields.append(
            (
                .otp,
                report.otp.map { otp in
                    .fields([
                        (.mobileNumber, .optional(otp.record.mobileNumber)), (.createdAt, .optional(otp.record.createdAt)),
                        (.expiresAt, .optional(otp.record.expiresAt)), (.ttlSeconds, Format.ttl(otp.ttl)),
                        (.store, .string(otp.source.rawValue)),
                    ])
                } ?? .null
            ))
        if let attempts = report.attempts {
            fields.append(
                (
                    .attempts,
                    .fields([
                        (.count, .integer(attempts.count)), (.max, .integer(Int64(attempts.max))),
                        (.blocked, .bool(attempts.blocked)), (.ttlSeconds, Format.ttl(attempts.ttl)),
                    ])
                ))
        }
        fields.append(
            (.verification, report.verification.map { .fields([(.verified, .bool($0.value)), (.ttlSeconds, Format.ttl($0.ttl))]) } ?? .null))
        fields.append(
            (.pendingVideo, report.pendingVideo.map { .fields([(.jobID, .integer($0.jobID)), (.ttlSeconds, Format.ttl($0.ttl))]) } ?? .null))
        var limit = JSON.null
        if let window = report.sendWindow, let mobile = report.sendWindowMobile {
            limit = .fields([
                (.identifier, .string(mobile.value)), (.count, .integer(window.count)), (.max, .integer(window.limit)),
                (.remaining, .integer(window.remaining)), (.resetInSeconds, Format.ttl(window.resetInSeconds)),
            ])
        }
        fields.append((.sendRateLimit, limit))
        fields.append((.problems, .array(report.problems.map { .string($0.line) })))
        return fields
    }
}
