// `--help`, `help COMMAND`, `help connection` and the usage line after a usage
// error, all from the command table, so help cannot drift from what the parser
// accepts. Wrapped to the width given (the terminal's, or 80).
import CloseupKit

public enum HelpRenderer {
    /// The topic that lists the connection, TLS, authentication and file options.
    public static let connectionTopic = "connection"

    /// Help for closeup itself (path []), the connection topic, or the command or group at `path`.
    public static func render(_ path: [String], width: Int = 80) -> String {
        var layout = Layout(width: width)
        if let command = CommandTable.command(path) { return render(command, layout) }
        if path == [connectionTopic] { return connection(layout) }
        if path.isEmpty {
            layout.labelColumn = 31  // "  pending-video get|set|clear" and two spaces
            return top(layout)
        }
        return group(path, layout)
    }

    /// Whether `help` knows `path`: a command, a group, or a topic.
    public static func knows(_ path: [String]) -> Bool {
        path.isEmpty || path == [connectionTopic] || CommandTable.command(path) != nil || CommandTable.isGroup(path)
    }

    /// The top level: what there is, the options used daily, where the rest is. It fits a screen.
    static func top(_ layout: Layout) -> String {
        var out = layout.paragraph("closeup: the operations tool for the Close-Up backend's Redis layer")
        out += "Usage: closeup [OPTIONS] COMMAND [ARGS]\n\nCommands:\n"
        var groups: [String] = []
        for command in CommandTable.commands {
            guard command.path.count > 1 else {
                let name = command.id == .completions ? "completions bash|zsh|fish" : command.id == .help
                    ? "help [COMMAND|connection]" : command.name
                out += layout.row(name, command.summary)
                continue
            }
            let word = command.path[0]
            guard !groups.contains(word) else { continue }
            groups.append(word)
            let verbs = CommandTable.commands.filter { $0.path.first == word }.map { $0.path[1] }
            let summary = CommandTable.groups.first { $0.word == word }?.summary ?? ""
            out += layout.row("\(word) \(verbs.joined(separator: "|"))", summary.split(separator: ":").first.map(String.init) ?? summary)
        }
        out += "\nOptions (before or after the command):\n"
        for flag in CommandTable.globalFlags where !flag.connection && flag.long != "help" && flag.long != "version" {
            out += layout.row(flagLabel(flag), flag.summary)
        }
        out += layout.row("-h, --help, --version", "This help (COMMAND --help: a command's); version")
        out += "\n" + layout.paragraph("Redis, TLS, authentication and file options: closeup help connection.")
        out += layout.paragraph("Exit status: " + exitSummary + ".")
        return out
    }

    /// The codes every command shares (SPEC §4), in one line.
    static let exitSummary =
        "0 success, 1 negative answer, 2 bad input, 3 unavailable, 4 refused by policy, 5 configuration, 6 corrupt data"

    /// `closeup help connection`: how closeup finds and talks to Redis, and where it keeps SQLite.
    static func connection(_ layout: Layout) -> String {
        var out = layout.paragraph(
            "Connection, TLS, authentication and file options. Each may come from a flag, the environment"
                + " (REDIS_URL, REDIS_HOST, REDIS_PORT, REDIS_DB, REDIS_USERNAME, REDIS_PASSWORD, REDIS_TLS,"
                + " REDIS_CACERT, REDIS_CONNECT_TIMEOUT, REDIS_TIMEOUT, CLOSEUP_SQLITE_PATH, CLOSEUP_MAX_ATTEMPTS)"
                + " or ./.env, in that order of precedence. There is no --password: use --password-file,"
                + " --askpass, REDIS_PASSWORD or the URL.")
        out += "\nOptions (before or after the command):\n"
        for flag in CommandTable.globalFlags where flag.connection { out += layout.row(flagLabel(flag), flag.summary) }
        out += "\n" + layout.paragraph("See closeup(1) for TLS, clusters and least privilege.")
        return out
    }

    /// A group (`closeup otp --help`): its commands.
    static func group(_ path: [String], _ layout: Layout) -> String {
        var out = layout.paragraph("closeup \(path.joined(separator: " ")): \(CommandTable.summary(path))") + "\n"
        out += "Usage: closeup \(path.joined(separator: " ")) COMMAND [ARGS]\n\nCommands:\n"
        for command in CommandTable.commands where Array(command.path.prefix(path.count)) == path {
            out += layout.row(command.path.dropFirst(path.count).joined(separator: " "), command.summary)
        }
        out += "\n" + layout.paragraph("See 'closeup \(path.joined(separator: " ")) COMMAND --help' for one command.")
        return out
    }

    static func render(_ command: CommandSpec, _ layout: Layout) -> String {
        var out = layout.paragraph("closeup \(command.name): \(command.summary)") + "\n"
        out += layout.usage(command)
        if !command.details.isEmpty {
            out += "\n" + command.details.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.isEmpty ? "\n" : layout.paragraph(String($0)) }.joined()
        }
        if !command.arguments.isEmpty {
            out += "\nArguments:\n"
            for argument in command.arguments { out += layout.row(argumentLabel(argument), argument.summary) }
        }
        out += "\nOptions:\n"
        for flag in command.flags { out += layout.row(flagLabel(flag), flag.summary) }
        out += layout.row("-h, --help", "Show this help")
        if !command.examples.isEmpty {
            out += "\nExamples:\n"
            for example in command.examples {
                out += layout.shellCommand(example.command, indent: 2) + layout.hanging("      ", example.explanation)
            }
        }
        out += "\nExit status:\n"
        var codes = layout
        codes.labelColumn = 7
        for (status, meaning) in CommandTable.exits(command.id) { out += codes.row(String(status.rawValue), meaning) }
        out += "\n" + layout.paragraph("Global options: closeup --help; connection options: closeup help connection.")
        return out
    }

    /// "closeup otp send USER --mobile NUMBER [--force]".
    public static func usage(_ command: CommandSpec) -> String { usageParts(command).joined(separator: " ") }

    static func usageParts(_ command: CommandSpec) -> [String] {
        var parts = ["closeup", command.name]
        for argument in command.arguments { parts.append(argumentLabel(argument)) }
        for flag in command.flags {
            var text = flagLabel(flag, short: false)
            if flag.repeatable { text += "..." }
            parts.append(flag.required ? text : "[\(text)]")
        }
        return parts
    }

    static func argumentLabel(_ argument: ArgumentSpec) -> String {
        var name = argument.variadic ? argument.name + "..." : argument.name
        // A list of users may be read from stdin: say so where the list is.
        if argument.variadic, argument.name == "USER" { name += " | -" }
        return argument.optional ? "[\(name)]" : name
    }

    /// "-0, --null", "--kind KIND": the short form first when there is one.
    static func flagLabel(_ flag: FlagSpec, short: Bool = true) -> String {
        var label = short ? flag.short.map { "-\($0), " } ?? "" : flag.short.map { "-\($0)|" } ?? ""
        label += "--\(flag.long)"
        if let value = flag.value { label += " " + (flag.choices.isEmpty ? value : flag.choices.joined(separator: "|")) }
        return label
    }

    /// Wrapping to a width: paragraphs, rows of label and text, and hanging lines.
    struct Layout {
        let width: Int
        var labelColumn = 30
        /// Where row texts start; on a narrow screen each text goes under its label.
        var column: Int { width >= 60 || labelColumn < 10 ? labelColumn : 0 }

        /// Words filled into lines of at most `width - indent` (a longer word stands alone).
        func lines(_ text: String, indent: Int) -> [String] {
            var lines: [String] = []
            var current = ""
            for word in text.split(separator: " ") {
                if !current.isEmpty, current.count + 1 + word.count > max(20, width - indent) {
                    lines.append(current)
                    current = ""
                }
                current += current.isEmpty ? String(word) : " " + word
            }
            if !current.isEmpty || lines.isEmpty { lines.append(current) }
            return lines
        }

        func paragraph(_ text: String) -> String { lines(text, indent: 0).joined(separator: "\n") + "\n" }

        /// A command to copy: broken only between words (a quoted word stays whole), each broken
        /// line ending in " \\", so the lines pasted into a shell are still the one command.
        func shellCommand(_ text: String, indent: Int) -> String {
            var words: [String] = []
            var current = ""
            var quoted = false
            for character in text {
                if character == "'" { quoted.toggle() }
                if character == " ", !quoted {
                    if !current.isEmpty { words.append(current) }
                    current = ""
                } else {
                    current.append(character)
                }
            }
            if !current.isEmpty { words.append(current) }
            let glued = words.map { String($0.map { $0 == " " ? "\u{00A0}" : $0 }) }
            let lines = Layout(width: width - 2).lines(glued.joined(separator: " "), indent: indent + 4)
            let pad = String(repeating: " ", count: indent)
            return lines.enumerated().map { index, line in
                let text = String(line.map { $0 == "\u{00A0}" ? " " : $0 })
                return (index == 0 ? pad : pad + "    ") + text + (index < lines.count - 1 ? " \\" : "")
            }.joined(separator: "\n") + "\n"
        }

        /// The usage line, wrapped between its parts, never inside one ("[--via stdout|command]").
        func usage(_ command: CommandSpec, prefix: String = "Usage: ") -> String {
            let glued = HelpRenderer.usageParts(command).map { String($0.map { $0 == " " ? "\u{00A0}" : $0 }) }
            return String(hanging(prefix, glued.joined(separator: " ")).map { $0 == "\u{00A0}" ? " " : $0 })
        }

        /// `prefix` then the text, its further lines indented as far as the prefix.
        func hanging(_ prefix: String, _ text: String) -> String {
            let pad = String(repeating: " ", count: prefix.count)
            return lines(text, indent: prefix.count).enumerated().map { ($0 == 0 ? prefix : pad) + $1 }
                .joined(separator: "\n") + "\n"
        }

        /// "  label    text", the text wrapped at the column; a label too long for it (or a narrow
        /// screen) puts the text on the lines below.
        func row(_ label: String, _ text: String) -> String {
            let padded = "  " + label
            let column = self.column > 0 ? self.column : 6
            let pad = String(repeating: " ", count: column)
            let wrapped = lines(text, indent: column)
            if self.column > 0, padded.count < column {
                let first = padded + String(repeating: " ", count: column - padded.count) + wrapped[0]
                return ([first] + wrapped.dropFirst().map { pad + $0 }).joined(separator: "\n") + "\n"
            }
            return ([padded] + wrapped.map { pad + $0 }).joined(separator: "\n") + "\n"
        }
    }
}
