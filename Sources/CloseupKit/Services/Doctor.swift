// `closeup doctor`: what is configured, and whether each part works. It
// gathers facts into a report; the CLI renders it and picks the exit status.

/// Everything `doctor` found.
public struct DoctorReport: Sendable {
    public struct Redis: Sendable {
        public var configured: Bool
        public var target: String
        public var tls: Bool
        public var username: String?
        /// Where the password came from ("REDIS_PASSWORD"), never the password.
        public var passwordSource: String?
        public var reachable = false
        public var latencyMilliseconds: Double?
        public var serverVersion: String?
        /// "standalone" or "cluster".
        public var mode: String?
        public var role: String?
        /// In a cluster: each master and how many slots it serves.
        public var clusterNodes: [ClusterNode] = []
        public var error: String?
        /// The host looks like an ElastiCache Serverless endpoint, which accepts TLS only, and TLS is off.
        public var serverlessWithoutTLS = false
        /// `cluster_state` from CLUSTER INFO ("ok", "fail"); nil outside a cluster or when refused.
        public var clusterState: String?
        /// Why INFO was refused (an ACL without @dangerous): version and role are then unknown.
        public var infoRefused: String?
    }

    public struct ClusterNode: Sendable {
        public var address: String
        public var slots: Int
        /// Why the master did not answer a PING, if it did not.
        public var error: String?
    }

    public struct SQLite: Sendable {
        public var path: String
        public var schemaVersion: Int?
        public var error: String?
    }

    public struct OTPSecret: Sendable {
        /// "CLOSEUP_OTP_SECRET in …", "file", or "none yet".
        public var source: String
        public var path: String?
    }

    /// How this configuration serves commands.
    public enum Mode: Sendable, Equatable {
        /// `--store sqlite`.
        case sqliteOnly
        /// `--store redis`, and Redis works.
        case redisOnly
        /// `--store auto`, and Redis works.
        case redisWithFallback
        /// A configured Redis is unreachable: SQLite serves.
        case fallenBack
        /// Nothing configured, nothing on 127.0.0.1:6379: SQLite, silently.
        case embeddedDefault
        /// Redis refuses us or SQLite cannot be used.
        case notWorking
    }

    public var envFile: String?
    public var store: StoreMode
    public var mode: Mode
    public var redis: Redis?
    public var sqlite: SQLite
    public var otpSecret: OTPSecret
    /// Files closeup trusts that other users could read or change (each is also a warning).
    public var unsafeFiles: [UnsafeFile]
    public var warnings: [String]
    /// The most serious problem: what is configured does not work. Nil when all is well.
    public var failure: CloseupError?
}

/// Checks the configuration against the real servers and files.
public enum Doctor {
    public static func run(store: Store) -> DoctorReport {
        let settings = store.settings
        var warnings: [String] = []
        var failure: CloseupError?
        var redis: DoctorReport.Redis?
        var mode: DoctorReport.Mode

        if settings.store == .sqlite {
            mode = .sqliteOnly
        } else {
            var report = DoctorReport.Redis(
                configured: settings.redisConfigured, target: settings.redis.target, tls: settings.redis.tls != nil,
                username: settings.redis.username, passwordSource: settings.origins[.password])
            if case .tcp(let host, _) = settings.redis.address, host.contains(".serverless."), settings.redis.tls == nil {
                report.serverlessWithoutTLS = true
            }
            do {
                if let connection = try store.redis() {
                    try probe(connection, into: &report)
                    mode = settings.store == .redis ? .redisOnly : .redisWithFallback
                } else {
                    let reason = store.fallbackReason.map { "\($0.closeupError.message)" } ?? "not reachable"
                    report.error = reason
                    if settings.redisConfigured {
                        mode = .fallenBack
                        failure = store.fallbackReason?.closeupError
                    } else {
                        mode = .embeddedDefault
                        report.error = nil
                    }
                }
            } catch let error as CloseupError {
                report.error = error.message
                failure = error
                mode = .notWorking
            } catch let error as RedisError {
                report.error = error.closeupError.message
                failure = error.closeupError
                mode = .notWorking
            } catch {
                failure = CloseupError(.internal, "\(error)")
                mode = .notWorking
            }
            if report.configured || report.reachable || failure != nil { redis = report }
        }

        var sqlite = DoctorReport.SQLite(path: settings.sqlitePath)
        do {
            sqlite.schemaVersion = try store.sqlite().schemaVersion
        } catch {
            sqlite.error = error.message
            failure = failure ?? error
        }

        let secretPath = OTPSecret.path(in: settings.dataDirectory)
        let secret: DoctorReport.OTPSecret
        if settings.otpSecret != nil {
            secret = .init(source: settings.origins[.otpSecret] ?? "CLOSEUP_OTP_SECRET")
        } else if FileSystem.exists(secretPath) {
            secret = .init(source: "file", path: secretPath)
            // A secret that cannot be used (not a regular file, not text) fails every send and verify.
            do { _ = try OTPSecret.readFile(secretPath) } catch { failure = failure ?? error }
            warnings.append(
                "the OTP secret was generated by closeup at '\(secretPath)'; the backend and every other closeup"
                    + " must use the same secret (CLOSEUP_OTP_SECRET) or codes will not verify across them")
        } else {
            secret = .init(source: "none yet", path: secretPath)
        }

        // SPEC §2: files others could read or change fail doctor (a configuration error), after any
        // failure found above, which the exit status reports first.
        var unsafePaths: [String] = []
        for file in settings.unsafeFiles where !unsafePaths.contains(file.path) { unsafePaths.append(file.path) }
        if failure == nil, !unsafePaths.isEmpty {
            failure = .configuration(
                "files closeup trusts are unsafe: \(unsafePaths.map { "'\($0)'" }.joined(separator: ", "));"
                    + " see the warnings above")
        }

        return DoctorReport(
            envFile: settings.envFilePath, store: settings.store, mode: mode, redis: redis, sqlite: sqlite,
            otpSecret: secret, unsafeFiles: settings.unsafeFiles, warnings: settings.warnings + warnings,
            failure: failure)
    }

    /// Round-trip latency (median of 5 PINGs) and what INFO says about the server.
    private static func probe(_ connection: RedisClient, into report: inout DoctorReport.Redis) throws {
        var samples: [Double] = []
        for _ in 0..<5 {
            let start = Deadline.now()
            // Any reply means the server is there; an error reply (NOAUTH, MISCONF, LOADING) is
            // then the finding, not "unreachable".
            let reply = try connection.pipelineKeepingErrors([RedisCommand("PING")])[0]
            report.reachable = true
            try reply.checked()
            samples.append(Deadline.seconds(since: start) * 1000)
        }
        report.latencyMilliseconds = samples.sorted()[samples.count / 2]
        // A refused INFO (least privilege) costs the version and role lines, never the check.
        let reply = try connection.pipelineKeepingErrors([RedisCommand("INFO")])[0]
        let info: String?
        if let message = reply.errorMessage {
            let refusal = RedisError.reply(command: reply.command, message: message)
            guard refusal.isRefusal else { throw refusal }
            report.infoRefused = message
            info = nil
        } else {
            info = try reply.text()
        }
        var fields: [Substring: Substring] = [:]
        for line in (info ?? "").split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon]] = line[line.index(after: colon)...]
        }
        report.serverVersion = fields["redis_version"].map(String.init)
        report.role = fields["role"].map(String.init)
        let detection = try connection.detectCluster(info: info)
        report.mode = connection.isCluster ? "cluster" : "standalone"
        if case .unknown = detection { report.mode = "unknown (INFO and CLUSTER refused)" }
        guard let layout = connection.clusterLayout() else { return }
        // Every master must answer: a command whose key lives on one that does not fails.
        report.clusterNodes = layout.map { master in
            var node = DoctorReport.ClusterNode(address: master.node.target, slots: master.slots)
            do throws(RedisError) {
                try RedisConnection(options: master.node).call(RedisCommand("PING"))
            } catch {
                node.error = error.closeupError.message
            }
            return node
        }
        let state = try connection.pipelineKeepingErrors([RedisCommand("CLUSTER", "INFO")])[0]
        if state.errorMessage == nil, let text = try state.text() {
            report.clusterState = text.split(whereSeparator: \.isNewline)
                .first { $0.hasPrefix("cluster_state:") }.map { String($0.dropFirst("cluster_state:".count)) }
        }
        let down = report.clusterNodes.filter { $0.error != nil }.map(\.address)
        if !down.isEmpty || (report.clusterState.map { $0 != "ok" } ?? false) {
            throw CloseupError.unavailable(
                "the cluster is not serving every slot: "
                    + (down.isEmpty ? "" : "master \(down.joined(separator: ", ")) does not answer; ")
                    + "cluster_state:\(report.clusterState ?? "unknown")")
        }
    }
}
