// Turns tokens into a command and its values, using only the table: syntax and
// value checks, no environment, no I/O. Help and version short-circuit here so
// they work even when the configuration is broken.
import CloseupKit

/// A parsed command line, ready for settings resolution and its handler.
public struct ParsedArguments: Sendable {
    public var command: CommandSpec
    public var positionals: [String]
    /// Values by long flag name, in the order given; a switch holds "true".
    public var values: [String: [String]]

    public func has(_ flag: String) -> Bool { values[flag] != nil }
    /// The last value given (last one wins).
    public func value(_ flag: String) -> String? { values[flag]?.last }
    public func all(_ flag: String) -> [String] { values[flag] ?? [] }
}

public enum ParseResult: Sendable {
    case run(ParsedArguments)
    /// Help for the command at this path ([] for closeup itself).
    case help([String])
    case version
}

/// A usage error: the message, and the command whose usage line to show.
public struct UsageError: Error, Equatable {
    public var message: String
    public var commandPath: [String]
}

public enum Parser {
    public static func parse(_ arguments: [String]) throws(UsageError) -> ParseResult {
        var walk = Walk(tokens: Tokenizer.tokenize(arguments))
        // Help wins over every other mistake on the line, so it is looked for before parsing.
        let wantsHelp = walk.tokens.contains { $0 == .long(name: "help", value: nil) || $0 == .short("h") }
        do throws(UsageError) {
            try walk.run()
        } catch {
            if wantsHelp { return .help(walk.path) }
            throw error
        }
        if wantsHelp { return .help(walk.path) }
        if walk.values["version"] != nil { return .version }
        guard let command = walk.command else {
            if walk.path.isEmpty { return .help([]) }
            throw walk.fail(
                "'\(walk.path.joined(separator: " "))' needs a subcommand: "
                    + CommandTable.nextWords(after: walk.path).joined(separator: ", "))
        }
        if command.id == .help { return .help(walk.positionals) }
        try checkArguments(walk.positionals, of: command, walk.fail)
        if let missing = command.flags.first(where: { $0.required && walk.values[$0.long] == nil }) {
            throw walk.fail("'\(command.name)' needs --\(missing.long) \(missing.value ?? "")")
        }
        return .run(ParsedArguments(command: command, positionals: walk.positionals, values: walk.values))
    }

    /// One pass over the tokens: words select the command, then become its arguments; flags are looked
    /// up among the globals and, once it is known, the command's own.
    private struct Walk {
        let tokens: [Token]
        var index = 0
        var path: [String] = []
        var command: CommandSpec?
        var positionals: [String] = []
        var values: [String: [String]] = [:]

        init(tokens: [Token]) { self.tokens = tokens }

        func fail(_ message: String) -> UsageError { UsageError(message: message, commandPath: command?.path ?? path) }

        private var flags: [FlagSpec] { CommandTable.globalFlags + (command?.flags ?? []) }
        private var scope: String { command.map { " for '\($0.name)'" } ?? "" }

        mutating func run() throws(UsageError) {
            while index < tokens.count {
                switch tokens[index] {
                case .long(let name, _) where name == "help": break
                case .short("h"): break
                case .long(let name, let attached):
                    guard let flag = flags.first(where: { $0.long == name }) else {
                        let hint = suggestion(for: name, among: flags.map(\.long)).map { "; did you mean '--\($0)'?" }
                        throw fail("unknown flag '--\(name)'\(scope)\(hint ?? "")")
                    }
                    try store(flag, attached: attached)
                case .short(let letter):
                    guard let flag = flags.first(where: { $0.short == letter }) else {
                        throw fail("unknown flag '-\(letter)'\(scope)")
                    }
                    try store(flag, attached: nil)
                case .word(let word):
                    try take(word)
                }
                index += 1
            }
        }

        private mutating func take(_ word: String) throws(UsageError) {
            if command != nil {
                positionals.append(word)
                return
            }
            let candidate = path + [word]
            if let found = CommandTable.command(candidate) {
                path = candidate
                command = found
            } else if CommandTable.isGroup(candidate) {
                path = candidate
            } else {
                let hint = suggestion(for: word, among: CommandTable.nextWords(after: path)).map { "; did you mean '\($0)'?" }
                let what = path.isEmpty ? "command" : "'\(path.joined(separator: " "))' subcommand"
                throw fail("unknown \(what) '\(word)'\(hint ?? "")")
            }
        }

        private mutating func store(_ flag: FlagSpec, attached: String?) throws(UsageError) {
            guard let placeholder = flag.value else {
                if attached != nil { throw fail("flag '--\(flag.long)' takes no value") }
                values[flag.long, default: []].append("true")
                return
            }
            var value = attached
            if value == nil {
                index += 1
                guard index < tokens.count, case .word(let next) = tokens[index] else {
                    throw fail("flag '--\(flag.long)' needs a value (\(placeholder))")
                }
                value = next
            }
            try validate(value!, for: flag, fail)
            values[flag.long, default: []].append(value!)
        }
    }

    private static func checkArguments(
        _ positionals: [String], of command: CommandSpec, _ fail: (String) -> UsageError
    ) throws(UsageError) {
        for (argument, value) in zip(command.arguments, positionals) where !argument.choices.isEmpty {
            guard argument.choices.contains(value) else {
                throw fail(
                    "invalid \(argument.name.lowercased()) '\(value)' for '\(command.name)': expected "
                        + argument.choices.joined(separator: ", ") + hint(value, among: argument.choices))
            }
        }
        let required = command.arguments.filter { !$0.optional }
        if positionals.count < required.count {
            throw fail("'\(command.name)' needs \(required[positionals.count].name)")
        }
        if command.arguments.last?.variadic != true, positionals.count > command.arguments.count {
            throw fail("unexpected argument '\(positionals[command.arguments.count])' for '\(command.name)'")
        }
    }

    private static func validate(
        _ value: String, for flag: FlagSpec, _ fail: (String) -> UsageError
    ) throws(UsageError) {
        func invalid(_ expected: String) -> UsageError {
            fail("invalid value '\(value)' for '--\(flag.long)': expected \(expected)")
        }
        if !flag.choices.isEmpty, !flag.choices.contains(value) {
            throw invalid(flag.choices.joined(separator: ", ") + hint(value, among: flag.choices))
        }
        switch flag.kind {
        case .text, .path:
            if value.isEmpty { throw invalid("a non-empty \(flag.value!.lowercased())") }
        case .seconds:
            guard let seconds = Double(value), seconds > 0, seconds <= 86_400 else {
                throw invalid("a number of seconds greater than 0")
            }
        case .count:
            guard let count = Int(value), (1...(flag.maximum ?? .max)).contains(count) else {
                throw invalid(flag.maximum.map { "a whole number from 1 to \($0)" } ?? "a whole number of at least 1")
            }
        case .port:
            guard let port = Int(value), (1...65535).contains(port) else { throw invalid("a port from 1 to 65535") }
        case .database:
            guard let number = Int(value), number >= 0 else { throw invalid("a database number of 0 or more") }
        }
    }

    /// "; did you mean 'X'?" for a value close to one of `choices`, else nothing.
    static func hint(_ value: String, among choices: [String]) -> String {
        suggestion(for: value.lowercased(), among: choices).map { "; did you mean '\($0)'?" } ?? ""
    }

    /// The closest candidate within a small edit distance, for "did you mean".
    /// Two letters are too few to guess from ('st' is as near 'otp' as 'stats').
    static func suggestion(for input: String, among candidates: [String]) -> String? {
        guard input.count >= 3 else { return nil }
        let scored = candidates.map { ($0, editDistance(input, $0)) }.filter { $0.1 <= max(2, input.count / 3) }
        return scored.min { $0.1 < $1.1 }?.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
