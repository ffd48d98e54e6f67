// inspect USER... | -: the whole picture of a user, for the 3 a.m. "why can't X log in", or of
// every user of a ticket at once.
import CloseupKit

enum InspectCommand {
    /// Users are read a window at a time: two round trips per window (see Inspector).
    static let window = 500

    static func run(_ context: CommandContext) throws(CloseupError) -> Int32 {
        if let number = context.arguments.value("mobile") {
            guard context.arguments.positionals.isEmpty else { throw .usage("give users or --mobile, not both") }
            return try mobile(context, try MobileNumber(number))
        }
        guard !context.arguments.positionals.isEmpty else { throw .usage("'inspect' needs USER... or --mobile NUMBER") }
        var list = try UserList(context.arguments.positionals, terminal: context.terminal)
        let inspector = Inspector(store: context.store)
        let terminal = context.terminal
        var corrupt: CloseupError?
        var first = true
        while let users = list.next(upTo: window) {
            for report in try inspector.inspect(users) {
                if context.json {
                    terminal.line(json(report).serialized)
                } else {
                    terminal.write((first ? "" : "\n") + human(report, terminal))
                }
                first = false
                for problem in report.problems { terminal.report(problem) }
                corrupt = corrupt ?? report.problems.first
            }
            terminal.flush()
            if terminal.isClosed { break }
        }
        if let corrupt { return corrupt.exitCode }
        return list.badInput ? 2 : 0
    }

    /// inspect --mobile: the send window, then each user with a live code sent to the number.
    static func mobile(_ context: CommandContext, _ number: MobileNumber) throws(CloseupError) -> Int32 {
        let (window, reports, windowProblems) = try Inspector(store: context.store).inspect(mobile: number)
        let terminal = context.terminal
        let limit: String
        if let window {
            let reset = window.count > 0 ? ", \(window.resetInSeconds.map { "resets in \($0) s" } ?? "no expiry")" : ""
            limit = "\(window.count) of \(window.limit) sends\(reset)"
        } else {
            limit = "unreadable (see the error below)"
        }
        context.emit(
            [
                ("mobile_number", .string(number.value)), ("count", .optional(window?.count)),
                ("max", .integer(OTPService.sendLimit)), ("remaining", .optional(window?.remaining)),
                ("reset_in_seconds", Format.ttl(window?.resetInSeconds)),
                ("user_ids", .array(reports.map { .string($0.user.value) })),
            ],
            text: "mobile         \(number.masked)\n"
                + "send limit     \(limit)\n"
                + "live codes     \(reports.isEmpty ? "none" : reports.map(\.user.value).joined(separator: ", "))")
        if !context.json {
            for report in reports { terminal.write("\n" + human(report, terminal)) }
        }
        let problems = windowProblems + reports.flatMap(\.problems)
        for problem in problems { terminal.report(problem) }
        return problems.first?.exitCode ?? 0
    }

    static func human(_ report: InspectReport, _ terminal: Terminal) -> String {
        func row(_ label: String, _ value: String) -> String {
            label + String(repeating: " ", count: max(1, 15 - label.count)) + value + "\n"
        }
        var out = row("user", terminal.paint(report.user.value, .bold) + " (from \(Format.name(report.source)))")
        if let otp = report.otp {
            let lifetime = otp.ttl.map { "\($0) s left" } ?? "no expiry"
            out += row("otp", "live, \(lifetime), from \(Format.name(otp.source))")
            out += row("  mobile", Format.masked(otp.record.mobileNumber))
            out += row("  created", Format.stored(otp.record.createdAt, or: "unknown"))
            out += row("  expires", Format.stored(otp.record.expiresAt, or: "unknown"))
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
        return out
    }

    static func json(_ report: InspectReport) -> JSON {
        var fields: [(String, JSON)] = [("user_id", .string(report.user.value)), ("store", .string(report.source.rawValue))]
        if let otp = report.otp {
            fields.append(
                (
                    "otp",
                    .object([
                        ("mobile_number", .optional(otp.record.mobileNumber)),
                        ("created_at", .optional(otp.record.createdAt)),
                        ("expires_at", .optional(otp.record.expiresAt)),
                        ("ttl_seconds", Format.ttl(otp.ttl)),
                        ("store", .string(otp.source.rawValue)),
                    ])
                ))
        } else {
            fields.append(("otp", .null))
        }
        if let attempts = report.attempts {
            fields.append(
                (
                    "attempts",
                    .object([
                        ("count", .integer(attempts.count)), ("max", .integer(Int64(attempts.max))),
                        ("blocked", .bool(attempts.blocked)), ("ttl_seconds", Format.ttl(attempts.ttl)),
                    ])
                ))
        }
        fields.append(
            ("verification", report.verification.map { .object([("verified", .bool($0.value)), ("ttl_seconds", Format.ttl($0.ttl))]) } ?? .null))
        fields.append(
            ("pending_video", report.pendingVideo.map { .object([("job_id", .integer($0.jobID)), ("ttl_seconds", Format.ttl($0.ttl))]) } ?? .null))
        if let window = report.sendWindow, let mobile = report.sendWindowMobile {
            fields.append(
                (
                    "send_rate_limit",
                    .object([
                        ("identifier", .string(mobile.value)), ("count", .integer(window.count)),
                        ("max", .integer(window.limit)), ("remaining", .integer(window.remaining)),
                        ("reset_in_seconds", Format.ttl(window.resetInSeconds)),
                    ])
                ))
        } else {
            fields.append(("send_rate_limit", .null))
        }
        fields.append(("problems", .array(report.problems.map { .string($0.line) })))
        return .object(fields)
    }
}
