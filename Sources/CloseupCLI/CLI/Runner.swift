// One run of closeup: parse, answer help/version, resolve settings, call one
// handler, then settle the exit status (a result that did not reach stdout is
// a failure) and write the audit record. What a result or an error looks like
// is decided in CommandResult.swift.
import CloseupKit
import Glibc

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
        terminal.jsonDiagnostics = (arguments.firstIndex(of: "--").map { arguments[..<$0] } ?? arguments[...]).contains("--json")
        var run = execute(arguments, environment: environment, terminal: terminal)
        terminal.flush()
        // A result that did not reach stdout in full is a failure, whatever it said (SPEC §4); an
        // error already reported keeps its own status and line.
        if case .failed(let reason)? = terminal.writeFailure, [.success, .negative, .refused].contains(run.status) {
            let failure = CloseupError.unavailable("cannot write to stdout: \(reason); the output is incomplete")
            terminal.report(failure)
            run.status = failure.status
            run.error = failure
        }
        if let context = run.context { Audit.record(context, status: run.status, error: run.error) }
        if let signal = Interruption.caught, run.status == .signal(signal) { Interruption.end(as: signal) }
        return run.status.rawValue
    }

    /// How `execute` ended: the status, the error that decided it, and the command's context
    /// once there was one (for the audit record, written when the final status is known).
    private struct Run {
        var status: ExitStatus
        var error: CloseupError? = nil
        var context: CommandContext? = nil
    }

    private static func execute(_ arguments: [String], environment: [String: String], terminal: Terminal) -> Run {
        let parsed: ParsedArguments
        do throws(UsageError) {
            switch try Parser.parse(arguments) {
            case .version:
                terminal.line(CommandTable.versionLine)
                return Run(status: .success)
            case .help(let path):
                guard HelpRenderer.knows(path) else {
                    let known = CommandTable.commands.map(\.name) + CommandTable.groups.map(\.word) + [HelpRenderer.connectionTopic]
                    let hint = Parser.hint(path.joined(separator: " "), among: known)
                    throw UsageError(message: "unknown command '\(path.joined(separator: " "))'\(hint)", commandPath: [])
                }
                terminal.write(HelpRenderer.render(path, width: Terminal.width(of: STDOUT_FILENO)))
                return Run(status: .success)
            case .run(let arguments):
                parsed = arguments
            }
        } catch {
            terminal.report(.usage(error.message))
            guard !terminal.jsonDiagnostics else { return Run(status: .usage) }
            let see = error.commandPath.isEmpty ? "closeup --help" : "closeup \(error.commandPath.joined(separator: " ")) --help"
            if let command = CommandTable.command(error.commandPath) {
                let layout = HelpRenderer.Layout(width: Terminal.width(of: STDERR_FILENO))
                terminal.errorDetail(String(layout.usage(command, prefix: "usage: ").dropLast()))
            }
            terminal.errorDetail("see '\(see)'")
            return Run(status: .usage)
        }

        if parsed.command.id == .completions { return Run(status: CompletionsCommand.run(parsed, terminal)) }
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
            return Run(status: try dispatch(context!), context: context)
        } catch {
            guard let context else { return Run(status: CommandContext.report(error, on: terminal), error: error) }
            return Run(status: context.render(error), error: error, context: context)
        }
    }

    /// Binds each command to its handler; a new CommandID without a case here does not compile.
    private static func dispatch(_ context: CommandContext) throws(CloseupError) -> ExitStatus {
        switch context.arguments.command.id {
        case .otpSend: try OTPCommands.send(context)
        case .otpVerify: context.render(try OTPCommands.verify(context))
        case .otpTTL: context.render(try OTPCommands.ttl(context))
        case .otpRevoke: try OTPCommands.revoke(context)
        case .inspect: try InspectCommand.run(context)
        case .attemptsGet: context.render(try AttemptsCommands.get(context))
        case .attemptsClear: try AttemptsCommands.clear(context)
        case .attemptsList: try AttemptsCommands.list(context)
        case .rateLimitCheck: context.render(try RateLimitCommands.check(context))
        case .rateLimitReset: context.render(try RateLimitCommands.reset(context))
        case .pendingVideoGet: context.render(try CacheCommands.pendingVideoGet(context))
        case .pendingVideoSet: context.render(try CacheCommands.pendingVideoSet(context))
        case .pendingVideoClear: try CacheCommands.pendingVideoClear(context)
        case .verificationGet: context.render(try CacheCommands.verificationGet(context))
        case .verificationSet: context.render(try CacheCommands.verificationSet(context))
        case .verificationClear: try CacheCommands.verificationClear(context)
        case .keysScan: try KeysCommand.scan(context)
        case .stats: context.render(try StatsCommand.run(context))
        case .monitor: try MonitorCommand.run(context)
        case .doctor: try DoctorCommand.run(context)
        case .audit: try AuditCommand.run(context)
        case .help, .completions: .success  // answered before settings are resolved
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
