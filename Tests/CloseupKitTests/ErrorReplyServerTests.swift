// Each error-state fixture answers the commands closeup sends (GET, SET, a script that
// writes, a script that only reads) with exactly the error it stands for, allows
// what Redis still allows in that state, and leaves the state on end().
import CloseupTestSupport
import Foundation
import Testing

@testable import CloseupKit

struct ErrorReplyServerTests {
    let key = "test:\(UUID().uuidString):k"
    let writing = RedisScript("return redis.call('SET', KEYS[1], ARGV[1])")
    let reading = RedisScript("return redis.call('GET', KEYS[1])")

    /// The replies to GET, SET and both scripts by digest, after loading the scripts where the
    /// state allows it (otherwise EVALSHA would say NOSCRIPT, not the state's error).
    struct Probe {
        var get, set, writingScript, readingScript: RESPValue
        var all: [RESPValue] { [get, set, writingScript, readingScript] }
    }

    func probe(_ connection: RedisConnection) throws -> Probe {
        let replies = try connection.pipelineKeepingErrors([
            RedisCommand("SCRIPT", "LOAD", writing.source), RedisCommand("SCRIPT", "LOAD", reading.source),
            RedisCommand("GET", key), RedisCommand("SET", key, "v"),
            writing.evalsha(key: key, arguments: ["v"]), reading.evalsha(key: key, arguments: []),
        ])
        return Probe(get: replies[2].resp, set: replies[3].resp, writingScript: replies[4].resp, readingScript: replies[5].resp)
    }

    /// What Redis 7.0 appends to an error raised inside a script.
    func inScript(_ message: String, _ script: RedisScript) -> RESPValue {
        .error("\(message) script: \(script.digest), on @user_script:1.")
    }

    @Test func withoutAPasswordEveryCommandAnswersNOAUTHUntilRequirepassIsCleared() throws {
        let state = try ErrorReplyServer.noAuth()
        let noAuth = RESPValue.error("NOAUTH Authentication required.")
        let replies = try probe(state.target.connect())
        #expect(replies.all == Array(repeating: noAuth, count: 4))
        #expect(try state.target.connect().pipelineKeepingErrors([RedisCommand("PING")]).map(\.resp) == [noAuth])
        try state.end()
        #expect(try state.target.connect().call(RedisCommand("PING")).resp == .status("PONG"))
    }

    @Test func aWrongPasswordFailsAUTHWithWRONGPASSUntilItBecomesTheRightOne() throws {
        let state = try ErrorReplyServer.wrongPassword()
        #expect(
            throws: RedisError.reply(
                command: "AUTH", message: "WRONGPASS invalid username-password pair or user is disabled.")
        ) {
            try state.target.connect()
        }
        try state.end()
        #expect(try state.target.connect().call(RedisCommand("PING")).resp == .status("PONG"))
    }

    @Test func aDeniedCommandAnswersNOPERMAndInAScriptERR() throws {
        let state = try ErrorReplyServer.noPermission(denying: ["get", "set"])
        let replies = try probe(state.target.connect())
        #expect(replies.get == .error("NOPERM this user has no permissions to run the 'get' command"))
        #expect(replies.set == .error("NOPERM this user has no permissions to run the 'set' command"))
        let denied = "ERR The user executing the script can't run this command or subcommand"
        #expect(replies.writingScript == inScript(denied, writing))
        #expect(replies.readingScript == inScript(denied, reading))
        try state.end()
        #expect(try probe(state.target.connect()).writingScript == .status("OK"))
    }

    @Test func aDeniedEVALSHAAnswersNOPERMBeforeTheScriptRuns() throws {
        let state = try ErrorReplyServer.noPermission(denying: ["evalsha"])
        let replies = try probe(state.target.connect())
        let noPerm = RESPValue.error("NOPERM this user has no permissions to run the 'evalsha' command")
        #expect(replies.writingScript == noPerm && replies.readingScript == noPerm)
        #expect(replies.get == .null && replies.set == .status("OK"))
    }

    @Test func aReplicaAnswersWritesWithREADONLYAndServesReads() throws {
        let state = try ErrorReplyServer.readOnly(seed: [RedisCommand("SET", key, "seeded")])
        let replies = try probe(state.target.connect())
        let readOnly = "READONLY You can't write against a read only replica."
        #expect(replies.get == .bulk(Array("seeded".utf8)))
        #expect(replies.set == .error(readOnly))
        #expect(replies.writingScript == inScript(readOnly, writing))
        #expect(replies.readingScript == .bulk(Array("seeded".utf8)))
        #expect(try state.target.connect().pipelineKeepingErrors([RedisCommand("DEL", key)]).map(\.resp) == [.error(readOnly)])
        try state.end()
        #expect(try probe(state.target.connect()).set == .status("OK"))
    }

    @Test func overMaxmemoryWritesAnswerOOMButGETAndDELWork() throws {
        let state = try ErrorReplyServer.outOfMemory(seed: [RedisCommand("SET", key, "seeded")])
        let connection = try state.target.connect()
        let replies = try probe(connection)
        let oom = "OOM command not allowed when used memory > 'maxmemory'."
        #expect(replies.get == .bulk(Array("seeded".utf8)))
        #expect(replies.set == .error(oom))
        #expect(replies.writingScript == inScript(oom, writing))
        #expect(replies.readingScript == .bulk(Array("seeded".utf8)))
        #expect(try connection.pipelineKeepingErrors([RedisCommand("INCR", key + ":n")]).map(\.resp) == [.error(oom)])
        // Redis refuses a script's write for memory only until the script has written something.
        let deleteThenSet = RedisScript("redis.call('DEL', KEYS[1]); return redis.call('SET', KEYS[1], 'v')")
        #expect(try connection.pipelineKeepingErrors([deleteThenSet.eval(key: key, arguments: [])]).map(\.resp) == [.status("OK")])
        #expect(try connection.call(RedisCommand("DEL", key)).resp == .integer(1))
        try state.end()
        #expect(try probe(connection).set == .status("OK"))
    }

    @Test func aLongScriptMakesEveryCommandAnswerBUSYUntilKilled() throws {
        let state = try ErrorReplyServer.busy()
        let busy = RESPValue.error(
            "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.")
        let connection = try state.target.connect()
        let replies = try probe(connection)
        #expect(replies.all == Array(repeating: busy, count: 4))
        // Still busy a moment later, for a test that runs several closeup commands.
        usleep(300_000)
        #expect(try connection.pipelineKeepingErrors([RedisCommand("PING")]).map(\.resp) == [busy])
        try state.end()
        #expect(try connection.call(RedisCommand("PING")).resp == .status("PONG"))
    }

    @Test func aFailedBGSAVEMakesWritesAnswerMISCONFAndReadsWork() throws {
        let state = try ErrorReplyServer.misconfigured(seed: [RedisCommand("SET", key, "seeded")])
        let connection = try state.target.connect()
        let replies = try probe(connection)
        let misconf =
            "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk."
            + " Commands that may modify the data set are disabled, because this instance is configured to report"
            + " errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check"
            + " the Redis logs for details about the RDB error."
        #expect(replies.get == .bulk(Array("seeded".utf8)))
        #expect(replies.set == .error(misconf))
        #expect(replies.writingScript == inScript(misconf, writing))
        #expect(replies.readingScript == .bulk(Array("seeded".utf8)))
        #expect(try connection.pipelineKeepingErrors([RedisCommand("DEL", key)]).map(\.resp) == [.error(misconf)])
        try state.end()
        #expect(try probe(connection).set == .status("OK"))
    }

    @Test(arguments: [
        ("LOADING", "LOADING Redis is loading the dataset in memory"),
        ("CLUSTERDOWN", "CLUSTERDOWN The cluster is down"),
    ])
    func aScriptedStateAnswersEveryCommandWithItsErrorAndRecordsThem(code: String, message: String) throws {
        let state = try code == "LOADING" ? ErrorReplyServer.loading() : ErrorReplyServer.clusterDown()
        #expect(state.code == code)
        let replies = try probe(state.target.connect())
        let error = RESPValue.error(message)
        #expect(replies.all == Array(repeating: error, count: 4))
        #expect(try state.target.connect().pipelineKeepingErrors([RedisCommand("PING")]).map(\.resp) == [error])
        #expect(
            state.scripted?.received.map { $0[0] } == ["SCRIPT", "SCRIPT", "GET", "SET", "EVALSHA", "EVALSHA", "PING"])
        #expect(state.scripted?.received[3] == ["SET", key, "v"])
        #expect(throws: TestSupportError.self) { try state.end() }
    }

    @Test func theScriptedServerParsesPipelinesAndCommandsSplitAcrossReads() throws {
        let server = try ScriptedRedis { command in
            command[0] == "PING" ? "+PONG\r\n" : "$\(command[1].utf8.count)\r\n\(command[1])\r\n"
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(server.port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(connected == 0)
        // A server that stops answering fails the test instead of hanging it.
        var patience = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience, socklen_t(MemoryLayout<timeval>.size))
        // Two commands and the start of a third in one write, the rest byte by byte.
        let wire = Array(
            "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$5\r\nh\r\nl0\r\n*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n".utf8)
        let split = 40
        _ = wire[..<split].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        for byte in wire[split...] {
            usleep(1_000)
            _ = [byte].withUnsafeBytes { send(fd, $0.baseAddress, 1, 0) }
        }
        let expected = "+PONG\r\n$5\r\nh\r\nl0\r\n$3\r\nabc\r\n"
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 256)
        while answer.count < expected.utf8.count {
            let count = recv(fd, &chunk, chunk.count, 0)
            try #require(count > 0)
            answer += chunk[0..<count]
        }
        #expect(String(decoding: answer, as: UTF8.self) == expected)
        #expect(server.received == [["PING"], ["ECHO", "h\r\nl0"], ["ECHO", "abc"]])
        // A second connection is served too, while the first stays open.
        let other = try RedisConnection(options: RedisTarget(port: server.port).options())
        #expect(try other.call(RedisCommand("ECHO", "again")).resp == .bulk(Array("again".utf8)))
    }
}
