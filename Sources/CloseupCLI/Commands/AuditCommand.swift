// closeup audit: the audit log read back, newest first (SPEC §2, §3).
import CloseupKit

enum AuditCommand {
    static func run(_ context: CommandContext) throws(CloseupError) -> ExitStatus {
        let arguments = context.arguments
        let since = try arguments.value("since").map { text throws(CloseupError) in
            Clock.system.epochSeconds - (try duration(text))
        }
        let limit = arguments.value("limit").flatMap { Int($0) } ?? 50
        // The log lives in SQLite whichever store serves the other commands.
        let records = try AuditLog.read(
            try context.store.sqlite(), since: since, user: arguments.value("user"), command: arguments.value("command"),
            limit: limit)
        for record in records {
            // The log lives in SQLite whichever store serves: a human line needs no "(from SQLite)".
            context.render(
                CommandResult(
                    fields: [
                        (.time, .string(record.time)), (.osUser, .string(record.osUser)),
                        (.sudoUser, .optional(record.sudoUser)), (.host, .string(record.host)),
                        (.command, .string(record.command)), (.targetCount, .integer(Int64(record.targetCount))),
                        (.targets, .array(record.targets.map(JSON.string))), (.redis, .optional(record.redis)),
                        (.servedBy, .optional(record.store)), (.outcome, .string(record.outcome)),
                        (.exit, .integer(Int64(record.exit))), (.reason, .optional(record.reason)),
                    ],
                    text: "\(Format.moment(record.time, or: "?"))  \(Printable.escape(record.line(showing: Format.maskedTarget)))",
                    store: .sqlite,
                    marksStore: false))
        }
        context.terminal.note("\(records.count) record\(records.count == 1 ? "" : "s")")
        return .success
    }

    /// "90s", "30m", "1h", "2d" (a bare number is seconds), at most ten years.
    static func duration(_ text: String) throws(CloseupError) -> Int64 {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        let unit = text.last.flatMap { units[$0] }
        let digits = unit == nil ? Substring(text) : text.dropLast()
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.count <= 12,
            let number = Int64(digits), number > 0
        else {
            throw .usage("invalid duration '\(Printable.escape(text))' for '--since': expected a number and s, m, h or d (e.g. 1h)")
        }
        let seconds = number.multipliedReportingOverflow(by: unit ?? 1)
        guard !seconds.overflow, seconds.partialValue <= CommandTable.longestSpan else {
            throw .usage("invalid duration '\(text)' for '--since': at most ten years")
        }
        return seconds.partialValue
    }
}
