// One run of closeup: parse, answer help/version, resolve settings, call one
// handler, map the outcome to an exit status. The only place that decides
// what is printed for an error and with which code.
import CloseupKit
import Glibc

/// What a handler gets: its arguments, the store, and where to write.
struct CommandContext {
    var arguments: ParsedArguments
    var settings: Settings
    var store: Store
    var terminal: Terminal
    var json: Bool
    var environment: [String: String] = [:]
    /// Targets the command adds to its audit record (see AuditTrail).
    let audit = AuditTrail()
}

extension CommandContext {
    /// Prints one result (one line of a stream, for bulk commands): with --json, `fields` and
    /// the `store` that served it; otherwise `text`, its first line marked "(from SQLite)" when
    /// SQLite served although a Redis is configured (SPEC §4). `store` is the result's own
    /// source where it differs from the run's (a code found in SQLite's copy).
    func emit(_ fields: [(String, JSON)], text: String, store source: StoreSource? = nil) {
        let source = source ?? store.served
        if json {
            terminal.line(JSON.object(fields + [("store", .optional(source?.rawValue))]).serialized)
        } else if marksSQLite(source) {
            let firstLine = text.firstIndex(of: "\n") ?? text.endIndex
            terminal.line(text[..<firstLine] + " (from SQLite)" + text[firstLine...])
        } else {
            terminal.line(text)
        }
    }

    /// Whether a result served by `source` should say so to a human (see `emit`).
    func marksSQLite(_ source: StoreSource?) -> Bool { source == .sqlite && settings.redisConfigured }
}

public enum Runner {
    /// Runs closeup with `arguments` (without the program name); returns the exit status. A run
    /// that a signal cut short (`otp send`, see Interruption) does not return: it ends by that signal.
    public static func run(_ arguments: [String], environment: [String: String]) -> Int32 {
        // First, before anything opens a descriptor that could take stdout's place.
        let stdoutWasClosed = Terminal.openMissingStandardDescriptors()
        // A closed pipe must surface as a failed write we can end quietly on, not a signal.
        signal(SIGPIPE, SIG_IGN)
        // Inherited as ignored, SIGCHLD would have the delivery command reaped before its status is read.
        signal(SIGCHLD, SIG_DFL)
        let terminal = Terminal(color: nil, environment: environment)
        terminal.stdoutWasClosed = stdoutWasClosed
        // Known before parsing, so even a command line that does not parse is answered in JSON.
        terminal.jsonErrors = (arguments.firstIndex(of: "--").map { arguments[..<$0] } ?? arguments[...]).contains("--json")
        var status = execute(arguments, environment: environment, terminal: terminal)
        terminal.flush()
        // A result that did not reach stdout in full is a failure, whatever it said (SPEC §4); an
        // error already reported keeps its own status and line.
        if case .failed(let reason)? = terminal.writeFailure, [0, 1, 4].contains(status) {
            terminal.report(.unavailable("cannot write to stdout: \(reason); the output is incomplete"))
            status = 3
        }
        if let signal = Interruption.caught, status == 128 + signal { Interruption.end(as: signal) }
        return status
    }

    private static func execute(_ arguments: [String], environment: [String: String], terminal: Terminal) -> Int32 {
        let parsed: ParsedArguments
        do throws(UsageError) {
            switch try Parser.parse(arguments) {
            case .version:
                terminal.line("closeup \(CommandTable.version)")
                return 0
            case .help(let path):
                guard path.isEmpty || CommandTable.command(path) != nil || CommandTable.isGroup(path) else {
                    throw UsageError(message: "unknown command '\(path.joined(separator: " "))'", commandPath: [])
                }
                terminal.write(HelpRenderer.render(path))
                return 0
            case .run(let arguments):
                parsed = arguments
            }
        } catch {
            terminal.report(.usage(error.message))
            guard !terminal.jsonErrors else { return 2 }
            let see = error.commandPath.isEmpty ? "closeup --help" : "closeup \(error.commandPath.joined(separator: " ")) --help"
            if let command = CommandTable.command(error.commandPath) {
                terminal.errorDetail("usage: \(HelpRenderer.usage(command))")
            }
            terminal.errorDetail("see '\(see)'")
            return 2
        }

        if parsed.command.id == .completions { return CompletionsCommand.run(parsed, terminal) }
        terminal.quiet = parsed.has("quiet")
        if let color = parsed.value("color") {
            terminal.colorOnStdout = Terminal(color: color, environment: environment).colorOnStdout
        }
        var context: CommandContext?
        do throws(CloseupError) {
            try Audit.validateReason(parsed)
            let settings = try resolveSettings(parsed, environment: environment)
            for warning in settings.warnings { terminal.warn(warning) }
            let store = Store(settings: settings, warn: { terminal.warn($0) })
            context = CommandContext(
                arguments: parsed, settings: settings, store: store, terminal: terminal, json: parsed.has("json"),
                environment: environment)
            let status = try dispatch(context!)
            Audit.record(context!, status: status, error: nil)
            return status
        } catch {
            if let context, context.json, let reason = error.reason {
                // SPEC §4: a refusal is a result, on stdout, with its reason and what comes next.
                guard case .object(let details) = error.details else { return error.exitCode }
                context.emit([("reason", .string(reason))] + details + [("message", .string(error.line))], text: "")
            } else if error.kind == .internal {
                terminal.report(error, line: error.line + "; this is a bug in closeup; please report it")
            } else {
                terminal.report(error)
            }
            // A run a signal cut short (the service undid its work) ends as the signal asked.
            let status = Interruption.caught.map { 128 + $0 } ?? error.exitCode
            if let context { Audit.record(context, status: status, error: error) }
            return status
        }
    }

    /// Binds each command to its handler; a new CommandID without a case here does not compile.
    private static func dispatch(_ context: CommandContext) throws(CloseupError) -> Int32 {
        switch context.arguments.command.id {
        case .otpSend: try OTPCommands.send(context)
        case .otpVerify: try OTPCommands.verify(context)
        case .otpTTL: try OTPCommands.ttl(context)
        case .otpRevoke: try OTPCommands.revoke(context)
        case .inspect: try InspectCommand.run(context)
        case .attemptsGet: try AttemptsCommands.get(context)
        case .attemptsClear: try AttemptsCommands.clear(context)
        case .attemptsList: try AttemptsCommands.list(context)
        case .rateLimitCheck: try RateLimitCommands.check(context)
        case .rateLimitReset: try RateLimitCommands.reset(context)
        case .pendingVideoGet: try CacheCommands.pendingVideoGet(context)
        case .pendingVideoSet: try CacheCommands.pendingVideoSet(context)
        case .pendingVideoClear: try CacheCommands.pendingVideoClear(context)
        case .verificationGet: try CacheCommands.verificationGet(context)
        case .verificationSet: try CacheCommands.verificationSet(context)
        case .verificationClear: try CacheCommands.verificationClear(context)
        case .keysScan: try KeysCommand.scan(context)
        case .monitor: try MonitorCommand.run(context)
        case .doctor: try DoctorCommand.run(context)
        case .audit: try AuditCommand.run(context)
        case .help, .completions: 0  // answered before settings are resolved
        }
    }

    private static func resolveSettings(
        _ parsed: ParsedArguments, environment: [String: String]
    ) throws(CloseupError) -> Settings {
        var flags: [SettingKey: String] = [:]
        for flag in CommandTable.globalFlags {
            if let key = flag.setting, let value = parsed.value(flag.long) { flags[key] = value }
        }
        if parsed.has("askpass") {
            if parsed.has("password-file") {
                throw .usage("--askpass and --password-file both give the password; use one")
            }
            flags[.password] = try Askpass.read(prompt: "Redis password: ")
        }
        let envFile: EnvFileChoice =
            if parsed.has("no-env-file") { .none } else if let path = parsed.value("env-file") { .path(path) } else {
                .automatic
            }
        return try Settings.resolve(flags: flags, environment: environment, envFile: envFile)
    }
}
