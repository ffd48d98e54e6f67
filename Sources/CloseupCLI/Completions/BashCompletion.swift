// completions/closeup.bash: one function that walks the words typed so far to
// the command path, then offers subcommands, the flags not yet given, a flag's
// values, files for file flags, or an argument's choices. It sets no shell
// options, so it has none to restore.

public enum BashCompletion {
    public static func render() -> String {
        let valueFlags = CompletionModel.valueFlags.map { "--" + $0 }.joined(separator: "|")
        let repeatable = (CommandTable.globalFlags + CommandTable.commands.flatMap(\.flags)).filter(\.repeatable)
            .map { "--" + $0.long }.joined(separator: " ")
        var out = """
            # bash completion for closeup (generated from the command table; do not edit)
            _closeup() {
                local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
                local path="" word i skip=0 positional=0
                local -a given=()
                for ((i = 1; i < COMP_CWORD; i++)); do
                    word=${COMP_WORDS[i]}
                    if ((skip)); then skip=0; continue; fi
                    case $word in
                        \(valueFlags)) skip=1; given+=("$word"); continue ;;
                        --*=*) given+=("${word%%=*}"); continue ;;
                        -*) given+=("$word"); continue ;;
                    esac
                    case "$path/$word" in

            """
        for node in CompletionModel.nodes where !node.path.isEmpty {
            let parent = node.path.dropLast().joined(separator: " ")
            out += "            \"\(parent)/\(node.path.last!)\") path=\"\(node.path.joined(separator: " "))\" ;;\n"
        }
        out += """
                        *) ((positional++)) ;;
                    esac
                done

                case "$path:$prev" in

            """
        for node in CompletionModel.nodes {
            let path = node.path.joined(separator: " ")
            for flag in CompletionModel.flags(at: node.path) where flag.value != nil {
                let isGlobal = CommandTable.globalFlags.contains { $0.long == flag.long }
                guard !isGlobal || node.path.isEmpty else { continue }
                let pattern = isGlobal ? "*:--\(flag.long)" : "\"\(path):--\(flag.long)\""
                out += "        \(pattern)) \(valueCompletion(flag)) return ;;\n"
            }
        }
        out += """
                esac
                if [[ $cur == --*=* ]]; then return; fi

                local words="" flags=""
                case "$path" in

            """
        for node in CompletionModel.nodes {
            let flags = CompletionModel.flags(at: node.path).map { "--" + $0.long }.joined(separator: " ")
            out += "        \"\(node.path.joined(separator: " "))\") flags=\"\(flags)\""
            guard let command = CommandTable.command(node.path) else {
                out += "; words=\"\(node.children.map(\.word).joined(separator: " "))\" ;;\n"
                continue
            }
            // A leaf: the words are the choices of the argument being typed, if it has any.
            out += "\n            case $positional in\n"
            for (index, argument) in command.arguments.enumerated() {
                guard let choices = CompletionModel.argumentWords(command, index) else { continue }
                let pattern = argument.variadic ? "*" : String(index)
                out += "                \(pattern)) words=\"\(choices.joined(separator: " "))\" ;;\n"
            }
            out += "            esac ;;\n"
        }
        out += """
                esac
                if [[ $cur == -* ]]; then
                    local flag offered="" repeatable=" \(repeatable) "
                    for flag in $flags; do
                        [[ " ${given[*]} " == *" $flag "* && $repeatable != *" $flag "* ]] || offered+=" $flag"
                    done
                    COMPREPLY=($(compgen -W "$offered" -- "$cur"))
                else
                    COMPREPLY=($(compgen -W "$words" -- "$cur"))
                fi
            }
            complete -F _closeup closeup

            """
        return out
    }

    private static func valueCompletion(_ flag: FlagSpec) -> String {
        if !flag.choices.isEmpty { return "COMPREPLY=($(compgen -W \"\(flag.choices.joined(separator: " "))\" -- \"$cur\"));" }
        if flag.kind == .path { return "COMPREPLY=($(compgen -f -- \"$cur\"));" }
        return "COMPREPLY=();"
    }
}
