// completions/closeup.fish: a helper that walks the words typed so far to the
// command path, and one `complete` line per subcommand, flag and value set,
// each guarded by the path it belongs to.

public enum FishCompletion {
    public static func render() -> String {
        let paths = CommandTable.allPaths.dropFirst().map { "'\($0.joined(separator: " "))'" }.joined(separator: " ")
        let valueFlags = CompletionModel.valueFlags.map { "--" + $0 }.joined(separator: " ")
        var out = """
            # fish completion for closeup (generated from the command table; do not edit)
            set -g __closeup_paths \(paths)

            # The command path typed so far ("otp send"), skipping flags and their values.
            function __closeup_path
                set -l words (commandline -opc)
                set -e words[1]
                set -l path
                set -l skip 0
                for word in $words
                    if test $skip = 1
                        set skip 0
                        continue
                    end
                    switch $word
                        case \(valueFlags)
                            set skip 1
                            continue
                        case '-*'
                            continue
                    end
                    set -l candidate (string join ' ' $path $word)
                    if contains -- $candidate $__closeup_paths
                        set path $path $word
                    else
                        break
                    end
                end
                string join ' ' $path
            end

            # The flags that take a value at a command path (--ttl does in otp send, not in keys scan).
            function __closeup_value_flags
                switch "$argv[1]"

            """
        for node in CompletionModel.nodes {
            let flags = CompletionModel.flags(at: node.path).filter { $0.value != nil }.map { "--" + $0.long }
            out += "        case '\(node.path.joined(separator: " "))'\n            printf '%s\\n' \(flags.joined(separator: " "))\n"
        }
        out += """
                end
            end

            # Whether the word before is a flag that takes a value here (with an argument: that flag).
            function __closeup_expects
                set -l words (commandline -opc)
                contains -- $words[-1] (__closeup_value_flags (__closeup_path)); or return 1
                test (count $argv) = 0; or test "$words[-1]" = "$argv[1]"
            end

            # At `path`, and not typing a flag's value (that is the value lines' turn).
            function __closeup_at
                __closeup_expects; and return 1
                set -l path (__closeup_path)
                test "$path" = "$argv[1]"
            end

            # Positional arguments after the command path.
            function __closeup_argument_count
                set -l words (commandline -opc)
                set -l path (string split ' ' (__closeup_path))
                math (count $words) - 1 - (count $path)
            end

            # For help: what may follow the command path typed after it.
            function __closeup_help_words
                set -l words (commandline -opc)
                set -l typed
                set -l after 0
                for word in $words[2..-1]
                    if test $after = 1
                        string match -q -- '-*' $word; or set typed $typed $word
                    else if test $word = help
                        set after 1
                    end
                end
                switch (string join ' ' $typed)

            """
        for (typed, words) in CompletionModel.helpWords {
            out += "        case '\(typed)'\n            string join \\n \(words.joined(separator: " "))\n"
        }
        out += """
                end
            end

            complete -c closeup -f

            """
        for node in CompletionModel.nodes {
            let guardText = "__closeup_at '\(node.path.joined(separator: " "))'"
            for child in node.children {
                out += "complete -c closeup -n \"\(guardText)\" -a \(child.word) -d \(quote(child.summary))\n"
            }
            if let command = CommandTable.command(node.path) {
                for flag in command.flags { out += line(flag, condition: guardText) }
                if command.id == .help {
                    out += "complete -c closeup -n \"\(guardText)\" -a '(__closeup_help_words)' -d 'command'\n"
                    continue
                }
                for (index, argument) in command.arguments.enumerated() {
                    guard let words = CompletionModel.argumentWords(command, index) else { continue }
                    let count = argument.variadic ? "" : "; and test (__closeup_argument_count) = \(index)"
                    out += "complete -c closeup -n \"\(guardText)\(count)\" -a \(quote(words.joined(separator: " "))) -d \(quote(argument.summary))\n"
                }
            }
        }
        for flag in CommandTable.globalFlags { out += line(flag, condition: nil) }
        return out
    }

    /// The flag's line, offered until it is given (unless it may be given again); a flag with a
    /// set of values gets a second line for them, without the flag's description, which fish
    /// would otherwise repeat beside every value.
    /// The flag's line, offered until it is given (unless it may be given again), and a line for
    /// its value, taken when the flag is the word before (the `--flag=value` form is the flag
    /// line's). The value line comes first and has no description: fish describes the flag from
    /// the line it reads last, and would otherwise repeat the description beside every value.
    private static func line(_ flag: FlagSpec, condition: String?) -> String {
        var conditions = condition.map { [$0] } ?? []
        if !flag.repeatable {
            conditions.append("not __fish_seen_argument -l \(flag.long)" + (flag.short.map { " -s \($0)" } ?? ""))
        }
        var out = "complete -c closeup -n \"\(conditions.joined(separator: "; and "))\""
        if let short = flag.short { out += " -s \(short)" }
        out += " -l \(flag.long)"
        var value = ""
        if flag.value != nil {
            let action =
                !flag.choices.isEmpty ? "-x -a \(quote(flag.choices.joined(separator: " ")))" : flag.kind == .path ? "-F" : "-x"
            out += !flag.choices.isEmpty ? " -x -a \(quote(flag.choices.joined(separator: " ")))" : flag.kind == .path ? " -r -F" : " -x"
            value = "complete -c closeup -n \"__closeup_expects --\(flag.long)\" \(action)\n"
        }
        return value + out + " -d \(quote(flag.summary))\n"
    }

    private static func quote(_ text: String) -> String {
        "'" + text.replacingAll("\\", with: "\\\\").replacingAll("'", with: "\\'") + "'"
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        components(separatedBy: target).joined(separator: replacement)
    }
}
