// Splits argv into tokens, knowing nothing of closeup's flags: `--name`,
// `--name=value`, clustered short flags `-qh`, `--` (everything after is a
// word), `-` (a word: "read from stdin"), and `-5` or `-1h` (words: a value).

public enum Token: Equatable, Sendable {
    /// `--name` or `--name=value`.
    case long(name: String, value: String?)
    /// One letter of `-abc`; `-0` is a short flag too.
    case short(Character)
    /// A word: command name, argument, or flag value.
    case word(String)
}

public enum Tokenizer {
    public static func tokenize(_ arguments: [String]) -> [Token] {
        var tokens: [Token] = []
        var remainingAreWords = false
        for argument in arguments {
            // A dash and a digit other than 0 ("-1h", "-5") is a value someone typed, not flags: as
            // flags "-1h" would ask for help and hide the mistake (`-0` is --null).
            let number = argument.dropFirst().first.map { $0.isASCII && $0.isNumber && $0 != "0" } ?? false
            if remainingAreWords || argument == "-" || !argument.hasPrefix("-") || number {
                tokens.append(.word(argument))
            } else if argument == "--" {
                remainingAreWords = true
            } else if argument.hasPrefix("--") {
                let body = argument.dropFirst(2)
                if let equals = body.firstIndex(of: "=") {
                    tokens.append(.long(name: String(body[..<equals]), value: String(body[body.index(after: equals)...])))
                } else {
                    tokens.append(.long(name: String(body), value: nil))
                }
            } else {
                for letter in argument.dropFirst() { tokens.append(.short(letter)) }
            }
        }
        return tokens
    }
}
