// Redis Cluster: three masters on loopback (plain and TLS), the service layer for
// 1,000 users over all slots, the CLI with and without --cluster, keys scan over
// every master, and a slot migrated mid-run followed through ASK and MOVED.
import CloseupKit
import CloseupTestSupport
import Foundation
import Testing

@Suite(.serialized)
final class ClusterTests {
    static let cluster = try! RedisCluster()
    let home: String
    let environment: [String: String]
    var seedPort: Int { Self.cluster.nodes[0].port }

    init() throws {
        home = try TemporaryDirectory.make(prefix: "closeup-cluster")
        environment = Closeup.environment(
            home: home, extra: ["REDIS_PORT": String(Self.cluster.nodes[0].port), "CLOSEUP_OTP_SECRET": "cluster-secret"])
    }

    func closeup(_ arguments: [String], stdin: String = "") throws -> CloseupResult {
        try Closeup.run(arguments, environment: environment, directory: home, stdin: stdin)
    }

    func store(cluster: Bool) throws -> Store {
        var flags: [SettingKey: String] = [
            .port: String(seedPort), .otpSecret: "cluster-secret",
            .sqlitePath: home + "/data/closeup/closeup.sqlite3",
        ]
        if cluster { flags[.cluster] = "true" }
        let settings = try Settings.resolve(flags: flags, environment: ["HOME": home], envFile: .none)
        return Store(settings: settings, warn: { Issue.record("unexpected warning: \($0)") })
    }

    @Test(arguments: [true, false])
    func everyServiceWorksForAThousandUsersOverAllSlots(startsAsCluster: Bool) throws {
        let store = try store(cluster: startsAsCluster)
        let tag = startsAsCluster ? "c" : "d"
        let users = try (0..<1000).map { try UserID("cl\(tag)-\($0)") }
        let otp = OTPService(store: store)
        let attempts = AttemptsService(store: store)
        let limiter = RateLimiter(store: store)
        let verification = VerificationCache(store: store)
        let video = PendingVideoCache(store: store)
        for (index, user) in users.enumerated() {
            var request = SendRequest(user: user, mobile: try MobileNumber("97\(String(format: "%08d", index))"))
            request.force = true
            let issue = try otp.send(request)
            #expect(issue.source == .redis)
            #expect(try otp.live(user)?.source == .redis)
            if index % 2 == 0 {
                #expect(try otp.verify(user, code: issue.code == "000000" ? "111111" : "000000") == .wrongCode(attempts: 1, max: 5))
                #expect(try attempts.get(user).count == 1)
            }
            #expect(try otp.verify(user, code: issue.code!) == .verified(.redis))
            #expect(try limiter.check(.otpRequest, try RateLimitIdentifier("ip-\(tag)\(index)"), limit: 1, window: 60).allowed)
            #expect(try !limiter.check(.otpRequest, try RateLimitIdentifier("ip-\(tag)\(index)"), limit: 1, window: 60).allowed)
            try verification.set(user, verified: true)
            #expect(try verification.get(user)?.value == true)
            try video.set(user, job: Int64(index))
            #expect(try video.get(user)?.jobID == Int64(index))
        }
        #expect(try attempts.clear(users).allSatisfy { !$0 })
        #expect(try verification.clear(users).allSatisfy { $0 })
        #expect(try video.clear(users).allSatisfy { $0 })
        // The users' keys were spread over every master.
        for node in Self.cluster.nodes {
            let keys = try node.connect().call(RedisCommand("KEYS", "rate_limit:otp_request:ip-\(tag)*")).items ?? []
            #expect(keys.count > 200, "node \(node.port) holds \(keys.count) of 1000")
        }
    }

    @Test func theCLIWorksWithAndWithoutTheClusterFlag() throws {
        for flags in [["--cluster"], []] {
            for index in 0..<12 {
                let user = "cli\(flags.count)-\(index)"
                let sent = try closeup(flags + ["--json", "otp", "send", user, "--mobile", "9600000\(100 + index)", "--force"])
                #expect(sent.status == 0, "\(sent.stderr)")
                let code = (try JSONSerialization.jsonObject(with: Data(sent.stdout.utf8)) as! [String: Any])["otp"] as! String
                #expect(try closeup(flags + ["otp", "ttl", user]).status == 0)
                #expect(try closeup(flags + ["inspect", user]).status == 0)
                #expect(try closeup(flags + ["otp", "verify", user, code]).status == 0)
                #expect(try closeup(flags + ["verification", "set", user, "true"]).status == 0)
                #expect(try closeup(flags + ["verification", "get", user]).status == 0)
            }
        }
        let doctor = try closeup(["doctor"])
        #expect(doctor.status == 0 && doctor.stdout.contains(", cluster, role master"))
        #expect(doctor.stdout.contains("3 masters, 16384 of 16384 slots covered"))
    }

    @Test func keysScanAndBulkClearsReachEveryMaster() throws {
        let ids = (0..<3000).map { "scan-\($0)" }
        let store = try store(cluster: true)
        _ = try store.perform(
            redis: { redis in try redis.pipeline(ids.map { RedisCommand("SET", "otp:attempts:\($0)", "2", "EX", "600") }) },
            sqlite: { _ in [] })
        for node in Self.cluster.nodes {
            #expect(try node.connect().call(RedisCommand("DBSIZE")).number! > 500)
        }
        let listed = try closeup(["keys", "scan", "--kind", "attempts", "--match", "otp:attempts:scan-*"])
        #expect(listed.status == 0)
        #expect(Set(listed.stdout.split(separator: "\n").map(String.init)) == Set(ids.map { "otp:attempts:\($0)" }))
        // attempts list reaches every master too, reading each node's counters.
        let counters = try closeup(["--json", "attempts", "list", "--min", "2"])
        let listedUsers = counters.stdout.split(separator: "\n").compactMap { line in
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["user_id"] as? String
        }
        #expect(counters.status == 0 && Set(listedUsers).isSuperset(of: Set(ids)), "\(counters.stderr)")
        let cleared = try closeup(["attempts", "clear", "-"], stdin: ids.joined(separator: "\n"))
        #expect(cleared.stdout == "cleared 3000 attempt counters\n")
        #expect(try closeup(["keys", "scan", "--kind", "attempts", "--match", "otp:attempts:scan-*"]).stdout.isEmpty)
    }

    @Test func monitorWatchesEveryMaster() throws {
        let monitor = try RunningCloseup(["monitor", "--kind", "verification", "--duration", "4"], environment: environment, directory: home)
        #expect(try eventually {
            try Self.cluster.nodes.allSatisfy { node in
                (try node.connect().call(RedisCommand("CLIENT", "LIST")).string ?? "").contains("cmd=monitor")
            }
        })
        let users = (0..<30).map { "watched-\($0)" }
        for user in users { #expect(try closeup(["verification", "set", user, "true"]).status == 0) }
        let result = try monitor.wait()
        #expect(result.status == 0)
        for user in users { #expect(result.stdout.contains("verification cached for \(user): true (ttl 3600)"), "\(user)") }
    }

    /// A user whose failed-attempt counter lives on the seed node and whose code lives on
    /// another: the layout where re-sending a redirected pipeline whole ran the attempt script
    /// twice on the seed, so one wrong code counted two failures.
    func userSplitAcrossTheSeed(_ prefix: String) throws -> String {
        for index in 0..<10_000 {
            let user = "\(prefix)-\(index)"
            let counterOnSeed = try Self.cluster.owner(of: "otp:attempts:\(user)").port == seedPort
            let codeOnSeed = try Self.cluster.owner(of: "otp:\(user)").port == seedPort
            if counterOnSeed && !codeOnSeed { return user }
        }
        throw TestSupportError("no user with the counter on the seed and the code elsewhere")
    }

    func code(_ sent: CloseupResult) throws -> String {
        (try JSONSerialization.jsonObject(with: Data(sent.stdout.utf8)) as! [String: Any])["otp"] as! String
    }

    @Test(arguments: [4, 5])
    func eachWrongCodeCountsOnceSoFiveBlockAndFourDoNot(wrongCodes: Int) throws {
        let user = try userSplitAcrossTheSeed("once\(wrongCodes)-\(UUID().uuidString.prefix(4))")
        let counter = try Self.cluster.owner(of: "otp:attempts:\(user)")
        let sent = try closeup(["--json", "otp", "send", user, "--mobile", "9600000\(200 + wrongCodes)"])
        #expect(sent.status == 0, "\(sent.stderr)")
        let right = try code(sent)
        let wrong = right == "000000" ? "111111" : "000000"
        // A fresh process each time, without --cluster: each one meets MOVED anew.
        for attempt in 1...wrongCodes {
            let verify = try closeup(["otp", "verify", user, wrong])
            #expect(verify.status == 1, "attempt \(attempt): \(verify.stdout)\(verify.stderr)")
            #expect(try counter.connect().call(RedisCommand("GET", "otp:attempts:\(user)")).string == String(attempt))
        }
        let last = try closeup(["otp", "verify", user, right])
        if wrongCodes < 5 {
            #expect(last.status == 0, "\(last.stdout)\(last.stderr)")
        } else {
            #expect(last.status == 4 && last.stderr.contains("blocked after 5 failed attempts"), "\(last.stderr)")
        }
    }

    @Test func aRedirectedPipelineOrStreamRunsEachCommandOnce() throws {
        // Counters on every master, sent from a client that takes the seed for a standalone
        // server: the seed runs its own, answers MOVED for the rest, and only those are re-sent.
        let prefix = "once-\(UUID().uuidString.prefix(6))"
        let keys = (0..<60).map { "rate_limit:login:\(prefix)-\($0)" }
        let pipelined = try RedisClient(options: Self.cluster.nodes[0].options())
        _ = try pipelined.pipeline(keys.map { RedisCommand("INCR", $0) })
        #expect(pipelined.isCluster)
        // Streamed removals: each key removed once (a command sent twice would report false).
        let streamed = try RedisClient(options: Self.cluster.nodes[0].options())
        var removed = [Bool](repeating: false, count: keys.count)
        try streamed.streamRemovals(count: keys.count, command: { RedisCommand("UNLINK", keys[$0]) }) { removed[$0] = $1 }
        #expect(removed.allSatisfy { $0 })
        let scripted = try RedisClient(options: Self.cluster.nodes[0].options())
        let script = RedisScript("return redis.call('INCR', KEYS[1]) -- \(prefix)")
        _ = try scripted.runKeepingErrors(keys.map { (script, $0, []) })
        for key in keys {
            #expect(try Self.cluster.owner(of: key).connect().call(RedisCommand("GET", key)).string == "1", "\(key)")
        }
        #expect(Set(try keys.map { try Self.cluster.owner(of: $0).port }).count == 3, "the keys did not reach every master")
    }

    @Test func anACLUserWithoutDangerousCommandsScansEveryMasterAndRunsDoctor() throws {
        // INFO is @dangerous; CLUSTER SLOTS is not, so the cluster is still found.
        let user = "lp-\(UUID().uuidString.prefix(6).lowercased())"
        for node in Self.cluster.nodes {
            try node.connect().call(RedisCommand("ACL", "SETUSER", user, "on", ">lp-pass", "~*", "+@all", "-@dangerous"))
        }
        defer { for node in Self.cluster.nodes { _ = try? node.connect().call(RedisCommand("ACL", "DELUSER", user)) } }
        let ids = (0..<300).map { "\(user)-\($0)" }
        for id in ids { try Self.cluster.owner(of: "otp:attempts:\(id)").connect().call(RedisCommand("SET", "otp:attempts:\(id)", "1", "EX", "600")) }
        let password = home + "/lp-password"
        try "lp-pass".write(toFile: password, atomically: true, encoding: .utf8)
        chmod(password, 0o600)
        let asUser = ["--username", user, "--password-file", password]
        let listed = try closeup(asUser + ["keys", "scan", "--kind", "attempts", "--match", "otp:attempts:\(user)-*"])
        #expect(listed.status == 0 && listed.stderr.isEmpty, "\(listed.stderr)")
        #expect(Set(listed.stdout.split(separator: "\n").map(String.init)) == Set(ids.map { "otp:attempts:\($0)" }))
        let doctor = try closeup(asUser + ["doctor"])
        #expect(doctor.status == 0, "\(doctor.stdout)\(doctor.stderr)")
        #expect(doctor.stdout.contains("3 masters, 16384 of 16384 slots covered") && doctor.stdout.contains("refused"))
        #expect(try closeup(["attempts", "clear", "-"], stdin: ids.joined(separator: "\n")).status == 0)
    }

    @Test func aSlotMigratedMidRunIsFollowedThroughASKAndMOVED() throws {
        let user = "migrating-\(UUID().uuidString.prefix(6))"
        let key = "otp:attempts:\(user)"
        let source = try Self.cluster.owner(of: key)
        let target = Self.cluster.nodes.first { $0.port != source.port }!
        let slot = String(try source.connect().call(RedisCommand("CLUSTER", "KEYSLOT", key)).number!)
        try source.connect().call(RedisCommand("SET", key, "3", "EX", "600"))
        #expect(try closeup(["attempts", "get", user]).stdout.hasPrefix("\(user): 3 of 5"))

        let sourceID = try Self.cluster.nodeID(source), targetID = try Self.cluster.nodeID(target)
        try target.connect().call(RedisCommand("CLUSTER", "SETSLOT", slot, "IMPORTING", sourceID))
        try source.connect().call(RedisCommand("CLUSTER", "SETSLOT", slot, "MIGRATING", targetID))
        // Every key of the slot moves (other tests' keys may share it), ours among them.
        let keys = try source.connect().call(RedisCommand("CLUSTER", "GETKEYSINSLOT", slot, "10000")).items!.compactMap(\.string)
        #expect(keys.contains(key))
        try source.connect().call(
            RedisCommand(arguments: ["MIGRATE", "127.0.0.1", String(target.port), "", "0", "5000", "KEYS"] + keys))
        // The key now lives on the target while the slot is still the source's: ASK.
        let asked = try closeup(["attempts", "get", user])
        #expect(asked.status == 0 && asked.stdout.hasPrefix("\(user): 3 of 5"), "\(asked.stderr)")

        for node in Self.cluster.nodes {
            try node.connect().call(RedisCommand("CLUSTER", "SETSLOT", slot, "NODE", targetID))
        }
        // The slot is the target's now: MOVED, and the failure counter goes to the right node.
        let moved = try closeup(["--cluster", "otp", "verify", user, "123456"])
        #expect(moved.status == 1 && moved.stdout.contains("no live OTP"), "\(moved.stderr)")
        #expect(try closeup(["attempts", "get", user]).stdout.hasPrefix("\(user): 3 of 5"))
        #expect(try target.connect().call(RedisCommand("GET", key)).string == "3")
    }
}

@Suite(.serialized)
final class TLSClusterTests {
    static let certificates = try! TLSFixture()
    static let cluster = try! RedisCluster(tls: certificates)

    @Test func theFullOTPFlowWorksOverTLSInACluster() throws {
        let home = try TemporaryDirectory.make(prefix: "closeup-tls-cluster")
        let environment = Closeup.environment(home: home, extra: ["CLOSEUP_OTP_SECRET": "tls-cluster"])
        let base = ["--url", "rediss://localhost:\(Self.cluster.nodes[0].port)", "--cacert", Self.certificates.caCertificate, "--cluster"]
        for index in 0..<6 {
            let user = "tlsc-\(index)"
            let sent = try Closeup.run(
                base + ["--json", "otp", "send", user, "--mobile", "9500000\(100 + index)", "--force"], environment: environment, directory: home)
            #expect(sent.status == 0, "\(sent.stderr)")
            let code = (try JSONSerialization.jsonObject(with: Data(sent.stdout.utf8)) as! [String: Any])["otp"] as! String
            #expect(try Closeup.run(base + ["otp", "verify", user, "000000" == code ? "111111" : "000000"], environment: environment, directory: home).status == 1)
            #expect(try Closeup.run(base + ["otp", "verify", user, code], environment: environment, directory: home).status == 0)
            #expect(try Closeup.run(base + ["attempts", "get", user], environment: environment, directory: home).stdout.hasPrefix("\(user): 0 of 5"))
        }
        let doctor = try Closeup.run(base + ["doctor"], environment: environment, directory: home)
        #expect(doctor.status == 0 && doctor.stdout.contains("3 masters, 16384 of 16384 slots covered"))
    }
}
