// monitor: one decoded event per line, flushed at once; Ctrl-C and SIGTERM end it cleanly.
import CloseupKit
import Glibc

/// Set from the signal handler; read between waits.
nonisolated(unsafe) private var stopRequested: sig_atomic_t = 0

enum MonitorCommand {
    static func run(_ context: CommandContext) throws(CloseupError) -> ExitStatus {
        let arguments = context.arguments
        var request = MonitorRequest()
        request.user = try arguments.value("user").map { raw throws(CloseupError) in try UserID(raw).value }
        request.kinds = Set(arguments.all("kind").compactMap(KeyKind.init))
        request.duration = arguments.value("duration").flatMap(Double.init)
        request.interval = arguments.value("interval").flatMap(Double.init) ?? 1
        if context.settings.store == .sqlite {
            throw .usage("monitor watches Redis; it has nothing to watch with --store sqlite")
        }
        stopRequested = 0
        signal(SIGINT) { _ in stopRequested = 1 }
        signal(SIGTERM) { _ in stopRequested = 1 }
        // A parent may have started us with these blocked (some runtimes block signals in
        // their threads, and children inherit the mask): unblock the two that end us.
        var handled = sigset_t()
        sigemptyset(&handled)
        sigaddset(&handled, SIGINT)
        sigaddset(&handled, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &handled, nil)
        let raw = arguments.has("raw")
        let terminal = context.terminal
        let clock = Clock.system
        // On a terminal, a person is watching: say what, how to stop, and name the columns.
        if !context.json, isatty(STDOUT_FILENO) == 1 {
            terminal.note("watching \(context.settings.redis.target) for closeup's keys; Ctrl-C to stop")
            if !raw { terminal.line(terminal.paint(MonitorLine.header, .bold)) }
        }
        try Monitor(settings: context.settings).run(
            request,
            event: { event in
                // Monitor watches Redis only, whatever served the run's other reads.
                context.render(
                    CommandResult(
                        fields: fields(event, raw: raw, clock: clock), text: human(event, raw: raw, clock: clock),
                        store: .redis))
                terminal.flush()
            },
            notice: { notice in
                switch notice {
                case .polling(let reason):
                    terminal.warn("\(reason); polling every \(request.interval) s instead (changes between polls are merged)")
                case .reconnecting(let reason, let seconds):
                    terminal.warn("\(reason); reconnecting in \(seconds) s")
                case .layoutUnknown(let warning):
                    terminal.warn(warning)
                case .reconnected:
                    terminal.warn("reconnected to Redis at \(context.settings.redis.target)")
                }
            },
            shouldStop: { stopRequested != 0 || terminal.isClosed })
        return .success
    }

    static func human(_ event: MonitorEvent, raw: Bool, clock: Clock) -> String {
        let stamp = Timestamp.format(epoch: Int64(event.time), utcOffset: clock.utcOffset(Int64(event.time)))
        let time = String(stamp.dropFirst(11).prefix(8)) + "." + milliseconds(event.time)
        if raw {
            let words = ([event.command] + event.arguments).map(Printable.escape)
            return "\(time) [\(event.database) \(event.client)] \(words.joined(separator: " "))"
        }
        let key = event.kind == .rateLimit ? "rate_limit:" + MonitorLine.maskedRateLimit(event.key ?? "") : event.key ?? ""
        return MonitorLine.columns(time, event.client, Printable.escape(key), Printable.escape(event.meaning))
    }

    static func fields(_ event: MonitorEvent, raw: Bool, clock: Clock) -> Fields {
        var fields: Fields = [
            (.time, .string(clock.timestamp(Int64(event.time)))),
            (.client, .string(event.client)),
            (.db, .integer(Int64(event.database))),
            (.command, .string(event.command)),
            (.key, .optional(event.key)),
            (.kind, .optional(event.kind?.rawValue)),
            (.userID, .optional(event.user)),
            (.meaning, .string(event.meaning)),
        ]
        if raw { fields.append((.arguments, .array(event.arguments.map(JSON.string)))) }
        return fields
    }

    private static func milliseconds(_ time: Double) -> String {
        let value = Int((time - time.rounded(.down)) * 1000)
        return String(repeating: "0", count: value < 10 ? 2 : value < 100 ? 1 : 0) + String(value)
    }
}

extension MonitorLine {
    /// Column widths: a time to the millisecond, an IPv4 client with its port, a key of a
    /// typical user id. A longer value pushes its line's later columns along.
    static let widths = (time: 12, client: 21, key: 32)

    static var header: String { columns("TIME", "CLIENT", "KEY", "MEANING") }

    /// One aligned line of the human monitor.
    static func columns(_ time: String, _ client: String, _ key: String, _ meaning: String) -> String {
        func padded(_ text: String, _ width: Int) -> String {
            text + String(repeating: " ", count: max(1, width - text.count + 1))
        }
        return padded(time, widths.time) + padded(client, widths.client) + padded(key, widths.key) + meaning
    }
}
