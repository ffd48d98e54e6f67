// Configuration, resolved once per run: flags > environment > env file >
// defaults, setting by setting (SPEC §3). A URL supplies host, port, db,
// username, password and TLS at its own level; a part given on its own at the
// same level overrides the URL's. Only this file reads the variables.

/// One configurable setting, with its environment variable where it has one.
public enum SettingKey: String, CaseIterable, Sendable {
    case url, host, port, db, username, password, passwordFile, tls, cacert, cert, key, insecure, sni, cluster
    case connectTimeout, timeout, store, sqlitePath, otpSecret, smsCommand, maxAttempts
    /// Not a flag or variable: the Unix socket path a `unix://` URL supplies.
    case socket

    public var environmentName: String? {
        switch self {
        case .url: "REDIS_URL"
        case .host: "REDIS_HOST"
        case .port: "REDIS_PORT"
        case .db: "REDIS_DB"
        case .username: "REDIS_USERNAME"
        case .password: "REDIS_PASSWORD"
        case .tls: "REDIS_TLS"
        case .cacert: "REDIS_CACERT"
        case .connectTimeout: "REDIS_CONNECT_TIMEOUT"
        case .timeout: "REDIS_TIMEOUT"
        case .sqlitePath: "CLOSEUP_SQLITE_PATH"
        case .otpSecret: "CLOSEUP_OTP_SECRET"
        case .smsCommand: "CLOSEUP_SMS_COMMAND"
        case .maxAttempts: "CLOSEUP_MAX_ATTEMPTS"
        default: nil
        }
    }
}

/// Which store commands use (`--store`).
public enum StoreMode: String, Sendable, CaseIterable {
    /// Redis when it answers, SQLite behind it.
    case auto
    /// Redis only: unreachable is exit 3.
    case redis
    /// SQLite only.
    case sqlite
}

/// Where the env file comes from (`--env-file`, `--no-env-file`, else `./.env` when present).
public enum EnvFileChoice: Sendable, Equatable {
    case automatic
    case none
    case path(String)
}

/// How to verify and identify a TLS connection.
public struct TLSSettings: Sendable, Equatable {
    /// CA certificates (PEM); nil uses the system trust store.
    public var caCertificate: String?
    /// Client certificate and key for mutual TLS.
    public var certificate: String?
    public var privateKey: String?
    /// Skip chain and host name verification.
    public var insecure = false
    /// The name to send (SNI) and verify instead of the host.
    public var serverName: String?

    public init(
        caCertificate: String? = nil, certificate: String? = nil, privateKey: String? = nil, insecure: Bool = false,
        serverName: String? = nil
    ) {
        self.caCertificate = caCertificate
        self.certificate = certificate
        self.privateKey = privateKey
        self.insecure = insecure
        self.serverName = serverName
    }
}

/// The resolved configuration of one run.
public struct Settings: Sendable {
    public var redis: RedisOptions
    /// False when nothing names a Redis: the default 127.0.0.1:6379 is then only probed, silently.
    public var redisConfigured: Bool
    public var cluster: Bool
    public var store: StoreMode
    public var sqlitePath: String
    public var dataDirectory: String
    public var maxAttempts: Int
    public var otpSecret: String?
    public var smsCommand: String?
    /// The env file that was read, if any.
    public var envFilePath: String?
    /// Where each setting's value came from ("--port", "REDIS_PORT", ".env line 3"); absent means default.
    public var origins: [SettingKey: String]
    /// Things the user should hear about once (a password on the command line, a readable password file,
    /// each of `unsafeFiles`).
    public var warnings: [String]
    /// Files closeup trusts that other users could read or change (SPEC §2); `doctor` fails on them.
    public var unsafeFiles: [UnsafeFile] = []

    /// One level of raw values with where each came from.
    typealias Layer = [SettingKey: (value: String, origin: String)]

    /// The environment variables that hold a secret closeup reads (SPEC §2), so none is passed on
    /// to a command closeup runs: the OTP secret's and the password's own variables and
    /// REDIS_URL (which may carry a password) always, and any other variable the password or
    /// the secret came from this run.
    public var secretVariables: Set<String> {
        var names: Set<String> = ["CLOSEUP_OTP_SECRET", "REDIS_PASSWORD", "REDIS_URL"]
        let variables = Set(SettingKey.allCases.compactMap(\.environmentName))
        for key in [SettingKey.password, .otpSecret] {
            // An environment origin is the variable's bare name; flags and env file lines say more.
            if let origin = origins[key], variables.contains(origin) { names.insert(origin) }
        }
        return names
    }

    /// Resolves the settings from the command line's values, the environment and the env file.
    /// - Parameter flags: values given as flags (switches as "true"), keyed by setting.
    public static func resolve(
        flags: [SettingKey: String], environment: [String: String], envFile choice: EnvFileChoice = .automatic
    ) throws(CloseupError) -> Settings {
        var warnings: [String] = []
        let envFile: EnvFile? =
            switch choice {
            case .none: nil
            case .path(let path): try EnvFile.load(path: path)
            case .automatic: FileSystem.exists(".env") ? try EnvFile.load(path: ".env") : nil
            }

        var flagLayer: Layer = [:]
        for (key, value) in flags { flagLayer[key] = (value, "--" + flagName(key)) }
        var environmentLayer: Layer = [:]
        var fileLayer: Layer = [:]
        for key in SettingKey.allCases {
            guard let name = key.environmentName else { continue }
            // An empty variable counts as unset: the seed's .env has REDIS_PASSWORD="".
            if let value = environment[name], !value.isEmpty { environmentLayer[key] = (value, name) }
            if let entry = envFile?.entries[name], !entry.value.isEmpty {
                fileLayer[key] = (entry.value, "\(name) in \(envFile!.path) line \(entry.line)")
            }
        }
        if let url = flagLayer[.url], try RedisURL(url.value).hasPassword {
            warnings.append(
                "the password in --url is visible to other users of this machine (ps);"
                    + " use REDIS_PASSWORD, --password-file or --askpass")
        }

        let layers = [flagLayer, environmentLayer, fileLayer]
        let redisConfigured = layers.contains { $0[.url] != nil || $0[.host] != nil || $0[.port] != nil }
        var merged: Layer = [:]
        for layer in layers.reversed() {
            for (key, entry) in try expandURL(layer) { merged[key] = entry }
        }

        func value(_ key: SettingKey) -> String? { merged[key]?.value }
        func invalid(_ key: SettingKey, _ expected: String) -> CloseupError {
            let entry = merged[key]!
            return .configuration("invalid \(describe(key)) '\(entry.value)' in \(entry.origin): expected \(expected)")
        }
        func number(_ key: SettingKey, in range: ClosedRange<Int>, default fallback: Int) throws(CloseupError) -> Int {
            guard let text = value(key) else { return fallback }
            guard let number = Int(text), range.contains(number) else {
                throw invalid(key, "a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        func seconds(_ key: SettingKey) throws(CloseupError) -> Double {
            guard let text = value(key) else { return 5 }
            guard let seconds = Double(text), seconds > 0, seconds <= 86_400 else {
                throw invalid(key, "a number of seconds greater than 0")
            }
            return seconds
        }
        func flag(_ key: SettingKey) throws(CloseupError) -> Bool {
            guard let text = value(key)?.lowercased() else { return false }
            switch text {
            case "true", "1", "yes", "on": return true
            case "false", "0", "no", "off": return false
            default: throw invalid(key, "true or false")
            }
        }

        let address: RedisOptions.Address =
            if let socket = value(.socket), !socket.isEmpty {
                .unix(path: socket)
            } else {
                .tcp(host: value(.host) ?? "127.0.0.1", port: try number(.port, in: 1...65535, default: 6379))
            }
        // A host is one word: whitespace or a control character in it is text that went astray (the
        // rest of a file, an escape sequence), and is not repeated in the message.
        if case .tcp(let host, _) = address,
            host.unicodeScalars.contains(where: { $0.properties.isWhitespace || isControl($0) })
        {
            throw .configuration(
                "invalid host in \(merged[.host]?.origin ?? "REDIS_HOST"): it holds a space or control character;"
                    + " expected a host name or IP address")
        }
        var redis = RedisOptions(address: address)
        redis.database = try number(.db, in: 0...1_000_000, default: 0)
        redis.username = value(.username)
        redis.password = value(.password)
        redis.connectTimeout = try seconds(.connectTimeout)
        redis.operationTimeout = try seconds(.timeout)
        if let file = value(.passwordFile) {
            redis.password = try readPasswordFile(file, warnings: &warnings)
            merged[.password] = (redis.password!, "--password-file")
        }

        guard let store = StoreMode(rawValue: value(.store) ?? "auto") else {
            throw invalid(.store, "auto, redis or sqlite")
        }
        let dataDirectory = FileSystem.dataDirectory(environment: environment)
        if try flag(.tls) {
            let tls = TLSSettings(
                caCertificate: value(.cacert), certificate: value(.cert), privateKey: value(.key),
                insecure: try flag(.insecure), serverName: value(.sni))
            if tls.insecure {
                warnings.append("--insecure: the Redis server's certificate and host name are not verified")
            }
            redis.tls = tls
        }
        let sqlitePath = value(.sqlitePath) ?? dataDirectory + "/closeup.sqlite3"
        let otpSecret = value(.otpSecret)
        // The environment is decoded with U+FFFD for bytes that are not UTF-8: a binary secret
        // would hash with a key other than the backend's, and lose most of its entropy.
        if let otpSecret, otpSecret.contains("\u{FFFD}") {
            throw .configuration(
                "\(merged[.otpSecret]?.origin ?? "CLOSEUP_OTP_SECRET") is not UTF-8 text; set it to the backend's"
                    + " secret as text (for random bytes, hex-encode them: openssl rand -hex 32)")
        }
        let unsafeFiles = TrustedFiles.check(
            dataDirectory: dataDirectory, sqlitePath: sqlitePath,
            secretFile: otpSecret == nil ? OTPSecret.path(in: dataDirectory) : nil)
        return Settings(
            redis: redis, redisConfigured: redisConfigured, cluster: try flag(.cluster), store: store,
            sqlitePath: sqlitePath, dataDirectory: dataDirectory,
            maxAttempts: try number(.maxAttempts, in: 1...1_000_000, default: 5), otpSecret: otpSecret,
            smsCommand: value(.smsCommand), envFilePath: envFile?.path,
            origins: merged.mapValues(\.origin), warnings: warnings + unsafeFiles.map(\.message), unsafeFiles: unsafeFiles)
    }

    /// Replaces a layer's URL by the parts it supplies, under the parts the layer gives on their own.
    private static func expandURL(_ layer: Layer) throws(CloseupError) -> Layer {
        var result = layer
        if layer[.host] != nil { result[.socket] = ("", layer[.host]!.origin) }
        guard let (text, origin) = layer[.url] else { return result }
        let url = try RedisURL(text)
        func supply(_ key: SettingKey, _ value: String?) {
            if result[key] == nil, let value { result[key] = (value, origin) }
        }
        switch url.address {
        case .tcp(let host, let port):
            supply(.host, host)
            supply(.port, String(port))
            supply(.socket, layer[.host] == nil ? "" : nil)
        case .unix(let path):
            if layer[.host] == nil { supply(.socket, path) }
        }
        supply(.db, String(url.database ?? 0))
        supply(.username, url.username)
        supply(.password, url.password)
        supply(.tls, url.tls ? "true" : "false")
        return result
    }

    /// The password in `path`, without the trailing ASCII whitespace an editor or `echo` leaves
    /// ("\n", "\r\n", spaces, tabs). Anything else is the password, except a line break or control
    /// character inside it: that is a damaged file, refused without showing its text.
    private static func readPasswordFile(_ path: String, warnings: inout [String]) throws(CloseupError) -> String {
        // 64 KiB: a password, not a device (a pipe such as <(pass show redis) is fine).
        guard let bytes = FileSystem.readBytes(path, limit: 1 << 16) else {
            throw .configuration("cannot read password file '\(path)': \(FileSystem.lastErrorReason)")
        }
        if let mode = FileSystem.mode(path), mode & 0o044 != 0 {
            warnings.append(
                "password file '\(path)' is readable by other users (mode \(String(Int(mode), radix: 8)));"
                    + " run: chmod 600 '\(path)'")
        }
        // A byte-order mark (Windows editors write one) is no part of the password, as in an env file.
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.startIndex + 3 : bytes.startIndex
        var end = bytes.endIndex
        while end > start, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[end - 1]) { end -= 1 }
        guard end > start else { throw .configuration("password file '\(path)' is empty") }
        guard let password = String(validating: bytes[start..<end], as: UTF8.self) else {
            throw .configuration("password file '\(path)' is not UTF-8 text")
        }
        guard !password.unicodeScalars.contains(where: isControl) else {
            throw .configuration(
                "password file '\(path)' holds a line break or control character; expected the password on one line")
        }
        return password
    }

    /// A control character other than tab: never part of a host, path or password read from text.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control && scalar != "\t"
    }

    /// The flag that sets `key` (also its name in messages).
    public static func flagName(_ key: SettingKey) -> String {
        switch key {
        case .passwordFile: "password-file"
        case .connectTimeout: "connect-timeout"
        case .sqlitePath: "sqlite"
        case .maxAttempts: "max-attempts"
        case .otpSecret: "otp-secret"
        case .smsCommand: "sms-command"
        default: key.rawValue
        }
    }

    private static func describe(_ key: SettingKey) -> String {
        switch key {
        case .db: "database number"
        case .connectTimeout: "connect timeout"
        case .maxAttempts: "max attempts"
        case .tls, .insecure, .cluster: "\(key.rawValue) switch"
        default: key.rawValue
        }
    }
}
