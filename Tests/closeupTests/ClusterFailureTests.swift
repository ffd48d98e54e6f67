// A master of a three-master cluster killed while the seed node stays up: every
// command that needs the dead master ends with exit 3 and writes nothing to SQLite
// alone (SPEC §2, one store per run). The cluster is this suite's own: it is
// broken on purpose.
import CloseupKit
import CloseupTestSupport
import Foundation
import Testing

@Suite(.serialized)
final class ClusterFailureTests {
    @Test func aDeadMasterIsExit3AndNothingGoesToSQLiteAlone() throws {
        let cluster = try RedisCluster()
        let seed = cluster.nodes[0]
        // Users whose keys all live on one master that is not the seed.
        var users: [String] = []
        var victim: RedisServer?
        for index in 0..<10_000 where users.count < 2 {
            let user = "dead-\(index)"
            let owners = try ["otp:\(user)", "otp:attempts:\(user)"].map { try cluster.owner(of: $0).port }
            guard owners[0] == owners[1], owners[0] != seed.port, victim == nil || victim!.port == owners[0] else { continue }
            victim = try cluster.owner(of: "otp:\(user)")
            users.append(user)
        }
        let dead = try #require(victim)
        // And one whose code is on that master while its counter lives on another.
        var split: String?
        for index in 0..<10_000 where split == nil {
            let user = "split-\(index)"
            if try cluster.owner(of: "otp:\(user)").port == dead.port,
                try cluster.owner(of: "otp:attempts:\(user)").port != dead.port
            {
                split = user
            }
        }
        let splitUser = try #require(split)
        let splitCounter = try cluster.owner(of: "otp:attempts:\(splitUser)")
        try splitCounter.connect().call(RedisCommand("SET", "otp:attempts:\(splitUser)", "2", "EX", "600"))
        let home = try TemporaryDirectory.make(prefix: "closeup-dead-master")
        let environment = Closeup.environment(
            home: home,
            extra: ["REDIS_PORT": String(seed.port), "CLOSEUP_OTP_SECRET": "dead-master", "REDIS_CONNECT_TIMEOUT": "1"])
        // Before the kill, a send works and keeps its durable copy in SQLite.
        let before = try Closeup.run(["otp", "send", users[0], "--mobile", "9600000301"], environment: environment, directory: home)
        #expect(before.status == 0, "\(before.stderr)")
        dead.stop()

        let sqlite = try SQLiteDatabase(path: home + "/data/closeup/closeup.sqlite3")
        let rows = { try sqlite.prepare("SELECT count(*) FROM otp_codes").firstInteger() ?? -1 }
        let rowsBefore = try rows()
        for flags in [[], ["--cluster"]] {
            for arguments in [
                ["otp", "send", users[1], "--mobile", "9600000302"], ["otp", "verify", users[0], "123456"],
                ["attempts", "get", users[1]], ["otp", "ttl", users[1]],
            ] {
                let result = try Closeup.run(flags + arguments, environment: environment, directory: home)
                let label = (flags + arguments).joined(separator: " ")
                #expect(result.status == 3, "\(label): exit \(result.status) \(result.stdout)\(result.stderr)")
                #expect(result.stderr.contains("Redis"), "\(label): \(result.stderr)")
                #expect(!result.stderr.contains("using SQLite"), "\(label): \(result.stderr)")
                #expect(result.stderrLines.count == 1, "\(label): \(result.stderr)")
            }
        }
        // A verify whose code is out of reach takes no attempt: nothing was sent before every
        // node it needs was reached.
        for flags in [[], ["--cluster"]] {
            let result = try Closeup.run(flags + ["otp", "verify", splitUser, "123456"], environment: environment, directory: home)
            #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        }
        #expect(try splitCounter.connect().call(RedisCommand("GET", "otp:attempts:\(splitUser)")).string == "2")
        // doctor says which master does not answer, and fails.
        let doctor = try Closeup.run(["doctor"], environment: environment, directory: home)
        #expect(doctor.status == 3 && doctor.stdout.contains("127.0.0.1:\(dead.port): "), "\(doctor.stdout)\(doctor.stderr)")
        #expect(doctor.stdout.contains("does not answer"), "\(doctor.stdout)")
        #expect(try rows() == rowsBefore, "a code went to SQLite alone")
        #expect(try sqlite.prepare("SELECT count(*) FROM otp_attempts").firstInteger() == 0)
    }
}
