// The README's examples are run: each ```console block, against a redis-server
// of its own, its `$` lines in order through bash (with `closeup` the built
// binary), the output compared with the lines the README shows, modulo what
// differs from run to run: codes, times, durations, ports, sizes, the home
// folder, indentation. A block's `<!-- setup: … -->` lines (hidden in the rendered README)
// make the state it starts from. So the README cannot show what closeup does not.
import CloseupKit
import CloseupTestSupport
import Foundation
import Testing

struct ReadmeExamplesTests {
    struct Block: CustomTestStringConvertible, Sendable {
        var line: Int
        var setup: [String]
        /// Each command and the lines the README shows for it.
        var steps: [(command: String, expected: [String])]
        var testDescription: String { "README line \(line): \(steps.first?.command ?? "")" }
    }

    static let blocks: [Block] = {
        let text = (try? String(contentsOfFile: repositoryRoot + "/README.md", encoding: .utf8)) ?? ""
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var blocks: [Block] = []
        var setup: [String] = []
        var index = 0
        while index < lines.count {
            let trimmed = lines[index].trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("<!-- setup: "), trimmed.hasSuffix(" -->") {
                setup.append(String(trimmed.dropFirst("<!-- setup: ".count).dropLast(" -->".count)))
            } else if trimmed == "```console" {
                let indent = lines[index].prefix { $0 == " " }.count
                var block = Block(line: index + 1, setup: setup, steps: [])
                index += 1
                while index < lines.count, lines[index].trimmingCharacters(in: .whitespaces) != "```" {
                    let content = String(lines[index].dropFirst(min(indent, lines[index].prefix { $0 == " " }.count)))
                    if content.hasPrefix("$ ") {
                        block.steps.append((String(content.dropFirst(2)), []))
                    } else if !block.steps.isEmpty {
                        block.steps[block.steps.count - 1].expected.append(content)
                    }
                    index += 1
                }
                blocks.append(block)
                setup = []
            } else if !trimmed.isEmpty {
                setup = []  // a setup belongs to the block right after it
            }
            index += 1
        }
        return blocks
    }()

    /// What differs from run to run, replaced by a placeholder in both texts.
    static func normalized(_ text: String, home: String) -> String {
        var text = text.replacingOccurrences(of: home, with: "~")
        let rules: [(String, String)] = [
            (#" \(commit [0-9a-f]+(-dirty)?\)"#, ""),
            (#"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})"#, "<time>"),
            (#"\((now|in \d+ (s|min|h|d)|\d+ (s|min|h|d) ago)\)"#, "(<when>)"),
            (#"\b\d+(\.\d+)? (s|ms)\b"#, "<n> $2"),
            (#"\b\d+(\.\d+)? (B|KiB|MiB|GiB)\b"#, "<size>"),
            (#"\b\d{6}\b"#, "<code>"),
            (#":\d{4,5}\b"#, ":<port>"),
            (#"redis \d+\.\d+\.\d+"#, "redis <version>"),
            (#"(?m) +$"#, ""),
            // A line indented under a label whose port may be 4 or 5 digits long.
            (#"(?m)^ {2,}"#, "  "),
        ]
        for (pattern, replacement) in rules {
            text = text.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return text
    }

    @Test func theReadmeHasItsExamples() {
        #expect(Self.blocks.count >= 3, "\(Self.blocks.count) console blocks found")
        #expect(Self.blocks.allSatisfy { $0.steps.allSatisfy { !$0.expected.isEmpty } }, "a command shown without its output")
    }

    @Test(arguments: blocks)
    func eachConsoleBlockPrintsWhatTheReadmeShows(block: Block) throws {
        let server = try RedisServer()
        defer { server.stop() }
        let home = try TemporaryDirectory.make(prefix: "closeup-readme")
        var environment = Closeup.environment(
            home: home,
            extra: [
                "REDIS_PORT": String(server.port), "CLOSEUP_OTP_SECRET": "readme-secret", "LANG": "C.UTF-8",
                // The examples' zone: the backend's.
                "TZ": "IST-5:30",
            ])
        environment["PATH"] = "/usr/local/bin:/usr/bin:/bin"
        environment.removeValue(forKey: "XDG_DATA_HOME")
        for command in block.setup {
            let result = try Closeup.shell(command, environment: environment, directory: home)
            try #require(result.status == 0, "setup '\(command)': \(result.stderr)")
        }
        // A code the README shows stands for the one this run printed, in later commands too.
        var codes: [String: String] = [:]
        for step in block.steps {
            var command = step.command
            for (shown, printed) in codes { command = command.replacingOccurrences(of: shown, with: printed) }
            let result = try Closeup.shell(command + " 2>&1", environment: environment, directory: home)
            let actual = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                .dropLast(result.stdout.hasSuffix("\n") ? 1 : 0)
            for (shown, printed) in zip(step.expected, actual) {
                if let range = shown.range(of: #"OTP for \S+: \d{6}"#, options: .regularExpression),
                    let printedRange = printed.range(of: #"OTP for \S+: \d{6}"#, options: .regularExpression)
                {
                    codes[String(shown[range].suffix(6))] = String(printed[printedRange].suffix(6))
                }
            }
            let expected = Self.normalized(step.expected.joined(separator: "\n"), home: home)
            let got = Self.normalized(actual.joined(separator: "\n"), home: home)
            #expect(got == expected, "README line \(block.line), '\(step.command)':\n--- README\n\(expected)\n--- closeup\n\(got)")
        }
    }
}
