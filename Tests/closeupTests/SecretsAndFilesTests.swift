// Hostile and careless files, end to end through the built binary (issue 14,
// "Secrets and files"): an env file written on Windows, text with control
// characters where a host or password goes, malformed Redis URLs around a
// password. Whatever the shape, no output ever holds the password.
import CloseupTestSupport
import Foundation
import Testing

@Suite(.serialized)
final class SecretsAndFilesTests {
    static let password = "Zq7-\(UUID().uuidString.prefix(8))-Xk9"
    static let server = try! RedisServer(password: password)
    let home: String
    let environment: [String: String]

    init() throws {
        home = try TemporaryDirectory.make(prefix: "closeup-files")
        environment = Closeup.environment(home: home)
    }

    func closeup(_ arguments: [String], environment extra: [String: String] = [:]) throws -> CloseupResult {
        try Closeup.run(arguments, environment: environment.merging(extra) { $1 }, directory: home)
    }

    func writeEnvFile(_ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: home + "/.env"))
    }

    /// Nothing closeup printed holds `secret`, nor any run of 3+ characters of it between separators.
    func expectHidden(_ secret: String, in result: CloseupResult, _ comment: Comment? = nil) {
        let output = result.stdout + result.stderr
        #expect(!output.contains(secret), comment)
        for part in secret.split(whereSeparator: { !$0.isLetter && !$0.isNumber }) where part.count >= 3 {
            #expect(!output.contains(part), "'\(part)' shown: \(comment?.rawValue ?? "")")
        }
    }

    // MARK: 1. Line endings and control characters

    @Test func aWindowsEnvFileIsReadLineByLineEvenAfterAComment() throws {
        let port = String(Self.server.port)
        try writeEnvFile("# written on Windows\r\nREDIS_HOST=127.0.0.1\r\nREDIS_PORT=\(port)\r\nREDIS_PASSWORD=\(Self.password)\r\n")
        let result = try closeup(["doctor"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("target        127.0.0.1:\(port)\n"))
        #expect(result.stdout.contains("password from REDIS_PASSWORD in .env line 4"))
        expectHidden(Self.password, in: result)
    }

    @Test func theIssuesCRLFFileNamesItsHostAloneAndNeverThePassword() throws {
        // The issue's file, with a port where nothing listens (any address may answer in a sandbox).
        let port = String(try freePort())
        try writeEnvFile("REDIS_HOST=127.0.0.1\r\nREDIS_PORT=\(port)\r\nREDIS_PASSWORD=hunter2\r\n")
        let attempts = try closeup(["attempts", "get", "u1"])
        #expect(attempts.status == 0, "\(attempts.stderr)")
        #expect(attempts.stderrLines.count == 1 && attempts.stderr.contains("Redis at 127.0.0.1:\(port) "), "\(attempts.stderr)")
        let doctor = try closeup(["doctor"])
        #expect(doctor.status == 3)
        #expect(doctor.stdout.contains("target        127.0.0.1:\(port)\n"), "\(doctor.stdout)")
        #expect(doctor.stdout.contains("password from REDIS_PASSWORD in .env line 3"))
        for result in [attempts, doctor] { expectHidden("hunter2", in: result) }
    }

    @Test(arguments: [
        ("REDIS_HOST=10.0.0.1\rREDIS_PASSWORD=hunter2\n", 1, "U+000D"),
        ("# ok\nREDIS_PASSWORD=hunter2\u{1B}]0;owned\u{07}\n", 2, "U+001B"),
        ("REDIS_PORT=6379\nREDIS_PASSWORD=\"hunter2\u{0}x\"\n", 2, "U+0000"),
        ("REDIS_PORT=6379\nREDIS_HOST=h\u{0B}hunter2\n", 2, "U+000B"),
    ])
    func aControlCharacterInTheEnvFileIsAnErrorNamingTheLineNotTheValue(text: String, line: Int, character: String) throws {
        try writeEnvFile(text)
        let result = try closeup(["--store", "sqlite", "attempts", "get", "u1"])
        #expect(result.status == 5)
        #expect(result.stdout.isEmpty)
        #expect(result.stderrLines == ["closeup: malformed env file '.env' line \(line): control character \(character); expected KEY=value"])
        expectHidden("hunter2", in: result)
    }

    @Test func aTabInAValueIsKeptAndABOMIsSkipped() throws {
        try writeEnvFile("\u{FEFF}CLOSEUP_MAX_ATTEMPTS=7\nCLOSEUP_SMS_COMMAND=send\tsms\n")
        let result = try closeup(["--store", "sqlite", "attempts", "get", "u1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "u1: 0 of 7 failed attempts\n")
    }

    @Test func anEnvFileThatIsNotUTF8IsAnErrorNamingTheLine() throws {
        try Data(Array("REDIS_PORT=6379\nREDIS_PASSWORD=hunter2".utf8) + [0xFF, 0x0A]).write(to: URL(fileURLWithPath: home + "/.env"))
        let result = try closeup(["--store", "sqlite", "attempts", "get", "u1"])
        #expect(result.status == 5)
        #expect(result.stderrLines == ["closeup: malformed env file '.env' line 2: not UTF-8 text; expected KEY=value"])
    }

    @Test func aHostWithAControlCharacterOrSpaceIsRefusedWithoutEchoingIt() throws {
        for host in ["10.0.0.1\nREDIS_PASSWORD=hunter2", "cache hunter2", "\u{1B}]0;hunter2\u{07}"] {
            let result = try closeup(["attempts", "get", "u1"], environment: ["REDIS_HOST": host])
            #expect(result.status == 5, "\(result.stderr)")
            #expect(result.stderrLines == [
                "closeup: invalid host in REDIS_HOST: it holds a space or control character; expected a host name or IP address"
            ])
            expectHidden("hunter2", in: result)
        }
    }

    @Test func aPasswordFileWithCRLFWorksAndOneWithAControlCharacterIsRefused() throws {
        let file = home + "/password"
        try Data("\(Self.password)\r\n".utf8).write(to: URL(fileURLWithPath: file))
        chmod(file, 0o600)
        let port = String(Self.server.port)
        let crlf = try closeup(["--no-env-file", "--port", port, "--password-file", file, "doctor"])
        #expect(crlf.status == 0, "\(crlf.stderr)")
        expectHidden(Self.password, in: crlf)

        try Data("\(Self.password)\n\u{1B}[2J\n".utf8).write(to: URL(fileURLWithPath: file))
        let control = try closeup(["--no-env-file", "--port", port, "--password-file", file, "doctor"])
        #expect(control.status == 5)
        #expect(control.stderrLines == ["closeup: password file '\(file)' holds a line break or control character; expected the password on one line"])
        expectHidden(Self.password, in: control)
    }

    // MARK: 2. Passwords inside malformed URLs

    /// URL shapes around the password "Zq7…Xk9" that none of closeup's messages may repeat.
    static let malformedURLs = [
        "redis:/:Zq7secretXk9@host",
        "redis//:Zq7secretXk9@host",
        "rediss//user:Zq7secretXk9@host",
        ":Zq7secretXk9@127.0.0.1:6379",
        "Zq7secretXk9@127.0.0.1",
        "http://:Zq7secretXk9@host",
        "redis://default:Zq7secretXk9",
        "redis://default:Zq7/secret/Xk9",
        "redis://default:Zq7secret?Xk9",
        "redis://[::1]:Zq7secretXk9",
        "redis://:Zq7%zzsecretXk9@host",
        "redis://:Zq7secretXk9%@host",
        "redis://:Zq7secretXk9@host:notaport",
        "redis://:Zq7secretXk9@host/notadb",
        "redis://:Zq7secretXk9@",
        "redis://:Zq7secretXk9@[::1",
        "redis://:Zq7secretXk9@host#fragment",
        "redis://host?password=Zq7secretXk9",
        "redis://u:Zq7secretXk9@host/0?db=1",
        "unix://:Zq7secretXk9@/tmp/redis.sock",
        "unix://default:Zq7secretXk9@/tmp/redis.sock?db=1",
        "unix:///tmp/redis.sock?password=Zq7secretXk9",
        "unix:///tmp/redis.sock?db=1&password=Zq7secretXk9",
    ]

    @Test(arguments: malformedURLs)
    func aMalformedURLIsAConfigurationErrorThatShowsNoPartOfThePassword(url: String) throws {
        let viaFlag = try closeup(["--no-env-file", "--connect-timeout", "0.2", "otp", "ttl", "u1", "--url", url])
        let viaVariable = try closeup(["--no-env-file", "--connect-timeout", "0.2", "otp", "ttl", "u1"], environment: ["REDIS_URL": url])
        for result in [viaFlag, viaVariable] {
            #expect(result.status == 5, "\(result.stderr)")
            #expect(result.stderr.contains("invalid Redis URL"), "\(result.stderr)")
            expectHidden("Zq7secretXk9", in: result, "\(url)")
        }
    }

    @Test func aPasswordHoldingSlashQuestionMarkHashAndAtWorksRawInAURL() throws {
        // Everything up to the last '@' is the user and password (as redis-cli reads it): a raw
        // '/', '?', '#' or '@' there is part of the password, never a path, a query or a port.
        let password = "Zq7/a?b#c@d:Xk9"
        let server = try RedisServer(password: password)
        let result = try closeup(["--no-env-file", "doctor"], environment: ["REDIS_URL": "redis://default:\(password)@127.0.0.1:\(server.port)/0"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("target        127.0.0.1:\(server.port)\n"))
        expectHidden(password, in: result)
        let wrong = try closeup(["--no-env-file", "doctor"], environment: ["REDIS_URL": "redis://default:\(password)x@127.0.0.1:\(server.port)"])
        #expect(wrong.status == 5 && wrong.stderr.contains("WRONGPASS"))
        expectHidden(password + "x", in: wrong)
    }

    // MARK: 4. Files closeup trusts (SPEC §2)

    var dataFolder: String { home + "/data/closeup" }
    var database: String { dataFolder + "/closeup.sqlite3" }
    var secretFile: String { dataFolder + "/otp-secret" }

    /// A data folder, database and OTP secret as closeup makes them (0700, 0600, 0600).
    func makeFiles() throws {
        let sent = try closeup(["--store", "sqlite", "otp", "send", "u1", "--mobile", "9876543210"])
        #expect(sent.status == 0 && sent.stderr.isEmpty, "\(sent.stderr)")
    }

    /// One ordinary run (exit 1: no live code for u0) and `doctor`, both on SQLite alone.
    func runAndDoctor() throws -> (run: CloseupResult, doctor: CloseupResult) {
        (try closeup(["--store", "sqlite", "otp", "ttl", "u0"]), try closeup(["--store", "sqlite", "doctor"]))
    }

    @Test func filesAsCloseupMakesThemDrawNoWarning() throws {
        try makeFiles()
        let (run, doctor) = try runAndDoctor()
        #expect(run.status == 1 && run.stderr.isEmpty, "\(run.stderr)")
        #expect(doctor.status == 0, "\(doctor.stderr)")
        #expect(!doctor.stderr.contains("chmod"))
    }

    @Test(arguments: [0o777 as mode_t, 0o770, 0o755, 0o711])
    func aDataFolderOpenToOthersWarnsOnEveryRunAndFailsDoctor(mode: mode_t) throws {
        try makeFiles()
        chmod(dataFolder, mode)
        let octal = String(mode, radix: 8)
        let (run, doctor) = try runAndDoctor()
        #expect(run.status == 1)
        let writable = mode & 0o022 != 0
        let expected = "closeup: warning: data folder '\(dataFolder)' is \(writable ? "writable by" : "open to") other users "
            + "(mode \(octal)); run: chmod 700 '\(dataFolder)'"
        #expect(run.stderrLines == [expected])
        #expect(doctor.status == 5)
        #expect(doctor.stderrLines.first == expected)
        #expect(doctor.stderrLines.last == "closeup: files closeup trusts are unsafe: '\(dataFolder)'; see the warnings above")
        #expect(try closeup(["--store", "sqlite", "otp", "ttl", "u0", "--quiet"]).stderr.isEmpty)
    }

    @Test func aDatabaseReadableByOthersWarnsAndFailsDoctor() throws {
        try makeFiles()
        chmod(database, 0o644)
        let (run, doctor) = try runAndDoctor()
        let expected = "closeup: warning: SQLite database '\(database)' is readable by other users (mode 644); run: chmod 600 '\(database)'"
        #expect(run.status == 1 && run.stderrLines == [expected], "\(run.stderr)")
        #expect(doctor.status == 5 && doctor.stderr.contains(expected))
    }

    /// A database given with --sqlite in a folder anyone may write to (no sticky bit): others
    /// could replace the file, so it warns; /tmp-like folders (sticky) do not.
    @Test func aDatabaseInAFolderOthersCanWriteToWarns() throws {
        let shared = home + "/shared"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        chmod(shared, 0o777)
        let run = try Closeup.run(
            ["--store", "sqlite", "--sqlite", "shared/db.sqlite3", "otp", "ttl", "u0"], environment: environment,
            directory: home)
        #expect(run.status == 1)
        #expect(run.stderrLines.contains(
            "closeup: warning: folder 'shared' of the SQLite database is writable by other users (mode 777), who could"
                + " replace the database; run: chmod go-w 'shared', or keep the database elsewhere"), "\(run.stderr)")
        #expect(try closeup(["--store", "sqlite", "--sqlite", "shared/db.sqlite3", "doctor"]).status == 5)
        chmod(shared, 0o1777)
        let sticky = try closeup(["--store", "sqlite", "--sqlite", "shared/db.sqlite3", "otp", "ttl", "u0"])
        #expect(sticky.status == 1 && !sticky.stderr.contains("folder"), "\(sticky.stderr)")
    }

    /// The write-ahead log holds recent rows too: a readable one is warned about. SQLite opens
    /// the (empty) log again with the database's own mode, so the run that warns also ends it.
    @Test func aWriteAheadLogReadableByOthersWarnsToo() throws {
        try makeFiles()
        #expect(FileManager.default.fileExists(atPath: database + "-wal"))
        chmod(database + "-wal", 0o604)
        let doctor = try closeup(["--store", "sqlite", "doctor"])
        #expect(doctor.status == 5)
        #expect(doctor.stderrLines.first ==
            "closeup: warning: SQLite database '\(database)-wal' is readable by other users (mode 604); run: chmod 600 '\(database)-wal'")
        let mode = try FileManager.default.attributesOfItem(atPath: database + "-wal")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test(.enabled(if: getuid() == 0, "needs root to chown a file to nobody"))
    func aDatabaseOrSecretOwnedBySomeoneElseWarns() throws {
        try makeFiles()
        let copy = home + "/copy.sqlite3"
        try FileManager.default.copyItem(atPath: database, toPath: copy)
        #expect(chown(copy, 65534, 65534) == 0)
        let run = try closeup(["--store", "sqlite", "--sqlite", copy, "otp", "ttl", "u0"])
        #expect(run.status == 1)
        #expect(run.stderrLines == [
            "closeup: warning: SQLite database '\(copy)' belongs to uid 65534, not to you (uid \(getuid())); use a database of your own (--sqlite, CLOSEUP_SQLITE_PATH)"
        ])
        #expect(try closeup(["--store", "sqlite", "--sqlite", copy, "doctor"]).status == 5)

        #expect(chown(secretFile, 65534, 65534) == 0)
        let secret = try closeup(["--store", "sqlite", "otp", "ttl", "u0"])
        #expect(secret.stderrLines == [
            "closeup: warning: OTP secret '\(secretFile)' belongs to uid 65534, not to you (uid \(getuid())); "
                + "replace it with a file of your own, or set CLOSEUP_OTP_SECRET"
        ])
    }

    @Test func aSecretReadableByOthersASymlinkOrAShortOneWarnsAndFailsDoctor() throws {
        try makeFiles()
        chmod(secretFile, 0o640)
        #expect(try runAndDoctor().run.stderrLines == [
            "closeup: warning: OTP secret '\(secretFile)' is readable by other users (mode 640); run: chmod 600 '\(secretFile)'"
        ])
        chmod(secretFile, 0o600)

        let elsewhere = home + "/secret-elsewhere"
        try FileManager.default.moveItem(atPath: secretFile, toPath: elsewhere)
        try FileManager.default.createSymbolicLink(atPath: secretFile, withDestinationPath: elsewhere)
        let (linkRun, linkDoctor) = try runAndDoctor()
        #expect(linkRun.status == 1)
        #expect(linkRun.stderrLines == [
            "closeup: warning: OTP secret '\(secretFile)' is a symbolic link; closeup trusts only a regular file: "
                + "run: cp --remove-destination '\(elsewhere)' '\(secretFile)'"
        ])
        #expect(linkDoctor.status == 5)

        try FileManager.default.removeItem(atPath: secretFile)
        try Data("x\n".utf8).write(to: URL(fileURLWithPath: secretFile))
        chmod(secretFile, 0o600)
        let (shortRun, shortDoctor) = try runAndDoctor()
        #expect(shortRun.stderrLines == [
            "closeup: warning: OTP secret '\(secretFile)' holds 1 character, fewer than 32; "
                + "set CLOSEUP_OTP_SECRET to the backend's secret, or remove the file to have closeup make a new one"
        ])
        #expect(shortDoctor.status == 5)
        // Used all the same (a warning, not a refusal): a code sent now verifies.
        let sent = try closeup(["--store", "sqlite", "--json", "otp", "send", "u2", "--mobile", "9876543210", "--quiet"])
        let code = try #require(try JSONSerialization.jsonObject(with: Data(sent.stdout.utf8)) as? [String: Any])["otp"] as? String
        #expect(try closeup(["--store", "sqlite", "--quiet", "otp", "verify", "u2", try #require(code)]).status == 0)
    }

    /// A value quoted in an error (here an environment variable's) cannot drive the terminal.
    @Test func errorsQuoteControlCharactersEscaped() throws {
        let result = try closeup(["attempts", "get", "u1"], environment: ["REDIS_PORT": "6379\r\u{1b}[2J"])
        #expect(result.status == 5)
        #expect(!result.stderr.contains("\r") && !result.stderr.contains("\u{1b}"), "\(result.stderr.debugDescription)")
        #expect(result.stderr.contains("6379\\x0d\\x1b[2J"), "\(result.stderr)")
    }

    /// Bytes that are not UTF-8 would be read as U+FFFD: two different binary secrets would hash
    /// alike, and neither as the backend's. Refused, from the file and from the environment.
    @Test func aSecretThatIsNotUTF8TextIsRefused() throws {
        try makeFiles()
        try Data(repeating: 0xff, count: 64).write(to: URL(fileURLWithPath: secretFile))
        chmod(secretFile, 0o600)
        let send = try closeup(["--store", "sqlite", "--quiet", "otp", "send", "u4", "--mobile", "9876543210"])
        #expect(send.status == 5)
        #expect(send.stderrLines == [
            "closeup: the OTP secret '\(secretFile)' is not UTF-8 text; put the backend's secret in it as text, "
                + "or remove it to have closeup make a new one"
        ])
        #expect(try closeup(["--store", "sqlite", "doctor"]).status == 5)

        let fromEnvironment = try Closeup.shell(
            "CLOSEUP_OTP_SECRET=$(printf '\\377%.0s' $(seq 40)) closeup --no-env-file --store sqlite otp ttl u4",
            environment: environment, directory: home)
        #expect(fromEnvironment.status == 5)
        #expect(fromEnvironment.stderr.contains("CLOSEUP_OTP_SECRET is not UTF-8 text"), "\(fromEnvironment.stderr)")
    }

    @Test func aConfiguredSecretLeavesTheFileUnchecked() throws {
        try makeFiles()
        try Data("x".utf8).write(to: URL(fileURLWithPath: secretFile))
        let run = try closeup(["--store", "sqlite", "otp", "ttl", "u0"], environment: ["CLOSEUP_OTP_SECRET": String(repeating: "k", count: 40)])
        #expect(run.status == 1 && run.stderr.isEmpty, "\(run.stderr)")
    }

    @Test func aSecretThatIsNotARegularFileIsRefusedAtOnceNotReadForever() throws {
        try makeFiles()
        try FileManager.default.removeItem(atPath: secretFile)
        try FileManager.default.createSymbolicLink(atPath: secretFile, withDestinationPath: "/dev/zero")
        let zero = try closeup(["--store", "sqlite", "--quiet", "otp", "send", "u3", "--mobile", "9876543210"])
        #expect(zero.status == 5)
        #expect(zero.stderrLines == ["closeup: the OTP secret '\(secretFile)' is not a regular file; replace it with one, or set CLOSEUP_OTP_SECRET"])
        try FileManager.default.removeItem(atPath: secretFile)
        #expect(mkfifo(secretFile, 0o600) == 0)
        let fifo = try closeup(["--store", "sqlite", "--quiet", "otp", "send", "u3", "--mobile", "9876543210"])
        #expect(fifo.status == 5 && fifo.stderr.contains("is not a regular file"))
    }
}
