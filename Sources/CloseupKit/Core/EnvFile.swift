// The `.env` file the backend keeps its settings in: `KEY=value` lines,
// optional quotes, `#` comments, an optional `export `. Every line must parse:
// a typo in a secret's line must not pass silently.

/// A parsed env file: the variables it sets, with the line each came from.
public struct EnvFile: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var value: String
        public var line: Int
    }

    public let path: String
    public private(set) var entries: [String: Entry] = [:]

    /// Parses `text`; a malformed line is a configuration error naming `path` and the line.
    public init(path: String, text: String) throws(CloseupError) {
        self.path = path
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            var line = Substring(rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine)
            line = line.drop(while: \.isWhitespace)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst(7).drop(while: \.isWhitespace) }
            func malformed(_ what: String) -> CloseupError {
                .configuration("malformed env file '\(path)' line \(lineNumber): \(what); expected KEY=value")
            }
            guard let equals = line.firstIndex(of: "=") else { throw malformed("no '='") }
            let key = line[..<equals].trimmingTrailingWhitespace()
            guard EnvFile.isValidKey(key) else { throw malformed("'\(key)' is not a variable name") }
            let rest = line[line.index(after: equals)...]
            guard let value = EnvFile.parseValue(rest) else { throw malformed("unterminated or misplaced quote") }
            entries[String(key)] = Entry(value: value, line: lineNumber)
        }
    }

    /// Reads and parses the file at `path`.
    public static func load(path: String) throws(CloseupError) -> EnvFile {
        guard let text = FileSystem.readText(path) else {
            throw .configuration("cannot read env file '\(path)': \(FileSystem.lastErrorReason)", remedy: .checkEnvFile)
        }
        return try EnvFile(path: path, text: text)
    }

    private static func isValidKey(_ key: Substring) -> Bool {
        guard let first = key.first, first == "_" || first.isLetter && first.isASCII else { return false }
        return key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }

    /// The value after `=`: quoted ('…' literal, "…" with \" \\ \n escapes) or bare up to a ` #` comment.
    private static func parseValue(_ raw: Substring) -> String? {
        let text = raw.drop(while: { $0 == " " || $0 == "\t" })
        guard let quote = text.first, quote == "\"" || quote == "'" else {
            // A '#' starts a comment only after whitespace, so "pa#ss" stays a value.
            var end = raw.endIndex
            var previous: Character = "="
            for index in raw.indices {
                if raw[index] == "#", previous == " " || previous == "\t" {
                    end = index
                    break
                }
                previous = raw[index]
            }
            return String(raw[..<end].drop(while: \.isWhitespace).trimmingTrailingWhitespace())
        }
        var value = ""
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            let character = text[index]
            if character == quote {
                let tail = text[text.index(after: index)...].drop(while: { $0 == " " || $0 == "\t" })
                return tail.isEmpty || tail.hasPrefix("#") ? value : nil
            }
            if quote == "\"", character == "\\", text.index(after: index) < text.endIndex {
                index = text.index(after: index)
                switch text[index] {
                case "n": value.append("\n")
                case "t": value.append("\t")
                default: value.append(text[index])
                }
            } else {
                value.append(character)
            }
            index = text.index(after: index)
        }
        return nil
    }
}

extension Substring {
    func trimmingTrailingWhitespace() -> Substring {
        var end = endIndex
        while end > startIndex, self[index(before: end)].isWhitespace { end = index(before: end) }
        return self[startIndex..<end]
    }
}
