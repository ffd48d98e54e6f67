// closeup's glob against Redis's own: random patterns over a small alphabet, each
// matched by the server (SCAN MATCH over keys it holds) and by Glob.matches; they
// must agree key for key. And the pattern that made the old recursive matcher spin
// (CVE-2022-36021's shape) answers at once.
import CloseupTestSupport
import Foundation
import Testing

@testable import CloseupKit

struct GlobTests {
    @Test func agreesWithRedisOnRandomPatterns() throws {
        let server = try RedisServer()
        let redis = try server.connect()
        var generator = SystemRandomNumberGenerator()
        let keyAlphabet = Array("ab-^]\\[*?c")
        let keys = Set((0..<200).map { _ in
            String((0..<Int.random(in: 0...6, using: &generator)).map { _ in keyAlphabet.randomElement(using: &generator)! })
        }).filter { !$0.isEmpty }
        _ = try redis.pipeline(keys.map { RedisCommand("SET", $0, "1") })
        let patternAlphabet = Array("ab*?[]^-\\c")
        for _ in 0..<1000 {
            let pattern = String((0..<Int.random(in: 1...7, using: &generator)).map { _ in
                patternAlphabet.randomElement(using: &generator)!
            })
            var cursor = "0"
            var matchedByRedis = Set<String>()
            repeat {
                let page = try redis.call(RedisCommand("SCAN", cursor, "MATCH", pattern, "COUNT", "1000")).scanPage()
                cursor = page.cursor
                matchedByRedis.formUnion(page.keys.map { String(decoding: $0, as: UTF8.self) })
            } while cursor != "0"
            let matchedByUs = keys.filter { Glob.matches(pattern, $0) }
            #expect(matchedByUs == matchedByRedis, "pattern \(pattern)")
        }
        server.stop()
    }

    @Test func aPatternOfManyStarsAnswersAtOnce() {
        // Exponential for a recursive matcher: 14 stars over 60 bytes that almost match.
        let pattern = String(repeating: "*a", count: 14) + "*c"
        let text = String(repeating: "a", count: 60) + "b"
        let start = Date()
        #expect(!Glob.matches(pattern, text))
        #expect(Glob.matches(pattern, text + "c"))
        // Linear time answers in microseconds; the recursive one took over 20 s.
        #expect(Date().timeIntervalSince(start) < 2)
    }
}
