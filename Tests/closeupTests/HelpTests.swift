// Help that fits a screen (issue "Help that fits a screen…"): the top level in 30
// lines of 80 columns, the connection options in `help connection`, every text
// wrapped to the terminal's width (80 off a terminal), every command's exit
// statuses and defaults stated, and suggestions for mistyped values and topics.
import CloseupTestSupport
import Foundation
import Testing

@testable import CloseupCLI

struct HelpTests {
    func help(_ arguments: [String]) throws -> CloseupResult {
        let home = try TemporaryDirectory.make(prefix: "closeup-help")
        return try Closeup.run(arguments, environment: Closeup.environment(home: home), directory: home)
    }

    /// Every help text there is: the top level, the topic, each group and each command.
    static var everyPath: [[String]] {
        [[], [HelpRenderer.connectionTopic]] + CommandTable.groups.map { [$0.word] } + CommandTable.commands.map(\.path)
    }

    @Test func theTopLevelFitsAScreenAndPointsToTheRest() throws {
        let result = try help(["--help"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count <= 30, "\(lines.count) lines")
        for word in ["otp send|verify|ttl|revoke", "inspect", "attempts get|clear|list", "keys scan", "stats", "doctor"] {
            #expect(result.stdout.contains(word), "\(word) missing")
        }
        #expect(result.stdout.contains("closeup help connection") && !result.stdout.contains("--cacert"))
        let connection = try help(["help", "connection"])
        for flag in CommandTable.globalFlags where flag.connection {
            #expect(connection.stdout.contains("--\(flag.long)"), "--\(flag.long) not in help connection")
        }
    }

    @Test(arguments: everyPath)
    func everyHelpTextIsEightyColumnsOffATerminal(path: [String]) throws {
        let result = try help(path.isEmpty ? ["--help"] : ["help"] + path)
        #expect(result.status == 0, "\(result.stderr)")
        for line in result.stdout.split(separator: "\n") {
            #expect(line.count <= 80, "\(path): \(line.count) columns: \(line)")
        }
    }

    @Test func helpWrapsToTheTerminalsWidth() throws {
        let home = try TemporaryDirectory.make(prefix: "closeup-help")
        let result = try Closeup.onTerminal(
            ["otp", "send", "--help"], columns: 50, environment: Closeup.environment(home: home), directory: home)
        let lines = result.stdout.replacingOccurrences(of: "\r", with: "").split(separator: "\n")
        #expect(lines.count > 20 && lines.contains { $0.hasPrefix("Usage: closeup otp send") }, "\(result.stdout)")
        for line in lines { #expect(line.count <= 50, "\(line.count) columns: \(line)") }
        // The usage wraps between its parts, never inside one.
        #expect(lines.contains { $0.contains("[--via stdout|command]") }, "\(result.stdout)")
    }

    @Test func everyCommandStatesItsExitStatusesInHelpAndManPage() throws {
        let man = try String(contentsOfFile: repositoryRoot + "/man/closeup.1", encoding: .utf8)
        for command in CommandTable.commands {
            let text = HelpRenderer.render(command.path)
            let section = try #require(text.components(separatedBy: "Exit status:\n").last, "\(command.name)")
            let codes = section.split(separator: "\n").compactMap { Int($0.split(separator: " ").first ?? "") }
            #expect(codes.contains(0) && codes.contains(2), "\(command.name): \(codes)")
            #expect(codes == codes.sorted(), "\(command.name): \(codes)")
        }
        let entries = man.components(separatedBy: "Exit status: 0 ").count - 1
        #expect(entries == CommandTable.commands.count, "\(entries) man entries state exit statuses")
    }

    @Test func everyValueFlagStatesItsDefault() {
        // Inputs with nothing to fall back on: there is no default to state.
        let noDefault: Set<String> = ["url", "username", "password-file", "cert", "key", "sni", "env-file", "reason", "mobile"]
        let flags = CommandTable.globalFlags + CommandTable.commands.flatMap(\.flags)
        for flag in flags where flag.value != nil && !flag.required && !noDefault.contains(flag.long) {
            #expect(flag.summary.contains("(default") || flag.summary.contains("default)"), "--\(flag.long): \(flag.summary)")
        }
    }

    @Test(arguments: [
        (["keys", "scan", "--kind", "attempt"], "did you mean 'attempts'?"),
        (["--store", "reddis", "doctor"], "did you mean 'redis'?"),
        (["completions", "zhs"], "did you mean 'zsh'?"),
        (["help", "inspct"], "did you mean 'inspect'?"),
        (["help", "conection"], "did you mean 'connection'?"),
    ])
    func aMistypedValueOrTopicGetsASuggestion(arguments: [String], suggestion: String) throws {
        let result = try help(arguments)
        #expect(result.status == 2 && result.stderr.contains(suggestion), "\(result.stderr)")
    }

    /// An example broken to fit is still the one command when its lines are pasted into a shell:
    /// each broken line ends in " \\", and no word (a quoted one neither) is split.
    @Test(arguments: [80, 40])
    func examplesStayCommandsWhenWrapped(width: Int) throws {
        for command in CommandTable.commands {
            let text = HelpRenderer.render(command.path, width: width)
            let examples = try #require(text.components(separatedBy: "Examples:\n").dropFirst().first)
                .components(separatedBy: "\n\nExit status:").first ?? ""
            // Commands start two columns in; a line ending in " \\" goes on in the next.
            var joined: [String] = [], current: String?
            for line in examples.split(separator: "\n").map(String.init) {
                let text = line.trimmingCharacters(in: .whitespaces)
                if var command = current {
                    command += text.hasSuffix(" \\") ? String(text.dropLast(2)) + " " : text
                    current = text.hasSuffix(" \\") ? command : nil
                    if current == nil { joined.append(command) }
                } else if line.hasPrefix("  "), !line.hasPrefix("   ") {
                    if text.hasSuffix(" \\") { current = String(text.dropLast(2)) + " " } else { joined.append(text) }
                }
            }
            #expect(joined == command.examples.map(\.command), "\(command.name) at \(width): \(joined)")
        }
    }

    /// Two letters are too few to guess from: no suggestion rather than a wrong one.
    @Test func twoLettersGetNoSuggestion() throws {
        for arguments in [["help", "st"], ["help", "at"], ["completions", "sh"]] {
            let result = try help(arguments)
            #expect(result.status == 2 && !result.stderr.contains("did you mean"), "\(arguments): \(result.stderr)")
        }
    }
}
