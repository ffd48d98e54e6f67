// otp send / verify / ttl / revoke: argv to one OTPService call, the answer as a result.
import CloseupKit

enum OTPCommands {
    /// Renders its own result: with --via stdout printing it is the delivery, inside the send.
    static func send(_ context: CommandContext) throws(CloseupError) -> ExitStatus {
        let arguments = context.arguments
        var request = SendRequest(
            user: try UserID(arguments.positionals[0]), mobile: try MobileNumber(arguments.value("mobile")!))
        request.channel = arguments.value("channel").flatMap(DeliveryChannel.init) ?? .sms
        request.route = arguments.value("via").flatMap(DeliveryRoute.init)
        request.force = arguments.has("force")
        if let ttl = arguments.value("ttl") { request.ttl = Int64(ttl)! }
        // From the send's first change to a store on, a signal is noted rather than obeyed, so an
        // undelivered code is withdrawn instead of left live (Interruption). Printing the code is its
        // delivery with --via stdout: the service hands the issue here to print, and withdraws the
        // code when it did not reach stdout in full.
        var hooks = DeliveryHooks()
        hooks.holdSignals = { Interruption.hold() }
        hooks.interrupted = { Interruption.caught }
        hooks.printCode = { issue in
            context.render(result(issue, context.terminal))
            guard !context.terminal.flush() else { return nil }
            return context.terminal.writeFailure?.reason ?? "the write failed"
        }
        let issue = try OTPService(store: context.store).send(request, hooks: hooks)
        guard issue.code == nil else { return .success }
        let status = context.render(result(issue, context.terminal))
        // Exit 3 all the same (SPEC §4), but a code that did go out must not read as a failed send.
        if !context.terminal.flush(), case .failed(let reason)? = context.terminal.writeFailure {
            throw .unavailable(
                "the code was sent to \(issue.mobile.masked) and is live,"
                    + " but the result cannot be written to stdout: \(reason)")
        }
        return status
    }

    /// The result of a send; the code itself only when it is the delivery (--via stdout).
    private static func result(_ issue: OTPIssue, _ terminal: Terminal) -> CommandResult {
        var fields: Fields = [
            (.userID, .string(issue.user.value)),
            (.mobileNumber, .string(issue.mobile.value)),
            (.channel, .string(issue.channel.rawValue)),
            (.via, .string(issue.route.rawValue)),
            (.createdAt, .optional(issue.record.createdAt)),
            (.expiresAt, .optional(issue.record.expiresAt)),
            (.ttlSeconds, .integer(issue.ttl)),
        ]
        let expiry = "expires \(Format.moment(issue.record.expiresAt, or: "in \(issue.ttl) s"))"
        let text: String
        if let code = issue.code {
            fields.append((.otp, .string(code)))
            text =
                "OTP for \(issue.user): \(terminal.paint(code, .bold))\n"
                + "for \(issue.mobile.masked) by \(issue.channel.rawValue), \(expiry)"
        } else {
            text = "OTP for \(issue.user) sent to \(issue.mobile.masked) by \(issue.channel.rawValue); \(expiry)"
        }
        return CommandResult(fields: fields, text: text, store: issue.source)
    }

    static func verify(_ context: CommandContext) throws(CloseupError) -> CommandResult {
        let user = try UserID(context.arguments.positionals[0])
        var code = context.arguments.positionals[1]
        if code == "-" { code = StandardInput.firstLine() }
        let outcome = try OTPService(store: context.store).verify(user, code: code)
        let terminal = context.terminal
        let base: Fields = [(.userID, .string(user.value))]
        switch outcome {
        case .verified(let source):
            context.audit.markChanged()
            return CommandResult(
                fields: base + [(.valid, .bool(true))],
                text: "\(terminal.paint("valid", .green)): the OTP for \(user) is verified and consumed", store: source)
        case .wrongCode(let attempts, let max):
            let blocked = attempts >= Int64(max)
            return CommandResult(
                fields: base + [
                    (.valid, .bool(false)), (.count, .integer(attempts)), (.max, .integer(Int64(max))),
                    (.blocked, .bool(blocked)),
                ],
                text: "\(terminal.paint("invalid", .red)) code for \(user): failed attempt \(attempts) of \(max)"
                    + (blocked ? "; the user is now blocked" : ""),
                outcome: .negative(.wrongCode))
        case .noLiveCode:
            return CommandResult(
                fields: base + [(.valid, .bool(false))],
                text: "no live OTP for \(user): none was sent, it expired, or it was already used",
                outcome: .negative(.noLiveOTP))
        }
    }

    static func revoke(_ context: CommandContext) throws(CloseupError) -> ExitStatus {
        let service = OTPService(store: context.store)
        return try BulkClearCommand.run(
            context, noun: ("live code", "live codes"), verb: (.revoked, "revoked"), noneIsNegative: true,
            perUser: { users throws(CloseupError) in try service.revoke(users) },
            counting: { users throws(CloseupError) in try service.revokeCounting(users) })
    }

    static func ttl(_ context: CommandContext) throws(CloseupError) -> CommandResult {
        let user = try UserID(context.arguments.positionals[0])
        let live = try OTPService(store: context.store).live(user)
        let fields: Fields = [
            (.userID, .string(user.value)), (.live, .bool(live != nil)), (.ttlSeconds, Format.ttl(live?.ttl)),
            (.expiresAt, .optional(live?.record.expiresAt)),
        ]
        guard let live else {
            return CommandResult(fields: fields, text: "no live OTP for \(user)", outcome: .negative(.noLiveOTP))
        }
        let seconds = live.ttl.map { "\($0) s left" } ?? "no expiry (a writer left it without a TTL)"
        return CommandResult(
            fields: fields, text: "\(user): \(seconds), expires \(Format.moment(live.record.expiresAt, or: "never"))",
            store: live.source)
    }
}
