// otp send / verify / ttl: argv to one OTPService call, the result to text or JSON.
import CloseupKit

enum OTPCommands {
    static func send(_ context: CommandContext) throws(CloseupError) -> Int32 {
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
            report(issue, context)
            guard !context.terminal.flush() else { return nil }
            return context.terminal.writeFailure?.reason ?? "the write failed"
        }
        let issue = try OTPService(store: context.store).send(request, hooks: hooks)
        guard issue.code == nil else { return 0 }
        report(issue, context)
        // Exit 3 all the same (SPEC §4), but a code that did go out must not read as a failed send.
        if !context.terminal.flush(), case .failed(let reason)? = context.terminal.writeFailure {
            throw .unavailable(
                "the code was sent to \(issue.mobile.masked) and is live,"
                    + " but the result cannot be written to stdout: \(reason)")
        }
        return 0
    }

    /// The result of a send; the code itself only when it is the delivery (--via stdout).
    private static func report(_ issue: OTPIssue, _ context: CommandContext) {
        let terminal = context.terminal
        var fields: [(String, JSON)] = [
            ("user_id", .string(issue.user.value)),
            ("mobile_number", .string(issue.mobile.value)),
            ("channel", .string(issue.channel.rawValue)),
            ("via", .string(issue.route.rawValue)),
            ("created_at", .optional(issue.record.createdAt)),
            ("expires_at", .optional(issue.record.expiresAt)),
            ("ttl_seconds", .integer(issue.ttl)),
        ]
        let expiry = "expires \(issue.record.expiresAt ?? "?") (in \(issue.ttl) s)"
        let text: String
        if let code = issue.code {
            fields.append(("otp", .string(code)))
            text =
                "OTP for \(issue.user): \(terminal.paint(code, .bold))\n"
                + "for \(issue.mobile.masked) by \(issue.channel.rawValue), \(expiry)"
        } else {
            text = "OTP for \(issue.user) sent to \(issue.mobile.masked) by \(issue.channel.rawValue); \(expiry)"
        }
        context.emit(fields, text: text, store: issue.source)
    }

    static func verify(_ context: CommandContext) throws(CloseupError) -> Int32 {
        let user = try UserID(context.arguments.positionals[0])
        var code = context.arguments.positionals[1]
        if code == "-" { code = StandardInput.firstLine() }
        let outcome = try OTPService(store: context.store).verify(user, code: code)
        let terminal = context.terminal
        let base: [(String, JSON)] = [("user_id", .string(user.value))]
        switch outcome {
        case .verified(let source):
            context.emit(
                base + [("valid", .bool(true))],
                text: "\(terminal.paint("valid", .green)): the OTP for \(user) is verified and consumed", store: source)
            return 0
        case .wrongCode(let attempts, let max):
            let blocked = attempts >= Int64(max)
            context.emit(
                base + [
                    ("valid", .bool(false)), ("reason", .string("wrong_code")), ("count", .integer(attempts)),
                    ("max", .integer(Int64(max))), ("blocked", .bool(blocked)),
                ],
                text: "\(terminal.paint("invalid", .red)) code for \(user): failed attempt \(attempts) of \(max)"
                    + (blocked ? "; the user is now blocked" : ""))
            return 1
        case .noLiveCode:
            context.emit(
                base + [("valid", .bool(false)), ("reason", .string("no_live_otp"))],
                text: "no live OTP for \(user): none was sent, it expired, or it was already used")
            return 1
        }
    }

    static func revoke(_ context: CommandContext) throws(CloseupError) -> Int32 {
        let service = OTPService(store: context.store)
        return try BulkClearCommand.run(
            context, noun: ("live code", "live codes"), verb: ("revoked", "revoked"), noneIsNegative: true,
            perUser: { users throws(CloseupError) in try service.revoke(users) },
            counting: { users throws(CloseupError) in try service.revokeCounting(users) })
    }

    static func ttl(_ context: CommandContext) throws(CloseupError) -> Int32 {
        let user = try UserID(context.arguments.positionals[0])
        let live = try OTPService(store: context.store).live(user)
        let text: String
        if let live {
            let seconds = live.ttl.map { "\($0) s left" } ?? "no expiry (a writer left it without a TTL)"
            text = "\(user): \(seconds), expires \(Format.stored(live.record.expiresAt, or: "never"))"
        } else {
            text = "no live OTP for \(user)"
        }
        context.emit(
            [
                ("user_id", .string(user.value)),
                ("live", .bool(live != nil)),
                ("ttl_seconds", Format.ttl(live?.ttl)),
                ("expires_at", .optional(live?.record.expiresAt)),
            ] + (live == nil ? [("reason", .string("no_live_otp"))] : []), text: text, store: live?.source)
        return live == nil ? 1 : 0
    }
}
