// The protocol layer without a server: literal RESP in, values out, split at
// every byte; and the encoder against literal RESP.
import Testing

@testable import CloseupKit

struct RESPTests {
    static let samples: [(String, RESPValue)] = [
        ("+OK\r\n", .status("OK")),
        ("-WRONGTYPE Operation against a key\r\n", .error("WRONGTYPE Operation against a key")),
        (":-42\r\n", .integer(-42)),
        ("$5\r\nhe\r\no\r\n", .bulk(Array("he\r\no".utf8))),
        ("$0\r\n\r\n", .bulk([])),
        ("$-1\r\n", .null),
        ("*-1\r\n", .null),
        ("*3\r\n:1\r\n*1\r\n$1\r\nx\r\n$-1\r\n", .array([.integer(1), .array([.bulk([120])]), .null])),
    ]

    @Test(arguments: samples.indices)
    func readerParsesRepliesSplitAtEveryByte(index: Int) throws {
        let (text, expected) = Self.samples[index]
        let bytes = Array(text.utf8)
        for split in 0...bytes.count {
            let reader = RESPReader()
            try bytes[..<split].withUnsafeBytes { try reader.feed($0) }
            if split < bytes.count { #expect(try reader.next() == nil, "reply complete after \(split) bytes") }
            try bytes[split...].withUnsafeBytes { try reader.feed($0) }
            #expect(try reader.next() == expected)
            #expect(try reader.next() == nil)
        }
    }

    @Test func readerRejectsABadTypeByte() throws {
        let reader = RESPReader()
        try Array("?what\r\n".utf8).withUnsafeBytes { try reader.feed($0) }
        #expect(throws: RESPReaderError.self) { try reader.next() }
    }

    /// Found by `make fuzz` (resp): an array header alone made hiredis allocate a pointer per
    /// announced element, gigabytes for 15 bytes. Now the reader refuses it, naming the count,
    /// and arrays up to the bound still parse, nested too.
    @Test(arguments: ["*555555553\r\n:1\r\n", "*2147483647\r\n", "*1\r\n*4194305\r\n"])
    func anArrayAnnouncingMillionsOfElementsIsRefusedNotAllocated(_ input: String) throws {
        let reader = RESPReader()
        let error = #expect(throws: RESPReaderError.self) {
            try Array(input.utf8).withUnsafeBytes { try reader.feed($0) }
            _ = try reader.next()
        }
        #expect(error?.reason.contains("elements, more than the 4194304 closeup accepts") == true, "\(String(describing: error))")
        let honest = RESPReader()
        try Array("*2\r\n*1\r\n:7\r\n$1\r\nx\r\n".utf8).withUnsafeBytes { try honest.feed($0) }
        #expect(try honest.next() == .array([.array([.integer(7)]), .bulk([120])]))
    }

    @Test func readerReturnsPipelinedRepliesInOrder() throws {
        let reader = RESPReader()
        try Array("+A\r\n:2\r\n$1\r\nc\r\n".utf8).withUnsafeBytes { try reader.feed($0) }
        #expect(try reader.next() == .status("A"))
        #expect(try reader.next() == .integer(2))
        #expect(try reader.next() == .bulk([99]))
    }

    @Test func encoderWritesBinarySafeBulkStrings() {
        var buffer: [UInt8] = []
        RedisCommand("SET", "k y", "", "é\r\n").encode(into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "*4\r\n$3\r\nSET\r\n$3\r\nk y\r\n$0\r\n\r\n$4\r\né\r\n\r\n")
    }

    @Test(arguments: [
        ["PING"], ["SET", "otp:u1", "{\"otp_hash\":\"ab\"}", "EX", "300"], ["DEL", ""], ["GET", "é\r\n\u{0}"],
        ["SET", "k", String(repeating: "x", count: 12_345)], Array(repeating: "a", count: 11),
    ])
    func encoderMatchesHiredisFormatterByteForByte(arguments: [String]) {
        var buffer: [UInt8] = []
        RedisCommand(arguments: arguments).encode(into: &buffer)
        #expect(buffer == RedisCommand.hiredisEncoding(arguments))
    }

    @Test func labelsNameTheKeyButNeverAPassword() {
        #expect(RedisCommand("get", "otp:u1").label == "GET otp:u1")
        #expect(RedisCommand("AUTH", "user", "secret").label == "AUTH")
        #expect(RedisCommand("EVALSHA", "abc", "1", "rate_limit:a:b", "3").label == "script on rate_limit:a:b")
    }

    @Test func scriptDigestIsTheSHA1RedisUses() {
        // SHA-1 of "return 1", as `redis-cli SCRIPT LOAD "return 1"` prints it.
        #expect(RedisScript("return 1").digest == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db")
    }
}
