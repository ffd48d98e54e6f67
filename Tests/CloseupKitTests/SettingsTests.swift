// Settings resolution: precedence flags > environment > env file > defaults,
// setting by setting; URLs at their own level; the env file's grammar.
import CloseupTestSupport
import Foundation
import Testing

@testable import CloseupKit

struct SettingsTests {
    /// Writes `text` as an env file in a fresh folder and returns its path.
    func envFile(_ text: String) throws -> String {
        let path = try TemporaryDirectory.make(prefix: "closeup-env") + "/.env"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func resolve(
        flags: [SettingKey: String] = [:], environment: [String: String] = [:], file: String? = nil
    ) throws -> Settings {
        var environment = environment
        environment["HOME"] = environment["HOME"] ?? "/home/ops"
        return try Settings.resolve(
            flags: flags, environment: environment, envFile: file.map { .path($0) } ?? .none)
    }

    @Test func defaultsWithNothingConfigured() throws {
        let settings = try resolve()
        #expect(settings.redis.address == .tcp(host: "127.0.0.1", port: 6379))
        #expect(!settings.redisConfigured)
        #expect(settings.redis.database == 0 && settings.redis.password == nil && settings.redis.tls == nil)
        #expect(settings.redis.connectTimeout == 5 && settings.redis.operationTimeout == 5)
        #expect(settings.store == .auto && settings.maxAttempts == 5)
        #expect(settings.sqlitePath == "/home/ops/.local/share/closeup/closeup.sqlite3")
        #expect(try resolve(environment: ["XDG_DATA_HOME": "/xdg"]).sqlitePath == "/xdg/closeup/closeup.sqlite3")
    }

    @Test func flagsBeatEnvironmentWhichBeatsTheEnvFileSettingBySetting() throws {
        let file = try envFile("REDIS_HOST=file-host\nREDIS_PORT=7001\nREDIS_DB=1\nREDIS_PASSWORD=file-pass\n")
        let settings = try resolve(
            flags: [.port: "7003"], environment: ["REDIS_PORT": "7002", "REDIS_DB": "2"], file: file)
        #expect(settings.redis.address == .tcp(host: "file-host", port: 7003))
        #expect(settings.redis.database == 2)
        #expect(settings.redis.password == "file-pass")
        #expect(settings.redisConfigured)
        #expect(settings.origins[.port] == "--port")
        #expect(settings.origins[.db] == "REDIS_DB")
        #expect(settings.origins[.host] == "REDIS_HOST in \(file) line 1")
    }

    @Test func aURLSuppliesItsPartsAtItsOwnLevelAndLoneSettingsThereOverrideIt() throws {
        // Same level: REDIS_PORT beside REDIS_URL wins over the URL's port.
        let same = try resolve(environment: ["REDIS_URL": "redis://u:p@cache:7000/4", "REDIS_PORT": "7100"])
        #expect(same.redis.address == .tcp(host: "cache", port: 7100))
        #expect(same.redis.database == 4 && same.redis.username == "u" && same.redis.password == "p")
        // Higher level: the --url flag's parts beat the environment's lone settings.
        let higher = try resolve(
            flags: [.url: "rediss://flag-host:7200"], environment: ["REDIS_HOST": "env-host", "REDIS_DB": "9"])
        #expect(higher.redis.address == .tcp(host: "flag-host", port: 7200))
        #expect(higher.redis.database == 0 && higher.redis.tls != nil)
        // Lower level: a --host flag beats REDIS_URL's host but keeps its port.
        let lower = try resolve(flags: [.host: "flag-host"], environment: ["REDIS_URL": "redis://env-host:7300"])
        #expect(lower.redis.address == .tcp(host: "flag-host", port: 7300))
        // A Unix socket URL; a host flag above it switches back to TCP.
        let unix = try resolve(environment: ["REDIS_URL": "unix:///run/redis.sock?db=2"])
        #expect(unix.redis.address == .unix(path: "/run/redis.sock") && unix.redis.database == 2)
        let overridden = try resolve(flags: [.host: "h"], environment: ["REDIS_URL": "unix:///run/redis.sock"])
        #expect(overridden.redis.address == .tcp(host: "h", port: 6379))
    }

    @Test func aPasswordInTheURLFlagWarnsButNotInREDIS_URL() throws {
        let flagged = try resolve(flags: [.url: "redis://:hunter2@h"])
        #expect(flagged.warnings.count == 1 && flagged.warnings[0].contains("visible to other users"))
        #expect(!flagged.warnings[0].contains("hunter2"))
        #expect(try resolve(environment: ["REDIS_URL": "redis://:hunter2@h"]).warnings.isEmpty)
    }

    @Test func emptyVariablesCountAsUnset() throws {
        let file = try envFile("REDIS_HOST=\"\"\nREDIS_PASSWORD=\"\"\n")
        let settings = try resolve(file: file)
        #expect(!settings.redisConfigured && settings.redis.password == nil)
    }

    @Test func aPasswordFileIsStrippedAndAReadableOneWarns() throws {
        let folder = try TemporaryDirectory.make(prefix: "closeup-pass")
        let path = folder + "/password"
        try "s3cret \n\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o644)
        let loose = try resolve(flags: [.passwordFile: path], environment: ["REDIS_PASSWORD": "env"])
        #expect(loose.redis.password == "s3cret")
        #expect(loose.warnings.contains { $0.contains("readable by other users") && $0.contains("chmod 600") })
        chmod(path, 0o600)
        #expect(try resolve(flags: [.passwordFile: path]).warnings.isEmpty)
        #expect(throws: CloseupError.self) { try resolve(flags: [.passwordFile: folder + "/missing"]) }
    }

    @Test(arguments: [
        ("REDIS_PORT", "abc", "invalid port 'abc' in REDIS_PORT: expected a whole number from 1 to 65535"),
        ("REDIS_PORT", "70000", "invalid port '70000' in REDIS_PORT: expected a whole number from 1 to 65535"),
        ("REDIS_DB", "-1", "invalid database number '-1' in REDIS_DB: expected a whole number from 0 to 1000000"),
        ("REDIS_TLS", "maybe", "invalid tls switch 'maybe' in REDIS_TLS: expected true or false"),
        ("REDIS_TIMEOUT", "0", "invalid timeout '0' in REDIS_TIMEOUT: expected a number of seconds greater than 0"),
        ("CLOSEUP_MAX_ATTEMPTS", "0", "invalid max attempts '0' in CLOSEUP_MAX_ATTEMPTS: expected a whole number from 1 to 1000000"),
    ])
    func badVariablesAreConfigurationErrorsNamingVariableAndValue(name: String, value: String, message: String) {
        #expect(throws: CloseupError(.configuration, message)) { try resolve(environment: [name: value]) }
    }

    @Test(arguments: ["true", "1", "yes", "TRUE"])
    func tlsSwitchAcceptsTrueWords(word: String) throws {
        #expect(try resolve(environment: ["REDIS_TLS": word]).redis.tls != nil)
    }

    @Test func envFileGrammar() throws {
        let file = try EnvFile(
            path: ".env",
            text: """
                # the seed's settings
                REDIS_HOST="demo.serverless.aps1.cache.amazonaws.com"
                export REDIS_PORT=6379   # trailing comment
                REDIS_PASSWORD='pa ss#word'
                CLOSEUP_SMS_COMMAND="send-sms --to \\"ops\\""
                EMPTY=
                HASH=abc#def

                """)
        #expect(file.entries["REDIS_HOST"]?.value == "demo.serverless.aps1.cache.amazonaws.com")
        #expect(file.entries["REDIS_PORT"] == EnvFile.Entry(value: "6379", line: 3))
        #expect(file.entries["REDIS_PASSWORD"]?.value == "pa ss#word")
        #expect(file.entries["CLOSEUP_SMS_COMMAND"]?.value == "send-sms --to \"ops\"")
        #expect(file.entries["EMPTY"]?.value == "")
        #expect(file.entries["HASH"]?.value == "abc#def")
    }

    @Test func crlfLineEndsEndLinesAndALeadingBOMIsSkipped() throws {
        // "\r\n" is one Character in Swift: splitting a String on "\n" never splits it.
        let file = try EnvFile(
            path: ".env", text: "\u{FEFF}# from Windows\r\nREDIS_HOST=10.255.255.1\r\nREDIS_PASSWORD='hunter2'\r\n\r\nA=1")
        #expect(file.entries["REDIS_HOST"] == EnvFile.Entry(value: "10.255.255.1", line: 2))
        #expect(file.entries["REDIS_PASSWORD"] == EnvFile.Entry(value: "hunter2", line: 3))
        #expect(file.entries["A"] == EnvFile.Entry(value: "1", line: 5))
        #expect(file.entries.count == 3)
    }

    @Test(arguments: [
        ("REDIS_HOST", "line 1: no '='"),
        ("A=1\nREDIS HOST=x", "line 2: the text before '=' is not a variable name"),
        ("REDIS_PASSWORD:hunter2=x", "line 1: the text before '=' is not a variable name"),
        ("A=1\r\nB=2\rREDIS_PASSWORD=hunter2", "line 2: control character U+000D"),
        ("REDIS_PASSWORD=\"hunter2\u{7F}\"", "line 1: control character U+007F"),
        ("REDIS_PASSWORD=hunter2\u{85}", "line 1: control character U+0085"),
        ("REDIS_HOST=\"unterminated", "line 1: unterminated or misplaced quote"),
        ("REDIS_HOST='a' b", "line 1: unterminated or misplaced quote"),
    ])
    func malformedEnvFileLinesAreNamed(text: String, reason: String) {
        #expect(throws: CloseupError(.configuration, "malformed env file 'f' \(reason); expected KEY=value")) {
            try EnvFile(path: "f", text: text)
        }
    }

    @Test func anEscapedLineBreakInAQuotedValueIsKept() throws {
        // Written on purpose, as python-dotenv reads it; only raw control characters are damage.
        #expect(try EnvFile(path: "f", text: "PEM=\"a\\nb\"").entries["PEM"]?.value == "a\nb")
    }

    @Test func aPasswordFileKeepsInnerAndNonASCIISpaceButNotControlCharacters() throws {
        let folder = try TemporaryDirectory.make(prefix: "closeup-pass")
        let path = folder + "/password"
        chmod(folder, 0o700)
        try Data("pa ss\u{A0}\r\n \n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(try resolve(flags: [.passwordFile: path]).redis.password == "pa ss\u{A0}")
        // A byte-order mark is not part of it.
        try Data("\u{FEFF}hunter2\r\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(try resolve(flags: [.passwordFile: path]).redis.password == "hunter2")
        for text in ["pa\nss\n", "pa\u{1B}ss", "\u{0}"] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            #expect(throws: CloseupError(.configuration, "password file '\(path)' holds a line break or control character; expected the password on one line")) {
                try resolve(flags: [.passwordFile: path])
            }
        }
    }

    @Test func aMissingEnvFileGivenByFlagIsAConfigurationError() {
        #expect {
            try Settings.resolve(flags: [:], environment: [:], envFile: .path("/nonexistent/.env"))
        } throws: { ($0 as? CloseupError)?.exitCode == 5 }
    }
}

struct RedisURLTests {
    @Test(arguments: [
        ("redis://localhost", RedisOptions.Address.tcp(host: "localhost", port: 6379), nil as Int?, nil as String?, nil as String?, false),
        ("redis://h:6380/2", .tcp(host: "h", port: 6380), 2, nil, nil, false),
        ("rediss://app:pw@h.example.com:6379/0", .tcp(host: "h.example.com", port: 6379), 0, "app", "pw", true),
        ("redis://:only-password@h", .tcp(host: "h", port: 6379), nil, nil, "only-password", false),
        ("redis://u:p%40ss%3Aw@h", .tcp(host: "h", port: 6379), nil, "u", "p@ss:w", false),
        ("redis://[::1]:7000", .tcp(host: "::1", port: 7000), nil, nil, nil, false),
        ("REDIS://h/", .tcp(host: "h", port: 6379), nil, nil, nil, false),
        ("unix:///var/run/redis.sock", .unix(path: "/var/run/redis.sock"), nil, nil, nil, false),
        ("unix:///tmp/r.sock?db=3", .unix(path: "/tmp/r.sock"), 3, nil, nil, false),
    ])
    func goodURLs(
        text: String, address: RedisOptions.Address, database: Int?, username: String?, password: String?, tls: Bool
    ) throws {
        let url = try RedisURL(text)
        #expect(url.address == address && url.database == database)
        #expect(url.username == username && url.password == password && url.tls == tls)
    }

    @Test(arguments: [
        ("localhost:6379", "no scheme"),
        ("http://h", "unknown scheme 'http'"),
        ("redis://", "no host"),
        ("redis://h:0", "port '0' is not a number from 1 to 65535"),
        // Without an '@', "h:abc" may be "user:password" missing its "@host": a word there is not repeated.
        ("redis://h:abc", "the port is not a number from 1 to 65535"),
        ("redis://:secret@h:abc", "port 'abc' is not a number from 1 to 65535"),
        ("redis://h/x", "the database is not a number"),
        ("redis://:secret@h/x", "database 'x' is not a number"),
        ("redis://h?db=1", "query parameters are not supported"),
        ("unix://relative.sock", "the socket path must be absolute"),
        ("unix:///s.sock?tls=1", "only the parameter db=N is supported"),
        ("redis://[::1", "unclosed '[' in the host"),
        ("redis://u:secret@h:99999", "port '99999' is not a number from 1 to 65535"),
        ("redis:/:secret@h", "no scheme"),
        ("redis//:secret@h", "no scheme"),
        ("redis://default:secret", "the port is not a number from 1 to 65535"),
        ("redis://default:sec/ret", "the port is not a number from 1 to 65535"),
        ("redis://u:secret@h:port", "port 'port' is not a number from 1 to 65535"),
        ("redis://u:sec%zzret@h", "bad percent-escape in the user name or password"),
        ("redis://u:sec%ffret@h", "bad percent-escape in the user name or password"),
        ("unix://:secret@/tmp/r.sock", "a unix:// URL takes no user name or password"),
        ("unix:///tmp/r.sock?password=secret", "only the parameter db=N is supported"),
        ("unix:///tmp/r.sock?db=1&password=secret", "only the parameter db=N is supported"),
        ("redis://h?password=secret", "query parameters are not supported"),
    ])
    func badURLsAreConfigurationErrorsThatHideThePassword(text: String, reason: String) {
        #expect {
            try RedisURL(text)
        } throws: { error in
            guard let error = error as? CloseupError else { return false }
            return error.exitCode == 5 && error.message.contains(reason) && !error.message.contains("sec")
        }
    }

    @Test(arguments: [
        ("redis://u:pa/ss@h:1/0", "redis://u:***@h:1/0"),
        ("redis://u:p@ss@h", "redis://u:***@h"),
        ("redis://h:1", "redis://h:1"),
        ("redis://[::1]:7000/2", "redis://[::1]:7000/2"),
        ("localhost:6379", "localhost:6379"),
        // When in doubt, everything before the last '@' goes: a lone user name may be a password.
        ("redis://user@h", "redis://***@h"),
        ("redis:/:pass@h", "redis:/***@h"),
        ("redis//:pass@h", "***@h"),
        ("rediss//u:pass@h", "***@h"),
        ("pass@h", "***@h"),
        ("user:pass", "user:***"),
        ("unix://user:pass", "unix://user:***"),
        ("unix://u:pass@/tmp/r.sock", "unix://u:***@/tmp/r.sock"),
        // No '@': a port that is not a number may be a password missing its "@host".
        ("redis://default:pass", "redis://default:***"),
        ("redis://default:pa/ss?x#y", "redis://default:***"),
        ("redis://[::1]:pass", "redis://[::1]:***"),
        // Query parameters (but db=N) and fragments are hidden too.
        ("unix:///tmp/r.sock?db=2&password=pass", "unix:///tmp/r.sock?db=2&***"),
        ("redis://h/0?password=pass#frag", "redis://h/0?***#***"),
        ("redis//u:pa?ss?db=1", "redis/***?***"),
    ])
    func redactHidesEverythingThatMayBeAPassword(url: String, redacted: String) {
        #expect(RedisURL.redact(url) == redacted)
    }

    /// Thousands of malformed shapes around the password "Qv8…Jm4": a message may hold neither half.
    /// Left out are the shapes where the password is, by the URL's own syntax, a host or a socket
    /// path ("redis://u:Qv8@Jm4" with its '@' raw and no host after it, "unix:///u:Qv8Jm4").
    @Test func noMalformedShapeShowsAnyPartOfThePassword() {
        let schemes = ["redis://", "rediss://", "redis:/", "redis//", "redis:", "", "unix://", "http://", "REDIS://"]
        let separators = ["", "/", "?", "#", "@", ":", "%", "%zz", "/x?y#z", "[", "]", "%40", "&", "=", "%2", "%ff"]
        let hosts = ["h", "h:6379", "h:abc", "[::1]", "[::1]:1", "[::1", ""]
        let tails = ["", "/0", "/x", "?db=1", "?password=Qv8", "#f", "/tmp/s.sock"]
        var checked = 0
        for scheme in schemes {
            for separator in separators {
                let password = "Qv8" + separator + "Jm4"
                for host in hosts where !(separator.contains("@") && host.isEmpty) {
                    for tail in tails {
                        var shapes = ["\(scheme)u:\(password)@\(host)\(tail)", "\(scheme):\(password)@\(host)\(tail)"]
                        if !separator.contains(":") { shapes.append("\(scheme)\(password)@\(host)\(tail)") }
                        if host == "h", !separator.contains("@") { shapes.append("\(scheme)u:\(password)\(tail)") }
                        for shape in shapes {
                            checked += 1
                            do {
                                _ = try RedisURL(shape)
                            } catch {
                                #expect(!error.message.contains("Qv8") && !error.message.contains("Jm4"), "\(shape)")
                            }
                        }
                    }
                }
            }
        }
        #expect(checked > 3000)
    }

    @Test func everythingBeforeTheLastAtIsTheUserAndPassword() throws {
        let url = try RedisURL("redis://default:a/b?c#d@e:f@h:7000/3")
        #expect(url.username == "default" && url.password == "a/b?c#d@e:f")
        #expect(url.address == .tcp(host: "h", port: 7000) && url.database == 3)
    }
}
