// Rules about where a decision is taken, checked on the sources themselves so a
// new service cannot quietly take it again. The compiler holds the first half of
// "one reply decoder": RESPValue has no lenient accessors and RedisReply keeps its
// value private, so a reply is read through RedisReply's throwing accessors or not
// at all. These tests hold the rest: nothing outside Redis/ touches raw replies,
// the layers below the CLI never name a flag, and output is decided in one place
// (field names spelled once, exit statuses by name).
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

    @Test func outputIsSpelledOnce() throws {
        // A JSON member named by a string ("user_id", .string(…)) rather than by Field. (Services
        // build no output since refusals are values; the stored record and the delivery payload
        // are formats shared with other programs, not output.)
        let member = try Regex(#"\("[a-z_]+", *(\.(string|integer|bool|optional|array|object|null|number|fields)\b|JSON\.|Format\.)"#)
        // An exit status as a number rather than by name (ExitStatus).
        // (Handlers return ExitStatus by type: the dispatch switch does not compile otherwise.)
        let literalStatus = try Regex(#"return [0-9]+\b|128 \+"#)
        // The completion scripts are shell text, whose `return 0` is the shell's.
        let cli = try Self.codeLines(under: "Sources/CloseupCLI").filter { !$0.file.contains("/Completions/") }
        #expect(cli.count > 500, "the sources were not found")
        for line in cli where line.text.contains(member) {
            Issue.record("\(line.file):\(line.number) spells a JSON field name; name it by Field (Output/Field.swift)")
        }
        // Handlers and the run decide statuses; Output/ returns widths and counts, not statuses.
        for line in cli where line.text.contains(literalStatus) && !line.file.contains("/Output/") {
            Issue.record("\(line.file):\(line.number) gives an exit status as a number; use ExitStatus")
        }
    }
}
