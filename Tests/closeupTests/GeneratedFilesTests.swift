// The shipped man page and completion scripts are generated from the command
// table; these tests regenerate them and fail when the shipped files differ,
// so they can never drift. CLOSEUP_RECORD=1 rewrites them instead (then review
// and commit). They also load each file into the real program that reads it.
import CloseupCLI
import CloseupTestSupport
import Foundation
import Testing

/// The repository's root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

enum GeneratedFile: String, CaseIterable, Sendable {
    case man = "man/closeup.1"
    case bash = "completions/closeup.bash"
    case zsh = "completions/_closeup"
    case fish = "completions/closeup.fish"

    var rendered: String {
        switch self {
        case .man: ManPage.render()
        case .bash: BashCompletion.render()
        case .zsh: ZshCompletion.render()
        case .fish: FishCompletion.render()
        }
    }
}

struct GeneratedFilesTests {
    @Test(arguments: GeneratedFile.allCases)
    func shippedFileMatchesTheTable(file: GeneratedFile) throws {
        let path = repositoryRoot + "/" + file.rawValue
        if ProcessInfo.processInfo.environment["CLOSEUP_RECORD"] == "1" {
            try file.rendered.write(toFile: path, atomically: true, encoding: .utf8)
            Issue.record("recorded new baseline for \(file.rawValue); review and commit")
            return
        }
        let shipped = try String(contentsOfFile: path, encoding: .utf8)
        #expect(shipped == file.rendered, "\(file.rawValue) is stale: run CLOSEUP_RECORD=1 swift test --filter GeneratedFilesTests")
    }

    @Test func completionsCommandPrintsTheShippedScripts() throws {
        let home = try TemporaryDirectory.make(prefix: "closeup-completions")
        for (shell, file) in [("bash", GeneratedFile.bash), ("zsh", .zsh), ("fish", .fish)] {
            // A broken env file must not matter: completions are answered before settings.
            try "BROKEN LINE\n".write(toFile: home + "/.env", atomically: true, encoding: .utf8)
            let result = try Closeup.run(["completions", shell], environment: Closeup.environment(home: home), directory: home)
            #expect(result.status == 0 && result.stdout == file.rendered)
        }
    }
}

struct ManPageTests {
    let path = repositoryRoot + "/man/closeup.1"

    func run(_ program: String, _ arguments: [String]) throws -> CloseupResult {
        try Closeup.runProgram(
            "/usr/bin/env", [program] + arguments, environment: ["PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"],
            directory: "/", stdin: "")
    }

    @Test func groffAndMandocFindNothingToWarnAbout() throws {
        let groff = try run("groff", ["-ww", "-z", "-man", path])
        #expect(groff.status == 0 && groff.stderr.isEmpty, "\(groff.stderr)")
        let mandoc = try run("mandoc", ["-T", "lint", "-W", "warning", path])
        #expect(mandoc.stdout.isEmpty && mandoc.stderr.isEmpty, "\(mandoc.stdout)\(mandoc.stderr)")
    }

    /// The page as a reader sees it, on one long line per paragraph and with whitespace collapsed.
    func renderedText() throws -> String {
        let text = try run("groff", ["-man", "-Tutf8", "-rLL=1000n", "-P-cbou", path]).stdout
        return collapse(text)
    }

    func collapse(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    @Test func everyCommandAndGlobalOptionIsInIt() throws {
        let text = try renderedText()
        for command in CommandTable.commands { #expect(text.contains(command.name), "\(command.name)") }
        for flag in CommandTable.globalFlags { #expect(text.contains("--\(flag.long)"), "--\(flag.long)") }
        for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "ENVIRONMENT", "FILES", "EXIT STATUS", "EXAMPLES", "SEE ALSO"] {
            #expect(text.contains(section))
        }
    }

    @Test func helpAndTheManPageSayTheSameForEveryCommand() throws {
        let text = try renderedText()
        for command in CommandTable.commands {
            let help = HelpRenderer.render(command.path)
            let expected = [command.summary] + command.details.split(separator: "\n").map(String.init)
                + command.arguments.map(\.summary) + command.flags.map(\.summary)
            for sentence in expected {
                let collapsed = collapse(sentence)
                #expect(text.contains(collapsed), "man page lacks '\(collapsed)' of \(command.name)")
                #expect(collapse(help).contains(collapsed), "help lacks '\(collapsed)' of \(command.name)")
            }
        }
    }
}

struct CompletionScriptTests {
    let folder = repositoryRoot + "/completions"

    func bash(_ line: String) throws -> [String] {
        let script = """
            source '\(folder)/closeup.bash'
            line=$1
            read -ra COMP_WORDS <<< "$line"
            [[ $line == *" " ]] && COMP_WORDS+=("")
            COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
            COMP_LINE=$line
            COMP_POINT=${#line}
            _closeup
            complete -p closeup >/dev/null || exit 9
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let result = try Closeup.runProgram("/bin/bash", ["-c", script, "bash", line], environment: [:], directory: "/", stdin: "")
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n").map(String.init).sorted()
    }

    func zsh(_ line: String) throws -> [String] {
        let result = try Closeup.runProgram(
            "/usr/bin/env", ["zsh", repositoryRoot + "/Tests/closeupTests/Fixtures/zsh-complete.zsh", folder, line],
            environment: ["PATH": "/usr/bin:/bin", "HOME": "/tmp", "TERM": "dumb"], directory: "/", stdin: "")
        return result.stdout.split(separator: "\n").map(String.init).sorted()
    }

    func fish(_ line: String) throws -> [String] {
        let result = try Closeup.runProgram(
            "/usr/bin/env", ["fish", "--no-config", "-c", "source '\(folder)/closeup.fish'; complete -C '\(line)'"],
            environment: ["PATH": "/usr/bin:/bin", "HOME": "/tmp"], directory: "/", stdin: "")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        return result.stdout.split(separator: "\n").map { String($0.split(separator: "\t")[0]) }.sorted()
    }

    static let cases: [(line: String, expected: [String])] = [
        ("closeup ot", ["otp"]),
        ("closeup otp ", ["revoke", "send", "ttl", "verify"]),
        ("closeup --json otp s", ["send"]),
        ("closeup otp send --ch", ["--channel"]),
        ("closeup otp send u1 --channel ", ["sms", "whatsapp"]),
        ("closeup --store ", ["auto", "redis", "sqlite"]),
        ("closeup --color ", ["always", "auto", "never"]),
        ("closeup verification set u1 ", ["false", "true"]),
        ("closeup completions ", ["bash", "fish", "zsh"]),
        ("closeup pending-video ", ["clear", "get", "set"]),
        ("closeup keys scan --kind ", ["attempts", "otp", "pending-video", "rate-limit", "verification"]),
        ("closeup keys scan --kind otp --ki", ["--kind"]),
        // help completes the words that may follow what was typed after it, in every shell.
        ("closeup help otp ", ["revoke", "send", "ttl", "verify"]),
        ("closeup help con", ["connection"]),
        // --ttl is a switch in keys scan (a value in otp send): the next word is no value of it.
        ("closeup keys scan --ttl --ki", ["--kind"]),
        ("closeup otp send u1 --ttl 300 --ch", ["--channel"]),
        // A flag already given is not offered again (a repeatable one is).
        ("closeup --json keys scan --js", []),
        ("closeup -q keys scan --qu", []),
        ("closeup --store redis otp ttl u1 --sto", []),
        ("closeup otp send u1 --channel sms --ch", []),
    ]

    @Test(arguments: cases.indices)
    func bashCompletes(index: Int) throws {
        #expect(try bash(Self.cases[index].line) == Self.cases[index].expected)
    }

    @Test(arguments: cases.indices)
    func zshCompletes(index: Int) throws {
        #expect(try zsh(Self.cases[index].line) == Self.cases[index].expected)
    }

    @Test(arguments: cases.indices)
    func fishCompletes(index: Int) throws {
        #expect(try fish(Self.cases[index].line) == Self.cases[index].expected)
    }

    /// bash as a user has it: bash-completion loaded, the words split as bash splits them.
    func realBash(_ words: [String], in directory: String) throws -> [String] {
        let script = """
            source /usr/share/bash-completion/bash_completion
            source '\(folder)/closeup.bash'
            COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
            COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
            _closeup
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let result = try Closeup.runProgram("/bin/bash", ["-c", script, "bash"] + words, environment: [:], directory: directory, stdin: "")
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n").map(String.init).sorted()
    }

    @Test func bashWithBashCompletionCompletesFoldersNamesWithSpacesAndFlagEqualsValue() throws {
        let folder = try TemporaryDirectory.make(prefix: "closeup-complete")
        try FileManager.default.createDirectory(atPath: folder + "/certs", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/dir one", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: folder + "/cert.pem", contents: Data())
        #expect(try realBash(["closeup", "--cacert", "cer"], in: folder) == ["cert.pem", "certs"])
        #expect(try realBash(["closeup", "--cacert", "dir"], in: folder) == ["dir one"], "one name, not two")
        // "--store=" as bash splits it (COMP_WORDBREAKS holds '='), before and after a letter.
        #expect(try realBash(["closeup", "--store", "=", ""], in: folder) == ["auto", "redis", "sqlite"])
        #expect(try realBash(["closeup", "--store", "=", "s"], in: folder) == ["sqlite"])
        #expect(try realBash(["closeup", "--store", "=", "sqlite", "doc"], in: folder) == ["doctor"])
    }

    /// fish: a file flag's value is files (the space form too), a text flag's value offers no commands.
    @Test func fishCompletesFilesForFileFlagsAndNothingForTextValues() throws {
        let files = try fish("closeup --sqlite /etc/host")
        #expect(files.contains("/etc/hostname") || files.contains("/etc/hosts"), "\(files)")
        #expect(try fish("closeup --host ").isEmpty)
        #expect(try fish("closeup otp send u1 --ttl ").isEmpty)
    }

    @Test func fileFlagsCompleteFilesAndGivenFlagsAreNotOfferedAgain() throws {
        let files = try bash("closeup --sqlite /etc/host")
        #expect(files.contains("/etc/hostname") || files.contains("/etc/hosts"))
        #expect(try bash("closeup --json doctor --js").isEmpty)
        #expect(try bash("closeup doctor --js") == ["--json"])
    }
}
