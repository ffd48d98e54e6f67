// SCAN's promise, kept end to end: a key present for the whole scan is listed
// (at least once), and --delete removes every such key, while other clients add
// and remove keys fast enough to make Redis grow and rehash its table mid-scan.
import CloseupKit
import CloseupTestSupport
import Foundation
import Testing

@Suite(.serialized)
final class ScanCompletenessTests {
    /// Adds and removes `otp:attempts:churn-N` keys in batches until stopped.
    final class Churn: @unchecked Sendable {
        private let lock = NSLock()
        private var stopped = false
        private(set) var rounds = 0
        private let done = DispatchSemaphore(value: 0)

        init(_ server: RedisServer) throws {
            let options = server.options()
            Thread { [self] in
                guard let connection = try? RedisConnection(options: options) else {
                    done.signal()
                    return
                }
                var round = 0
                while !isStopped {
                    let keys = (0..<20_000).map { "otp:attempts:churn-\(round)-\($0)" }
                    _ = try? connection.pipeline(keys.map { RedisCommand("SET", $0, "1", "EX", "600") })
                    if round > 0 {
                        _ = try? connection.pipeline((0..<20_000).map { RedisCommand("DEL", "otp:attempts:churn-\(round - 1)-\($0)") })
                    }
                    round += 1
                    lock.withLock { rounds = round }
                }
                done.signal()
            }.start()
        }

        var isStopped: Bool { lock.withLock { stopped } }

        func stop() -> Int {
            lock.withLock { stopped = true }
            done.wait()
            return lock.withLock { rounds }
        }
    }

    @Test(arguments: [false, true])
    func everyKeyPresentThroughoutIsListedAndDeleted(delete: Bool) throws {
        let server = try RedisServer()
        let stable = (0..<60_000).map { "otp:attempts:stable-\($0)" }
        _ = try server.connect().pipeline(stable.map { RedisCommand("SET", $0, "1", "EX", "600") })
        let home = try TemporaryDirectory.make(prefix: "closeup-scan-complete")
        let churn = try Churn(server)
        usleep(100_000)
        // A small COUNT makes the walk long, so the table changes under it.
        let result = try Closeup.run(
            ["keys", "scan", "--kind", "attempts", "--count", "100", "--match", "otp:attempts:stable-*"]
                + (delete ? ["--delete", "--yes"] : []),
            environment: Closeup.environment(home: home, extra: ["REDIS_PORT": String(server.port)]), directory: home)
        let rounds = churn.stop()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(rounds >= 2, "the table did not change during the scan")
        let listed = Set(result.stdout.split(separator: "\n").map(String.init))
        #expect(listed == Set(stable), "\(Set(stable).subtracting(listed).count) stable keys not listed")
        if delete {
            let left = try server.connect().call(RedisCommand("KEYS", "otp:attempts:stable-*")).items?.count ?? -1
            #expect(left == 0, "\(left) stable keys survived --delete")
            #expect(result.stderr == "closeup: deleted 60000 keys\n", "\(result.stderr)")
        }
        server.stop()
    }
}
