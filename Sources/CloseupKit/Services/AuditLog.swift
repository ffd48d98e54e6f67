// Who changed what (SPEC §2 "Audit log"): every state-changing command appends
// one record to SQLite's `audit_log` and sends the same line to syslog
// (facility authpriv), whichever store served it. Records hold user ids, counts
// and outcomes, never a code, hash or password: the caller passes only targets
// (user ids, a rate-limit key, a scan pattern) and the operator's reason.
import Glibc

/// One state-changing run.
public struct AuditRecord: Sendable, Equatable {
    public var time: String
    public var epoch: Int64
    /// The OS user that ran closeup, and the one behind sudo, if any.
    public var osUser: String
    public var sudoUser: String?
    public var host: String
    /// "otp send", "attempts clear"…
    public var command: String
    public var targetCount: Int
    /// The first few targets (user ids, or what a scan matched).
    public var targets: [String]
    /// Where Redis was ("127.0.0.1:6379"), nil when none is configured.
    public var redis: String?
    public var store: String?
    /// ok, negative, refused, or the error kind.
    public var outcome: String
    public var exit: Int32
    public var reason: String?

    public init(
        time: String, epoch: Int64, osUser: String, sudoUser: String?, host: String, command: String, targetCount: Int,
        targets: [String], redis: String?, store: String?, outcome: String, exit: Int32, reason: String?
    ) {
        self.time = time
        self.epoch = epoch
        self.osUser = osUser
        self.sudoUser = sudoUser
        self.host = host
        self.command = command
        self.targetCount = targetCount
        self.targets = targets
        self.redis = redis
        self.store = store
        self.outcome = outcome
        self.exit = exit
        self.reason = reason
    }

    /// The syslog line, and the one a person reads.
    public var line: String { line(showing: { $0 }) }

    /// The line with each target as `showing` words it (a person's screen masks mobile numbers).
    public func line(showing: (String) -> String) -> String {
        var words = ["\(command):", "\(targetCount) target\(targetCount == 1 ? "" : "s")"]
        if !targets.isEmpty { words.append("(" + targets.map(showing).joined(separator: " ") + (targetCount > targets.count ? " …" : "") + ")") }
        words.append("outcome=\(outcome)")
        words.append("exit=\(exit)")
        words.append("store=\(store ?? "none")")
        if let redis { words.append("redis=\(redis)") }
        words.append("by=\(osUser)" + (sudoUser.map { " (sudo from \($0))" } ?? ""))
        words.append("host=\(host)")
        if let reason { words.append("reason=\"\(reason)\"") }
        return words.joined(separator: " ")
    }
}

public enum AuditLog {
    /// How many targets a record keeps by name.
    public static let keptTargets = 5

    /// Appends `record` to the SQLite log and to syslog. A failure is returned for the caller to
    /// say (the change itself stands: SPEC §2).
    public static func append(_ record: AuditRecord, to database: SQLiteDatabase) -> CloseupError? {
        // One line, whatever --reason holds: a newline there must not forge a second authpriv line.
        sendToSyslog(Printable.neutralizingControls(record.line))
        do throws(CloseupError) {
            try database.prepare(
                "INSERT INTO audit_log (time, epoch, os_user, sudo_user, host, command, target_count, targets, redis,"
                    + " store, outcome, exit, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            ).run([
                .text(record.time), .integer(record.epoch), .text(record.osUser), record.sudoUser.map(SQLiteValue.text) ?? .null,
                .text(record.host), .text(record.command), .integer(Int64(record.targetCount)),
                .text(record.targets.joined(separator: "\n")), record.redis.map(SQLiteValue.text) ?? .null,
                record.store.map(SQLiteValue.text) ?? .null, .text(record.outcome), .integer(Int64(record.exit)),
                record.reason.map(SQLiteValue.text) ?? .null,
            ])
            return nil
        } catch {
            return error
        }
    }

    /// Records newest first, filtered.
    public static func read(
        _ database: SQLiteDatabase, since epoch: Int64?, user: String?, command: String?, limit: Int
    ) throws(CloseupError) -> [AuditRecord] {
        var conditions: [String] = []
        var values: [SQLiteValue] = []
        if let epoch {
            conditions.append("epoch >= ?")
            values.append(.integer(epoch))
        }
        if let command {
            conditions.append("command = ?")
            values.append(.text(command))
        }
        if let user {
            // A target line is a user id: match it whole among the newline-separated targets.
            conditions.append("('\n' || targets || '\n') LIKE ? ESCAPE '\\'")
            var escaped = ""
            for character in user {
                if character == "\\" || character == "%" || character == "_" { escaped.append("\\") }
                escaped.append(character)
            }
            values.append(.text("%\n" + escaped + "\n%"))
        }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let select = try database.prepare(
            "SELECT time, epoch, os_user, sudo_user, host, command, target_count, targets, redis, store, outcome, exit,"
                + " reason FROM audit_log\(filter) ORDER BY id DESC LIMIT ?")
        try select.bind(values + [.integer(Int64(limit))])
        var records: [AuditRecord] = []
        while try select.step() {
            let targets = select.text(7) ?? ""
            records.append(
                AuditRecord(
                    time: select.text(0) ?? "", epoch: select.integer(1) ?? 0, osUser: select.text(2) ?? "",
                    sudoUser: select.text(3), host: select.text(4) ?? "", command: select.text(5) ?? "",
                    targetCount: Int(select.integer(6) ?? 0),
                    targets: targets.isEmpty ? [] : targets.split(separator: "\n").map(String.init), redis: select.text(8),
                    store: select.text(9), outcome: select.text(10) ?? "", exit: Int32(select.integer(11) ?? 0),
                    reason: select.text(12)))
        }
        return records
    }

    /// The user closeup runs as: the password database's name for the effective uid.
    public static var osUser: String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid \(geteuid())"
    }

    public static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    nonisolated(unsafe) private static let ident = strdup("closeup")

    /// authpriv: the facility for security and authorization messages, readable by root only on Debian.
    private static func sendToSyslog(_ line: String) {
        // openlog keeps the pointer it is given, so the name must outlive the call.
        openlog(ident, LOG_PID, LOG_AUTHPRIV)
        line.withCString { text in withVaList([text]) { vsyslog(LOG_NOTICE, "%s", $0) } }
        closelog()
    }
}
