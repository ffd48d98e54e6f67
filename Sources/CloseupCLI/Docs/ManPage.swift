// man/closeup.1, rendered from the command table and the hand-written prose
// in ManPageProse.swift. Pure: the date and version are constants, never today.

public enum ManPage {
    /// The date the page carries; moved by hand when the documented behaviour changes.
    static let date = "2026-11-27"

    public static func render() -> String {
        var out = """
            .\\" Generated from the closeup command table; do not edit (see Tests/closeupTests/GeneratedFilesTests.swift).
            .TH CLOSEUP 1 "\(date)" "closeup \(CommandTable.version)" "User Commands"
            .nh
            .ad l
            .SH NAME
            closeup \\- the operations tool for the Close\\-Up backend's Redis layer
            .SH SYNOPSIS
            .B closeup
            [\\fIGLOBAL OPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]

            """
        out += section("DESCRIPTION", ManPageProse.description)
        out += ".SH COMMANDS\n"
        for command in CommandTable.commands {
            out += ".TP\n" + synopsis(command) + "\n" + escape(command.summary) + "\n"
            if !command.details.isEmpty {
                for paragraph in command.details.split(separator: "\n", omittingEmptySubsequences: true) {
                    out += ".IP\n" + escape(String(paragraph)) + "\n"
                }
            }
            if !command.arguments.isEmpty || !command.flags.isEmpty {
                out += ".RS\n"
                for argument in command.arguments {
                    out += ".TP\n\\fI\(escape(HelpRenderer.argumentLabel(argument)))\\fR\n\(escape(argument.summary))\n"
                }
                for flag in command.flags { out += ".TP\n" + flagLabel(flag) + "\n" + escape(flag.summary) + "\n" }
                out += ".RE\n"
            }
            let exits = CommandTable.exits(command.id).map { "\($0.0.rawValue) \($0.1)" }.joined(separator: "; ")
            out += ".IP\n" + escape("Exit status: \(exits).") + "\n"
        }
        out += ".SH OPTIONS\nGlobal options are accepted before or after the command.\n"
        for flag in CommandTable.globalFlags { out += ".TP\n" + flagLabel(flag) + "\n" + escape(flag.summary) + "\n" }
        out += section("ENVIRONMENT", ManPageProse.environment)
        out += section("FILES", ManPageProse.files)
        out += section("JSON OUTPUT", JSONContract.manSection)
        out += section("EXIT STATUS", ManPageProse.exitStatus)
        out += ".SH EXAMPLES\n"
        for command in CommandTable.commands {
            for example in command.examples {
                out += ".TP\n.B \(escape(example.command))\n\(escape(example.explanation))\n"
            }
        }
        out += ".SH SEE ALSO\n.BR redis\\-cli (1),\n.BR redis\\-server (1),\n.BR sqlite3 (1)\n"
        return out
    }

    /// `.B otp send` `\fIUSER\fR` `\fB\-\-mobile\fR \fINUMBER\fR` …
    private static func synopsis(_ command: CommandSpec) -> String {
        var parts = ["\\fB\(escape(command.name))\\fR"]
        for argument in command.arguments { parts.append("\\fI\(escape(HelpRenderer.argumentLabel(argument)))\\fR") }
        for flag in command.flags {
            var text = "\\fB\\-\\-\(escape(flag.long))\\fR"
            if let value = flag.value {
                text += " \\fI\(escape(flag.choices.isEmpty ? value : flag.choices.joined(separator: "|")))\\fR"
            }
            parts.append(flag.required ? text : "[\(text)]")
        }
        return parts.joined(separator: " ")
    }

    private static func flagLabel(_ flag: FlagSpec) -> String {
        var label = flag.short.map { "\\fB\\-\(escape(String($0)))\\fR, " } ?? ""
        label += "\\fB\\-\\-\(escape(flag.long))\\fR"
        if let value = flag.value {
            label += " \\fI\(escape(flag.choices.isEmpty ? value : flag.choices.joined(separator: "|")))\\fR"
        }
        return label
    }

    /// Paragraphs separated by blank lines; lines starting with "  " are kept as an indented block.
    private static func section(_ name: String, _ prose: String) -> String {
        var out = ".SH \(name)\n"
        for (index, block) in prose.components(separatedBy: "\n\n").enumerated() {
            if block.hasPrefix(".") {
                out += block + "\n"  // already roff (a table of .TP entries)
            } else {
                out += (index == 0 ? "" : ".PP\n") + escape(block) + "\n"
            }
        }
        return out
    }

    /// roff escaping: backslashes, hyphens (so they are not hyphenation points), characters
    /// beyond ASCII (as glyph escapes, whatever encoding man assumes), and lines that would
    /// start with a control character.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\e"
            case "-": out += "\\-"
            case _ where scalar.value > 0x7E:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\[u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + "]"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix(".") || line.hasPrefix("'") ? "\\&" + line : String(line)
        }.joined(separator: "\n")
    }
}

extension String {
    /// Splits at a separator string (FoundationEssentials is not linked).
    func components(separatedBy separator: String) -> [String] {
        var parts: [String] = []
        var rest = Substring(self)
        while let range = rest.firstRange(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}
