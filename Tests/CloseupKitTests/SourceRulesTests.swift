// Rules about where a decision is taken, checked on the sources themselves so a
// new service cannot quietly take it again. The compiler holds the first half of
// "one reply decoder": RESPValue has no lenient accessors and RedisReply keeps its
// value private, so a reply is read through RedisReply's throwing accessors or not
// at all. These tests hold the rest: nothing outside Redis/ touches raw replies,
// and the layers below the CLI never name a flag.
import Foundation
import Testing

struct SourceRulesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Each line of each Swift file under `folder`, without comment lines.
    static func codeLines(under folder: String) throws -> [(file: String, number: Int, text: String)] {
        let base = root.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(atPath: base.path) else { return [] }
        var lines: [(String, Int, String)] = []
        for case let path as String in walker where path.hasSuffix(".swift") {
            let text = try String(contentsOf: base.appendingPathComponent(path), encoding: .utf8)
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let trimmed = line.drop { $0 == " " }
                if trimmed.hasPrefix("//") { continue }
                lines.append(("\(folder)/\(path)", index + 1, String(line)))
            }
        }
        return lines
    }

    @Test func onlyTheRedisLayerSeesRawReplies() throws {
        let lines = try Self.codeLines(under: "Sources/CloseupKit") + Self.codeLines(under: "Sources/CloseupCLI")
        #expect(lines.count > 1000, "the sources were not found")
        let raw = try Regex(#"RESPValue|rawPipeline|RedisReply\(|@_spi|\.raw\b"#)
        for line in lines where !line.file.hasPrefix("Sources/CloseupKit/Redis/") && line.text.contains(raw) {
            Issue.record("\(line.file):\(line.number) reads a raw reply: decode it through RedisReply's accessors")
        }
    }

    @Test func onlyTheCLINamesFlags() throws {
        // A string literal holding "--something": advice that belongs in the CLI (a Remedy).
        let flag = try Regex(#""[^"]*--[a-z][^"]*""#)
        for folder in ["Redis", "SQLite", "Storage", "Services"] {
            let lines = try Self.codeLines(under: "Sources/CloseupKit/\(folder)")
            #expect(!lines.isEmpty, "no sources under \(folder)")
            for line in lines where line.text.contains(flag) {
                Issue.record("\(line.file):\(line.number) names a flag; give the error a Remedy and word it in the CLI")
            }
        }
    }
}
