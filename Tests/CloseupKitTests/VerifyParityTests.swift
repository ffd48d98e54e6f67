// One verify algorithm for both stores (SPEC §2): block check, take an attempt,
// compare, consume. The same scenario, run through the service on Redis and on
// SQLite alone, gives the same outcomes and leaves the same counters: a wrong code
// keeps its attempt, a right one or none gives it back, a blocked user is refused
// before any code is compared, and a right code at the last allowed attempt still
// verifies.
import CloseupTestSupport
import Foundation
import Testing

@testable import CloseupKit

struct VerifyParityTests {
    enum Step: Equatable, CustomStringConvertible {
        case verified, wrong(Int64), none, blocked(Int64)
        var description: String {
            switch self {
            case .verified: "verified"
            case .wrong(let count): "wrong \(count)"
            case .none: "no live code"
            case .blocked(let count): "blocked at \(count)"
            }
        }
    }

    func store(redis: Bool) throws -> Store {
        var flags: [SettingKey: String] = [
            .sqlitePath: try TemporaryDirectory.make(prefix: "closeup-parity") + "/closeup.sqlite3",
            .otpSecret: "parity-secret",
        ]
        if redis { flags[.port] = String(RedisServer.shared.port) } else { flags[.store] = "sqlite" }
        let settings = try Settings.resolve(flags: flags, environment: ["HOME": "/nonexistent"], envFile: .none)
        return Store(settings: settings, warn: { Issue.record("unexpected warning: \($0)") })
    }

    /// Sends a code, then verifies `codes` in order ("right", "wrong"); returns each outcome and
    /// the counter left at the end.
    func run(_ codes: [String], on store: Store, user: UserID) throws -> (steps: [Step], counter: Int64) {
        let service = OTPService(store: store)
        var request = SendRequest(user: user, mobile: try MobileNumber("97\(Int.random(in: 10_000_000...99_999_999))"))
        request.force = true
        let right = try service.send(request).code ?? ""
        let wrong = right == "000000" ? "111111" : "000000"
        var steps: [Step] = []
        for code in codes {
            let outcome: VerifyOutcome
            do throws(CloseupError) {
                outcome = try service.verify(user, code: code == "right" ? right : wrong)
            } catch {
                guard error.kind == .refused else { throw error }
                let count = error.message.split(separator: " ").compactMap { Int64($0) }.first ?? 0
                steps.append(.blocked(count))
                continue
            }
            switch outcome {
            case .verified(let source):
                #expect(source == store.served)
                steps.append(.verified)
            case .wrongCode(let attempts, _): steps.append(.wrong(attempts))
            case .noLiveCode: steps.append(.none)
            }
        }
        return (steps, try AttemptsService(store: store).get(user).count)
    }

    static let scenarios: [(codes: [String], expected: [Step], counter: Int64)] = [
        // A right code at the fifth attempt: the attempt is taken, then given back by the success.
        (["wrong", "wrong", "wrong", "wrong", "right"], [.wrong(1), .wrong(2), .wrong(3), .wrong(4), .verified], 0),
        // Five wrong codes block; the right code is then refused before it is compared, and is
        // still there to verify once the user is unblocked (not consumed by the refused verify).
        (
            ["wrong", "wrong", "wrong", "wrong", "wrong", "right", "wrong"],
            [.wrong(1), .wrong(2), .wrong(3), .wrong(4), .wrong(5), .blocked(5), .blocked(5)], 5
        ),
        // A used code is no live code, and does not count as a failure.
        (["right", "right", "wrong"], [.verified, .none, .none], 0),
    ]

    @Test(arguments: 0..<3)
    func bothStoresRunTheSameAlgorithm(scenario: Int) throws {
        let (codes, expected, counter) = Self.scenarios[scenario]
        for redis in [true, false] {
            let store = try store(redis: redis)
            let user = try UserID("parity-\(scenario)-\(UUID().uuidString.prefix(6))")
            let result = try run(codes, on: store, user: user)
            #expect(store.served == (redis ? .redis : .sqlite))
            #expect(result.steps == expected, "\(redis ? "redis" : "sqlite"): \(result.steps)")
            #expect(result.counter == counter, "\(redis ? "redis" : "sqlite")")
        }
    }

    @Test func aRefusedVerifyLeavesTheCodeLiveOnBothStores() throws {
        for redis in [true, false] {
            let store = try store(redis: redis)
            let user = try UserID("parity-refused-\(UUID().uuidString.prefix(6))")
            _ = try run(["wrong", "wrong", "wrong", "wrong", "wrong", "right"], on: store, user: user)
            #expect(try OTPService(store: store).live(user) != nil, "\(redis ? "redis" : "sqlite"): the code was consumed")
            _ = try AttemptsService(store: store).clear([user])
            #expect(try OTPService(store: store).live(user) != nil)
        }
    }
}
