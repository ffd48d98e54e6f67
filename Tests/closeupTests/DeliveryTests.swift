// Getting a code to the user, and taking it back when it did not arrive (SPEC §2
// "Issuing an OTP" and "Delivery channels", §4 on failed writes to stdout): what
// the delivery command inherits (environment, descriptors, process group,
// signals), a code that could not be written to stdout, any other failed stdout
// write, and a delivery cut short by a signal or by the timeout. Real
// redis-server (with a password, so there is one to leak), real SQLite files,
// real shells and scripts.
import CloseupKit
import CloseupTestSupport
import Foundation
import Testing

final class DeliveryTests {
    static let password = "delivery-pw-" + UUID().uuidString
    static let server = try! RedisServer(password: password)
    let secret = "delivery-test-secret-" + UUID().uuidString
    let home: String
    let environment: [String: String]
    var redis: RedisConnection { try! Self.server.connect() }
    var sqlitePath: String { home + "/data/closeup/closeup.sqlite3" }

    init() throws {
        home = try TemporaryDirectory.make(prefix: "closeup-delivery")
        environment = Closeup.environment(
            home: home,
            extra: [
                "CLOSEUP_OTP_SECRET": secret, "REDIS_PORT": String(Self.server.port), "REDIS_PASSWORD": Self.password,
            ])
    }

    func closeup(_ arguments: [String], environment extra: [String: String] = [:]) throws -> CloseupResult {
        try Closeup.run(arguments, environment: environment.merging(extra) { $1 }, directory: home)
    }

    func shell(_ script: String, environment extra: [String: String] = [:]) throws -> CloseupResult {
        try Closeup.shell(script, environment: environment.merging(extra) { $1 }, directory: home)
    }

    func unique(_ name: String) -> String { "\(name)-\(UUID().uuidString.prefix(8))" }

    /// A mobile number of its own for each send, so tests never share a send rate limit.
    func mobile() -> String { "97\(Int.random(in: 10_000_000...99_999_999))" }

    /// An executable script in a fresh folder; returns the folder and a CLOSEUP_SMS_COMMAND
    /// running the script with that folder as its one argument.
    func deliveryScript(_ body: String) throws -> (folder: String, command: String) {
        let folder = try TemporaryDirectory.make(prefix: "closeup-sms")
        let script = folder + "/send-sms"
        try ("#!/bin/sh\n" + body).write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        return (folder, "'\(script)' '\(folder)'")
    }

    func read(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    /// The code was taken back everywhere: no key in Redis, no usable copy in SQLite, and the
    /// send no longer counted against the mobile's limit in either store.
    func expectWithdrawn(
        _ user: String, mobile: String, in redis: RedisConnection? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let redis = redis ?? self.redis
        let exists = try redis.call(RedisCommand("EXISTS", "otp:\(user)")).resp
        #expect(exists == .integer(0), "the code is still in Redis", sourceLocation: sourceLocation)
        let database = try SQLiteDatabase(path: sqlitePath)
        let usable = try database.prepare("SELECT COUNT(*) FROM otp_codes WHERE user_id = ? AND used_at IS NULL")
            .firstInteger([.text(user)])
        #expect(usable == 0, "an SQLite copy is still usable", sourceLocation: sourceLocation)
        let limitKey = "rate_limit:otp_request:\(mobile)"
        #expect(try redis.call(RedisCommand("GET", limitKey)).string == nil, sourceLocation: sourceLocation)
        let counted = try database.prepare("SELECT count FROM rate_limits WHERE key = ?")
            .firstInteger([.text(limitKey)])
        #expect((counted ?? 0) == 0, "the send still counts in SQLite", sourceLocation: sourceLocation)
    }

    /// True when `pid` has ended (gone, or a zombie waiting for its new parent to reap it).
    func hasEnded(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return true }
        let stat = read("/proc/\(pid)/stat") ?? ""
        return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
    }

    // MARK: What the command inherits (issue 14, item 3)

    @Test func theDeliveryCommandGetsNoSecretsItsOwnProcessGroupAndDefaultSignals() throws {
        let (folder, command) = try deliveryScript(
            """
            cat > /dev/null
            env > "$1/env"
            # After the command name: state, parent, process group.
            sed -e 's/^.*) //' /proc/$$/stat | cut -d' ' -f1-3 > "$1/stat"
            # Read by the shell itself: a child reading /proc/$$ would catch the shell's mask in the
            # middle of a fork, when it blocks everything for a moment.
            while read -r line; do
                case $line in SigBlk:* | SigIgn:*) echo "$line" ;; esac
            done < /proc/self/status > "$1/signals"
            echo $$ > "$1/pid"
            if [ -e /proc/$$/fd/7 ]; then echo open > "$1/fd7"; fi
            """)
        let user = unique("env")
        let passwordFile = home + "/password"
        #expect(
            FileManager.default.createFile(
                atPath: passwordFile, contents: Data(Self.password.utf8), attributes: [.posixPermissions: 0o600]))
        // closeup starts with signals ignored, as a background job of a script would be: the
        // command must get default dispositions all the same (SIGPIPE is closeup's own). The
        // password comes from a descriptor closeup inherited, which the command must not get.
        let result = try shell(
            """
            trap '' INT HUP QUIT USR1
            closeup --password-file /dev/fd/7 otp send \(user) --mobile \(mobile()) --via command 7< '\(passwordFile)'
            """,
            environment: [
                "CLOSEUP_SMS_COMMAND": command, "KEPT_FOR_THE_COMMAND": "kept",
                "REDIS_URL": "redis://:\(Self.password)@127.0.0.1:\(Self.server.port)",
            ])
        #expect(result.status == 0, "\(result.stderr)")

        let variables = read(folder + "/env") ?? ""
        let names = Set(variables.split(separator: "\n").map { String($0.prefix { $0 != "=" }) })
        #expect(names.isDisjoint(with: ["CLOSEUP_OTP_SECRET", "REDIS_PASSWORD", "REDIS_URL"]), "\(names.sorted())")
        #expect(!variables.contains(Self.password) && !variables.contains(secret))
        #expect(variables.contains("KEPT_FOR_THE_COMMAND=kept") && variables.contains("HOME=\(home)"))
        #expect(read(folder + "/fd7") == nil, "the command inherited the password file's descriptor")

        let pid = (read(folder + "/pid") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let stat = (read(folder + "/stat") ?? "").split(separator: " ").map(String.init)
        let group = stat.count == 3 ? stat[2].trimmingCharacters(in: .whitespacesAndNewlines) : ""
        #expect(group == pid, "\(stat) for pid \(pid)")

        var masks: [String: UInt64] = [:]
        for line in (read(folder + "/signals") ?? "").split(separator: "\n") {
            let parts = line.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
            masks[parts[0]] = UInt64(parts[1], radix: 16)
        }
        #expect(masks["SigBlk"] == 0)
        // Signals 1-31 (glibc keeps its two internal real-time signals to itself).
        #expect(masks["SigIgn"].map { $0 & 0x7fff_ffff } == 0, "SigIgn \(String(masks["SigIgn"] ?? 0, radix: 16))")
    }

    @Test func aFailingCommandFailsTheSendEvenWhenCloseupStartsWithSIGCHLDIgnored() throws {
        // Ignored SIGCHLD is inherited across exec, and makes the kernel reap children unasked:
        // the command's status must still be read, never taken for a success.
        let (_, command) = try deliveryScript("cat > /dev/null\nexit 1\n")
        let user = unique("sigchld"), number = mobile()
        let result = try Closeup.runProgram(
            "/usr/bin/python3",
            [
                "-c",
                "import os, signal, sys; signal.signal(signal.SIGCHLD, signal.SIG_IGN); os.execv(sys.argv[1], sys.argv[1:])",
                Closeup.executable, "otp", "send", user, "--mobile", number, "--via", "command",
            ],
            environment: environment.merging(["CLOSEUP_SMS_COMMAND": command]) { $1 }, directory: home, stdin: "")
        #expect(result.status == 3 && result.stderr.contains("exited with status 1"), "\(result.stderr)")
        #expect(result.stderr.contains("the code was withdrawn, so a retry is safe"), "\(result.stderr)")
        try expectWithdrawn(user, mobile: number)
    }

    @Test func aFailingCommandsBackgroundChildrenDieWithTheDelivery() throws {
        // The wrapper fails at once, but leaves a child that would deliver the code later.
        let (folder, command) = try deliveryScript(
            """
            cat > /dev/null
            ( sleep 1; echo delivered > "$1/late" ) &
            echo 'gateway down' >&2
            exit 1
            """)
        let user = unique("straggler"), number = mobile()
        let start = Date()
        let result = try closeup(
            ["otp", "send", user, "--mobile", number, "--via", "command"],
            environment: ["CLOSEUP_SMS_COMMAND": command])
        #expect(result.status == 3 && result.stderrLines.count == 1 && result.stderr.contains("gateway down"))
        #expect(result.stderr.contains("withdrawn"), "\(result.stderr)")
        #expect(Date().timeIntervalSince(start) < 0.9, "closeup waited for the background child")
        try expectWithdrawn(user, mobile: number)
        usleep(1_500_000)
        #expect(read(folder + "/late") == nil, "a child of the failed command delivered the withdrawn code")
    }

    @Test func aSuccessfulCommandIsDoneWhenItExitsNotWhenItsChildrenDo() throws {
        let (_, command) = try deliveryScript("cat > /dev/null\n( sleep 4 ) &\nexit 0\n")
        let user = unique("quick")
        let start = Date()
        let result = try closeup(
            ["otp", "send", user, "--mobile", mobile(), "--via", "command"],
            environment: ["CLOSEUP_SMS_COMMAND": command])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Date().timeIntervalSince(start) < 3, "closeup waited for the command's background child")
        #expect(try redis.call(RedisCommand("EXISTS", "otp:\(user)")).resp == .integer(1))
    }

    // MARK: A code that cannot be written out (issue 14, item 5)

    /// Ways stdout can fail to take the code: a full disk, a closed descriptor, and a pipe whose
    /// reader is gone (descriptor 4 of `withBrokenStdout`).
    static let brokenStdouts = ["> /dev/full", ">&-", ">&4"]

    /// `command` after making descriptor 4 the writing end of a FIFO whose only reader has
    /// closed: a vanished reader without the timing of `| true`.
    static func withBrokenStdout(_ command: String, _ redirect: String) -> String {
        """
        mkfifo "$HOME/fifo-$$"; exec 3<>"$HOME/fifo-$$" 4>"$HOME/fifo-$$" 3<&-
        \(command) \(redirect)
        """
    }

    @Test(arguments: brokenStdouts, ["auto", "sqlite"])
    func aCodeThatCannotBeWrittenToStdoutIsWithdrawnAndTheSendFails(redirect: String, store: String) throws {
        let user = unique("unprinted"), number = mobile()
        for json in ["", "--json "] {
            let result = try shell(
                Self.withBrokenStdout("closeup \(json)--store \(store) otp send \(user) --mobile \(number)", redirect))
            #expect(result.status == 3, "\(redirect) \(json): \(result.stderr)")
            #expect(result.stderrLines.count == 1 && result.stderr.contains("delivery failed"), "\(result.stderr)")
            #expect(result.stderr.contains("withdrawn"), "\(result.stderr)")
            try expectWithdrawn(user, mobile: number)
        }
        // Nobody is locked out: the next send works and its code verifies.
        let sent = try closeup(["--json", "--store", store, "otp", "send", user, "--mobile", number])
        #expect(sent.status == 0, "\(sent.stderr)")
        let code = (try JSONSerialization.jsonObject(with: Data(sent.stdout.utf8)) as? [String: Any])?["otp"] as? String
        #expect(try closeup(["--store", store, "otp", "verify", user, code ?? ""]).status == 0)
    }

    @Test func aCodeSentByCommandIsKeptWhenOnlyItsResultCannotBeWritten() throws {
        // The message went out, so the code stays; the failed write is still exit 3, saying so.
        let (_, command) = try deliveryScript("cat > /dev/null\n")
        let user = unique("sent"), number = mobile()
        let result = try shell(
            "closeup otp send \(user) --mobile \(number) --via command > /dev/full",
            environment: ["CLOSEUP_SMS_COMMAND": command])
        #expect(result.status == 3 && result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("the code was sent to") && result.stderr.contains("no space left on device"))
        #expect(try redis.call(RedisCommand("EXISTS", "otp:\(user)")).resp == .integer(1))
    }

    @Test func aClosedStdoutIsNeverTakenOverByTheRedisConnection() throws {
        // With descriptor 1 closed, the socket closeup opens next gets it, and what closeup prints
        // (here the keys it lists; with --via stdout, a code) would go to Redis as commands.
        let server = try RedisServer()
        let connection = try server.connect()
        try connection.call(RedisCommand("SET", "otp:attempts:\(unique("fd1"))", "1", "EX", "60"))
        let result = try shell(
            "closeup keys scan >&-", environment: ["REDIS_PORT": String(server.port), "REDIS_PASSWORD": ""])
        #expect(result.status == 3)
        #expect(result.stderrLines == ["closeup: cannot write to stdout: it is closed; the output is incomplete"])
        let errors = try connection.call(RedisCommand("INFO", "errorstats")).string ?? ""
        #expect(!errors.contains("errorstat_ERR"), "Redis was sent something that is not a command: \(errors)")
    }

    @Test(arguments: [
        ["keys", "scan"], ["--json", "attempts", "get", "nobody"], ["otp", "ttl", "nobody"], ["--version"],
    ])
    func aFailedWriteToStdoutIsExit3WithOneLine(arguments: [String]) throws {
        try redis.call(RedisCommand("SET", "otp:attempts:\(unique("listed"))", "1", "EX", "60"))
        let words = arguments.joined(separator: " ")
        for redirect in ["> /dev/full", ">&-"] {
            let result = try shell("closeup \(words) \(redirect)")
            #expect(result.status == 3, "\(words) \(redirect): \(result.stderr)")
            // One line; with --json, one JSON object (SPEC §4).
            let expected = arguments.contains("--json") ? #"{"error":{"exit":3,"kind":"unavailable","message":"cannot write to stdout"#
                : "closeup: cannot write to stdout"
            #expect(result.stderrLines.count == 1 && result.stderr.hasPrefix(expected), "\(words) \(redirect): \(result.stderr)")
        }
        // A reader that went away is the one quiet case (closeup … | head).
        let vanished = try shell(Self.withBrokenStdout("closeup \(words)", ">&4"))
        #expect(vanished.stderr.isEmpty && vanished.status != 3, "\(words): \(vanished.status) \(vanished.stderr)")
    }

    @Test func aScanIntoAFullDiskStopsAndFailsInsteadOfLeavingATruncatedFile() throws {
        let prefix = unique("full")
        _ = try redis.pipeline((0..<3000).map { RedisCommand("SET", "otp:attempts:\(prefix)-\($0)", "1", "EX", "60") })
        let result = try shell("closeup keys scan --match 'otp:attempts:\(prefix)-*' > /dev/full")
        #expect(result.status == 3)
        #expect(result.stderrLines == ["closeup: cannot write to stdout: no space left on device; the output is incomplete"])
    }

    /// A delete whose listing cannot be written stops at the batch that failed: it does not go on
    /// removing keys nobody will see listed.
    @Test func aDeleteIntoAFullDiskStopsAfterTheBatchThatFailed() throws {
        let prefix = unique("fulldelete")
        _ = try redis.pipeline((0..<3000).map { RedisCommand("SET", "otp:attempts:\(prefix)-\($0)", "1", "EX", "60") })
        let result = try shell(
            "closeup keys scan --match 'otp:attempts:\(prefix)-*' --count 500 --delete --yes > /dev/full")
        #expect(result.status == 3)
        let deleted = result.stderr.firstMatch(of: /deleted ([0-9]+) keys?/).flatMap { Int($0.1) } ?? -1
        let left = try redis.call(RedisCommand("EVAL", "return #redis.call('KEYS', ARGV[1])", "0", "otp:attempts:\(prefix)-*")).number
        #expect(deleted > 0 && deleted < 800, "\(result.stderr)")
        #expect(left == Int64(3000 - deleted))
    }

    // MARK: A delivery cut short (issue 14, item 6)

    /// A wrapper whose background child would deliver the code two seconds later.
    func slowWrapper() throws -> (folder: String, command: String) {
        try deliveryScript(
            """
            cat > /dev/null
            ( sleep 2; echo delivered > "$1/late" ) &
            echo $$ $! > "$1/pids"
            wait
            """)
    }

    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func aSignalDuringDeliveryKillsTheCommandsGroupWithdrawsTheCodeAndExitsAsTheSignal(signal: Int32) throws {
        let (folder, command) = try slowWrapper()
        let user = unique("signalled"), number = mobile()
        let running = try RunningCloseup(
            ["otp", "send", user, "--mobile", number, "--via", "command"],
            environment: environment.merging(["CLOSEUP_SMS_COMMAND": command]) { $1 }, directory: home)
        #expect(eventually { read(folder + "/pids")?.hasSuffix("\n") == true }, "the command never started")
        let started = Date()
        running.signal(signal)
        let result = try running.wait()
        #expect(result.status == 128 + signal, "\(result.stderr)")
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("withdrawn") && result.stderr.contains("retry"), "\(result.stderr)")
        #expect(Date().timeIntervalSince(started) < 1.5)

        let pids = (read(folder + "/pids") ?? "").split(whereSeparator: \.isWhitespace).compactMap { Int32($0) }
        #expect(pids.count == 2)
        #expect(eventually(within: 1) { pids.allSatisfy(hasEnded) }, "the command's group outlived closeup")
        try expectWithdrawn(user, mobile: number)
        usleep(UInt32(max(0, 2.5 - Date().timeIntervalSince(started)) * 1_000_000))
        #expect(read(folder + "/late") == nil, "the code was delivered after it was withdrawn")
        // Nothing is in the way of a retry.
        #expect(try closeup(["otp", "send", user, "--mobile", number]).status == 0)
    }

    /// With --json the error object names the status the run really ends with (130), not the
    /// failed delivery's 3.
    @Test func aSignalledSendsJSONErrorSaysTheSignalsStatus() throws {
        let (folder, command) = try slowWrapper()
        let running = try RunningCloseup(
            ["--json", "otp", "send", unique("signalled-json"), "--mobile", mobile(), "--via", "command"],
            environment: environment.merging(["CLOSEUP_SMS_COMMAND": command]) { $1 }, directory: home)
        #expect(eventually { read(folder + "/pids")?.hasSuffix("\n") == true }, "the command never started")
        running.signal(SIGINT)
        let result = try running.wait()
        #expect(result.status == 128 + SIGINT)
        let error = (try? JSONSerialization.jsonObject(with: Data(result.stderr.utf8))) as? [String: Any]
        #expect((error?["error"] as? [String: Any])?["exit"] as? Int == 130, "\(result.stderr)")
    }

    /// A server that stops running writes for a while (a busy script, CLIENT PAUSE): the send
    /// times out after its count was sent, and runs it once it catches up. The undo closeup sent
    /// on a connection of its own runs after it, so the quota is not spent and no code is left.
    @Test(arguments: [false, true])
    func aSendThatTimesOutIsUndoneOnceTheServerCatchesUp(force: Bool) throws {
        // A server of its own: the pause would stall every other test's writes.
        let server = try RedisServer()
        let own = ["REDIS_PORT": String(server.port), "REDIS_PASSWORD": ""]
        let user = unique("paused"), number = mobile()
        let paused = Date()
        _ = try server.connect().call(RedisCommand("CLIENT", "PAUSE", "3000", "WRITE"))
        let result = try closeup(
            ["--timeout", "1", "otp", "send", user, "--mobile", number] + (force ? ["--force"] : []), environment: own)
        #expect(result.status == 3 && result.stderr.contains("within 1 s"), "\(result.stderr)")
        usleep(UInt32(max(0, 3.5 - Date().timeIntervalSince(paused)) * 1_000_000))
        try expectWithdrawn(user, mobile: number, in: try server.connect())
        #expect(try closeup(["otp", "send", user, "--mobile", number], environment: own).status == 0)
    }

    /// Ctrl-C pressed twice, at a command (and child) that ignore SIGTERM: the second signal must
    /// not cut the withdrawal short, and the group is still killed (SIGKILL after the grace).
    @Test func aSecondSignalDoesNotCutTheWithdrawalShort() throws {
        let (folder, command) = try deliveryScript(
            """
            trap '' TERM INT HUP
            cat > /dev/null
            ( trap '' TERM INT HUP; sleep 25 ) &
            echo $$ $! > "$1/pids"
            wait
            """)
        let user = unique("twice"), number = mobile()
        let running = try RunningCloseup(
            ["otp", "send", user, "--mobile", number, "--via", "command"],
            environment: environment.merging(["CLOSEUP_SMS_COMMAND": command]) { $1 }, directory: home)
        #expect(eventually { read(folder + "/pids")?.hasSuffix("\n") == true }, "the command never started")
        running.signal(SIGINT)
        usleep(100_000)
        running.signal(SIGINT)
        let result = try running.wait()
        #expect(result.status == 128 + SIGINT, "\(result.stderr)")
        #expect(result.stderr.contains("withdrawn"), "\(result.stderr)")
        let pids = (read(folder + "/pids") ?? "").split(whereSeparator: \.isWhitespace).compactMap { Int32($0) }
        #expect(pids.count == 2)
        #expect(eventually(within: 1) { pids.allSatisfy(hasEnded) }, "the command's group outlived closeup")
        try expectWithdrawn(user, mobile: number)
    }

    @Test func theDeliveryTimeoutKillsTheWholeGroupAndWithdrawsTheCode() throws {
        // Longer than the 10 s timeout: only a child that outlived the kill would write the file.
        let (folder, command) = try deliveryScript(
            """
            cat > /dev/null
            ( sleep 11; echo delivered > "$1/late" ) &
            echo $$ $! > "$1/pids"
            wait
            """)
        let user = unique("timeout"), number = mobile()
        let start = Date()
        let result = try closeup(
            ["otp", "send", user, "--mobile", number, "--via", "command"],
            environment: ["CLOSEUP_SMS_COMMAND": command])
        #expect(result.status == 3 && result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("within 10 s") && result.stderr.contains("withdrawn"), "\(result.stderr)")
        #expect(Date().timeIntervalSince(start) < 11.5)
        let pids = (read(folder + "/pids") ?? "").split(whereSeparator: \.isWhitespace).compactMap { Int32($0) }
        #expect(pids.count == 2 && pids.allSatisfy(hasEnded), "the command's group outlived the timeout")
        try expectWithdrawn(user, mobile: number)
        usleep(UInt32(max(0, 12 - Date().timeIntervalSince(start)) * 1_000_000))
        #expect(read(folder + "/late") == nil, "the code was delivered after it was withdrawn")
        #expect(try closeup(["otp", "send", user, "--mobile", number]).status == 0)
    }
}
