// The USER... | - commands that clear one kind of per-user key (attempts,
// verification, pending-video): reading and validating ids, and the summary.
import CloseupKit

enum BulkClearCommand {
    /// Ids are cleared a window at a time: memory stays flat however long the list on stdin.
    static let window = 10_000

    /// USER... | - : read and validate ids, clear them, print a summary or one JSON line per user.
    /// Exit 2 when a line of stdin was bad (the rest are still cleared); with `noneIsNegative`,
    /// exit 1 when no user had anything to clear (otp revoke: nothing to revoke).
    /// `perUser` answers for each user (JSON lines); `counting` only how many (the summary), which
    /// lets the service spare the server a command per user.
    static func run(
        _ context: CommandContext, noun: (singular: String, plural: String),
        verb: (field: Field, past: String) = (.cleared, "cleared"), noneIsNegative: Bool = false,
        perUser: ([UserID]) throws(CloseupError) -> [Bool], counting: ([UserID]) throws(CloseupError) -> Int
    ) throws(CloseupError) -> ExitStatus {
        var list = try UserList(context.arguments.positionals, terminal: context.terminal)
        var users = 0, count = 0
        let terminal = context.terminal
        terminal.beginProgress(stdoutQuiet: !context.json)
        defer { terminal.endProgress() }
        // Ctrl-C (SIGTERM, SIGHUP) ends the clear after the window in hand: the summary still
        // says how many were cleared, and the run then ends by the signal.
        Interruption.hold()
        while Interruption.caught == nil, let window = list.next(upTo: window) {
            users += window.count
            context.audit.add(window.lazy.map(\.value))
            if context.json {
                let cleared = try perUser(window)
                count += cleared.filter { $0 }.count
                for (user, wasSet) in zip(window, cleared) {
                    // A negative answer says why (SPEC §4): nothing to revoke.
                    context.render(
                        CommandResult(
                            fields: [(.userID, .string(user.value)), (verb.field, .bool(wasSet))], text: "",
                            outcome: noneIsNegative && !wasSet ? .negative(.noLiveOTP) : .success))
                }
            } else {
                count += try counting(window)
            }
            terminal.progress { seconds in
                "read \(ProgressLine.grouped(users)) users, \(verb.past) \(ProgressLine.grouped(count)) "
                    + "(\(ProgressLine.rate(users, seconds)))"
            }
        }
        terminal.endProgress()
        let none = users - count
        context.render(
            .summary(
                "\(verb.past) \(count) \(count == 1 ? noun.singular : noun.plural)"
                    + (none > 0 ? " (\(none) of \(users) users had none)" : "")))
        if let signal = Interruption.caught { return .signal(signal) }
        if list.badInput { return .usage }
        return noneIsNegative && count == 0 ? .negative : .success
    }
}

/// The USER... | - arguments of bulk commands, handed out a window at a time.
struct UserList {
    /// The arguments, validated, with nil where '-' stands.
    private var named: [UserID?]
    private var position = 0
    private var lines: StandardInput.Lines?
    private let terminal: Terminal
    /// Whether a line of stdin was bad (reported and skipped).
    private(set) var badInput = false

    /// A bad id on the command line is a typo: it stops the command before anything is cleared.
    init(_ arguments: [String], terminal: Terminal) throws(CloseupError) {
        named = try arguments.map { argument throws(CloseupError) in argument == "-" ? nil : try UserID(argument) }
        self.terminal = terminal
    }

    /// Up to `size` more valid ids, or nil when there are none left. A bad line on stdin is
    /// reported with its number and skipped, so one bad line never holds up a bulk clean-up.
    mutating func next(upTo size: Int) -> [UserID]? {
        var window: [UserID] = []
        window.reserveCapacity(min(size, 1024))
        while window.count < size {
            if lines != nil {
                // Mutated in place: a copy would copy the reader's buffer with every line.
                guard let line = lines!.next() else {
                    lines = nil
                    continue
                }
                do {
                    window.append(try UserID(line.text))
                } catch {
                    terminal.report(error, line: "stdin line \(line.number): \(error.line)")
                    badInput = true
                }
                continue
            }
            guard position < named.count else { break }
            defer { position += 1 }
            if let user = named[position] { window.append(user) } else { lines = StandardInput.Lines() }
        }
        return window.isEmpty ? nil : window
    }
}
