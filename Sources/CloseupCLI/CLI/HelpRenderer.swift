// `--help`, `help COMMAND` and the usage line after a usage error, all from the
// command table, so help cannot drift from what the parser accepts.

public enum HelpRenderer {
    /// Help for closeup itself (path []) or for the command or group at `path`.
    public static func render(_ path: [String]) -> String {
        if let command = CommandTable.command(path) { return render(command) }
        var out = "OVERVIEW: "
        out += path.isEmpty ? "the operations tool for the Close-Up backend's Redis layer" : "\(path.joined(separator: " ")) commands"
        out += "\n\nUSAGE: closeup [<global options>] \(path.map { $0 + " " }.joined())<subcommand>\n"
        out += "\nSUBCOMMANDS:\n"
        for command in CommandTable.commands where Array(command.path.prefix(path.count)) == path {
            out += row(command.path.dropFirst(path.count).joined(separator: " "), command.summary)
        }
        out += "\nGLOBAL OPTIONS:\n"
        for flag in CommandTable.globalFlags { out += row(flagLabel(flag), flag.summary) }
        out += "\n  See 'closeup help <subcommand>' for detailed help.\n"
        return out
    }

    public static func render(_ command: CommandSpec) -> String {
        var out = "OVERVIEW: \(command.summary)\n"
        if !command.details.isEmpty { out += "\n\(wrap(command.details))\n" }
        out += "\nUSAGE: \(usage(command))\n"
        if !command.arguments.isEmpty {
            out += "\nARGUMENTS:\n"
            for argument in command.arguments { out += row(argumentLabel(argument), argument.summary) }
        }
        out += "\nOPTIONS:\n"
        for flag in command.flags { out += row(flagLabel(flag), flag.summary) }
        out += row("-h, --help", "Show help information")
        if !command.examples.isEmpty {
            out += "\nEXAMPLES:\n"
            for example in command.examples { out += "  \(example.command)\n      \(example.explanation)\n" }
        }
        out += "\n  See 'closeup --help' for the global options.\n"
        return out
    }

    /// "closeup otp send USER --mobile NUMBER [--force]".
    public static func usage(_ command: CommandSpec) -> String {
        var parts = ["closeup", command.name]
        for argument in command.arguments { parts.append(argumentLabel(argument)) }
        for flag in command.flags {
            var text = "--\(flag.long)"
            if let value = flag.value { text += " " + (flag.choices.isEmpty ? value : flag.choices.joined(separator: "|")) }
            parts.append(flag.required ? text : "[\(text)]")
        }
        return parts.joined(separator: " ")
    }

    static func argumentLabel(_ argument: ArgumentSpec) -> String {
        let name = argument.variadic ? argument.name + "..." : argument.name
        return argument.optional ? "[\(name)]" : name
    }

    static func flagLabel(_ flag: FlagSpec) -> String {
        var label = flag.short.map { "-\($0), " } ?? ""
        label += "--\(flag.long)"
        if let value = flag.value { label += " " + (flag.choices.isEmpty ? value : flag.choices.joined(separator: "|")) }
        return label
    }

    private static func row(_ label: String, _ summary: String) -> String {
        let padded = "  " + label
        return padded.count < 30
            ? padded + String(repeating: " ", count: 30 - padded.count) + summary + "\n"
            : padded + "\n" + String(repeating: " ", count: 30) + summary + "\n"
    }

    /// Wraps paragraphs at 80 columns.
    private static func wrap(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { paragraph in
            var lines: [String] = []
            var current = ""
            for word in paragraph.split(separator: " ") {
                if !current.isEmpty, current.count + word.count + 1 > 80 {
                    lines.append(current)
                    current = ""
                }
                current += current.isEmpty ? String(word) : " " + word
            }
            lines.append(current)
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}
