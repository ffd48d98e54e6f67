// The connection against a real redis-server: pipelining, deadlines, AUTH
// with ACL users, Unix sockets, and scripts by digest.
import CloseupTestSupport
import Foundation
import Testing

@_spi(Testing) @testable import CloseupKit

@Suite(.serialized)
struct RedisConnectionTests {
    let server = RedisServer.shared
    let prefix = "test:\(UUID().uuidString):"

    @Test func tenThousandPipelinedCommandsRoundTripInOrder() throws {
        let connection = try server.connect()
        let sets = (0..<10_000).map { RedisCommand("SET", prefix + String($0), "value-\($0)") }
        let setReplies = try connection.pipeline(sets)
        #expect(setReplies.count == 10_000)
        #expect(setReplies.allSatisfy { $0.resp == .status("OK") })
        let gets = (0..<10_000).map { RedisCommand("GET", prefix + String($0)) }
        let values = try connection.pipeline(gets)
        #expect(values.enumerated().allSatisfy { $0.element.string == "value-\($0.offset)" })
        let deleted = try connection.pipeline((0..<10_000).map { RedisCommand("DEL", prefix + String($0)) })
        #expect(deleted.allSatisfy { $0.resp == .integer(1) })
    }

    @Test func aListenerThatNeverAnswersFailsWithinTheDeadline() throws {
        let listener = try SilentListener()
        var options = RedisOptions(address: .tcp(host: "127.0.0.1", port: listener.port))
        options.operationTimeout = 0.5
        let connection = try RedisConnection(options: options)
        let start = Date()
        #expect(throws: RedisError.unreachable(target: "127.0.0.1:\(listener.port)", reason: "no answer within 0.5 s")) {
            try connection.call(RedisCommand("GET", "otp:u1"))
        }
        let elapsed = Date().timeIntervalSince(start)
        #expect(elapsed >= 0.45 && elapsed < 2, "took \(elapsed) s")
    }

    @Test func aClosedPortIsUnreachableAtOnce() throws {
        let options = RedisOptions(address: .tcp(host: "127.0.0.1", port: try freePort()))
        #expect {
            try RedisConnection(options: options)
        } throws: { error in
            guard case .unreachable(_, let reason) = error as? RedisError else { return false }
            return reason == "connection refused"
        }
    }

    @Test func anACLUserAuthenticatesAndAWrongPasswordIsAConfigurationError() throws {
        let admin = try server.connect()
        let user = "closeup-test-\(UUID().uuidString.prefix(8))"
        try admin.call(RedisCommand("ACL", "SETUSER", user, "on", ">right-password", "~*", "+@all"))
        defer { _ = try? admin.call(RedisCommand("ACL", "DELUSER", user)) }

        var options = server.options()
        options.username = user
        options.password = "right-password"
        let connection = try RedisConnection(options: options)
        #expect(try connection.call(RedisCommand("ACL", "WHOAMI")).string == user)

        options.password = "wrong-password"
        #expect {
            try RedisConnection(options: options)
        } throws: { error in
            guard let error = error as? RedisError else { return false }
            let message = error.closeupError.message
            return error.isAuthentication && error.closeupError.exitCode == 5 && message.contains("WRONGPASS")
                && !message.contains("wrong-password")
        }
    }

    @Test func selectsTheConfiguredDatabase() throws {
        var options = server.options()
        options.database = 3
        let connection = try RedisConnection(options: options)
        try connection.call(RedisCommand("SET", prefix + "db", "three"))
        defer { _ = try? connection.call(RedisCommand("DEL", prefix + "db")) }
        #expect(try server.connect().call(RedisCommand("EXISTS", prefix + "db")).resp == .integer(0))
        #expect(try connection.call(RedisCommand("GET", prefix + "db")).string == "three")
    }

    @Test func connectsOverAUnixSocket() throws {
        let connection = try RedisConnection(options: RedisOptions(address: .unix(path: server.socketPath)))
        #expect(try connection.call(RedisCommand("PING")).resp == .status("PONG"))
    }

    @Test func aScriptRunsByDigestAfterTheServerLearnedItFromNOSCRIPT() throws {
        let connection = try server.connect()
        let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1]) -- \(prefix)")
        func calls(_ command: String) throws -> Int {
            let info = try connection.call(RedisCommand("INFO", "commandstats")).string ?? ""
            guard let line = info.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("cmdstat_\(command):") }),
                let range = line.firstRange(of: "calls=")
            else { return 0 }
            return Int(line[range.upperBound...].prefix(while: \.isNumber)) ?? 0
        }
        let client = try RedisClient(options: server.options())
        let evalBefore = try calls("eval"), evalshaBefore = try calls("evalsha")
        #expect(try client.run(script, key: prefix + "n", arguments: ["2"]).resp == .integer(2))
        #expect(try client.run(script, key: prefix + "n", arguments: ["3"]).resp == .integer(5))
        // First run: EVALSHA answered NOSCRIPT, so one EVAL; second run: EVALSHA alone.
        #expect(try calls("eval") - evalBefore == 1)
        #expect(try calls("evalsha") - evalshaBefore == 2)
        // Two scripts in one pipeline, one new to the server: only that one is sent again in full,
        // and each reply comes back in its place.
        let other = RedisScript("return redis.call('GET', KEYS[1]) -- \(prefix) other")
        let replies = try client.runKeepingErrors([(script, prefix + "n", ["1"]), (other, prefix + "n", [])])
        #expect(replies.map(\.resp) == [.integer(6), .bulk(Array("6".utf8))])
        #expect(try calls("eval") - evalBefore == 2)
        try connection.call(RedisCommand("DEL", prefix + "n"))
    }

    @Test func anErrorReplyNamesTheCommandAndKey() throws {
        let connection = try server.connect()
        try connection.call(RedisCommand("RPUSH", prefix + "list", "x"))
        defer { _ = try? connection.call(RedisCommand("DEL", prefix + "list")) }
        #expect {
            try connection.call(RedisCommand("GET", prefix + "list"))
        } throws: { error in
            guard case .reply(let command, let message) = error as? RedisError else { return false }
            return command == "GET \(prefix)list" && message.hasPrefix("WRONGTYPE")
                && (error as! RedisError).closeupError.exitCode == 3
        }
    }
}
