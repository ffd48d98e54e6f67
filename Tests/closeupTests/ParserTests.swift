// The tokenizer and parser, table-driven: argv in, result or exact message out.
import Testing

@testable import CloseupCLI

struct TokenizerTests {
    @Test(arguments: [
        (["doctor"], [Token.word("doctor")]),
        (["--port=7000", "--json"], [.long(name: "port", value: "7000"), .long(name: "json", value: nil)]),
        (["-qh"], [.short("q"), .short("h")]),
        (["-", "--", "--json", "-q"], [.word("-"), .word("--json"), .word("-q")]),
        (["--url=", "x"], [.long(name: "url", value: ""), .word("x")]),
        (["-0"], [.short("0")]),
    ])
    func tokenize(arguments: [String], tokens: [Token]) {
        #expect(Tokenizer.tokenize(arguments) == tokens)
    }
}

struct ParserTests {
    func run(_ arguments: [String]) throws -> ParsedArguments {
        guard case .run(let parsed) = try Parser.parse(arguments) else {
            throw UsageError(message: "not a run", commandPath: [])
        }
        return parsed
    }

    @Test func globalFlagsGoBeforeOrAfterTheCommand() throws {
        for arguments in [["--port", "7000", "--json", "doctor"], ["doctor", "--json", "--port=7000"], ["--json", "doctor", "--port", "7000"]] {
            let parsed = try run(arguments)
            #expect(parsed.command.id == .doctor)
            #expect(parsed.value("port") == "7000" && parsed.has("json"))
        }
    }

    @Test func theLastValueWins() throws {
        #expect(try run(["--port", "1", "doctor", "--port", "2"]).value("port") == "2")
    }

    @Test func helpAndVersionShortCircuit() throws {
        guard case .help(let path) = try Parser.parse(["doctor", "--port", "nonsense", "--help"]) else {
            Issue.record("expected help")
            return
        }
        #expect(path == ["doctor"])
        guard case .help(let helpPath) = try Parser.parse(["help", "doctor"]) else {
            Issue.record("expected help")
            return
        }
        #expect(helpPath == ["doctor"])
        guard case .help([]) = try Parser.parse([]) else {
            Issue.record("no arguments should show help")
            return
        }
        guard case .version = try Parser.parse(["--version"]) else {
            Issue.record("expected version")
            return
        }
    }

    @Test(arguments: [
        (["doctr"], "unknown command 'doctr'; did you mean 'doctor'?"),
        (["frobnicate"], "unknown command 'frobnicate'"),
        (["doctor", "--prot", "1"], "unknown flag '--prot' for 'doctor'; did you mean '--port'?"),
        (["--verbose", "doctor"], "unknown flag '--verbose'"),
        (["doctor", "-x"], "unknown flag '-x' for 'doctor'"),
        (["doctor", "--port"], "flag '--port' needs a value (PORT)"),
        (["doctor", "--port", "--json"], "flag '--port' needs a value (PORT)"),
        (["doctor", "--port", "99999"], "invalid value '99999' for '--port': expected a port from 1 to 65535"),
        (["doctor", "--timeout", "-1"], "invalid value '-1' for '--timeout': expected a number of seconds greater than 0"),
        (["doctor", "--timeout=abc"], "invalid value 'abc' for '--timeout': expected a number of seconds greater than 0"),
        (["doctor", "--db", "x"], "invalid value 'x' for '--db': expected a database number of 0 or more"),
        (["doctor", "--store", "disk"], "invalid value 'disk' for '--store': expected auto, redis, sqlite"),
        (["doctor", "--max-attempts", "0"], "invalid value '0' for '--max-attempts': expected a whole number of at least 1"),
        (["doctor", "--json=yes"], "flag '--json' takes no value"),
        (["doctor", "--url="], "invalid value '' for '--url': expected a non-empty url"),
        (["doctor", "extra"], "unexpected argument 'extra' for 'doctor'"),
    ])
    func usageErrorsNameTheToken(arguments: [String], message: String) {
        #expect(throws: UsageError.self) { try Parser.parse(arguments) }
        do {
            _ = try Parser.parse(arguments)
        } catch {
            #expect(error.message == message)
        }
    }

    @Test func suggestionsNeedToBeClose() {
        #expect(Parser.suggestion(for: "tll", among: ["ttl", "json"]) == "ttl")
        #expect(Parser.suggestion(for: "zzzzzz", among: ["ttl", "json"]) == nil)
    }
}

struct CommandTableTests {
    @Test func commandPathsAndIDsAreUnique() {
        let paths = CommandTable.commands.map(\.name)
        #expect(Set(paths).count == paths.count)
        #expect(Set(CommandTable.commands.map(\.id)) == Set(CommandID.allCases))
    }

    @Test func flagNamesAreUniquePerCommandGlobalsIncluded() {
        for command in CommandTable.commands {
            let flags = CommandTable.globalFlags + command.flags
            let longs = flags.map(\.long), shorts = flags.compactMap(\.short)
            #expect(Set(longs).count == longs.count, "duplicate long flag in \(command.name)")
            #expect(Set(shorts).count == shorts.count, "duplicate short flag in \(command.name)")
        }
    }

    @Test func valueFlagsHavePlaceholdersAndSwitchesHaveNoChoices() {
        for flag in CommandTable.globalFlags + CommandTable.commands.flatMap(\.flags) {
            #expect(flag.long.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" }, "\(flag.long)")
            if flag.value == nil { #expect(flag.choices.isEmpty && flag.kind == .text, "\(flag.long)") }
            if let value = flag.value { #expect(value == value.uppercased() && !value.isEmpty, "\(flag.long)") }
            #expect(!flag.summary.isEmpty)
        }
    }

    @Test func everyConfigurationFlagFeedsASetting() {
        let configured = Set(CommandTable.globalFlags.compactMap(\.setting))
        for key in [SettingKeyName.url, .host, .port, .db, .username, .passwordFile, .tls, .cacert, .cert, .key,
                    .insecure, .sni, .cluster, .connectTimeout, .timeout, .store, .sqlitePath, .maxAttempts] {
            #expect(configured.contains(key), "\(key) has no flag")
        }
    }
}

import CloseupKit
typealias SettingKeyName = SettingKey
