// Splits argv into tokens, knowing nothing of closeup's flags: `--name`,
// `--name=value`, clustered short flags `-qh`, `--` (everything after is a
// word), and `-` (a word: "read from stdin").

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
            if remainingAreWords || argument == "-" || !argument.hasPrefix("-") {
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
