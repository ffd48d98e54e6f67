// The pure parts of SPEC §1: keys, hashes, codes, timestamps, the OTP record.
import Testing

@testable import CloseupKit

struct CacheKeysTests {
    @Test func keysAreTheBackendsByteForByte() throws {
        let user = try UserID("user123")
        #expect(CacheKeys.otp(user) == "otp:user123")
        #expect(CacheKeys.otpAttempts(user) == "otp:attempts:user123")
        #expect(CacheKeys.userVerification(user) == "user:verification:user123")
        #expect(CacheKeys.pendingVideo(user) == "video:pending:user123")
        #expect(
            CacheKeys.rateLimit(.otpRequest, try RateLimitIdentifier("192.168.1.1")) == "rate_limit:otp_request:192.168.1.1")
    }

    @Test(arguments: ["", "a b", "attempts:bob", String(repeating: "x", count: 129), "tab\there", "é", "nul\u{0}"])
    func badUserIDsAreUsageErrors(raw: String) {
        #expect(throws: CloseupError.self) { try UserID(raw) }
        do { _ = try UserID(raw) } catch {
            #expect(error.exitCode == 2 && error.message.hasPrefix("invalid user id '"))
            #expect(!error.message.contains("\t") && !error.message.contains("\u{0}"))
        }
    }

    @Test(arguments: ["u*", "a?b", "[x]", "back\\slash", String(repeating: "x", count: 128)])
    func globCharactersAreValidInUserIDsAndEscapedInPatterns(raw: String) throws {
        let user = try UserID(raw)
        let escaped = CacheKeys.escapeGlob(user.value)
        #expect(!escaped.contains("*") || escaped.contains("\\*"))
        #expect(CacheKeys.escapeGlob("u*?[]\\") == "u\\*\\?\\[\\]\\\\")
    }

    @Test(arguments: [
        ("9876543210", "9876543210", "98******10"),
        ("+91 98765-43210", "+919876543210", "+91********10"),
        ("1234567", "1234567", "12***67"),
    ])
    func mobileNumbersAreNormalizedAndMasked(raw: String, stored: String, masked: String) throws {
        let mobile = try MobileNumber(raw)
        #expect(mobile.value == stored && mobile.masked == masked)
    }

    @Test(arguments: ["98x76", "123456", "1234567890123456", "++1234567", "", "+", "12 34 5"])
    func badMobileNumbersAreUsageErrors(raw: String) {
        #expect(throws: CloseupError.self) { try MobileNumber(raw) }
    }

    @Test func actionsAndIdentifiersAreValidated() throws {
        _ = try RateLimitAction("login_attempt_2")
        #expect(throws: CloseupError.self) { try RateLimitAction("Login") }
        #expect(throws: CloseupError.self) { try RateLimitAction("a:b") }
        #expect(throws: CloseupError.self) { try RateLimitIdentifier(String(repeating: "1", count: 257)) }
    }
}

struct OTPHasherTests {
    @Test func hashIsHexHMACSHA256OfUserColonCode() throws {
        // Computed independently: printf 'u1:123456' | openssl dgst -sha256 -hmac closeup-test-secret
        let hash = OTPHasher(secret: "closeup-test-secret").hash(user: try UserID("u1"), code: "123456")
        #expect(hash == "e6ebfa71c93f7731031f0a1acb75c41bcb778a6f40460374eae13b3dbeefad7b")
    }

    @Test func constantTimeEqualCompares() {
        #expect(OTPHasher.constantTimeEqual("abc", "abc"))
        #expect(!OTPHasher.constantTimeEqual("abc", "abd"))
        #expect(!OTPHasher.constantTimeEqual("abc", "abcd"))
    }

    @Test func codesAreSixDigitsAndBiasedDrawsAreRejected() {
        // The first draw is 0xFFFFFFFF, above the largest multiple of 10^6: it must be thrown away.
        let draws = Draws([[0xFF, 0xFF, 0xFF, 0xFF], [0x00, 0x00, 0x30, 0x39]])
        let random = RandomSource { bytes in bytes = draws.next() }
        #expect(OTPHasher.generateCode(random: random) == "012345")
        for _ in 0..<200 {
            let code = OTPHasher.generateCode(random: .system)
            #expect(code.count == 6 && code.allSatisfy(\.isNumber))
        }
    }

    @Test(arguments: ["12345", "1234567", "12a456", "", "１２３４５６"])
    func badCodesAreUsageErrors(code: String) {
        #expect(throws: CloseupError.self) { try OTPHasher.validateCode(code) }
    }
}

/// Hands out fixed byte arrays in order (for the rejection-sampling test).
final class Draws: @unchecked Sendable {
    private var queue: [[UInt8]]
    init(_ queue: [[UInt8]]) { self.queue = queue }
    func next() -> [UInt8] { queue.removeFirst() }
}

struct TimestampTests {
    @Test func formatsWithANumericOffsetNeverZ() {
        #expect(Timestamp.format(epoch: 1_768_298_100, utcOffset: 19_800) == "2026-01-13T15:25:00+05:30")
        #expect(Timestamp.format(epoch: 1_768_298_100, utcOffset: 0) == "2026-01-13T09:55:00+00:00")
        #expect(Timestamp.format(epoch: 1_768_298_100, utcOffset: -12_600) == "2026-01-13T06:25:00-03:30")
        #expect(Timestamp.format(epoch: 951_782_400, utcOffset: 0) == "2000-02-29T00:00:00+00:00")
    }

    @Test(arguments: [
        ("2026-01-13T15:25:00+05:30", 1_768_298_100.0),
        ("2026-01-13T09:55:00Z", 1_768_298_100.0),
        ("2026-01-13T09:55:00+00:00", 1_768_298_100.0),
        ("2026-01-13T04:25:00-0530", 1_768_298_100.0),
        ("2026-01-13T09:55:00.250000+00:00", 1_768_298_100.25),
        ("2026-01-13 09:55:00.5Z", 1_768_298_100.5),
        ("2026-01-13T09:55:00", 1_768_298_100.0),
    ])
    func readsAnyOffsetZAndFractions(text: String, epoch: Double) {
        #expect(Timestamp.parse(text) == epoch)
    }

    @Test(arguments: ["", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-01-13T25:00:00Z", "2026-01-13", "yesterday", "2026-01-13T09:55:00+5:30", "2026-01-13T09:55:00Zjunk"])
    func rejectsWhatIsNotATime(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }
}

struct OTPRecordTests {
    @Test func writesExactlyTheSeedsFourFieldsInOrder() {
        let record = OTPRecord(
            otpHash: "ab", mobileNumber: "9876543210", createdAt: "2026-01-13T15:25:00+05:30",
            expiresAt: "2026-01-13T15:30:00+05:30")
        #expect(
            record.json
                == #"{"otp_hash":"ab","mobile_number":"9876543210","created_at":"2026-01-13T15:25:00+05:30","expires_at":"2026-01-13T15:30:00+05:30"}"#
        )
    }

    @Test func readsOtherWritersValues() throws {
        let text = #"{"expires_at": "2026-01-13T10:00:00.123456Z", "otp_hash": "ff", "extra": {"nested": [1, 2.5, null]}, "created_at": "2026-01-13T15:25:00+05:30"}"#
        let record = try OTPRecord(parsing: text, key: "otp:u1")
        #expect(record.otpHash == "ff" && record.mobileNumber == nil)
        #expect(record.expiresEpoch == 1_768_298_400.123456 || abs(record.expiresEpoch! - 1_768_298_400.123456) < 1e-6)
        #expect(record.createdEpoch == 1_768_298_100)
        #expect(try OTPRecord(parsing: #"{"otp_hash":"ff"}"#, key: "k").expiresEpoch == nil)
    }

    @Test(arguments: [
        "not json", "[]", "\"text\"", #"{"mobile_number":"1"}"#, #"{"otp_hash":5}"#, #"{"otp_hash":"ff","created_at":"yesterday"}"#,
        #"{"otp_hash":"ff","expires_at":12}"#, #"{"otp_hash":"ff"} trailing"#,
    ])
    func corruptValuesNameTheKey(text: String) {
        #expect {
            try OTPRecord(parsing: text, key: "otp:u9")
        } throws: { error in
            let error = error as! CloseupError
            return error.exitCode == 6 && error.message.contains("'otp:u9'")
        }
    }
}

struct JSONTests {
    @Test func parsesAndSerializesRoundTrip() {
        let text = #"{"a":[1,-2.5,true,false,null],"b":"x\"y\\z\n\u00e9\ud83d\ude00"}"#
        let value = JSON.parse(text)
        #expect(value?["b"] == .string("x\"y\\z\né😀"))
        #expect(value.flatMap { JSON.parse($0.serialized) } == value)
    }

    @Test(arguments: ["1e400", "{\"otp_hash\":\"a\",\"n\":-1e999}", "{", "[1,]", "{\"a\" 1}", "01", "\"\\x\"", "\"\u{1}\"", String(repeating: "[", count: 100) + String(repeating: "]", count: 100), "nul"])
    func rejectsInvalidJSON(text: String) {
        #expect(JSON.parse(text) == nil)
    }
}

struct GlobAndKindTests {
    @Test(arguments: [
        ("otp:*", "otp:u1", true), ("otp:*", "otpx", false), ("h?llo", "hello", true), ("h?llo", "hllo", false),
        ("h[ae]llo", "hallo", true), ("h[^e]llo", "hello", false), ("h[a-b]llo", "hbllo", true),
        ("u\\*", "u*", true), ("u\\*", "ux", false), ("*attempts*", "otp:attempts:u", true), ("", "", true),
        ("a*b*c", "aXbYc", true), ("a*b*c", "aXbY", false),
    ])
    func globMatchesAsRedisDoes(pattern: String, text: String, expected: Bool) {
        #expect(Glob.matches(pattern, text) == expected)
    }

    @Test func anEscapedUserIDMatchesOnlyItself() throws {
        let user = try UserID("a*[b]?")
        let pattern = "otp:" + CacheKeys.escapeGlob(user.value)
        #expect(Glob.matches(pattern, "otp:a*[b]?"))
        #expect(!Glob.matches(pattern, "otp:aXb?"))
        #expect(!Glob.matches(pattern, "otp:a*[b]?x"))
    }

    @Test(arguments: [
        ("otp:u1", KeyKind.otp), ("otp:attempts:u1", .attempts), ("user:verification:u1", .verification),
        ("video:pending:u1", .pendingVideo), ("rate_limit:otp_request:+91 98", .rateLimit),
    ])
    func keysAreClassifiedByNamespace(key: String, kind: KeyKind) {
        #expect(KeyKind.of(key) == kind)
    }

    @Test(arguments: ["otp:", "otp:a:b", "otp:attempts:a:b", "session:u1", "rate_limit:", "user:verification:"])
    func otherKeysAreNotOurs(key: String) {
        #expect(KeyKind.of(key) == nil)
    }
}

struct MonitorLineTests {
    /// An IPv6 client's address has brackets of its own; its events were dropped before.
    @Test func readsAnIPv6ClientAndAUnixSocketClient() throws {
        let v6 = try #require(MonitorLine.parse(#"1 [0 [::1]:34670] "SET" "otp:attempts:v6" "1""#))
        #expect(v6.client == "[::1]:34670" && v6.key == "otp:attempts:v6")
        let unix = try #require(MonitorLine.parse(#"1 [0 unix:/run/redis.sock] "DEL" "otp:attempts:u""#))
        #expect(unix.client == "unix:/run/redis.sock")
        #expect(MonitorLine.parse(#"1 [0 [::1] "SET" "k" "v""#) == nil)
    }

    @Test func parsesQuotedArgumentsWithEscapes() throws {
        let event = try #require(MonitorLine.parse(#"1768298100.250000 [3 127.0.0.1:5555] "SET" "user:verification:u1" "tr\"ue\x41\n" "EX" "3600""#))
        #expect(event.time == 1_768_298_100.25 && event.database == 3 && event.client == "127.0.0.1:5555")
        #expect(event.command == "SET" && event.key == "user:verification:u1" && event.kind == .verification)
        #expect(event.arguments == ["user:verification:u1", "tr\"ueA\n", "EX", "3600"])
        #expect(event.meaning == "verification cached for u1: tr\"ueA\n (ttl 3600)")
    }

    @Test(arguments: [
        (#"1 [0 lua] "DEL" "otp:u1""#, "OTP consumed for u1"),
        (#"1 [0 1.2.3.4:5] "DEL" "otp:u1""#, "OTP deleted for u1"),
        (#"1 [0 1.2.3.4:5] "SET" "otp:u1" "{}" "EX" "300" "NX""#, "OTP issued for u1 (ttl 300)"),
        (#"1 [0 1.2.3.4:5] "EVALSHA" "ab" "1" "rate_limit:otp_request:9876543210" "3" "300""#, "rate limit otp_request:98******10 counted (max 3 per 300 s)"),
        (#"1 [0 1.2.3.4:5] "SET" "video:pending:u1" "456" "EX" "1800""#, "pending video 456 cached for u1 (ttl 1800)"),
        (#"1 [0 1.2.3.4:5] "EVALSHA" "ab" "1" "otp:attempts:u1" "5" "3600""#, "verify attempt taken for u1 (max 5)"),
        (#"1 [0 1.2.3.4:5] "EVALSHA" "cd" "1" "otp:attempts:u1""#, "verify attempt given back for u1"),
        (#"1 [0 1.2.3.4:5] "INCR" "otp:attempts:u1""#, "failed attempt for u1"),
    ])
    func meanings(line: String, meaning: String) throws {
        #expect(try #require(MonitorLine.parse(line)).meaning == meaning)
    }

    @Test func secretsAreRedacted() throws {
        let auth = try #require(MonitorLine.parse(#"1 [0 1.2.3.4:5] "AUTH" "app" "s3cret""#))
        #expect(auth.arguments == ["(redacted)", "(redacted)"])
        let hello = try #require(MonitorLine.parse(#"1 [0 1.2.3.4:5] "HELLO" "3" "AUTH" "app" "s3cret""#))
        #expect(hello.arguments == ["3", "AUTH", "(redacted)", "(redacted)"])
        let record = try #require(MonitorLine.parse(#"1 [0 1.2.3.4:5] "SET" "otp:u1" "{\"otp_hash\":\"ab\"}" "EX" "300""#))
        #expect(record.arguments == ["otp:u1", "(otp record)", "EX", "300"])
        let script = try #require(MonitorLine.parse(#"1 [0 1.2.3.4:5] "EVALSHA" "sha" "1" "otp:u1" "deadbeef""#))
        #expect(script.arguments == ["sha", "1", "otp:u1", "(redacted)"])
        let other = try #require(MonitorLine.parse(#"1 [0 1.2.3.4:5] "SET" "user:verification:u1" "true""#))
        #expect(other.arguments == ["user:verification:u1", "true"])
        let acl = try #require(MonitorLine.parse(#"1 [0 1.2.3.4:5] "ACL" "SETUSER" "ops" "on" ">pw""#))
        #expect(acl.arguments == ["SETUSER", "ops", "on", "(redacted)"])
    }

    /// Every way of writing to an OTP key hides what it writes, and an MSET is an event of the
    /// namespaced key it touches, wherever that key stands.
    @Test(arguments: [
        (#""SETRANGE" "otp:u1" "5" "hash""#, ["otp:u1", "(redacted)", "(redacted)"]),
        (#""APPEND" "otp:u1" "tail""#, ["otp:u1", "(redacted)"]),
        (#""HSET" "otp:u1" "otp_hash" "ab""#, ["otp:u1", "(redacted)", "(redacted)"]),
        (#""RPUSH" "otp:u1" "{\"otp_hash\":\"ab\"}""#, ["otp:u1", "(redacted)"]),
        (#""XADD" "otp:u1" "*" "otp_hash" "ab""#, ["otp:u1", "(redacted)", "(redacted)", "(redacted)"]),
        (#""EXPIRE" "otp:u1" "300""#, ["otp:u1", "300"]),
        (#""MSET" "a" "1" "otp:u30" "{\"otp_hash\":\"ab\"}""#, ["a", "1", "otp:u30", "(otp record)"]),
    ])
    func everyWriteToAnOTPKeyIsRedacted(command: String, arguments: [String]) throws {
        let event = try #require(MonitorLine.parse(#"1 [0 1.2.3.4:5] "# + command))
        #expect(event.arguments == arguments)
        #expect(event.kind == .otp)
    }

    @Test(arguments: ["", "garbage", "1 [0 x] SET", #"1 [0 x] "unterminated"#, "x [0 c] \"GET\""])
    func otherLinesAreNotEvents(line: String) {
        #expect(MonitorLine.parse(line) == nil)
    }
}
