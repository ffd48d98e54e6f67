// Renders the doctor report: aligned text for people, one object for scripts.
import CloseupKit

enum DoctorCommand {
    static func run(_ context: CommandContext) throws(CloseupError) -> ExitStatus {
        // A store of its own that keeps quiet: the report already says what the fallback warning would.
        let report = Doctor.run(store: Store(settings: context.settings, warn: { _ in }))
        if report.redis?.serverlessWithoutTLS == true, case .tcp(let host, _) = context.settings.redis.address {
            context.terminal.warn(
                "\(host) looks like an ElastiCache Serverless endpoint, which accepts TLS only; add --tls or use rediss://")
        }
        for warning in report.warnings { context.terminal.warn(warning) }
        // The report names its stores itself; its failure, if any, follows it on stderr.
        return context.render(
            CommandResult(
                fields: fields(report), text: human(report, context.terminal), marksStore: false, reportsStore: false,
                problems: report.failure.map { [$0] } ?? []))
    }

    static func human(_ report: DoctorReport, _ terminal: Terminal) -> String {
        func row(_ label: String, _ value: String) -> String {
            "  " + label + String(repeating: " ", count: max(1, 14 - label.count)) + value + "\n"
        }
        let ok = terminal.paint("ok", .green)
        var out = terminal.paint(CommandTable.versionLine, .bold) + "\n"
        out += row("env file", report.envFile ?? "none")
        out += row("store", report.store.rawValue)
        out += row("mode", modeText(report.mode))
        if let redis = report.redis {
            out += terminal.paint("redis", .bold) + "\n"
            out += row("target", redis.target + (redis.configured ? "" : " (default)"))
            out += row("tls", redis.tls ? "on" : "off")
            let auth = redis.passwordSource.map { "password from \($0)" } ?? "none"
            out += row("auth", redis.username.map { "user \($0), \(auth)" } ?? auth)
            if redis.reachable, redis.latencyMilliseconds == nil {
                out += row("reachable", "yes, but " + terminal.paint("it answers with an error", .red) + ": \(redis.error ?? "?")")
            } else if redis.reachable {
                let latency = redis.latencyMilliseconds.map { formatMilliseconds($0) } ?? "?"
                out += row("reachable", "\(ok), round trip \(latency) ms (median of 5 PINGs)")
                out += row("server", "redis \(redis.serverVersion ?? "?"), \(redis.mode ?? "?"), role \(redis.role ?? "?")")
                if let refused = redis.infoRefused {
                    out += row("info", terminal.paint("refused", .yellow) + " (\(refused)): version and role unknown")
                }
                if !redis.clusterNodes.isEmpty {
                    let covered = redis.clusterNodes.reduce(0) { $0 + $1.slots }
                    let coverage = "\(covered) of 16384 slots covered"
                    out += row(
                        "cluster",
                        "\(redis.clusterNodes.count) masters, " + (covered == 16384 ? coverage : terminal.paint(coverage, .red)))
                    for node in redis.clusterNodes {
                        let trouble = node.error.map { ", " + terminal.paint("does not answer", .red) + ": \($0)" } ?? ""
                        out += row("", "\(node.address): \(node.slots) slots\(trouble)")
                    }
                    if let state = redis.clusterState {
                        out += row("state", state == "ok" ? "cluster_state:ok" : terminal.paint("cluster_state:\(state)", .red))
                    }
                }
            } else if let error = redis.error {
                out += row("reachable", terminal.paint("no", .red) + ": \(error)")
            }
        }
        out += terminal.paint("sqlite", .bold) + "\n"
        out += row("path", report.sqlite.path)
        if let version = report.sqlite.schemaVersion {
            out += row("schema", "version \(version), \(ok)")
        } else {
            out += row("schema", terminal.paint("unusable", .red) + ": \(report.sqlite.error ?? "?")")
        }
        out += terminal.paint("otp secret", .bold) + "\n"
        switch report.otpSecret.source {
        case "file": out += row("source", "generated file \(report.otpSecret.path ?? "")")
        case "none yet": out += row("source", "none yet: created at \(report.otpSecret.path ?? "") on first use")
        default: out += row("source", report.otpSecret.source)
        }
        out += terminal.paint("files", .bold) + "\n"
        if report.unsafeFiles.isEmpty {
            out += row("trust", "\(ok): only you can read or change the data folder, database and OTP secret")
        }
        for file in report.unsafeFiles {
            out += row("unsafe", terminal.paint(file.path, .red) + " (see the warning on stderr)")
        }
        return String(out.dropLast())  // the renderer ends the line
    }

    static func fields(_ report: DoctorReport) -> Fields {
        var fields: Fields = [
            (.version, .string(CommandTable.version)),
            (.envFile, .optional(report.envFile)),
            (.store, .string(report.store.rawValue)),
            (.storeMode, .string(modeText(report.mode))),
        ]
        fields.append((.redis, report.redis.map(redisFields) ?? .null))
        fields.append(
            (
                .sqlite,
                .fields([
                    (.path, .string(report.sqlite.path)),
                    (.schemaVersion, report.sqlite.schemaVersion.map { .integer(Int64($0)) } ?? .null),
                    (.error, .optional(report.sqlite.error)),
                ])
            ))
        fields.append(
            (.otpSecret, .fields([(.source, .string(report.otpSecret.source)), (.path, .optional(report.otpSecret.path))])))
        fields.append(
            (.unsafeFiles, .array(report.unsafeFiles.map { .fields([(.path, .string($0.path)), (.problem, .string($0.message))]) })))
        fields.append((.warnings, .array(report.warnings.map(JSON.string))))
        fields.append((.ok, .bool(report.failure == nil)))
        return fields
    }

    private static func redisFields(_ redis: DoctorReport.Redis) -> JSON {
        .fields([
            (.target, .string(redis.target)),
            (.configured, .bool(redis.configured)),
            (.tls, .bool(redis.tls)),
            (.username, .optional(redis.username)),
            (.passwordSource, .optional(redis.passwordSource)),
            (.reachable, .bool(redis.reachable)),
            // Three decimals: a microsecond is the precision a PING median has.
            (.latencyMS, redis.latencyMilliseconds.map { .number(($0 * 1000).rounded() / 1000) } ?? .null),
            (.serverVersion, .optional(redis.serverVersion)),
            (.topology, .optional(redis.mode)),
            (.role, .optional(redis.role)),
            (.infoRefused, .optional(redis.infoRefused)),
            (
                .clusterNodes,
                .array(
                    redis.clusterNodes.map {
                        .fields([(.address, .string($0.address)), (.slots, .integer(Int64($0.slots))), (.error, .optional($0.error))])
                    })
            ),
            (.clusterState, .optional(redis.clusterState)),
            (.error, .optional(redis.error)),
        ])
    }

    static func modeText(_ mode: DoctorReport.Mode) -> String {
        switch mode {
        case .sqliteOnly: "SQLite only (--store sqlite)"
        case .redisOnly: "Redis only (--store redis)"
        case .redisWithFallback: "Redis, SQLite fallback"
        case .fallenBack: "SQLite fallback (configured Redis unreachable)"
        case .embeddedDefault: "SQLite only: embedded default (no Redis configured, none on 127.0.0.1:6379)"
        case .notWorking: "not working"
        }
    }

    private static func formatMilliseconds(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
