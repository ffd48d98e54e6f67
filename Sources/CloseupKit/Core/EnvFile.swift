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
        try self.init(path: path, bytes: Array(text.utf8))
    }

    /// Parses the file's bytes. Lines end at "\n", with or without a "\r" before it. A line that is
    /// not UTF-8 or holds a raw control character other than tab is malformed: such bytes are
    /// damage (a stray "\r", an escape sequence), never part of a host or password. The message
    /// names the line, never its text: the line may hold a password.
    public init(path: String, bytes: [UInt8]) throws(CloseupError) {
        self.path = path
        // Split the bytes, not the String: "\r\n" is one Character, so a String split on "\n"
        // never splits a Windows file, and its whole text would become the first value.
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (index, rawLine) in lines.enumerated() {
            let lineNumber = index + 1
            func malformed(_ what: String) -> CloseupError {
                .configuration("malformed env file '\(path)' line \(lineNumber): \(what); expected KEY=value")
            }
            var lineBytes = rawLine[...]
            if index == 0, lineBytes.starts(with: [0xEF, 0xBB, 0xBF]) { lineBytes = lineBytes.dropFirst(3) }
            if lineBytes.last == UInt8(ascii: "\r") { lineBytes = lineBytes.dropLast() }
            guard let text = String(validating: lineBytes, as: UTF8.self) else { throw malformed("not UTF-8 text") }
            if let control = text.unicodeScalars.first(where: Settings.isControl) {
                throw malformed("control character \(EnvFile.codePoint(control))")
            }
            var line = Substring(text).drop(while: \.isWhitespace)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst(7).drop(while: \.isWhitespace) }
            guard let equals = line.firstIndex(of: "=") else { throw malformed("no '='") }
            let key = line[..<equals].trimmingTrailingWhitespace()
            // Not quoted: a line such as "REDIS_PASSWORD: hunter2=x" would show the password.
            guard EnvFile.isValidKey(key) else { throw malformed("the text before '=' is not a variable name") }
            let rest = line[line.index(after: equals)...]
            guard let value = EnvFile.parseValue(rest) else { throw malformed("unterminated or misplaced quote") }
            entries[String(key)] = Entry(value: value, line: lineNumber)
        }
    }

    /// Reads and parses the file at `path` (up to 1 MiB: a settings file, not a device).
    public static func load(path: String) throws(CloseupError) -> EnvFile {
        guard let bytes = FileSystem.readBytes(path, limit: 1 << 20) else {
            throw .configuration("cannot read env file '\(path)': \(FileSystem.lastErrorReason)", remedy: .checkEnvFile)
        }
        return try EnvFile(path: path, bytes: bytes)
    }

    /// "U+000D": how messages name a character without printing it.
    static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
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
