// stats: the namespace table, drawn for the eye (aligned columns, bars in
// proportion, colour per state on a terminal), then the servers, then what
// looks wrong and the command that shows it. --json: the same numbers.
import CloseupKit

enum StatsCommand {
    static func run(_ context: CommandContext) throws(CloseupError) -> CommandResult {
        var request = StatsRequest()
        request.kinds = Set(context.arguments.all("kind").compactMap(KeyKind.init))
        request.sample = context.arguments.value("sample").flatMap { Int($0) } ?? request.sample
        let terminal = context.terminal
        terminal.beginProgress(stdoutQuiet: true)
        defer { terminal.endProgress() }
        let report = try StatsService(store: context.store).collect(request) { scanned in
            terminal.progress { seconds in
                "scanned \(ProgressLine.grouped(scanned)) keys (\(ProgressLine.rate(scanned, seconds)))"
            }
        }
        terminal.endProgress()
        let drawing = Drawing(terminal: terminal, unicode: Drawing.unicode(context.environment))
        let path = context.settings.sqlitePath
        return CommandResult(fields: fields(report, path: path), text: drawing.render(report, sqlite: path))
    }

    /// The words and command for a finding, shared by the text and the JSON.
    static func finding(_ finding: StatsFinding) -> (message: String, command: String?) {
        switch finding {
        case .withoutTTL(let kind, let count):
            ("\(ProgressLine.grouped(count)) \(noun(kind, count)) \(count == 1 ? "has" : "have") no TTL",
             "closeup keys scan --kind \(kind.rawValue) --no-expiry")
        case .evictions(let count, let policy):
            ("the server evicted \(ProgressLine.grouped(Int(count))) key\(count == 1 ? "" : "s")"
                + (policy.map { " (maxmemory-policy \($0))" } ?? "")
                + ": codes and counters may vanish before their time", nil)
        case .lowHitRatio(let ratio):
            ("the keyspace hit ratio is \(Drawing.percent(ratio)), under the 85-95 % the integration guide expects", nil)
        }
    }

    /// What a namespace's keys are, in words.
    static func noun(_ kind: KeyKind, _ count: Int) -> String {
        let (one, many) =
            switch kind {
            case .otp: ("OTP key", "OTP keys")
            case .attempts: ("attempt counter", "attempt counters")
            case .verification: ("verification entry", "verification entries")
            case .pendingVideo: ("pending video entry", "pending video entries")
            case .rateLimit: ("rate-limit counter", "rate-limit counters")
            }
        return count == 1 ? one : many
    }

    static func fields(_ report: StatsReport, path: String) -> Fields {
        func histogram(_ namespace: NamespaceStats) -> JSON {
            let names: [Field] = [.le60, .le300, .le1800, .le3600, .gt3600, .none]
            return .fields(zip(names, namespace.histogram).map { ($0, .integer(Int64($1))) })
        }
        func server(_ server: ServerStats?, address: String?) -> JSON {
            .fields([
                (.address, .optional(address)), (.usedMemory, .optional(server?.usedMemory)),
                (.maxMemory, .optional(server?.maxMemory)), (.maxMemoryPolicy, .optional(server?.maxMemoryPolicy)),
                (.evictedKeys, .optional(server?.evictedKeys)), (.expiredKeys, .optional(server?.expiredKeys)),
                (.keyspaceHits, .optional(server?.keyspaceHits)), (.keyspaceMisses, .optional(server?.keyspaceMisses)),
                (.hitRatio, server?.hitRatio.map { .number(($0 * 10_000).rounded() / 10_000) } ?? .null),
                (.dbSize, .optional(server?.dbSize)),
            ])
        }
        return [
            (
                .namespaces,
                .array(
                    report.namespaces.map { namespace in
                        var fields: Fields = [
                            (.kind, .optional(namespace.kind?.rawValue)), (.keys, .integer(Int64(namespace.keys))),
                            (.withoutTTL, .integer(Int64(namespace.withoutTTL))), (.ttlHistogram, histogram(namespace)),
                            (
                                .memory,
                                namespace.memory.map { memory in
                                    .fields([
                                        (.estimatedBytes, .integer(memory.estimatedBytes)),
                                        (.marginBytes, .integer(memory.marginBytes)),
                                        (.sampled, .integer(Int64(memory.sampled))),
                                        (.sampledBytes, .integer(memory.sampledBytes)),
                                    ])
                                } ?? .null
                            ),
                        ]
                        if let stale = namespace.staleRows { fields.append((.staleRows, .integer(Int64(stale)))) }
                        return .fields(fields)
                    })
            ),
            (.totalKeys, .integer(Int64(report.namespaces.reduce(0) { $0 + $1.keys }))),
            (.scanned, .integer(Int64(report.scanned))),
            (.sampleSize, .integer(Int64(report.sampleSize))),
            (.servers, .array(report.servers.map { server($0, address: $0.address) })),
            (.total, report.servers.isEmpty ? .null : server(report.serverTotal, address: nil)),
            (.fileBytes, .optional(report.fileBytes)),
            (.path, report.fileBytes == nil ? .null : .string(path)),
            (.notes, .array(report.notes.map(JSON.string))),
            (
                .findings,
                .array(
                    report.findings.map {
                        let (message, command) = finding($0)
                        return .fields([(.message, .string(message)), (.command, .optional(command))])
                    })
            ),
        ]
    }
}

/// The human drawing of a report.
struct Drawing {
    let terminal: Terminal
    /// Block characters in eighths; `#` where the terminal may not show them.
    let unicode: Bool
    static let barWidth = 20
    var plusMinus: String { unicode ? "±" : "+/-" }

    /// Whether the locale says UTF-8 (LC_ALL, then LC_CTYPE, then LANG, as setlocale reads them).
    static func unicode(_ environment: [String: String]) -> Bool {
        guard environment["TERM"] != "dumb" else { return false }
        let locale = [environment["LC_ALL"], environment["LC_CTYPE"], environment["LANG"]]
            .compactMap { $0 }.first { !$0.isEmpty } ?? ""
        let lowered = locale.lowercased()
        return lowered.contains("utf-8") || lowered.contains("utf8")
    }

    func render(_ report: StatsReport, sqlite path: String) -> String {
        let fromSQLite = report.fileBytes != nil
        let most = report.namespaces.map(\.keys).max() ?? 0
        let le = unicode ? "≤" : "<="
        var header = ["namespace", "keys", "", "no TTL", "\(le)1m", "\(le)5m", "\(le)30m", "\(le)1h", ">1h"]
        header.append(fromSQLite ? "stale rows" : "memory")
        var rows: [[String]] = [header]
        var paints: [Terminal.Style?] = [.bold]
        for namespace in report.namespaces {
            var row = [namespace.kind?.rawValue ?? "other", grouped(namespace.keys), bar(namespace.keys, of: most)]
            row += [grouped(namespace.withoutTTL)] + namespace.histogram.dropLast().map(grouped)
            if fromSQLite {
                row.append(grouped(namespace.staleRows ?? 0))
            } else if let memory = namespace.memory {
                let margin = memory.marginBytes > 0 ? " \(plusMinus)\(Self.bytes(memory.marginBytes))" : ""
                row.append("\(Self.bytes(memory.estimatedBytes))\(margin) (\(grouped(memory.sampled)) sampled)")
            } else {
                row.append(namespace.keys == 0 ? "" : "?")
            }
            rows.append(row)
            paints.append(namespace.kind == nil ? .dim : namespace.withoutTTL > 0 ? .red : nil)
        }
        let total = report.namespaces.reduce(0) { $0 + $1.keys }
        rows.append(["total", grouped(total), "", grouped(report.namespaces.reduce(0) { $0 + $1.withoutTTL })])
        paints.append(.bold)
        var out = table(rows, paints: paints, rightAligned: fromSQLite ? [1, 3, 4, 5, 6, 7, 8, 9] : [1, 3, 4, 5, 6, 7, 8])
        if fromSQLite {
            out += "\nSQLite \(Printable.escape(path)): \(Self.bytes(report.fileBytes ?? 0));"
                + " stale rows are expired or used, kept until removed\n"
        } else if report.namespaces.contains(where: { $0.memory != nil }) {
            out += "\nmemory: MEMORY USAGE of up to \(grouped(report.sampleSize)) keys per namespace, scaled to its keys; \(plusMinus) is the 95 % interval\n"
        }
        if !report.servers.isEmpty {
            out += "\n"
            for server in report.servers { out += serverLines(server, label: "server \(server.address)") }
            if report.servers.count > 1 {
                out += serverLines(report.serverTotal, label: "total of \(report.servers.count) masters")
            }
        }
        for note in report.notes { out += "\nnote: \(note)" }
        if !report.notes.isEmpty { out += "\n" }
        for finding in report.findings {
            let (message, command) = StatsCommand.finding(finding)
            out += "\n" + terminal.paint(message, .yellow) + (command.map { ": \($0)" } ?? "")
        }
        return String(out.drop { $0 == "\n" }.reversed().drop { $0 == "\n" }.reversed())
    }

    private func serverLines(_ server: ServerStats, label: String) -> String {
        var first: [String] = []
        if let used = server.usedMemory {
            let limit = server.maxMemory.map { $0 == 0 ? "no maxmemory" : "maxmemory \(Self.bytes($0))" } ?? "maxmemory unknown"
            first.append("\(Self.bytes(used)) used, \(limit)" + (server.maxMemoryPolicy.map { " (\($0))" } ?? ""))
        }
        if let keys = server.dbSize { first.append("\(grouped(Int(keys))) keys (DBSIZE)") }
        var second: [String] = []
        if let evicted = server.evictedKeys { second.append("evicted \(grouped(Int(evicted)))") }
        if let expired = server.expiredKeys { second.append("expired \(grouped(Int(expired)))") }
        if let hits = server.keyspaceHits, let misses = server.keyspaceMisses {
            let ratio = server.hitRatio.map { "hit ratio \(Self.percent($0))" } ?? "hit ratio: no lookups yet"
            second.append("\(ratio) (\(grouped(Int(hits))) of \(grouped(Int(hits + misses))) lookups)")
        }
        guard !first.isEmpty || !second.isEmpty else { return terminal.paint(label, .bold) + ": nothing reported\n" }
        let pad = String(repeating: " ", count: label.count + 2)
        var out = terminal.paint(label, .bold) + "  " + (first.isEmpty ? second.joined(separator: ", ") : first.joined(separator: ", ")) + "\n"
        if !first.isEmpty, !second.isEmpty { out += pad + second.joined(separator: ", ") + "\n" }
        return out
    }

    /// Columns padded to their widest cell (counted in characters, so bars and ≤ line up).
    private func table(_ rows: [[String]], paints: [Terminal.Style?], rightAligned: Set<Int>) -> String {
        let columns = rows.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        var out = ""
        for (row, paint) in zip(rows, paints) {
            var cells: [String] = []
            for (index, cell) in row.enumerated() {
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                let last = index == row.count - 1
                cells.append(rightAligned.contains(index) ? padding + cell : last ? cell : cell + padding)
            }
            let line = cells.joined(separator: "  ")
            out += (paint.map { terminal.paint(line, $0) } ?? line) + "\n"
        }
        return out
    }

    /// A bar of `value` in proportion to `most`, `barWidth` cells at most, in eighths on UTF-8.
    func bar(_ value: Int, of most: Int) -> String {
        guard most > 0, value > 0 else { return "" }
        let eighths = max(1, Int((Double(value) / Double(most) * Double(Self.barWidth * 8)).rounded()))
        guard unicode else { return String(repeating: "#", count: max(1, eighths / 8)) }
        let partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][eighths % 8]
        return String(repeating: "█", count: eighths / 8) + partial
    }

    private func grouped(_ value: Int) -> String { ProgressLine.grouped(value) }

    /// 1536 -> "1.5 KiB".
    static func bytes(_ value: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1024, unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        if unit == 0 { return "\(value) B" }
        let tenths = Int((amount * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }

    /// 0.9123 -> "91.2 %".
    static func percent(_ ratio: Double) -> String {
        let tenths = Int((ratio * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10) %"
    }
}
