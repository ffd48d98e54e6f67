// completions/closeup.bash: one function that walks the words typed so far to
// the command path, then offers subcommands, the flags not yet given, a flag's
// values, files for file flags, or an argument's choices. It sets no shell
// options, so it has none to restore.

public enum BashCompletion {
    public static func render() -> String {
        let allFlags = CommandTable.globalFlags + CommandTable.commands.flatMap(\.flags)
        let repeatable = allFlags.filter(\.repeatable).map { "--" + $0.long }.joined(separator: " ")
        // A short flag given counts as its long name (-q is --quiet).
        var shorts: [String] = []
        for flag in allFlags { if let short = flag.short, !shorts.contains("-\(short)) word=--\(flag.long)") { shorts.append("-\(short)) word=--\(flag.long)") } }
        let shortsToLongs = "case $word in " + shorts.joined(separator: " ;; ") + " ;; esac"
        var out = """
            # bash completion for closeup (generated from the command table; do not edit)

            # The flags that take a value at a command path: a word after one of them is its value.
            # (Per path: --ttl takes a value in otp send and is a switch in keys scan.)
            _closeup_value_flags() {
                case $1 in

            """
        for node in CompletionModel.nodes {
            let flags = CompletionModel.flags(at: node.path).filter { $0.value != nil }.map { "--" + $0.long }
            out += "        \"\(node.path.joined(separator: " "))\") echo \" \(flags.joined(separator: " ")) \" ;;\n"
        }
        out += """
                esac
            }

            _closeup() {
                local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
                local path="" word i skip=0 positional=0 arguments=""
                local -a given=()
                # bash splits "--store=auto" at "=" (COMP_WORDBREAKS): "--store" "=" "auto".
                if [[ $cur == "=" ]]; then cur=""
                elif [[ $prev == "=" ]]; then prev=${COMP_WORDS[COMP_CWORD-2]}
                elif [[ $cur == --*=* ]]; then prev=${cur%%=*}; cur=${cur#*=}
                fi
                for ((i = 1; i < COMP_CWORD; i++)); do
                    word=${COMP_WORDS[i]}
                    if ((skip)); then skip=0; continue; fi
                    if [[ $word == "=" ]]; then skip=1; continue; fi
                    case $word in
                        --*=*) given+=("${word%%=*}"); continue ;;
                        -*)
                            \(shortsToLongs)
                            given+=("$word")
                            [[ $(_closeup_value_flags "$path") == *" $word "* ]] && skip=1
                            continue ;;
                    esac
                    case "$path/$word" in

            """
        for node in CompletionModel.nodes where !node.path.isEmpty {
            let parent = node.path.dropLast().joined(separator: " ")
            out += "            \"\(parent)/\(node.path.last!)\") path=\"\(node.path.joined(separator: " "))\" ;;\n"
        }
        out += """
                        *) ((positional++)); arguments+="${arguments:+ }$word" ;;
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
            // A leaf: the words are the choices of the argument being typed, if it has any; for
            // `help`, the words that may follow the command named so far.
            if command.id == .help {
                out += "\n            case $arguments in\n"
                for (typed, words) in CompletionModel.helpWords {
                    out += "                \"\(typed)\") words=\"\(words.joined(separator: " "))\" ;;\n"
                }
                out += "            esac ;;\n"
                continue
            }
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
                    mapfile -t COMPREPLY < <(compgen -W "$offered" -- "$cur")
                else
                    mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
                fi
            }
            _closeup_files() {
                if declare -F _filedir >/dev/null; then _filedir; return; fi
                compopt -o filenames 2>/dev/null
                mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            }
            complete -F _closeup closeup

            """
        return out
    }

    private static func valueCompletion(_ flag: FlagSpec) -> String {
        if !flag.choices.isEmpty {
            return "mapfile -t COMPREPLY < <(compgen -W \"\(flag.choices.joined(separator: " "))\" -- \"$cur\");"
        }
        // bash-completion's _filedir quotes names with spaces and steps into folders; without
        // it, one name a line and bash told they are file names.
        if flag.kind == .path { return "_closeup_files;" }
        return "COMPREPLY=();"
    }
}
