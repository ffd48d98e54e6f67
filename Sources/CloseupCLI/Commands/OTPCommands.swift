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
        let issue = try OTPService(store: context.store).send(request)
        let terminal = context.terminal
        if context.json {
            var fields: [(String, JSON)] = [
                ("user_id", .string(issue.user.value)),
                ("mobile_number", .string(issue.mobile.value)),
                ("channel", .string(issue.channel.rawValue)),
                ("via", .string(issue.route.rawValue)),
                ("created_at", .optional(issue.record.createdAt)),
                ("expires_at", .optional(issue.record.expiresAt)),
                ("ttl_seconds", .integer(issue.ttl)),
                ("store", .string(issue.source.rawValue)),
            ]
            if let code = issue.code { fields.append(("otp", .string(code))) }
            terminal.line(JSON.object(fields).serialized)
        } else if let code = issue.code {
            terminal.line("OTP for \(issue.user): \(terminal.paint(code, .bold))")
            terminal.line(
                "for \(issue.mobile.masked) by \(issue.channel.rawValue), expires \(issue.record.expiresAt ?? "?")"
                    + " (in \(issue.ttl) s)")
        } else {
            terminal.line(
                "OTP for \(issue.user) sent to \(issue.mobile.masked) by \(issue.channel.rawValue);"
                    + " expires \(issue.record.expiresAt ?? "?") (in \(issue.ttl) s)")
        }
        return 0
    }

    static func verify(_ context: CommandContext) throws(CloseupError) -> Int32 {
        let user = try UserID(context.arguments.positionals[0])
        var code = context.arguments.positionals[1]
        if code == "-" { code = StandardInput.lines().first?.text ?? "" }
        let outcome = try OTPService(store: context.store).verify(user, code: code)
        let terminal = context.terminal
        switch outcome {
        case .verified(let source):
            if context.json {
                terminal.line(
                    JSON.object([("user_id", .string(user.value)), ("valid", .bool(true)), ("store", .string(source.rawValue))])
                        .serialized)
            } else {
                terminal.line("\(terminal.paint("valid", .green)): the OTP for \(user) is verified and consumed")
            }
            return 0
        case .wrongCode(let attempts, let max):
            if context.json {
                terminal.line(
                    JSON.object([
                        ("user_id", .string(user.value)), ("valid", .bool(false)), ("reason", .string("wrong_code")),
                        ("attempts", .integer(attempts)), ("max_attempts", .integer(Int64(max))),
                        ("blocked", .bool(attempts >= Int64(max))),
                    ]).serialized)
            } else {
                let blocked = attempts >= Int64(max) ? "; the user is now blocked" : ""
                terminal.line("\(terminal.paint("invalid", .red)) code for \(user): failed attempt \(attempts) of \(max)\(blocked)")
            }
            return 1
        case .noLiveCode:
            if context.json {
                terminal.line(
                    JSON.object([("user_id", .string(user.value)), ("valid", .bool(false)), ("reason", .string("no_live_otp"))])
                        .serialized)
            } else {
                terminal.line("no live OTP for \(user): none was sent, it expired, or it was already used")
            }
            return 1
        }
    }

    static func ttl(_ context: CommandContext) throws(CloseupError) -> Int32 {
        let user = try UserID(context.arguments.positionals[0])
        let live = try OTPService(store: context.store).live(user)
        let terminal = context.terminal
        if context.json {
            terminal.line(
                JSON.object([
                    ("user_id", .string(user.value)),
                    ("live", .bool(live != nil)),
                    ("ttl_seconds", Format.ttl(live?.ttl)),
                    ("expires_at", .optional(live?.record.expiresAt)),
                    ("store", .optional(live?.source.rawValue)),
                ]).serialized)
        } else if let live {
            let seconds = live.ttl.map { "\($0) s left" } ?? "no expiry (a writer left it without a TTL)"
            terminal.line("\(user): \(seconds), expires \(live.record.expiresAt ?? "never")")
        } else {
            terminal.line("no live OTP for \(user)")
        }
        return live == nil ? 1 : 0
    }
}
