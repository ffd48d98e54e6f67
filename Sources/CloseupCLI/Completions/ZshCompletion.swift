// completions/_closeup: one function per command path, each an `_arguments`
// call with the flags of that path (descriptions, value lists, files) and
// either its subcommands (with their summaries) or its arguments.

public enum ZshCompletion {
    public static func render() -> String {
        var out = """
            #compdef closeup
            # zsh completion for closeup (generated from the command table; do not edit)

            _closeup_global_flags=(

            """
        for flag in CommandTable.globalFlags { out += "  \(spec(flag))\n" }
        out += ")\n\n"
        for node in CompletionModel.nodes {
            let name = functionName(node.path)
            out += "\(name)() {\n"
            let flags = (CommandTable.command(node.path)?.flags ?? []).map { "    \(spec($0)) \\\n" }.joined()
            if let command = CommandTable.command(node.path), command.id == .help {
                // What may follow the command path typed after `help` so far.
                out += "  local typed=\"${(j: :)${(@)words[2,CURRENT-1]:#-*}}\"\n  local -a next\n  case $typed in\n"
                for (typed, words) in CompletionModel.helpWords {
                    out += "    \"\(typed)\") next=(\(words.joined(separator: " "))) ;;\n"
                }
                out += "  esac\n  _describe -t commands 'closeup command' next\n}\n\n"
            } else if let command = CommandTable.command(node.path) {
                // Global flags given before the command path are not in this function's words
                // (the dispatch shifted them away): leave those out here too.
                out += "  local -a globals=(\"${_closeup_global_flags[@]}\")\n  local given\n"
                out += "  for given in ${_closeup_given%%=*}; do\n"
                out += "    globals=(${globals:#(\\(*\\)|)${given}(=|)\\[*})\n"
                // -q given: --quiet goes too (its exclusion group names -q).
                out += "    globals=(${globals:#\\((|* )${given}( *|)\\)*})\n  done\n"
                out += "  _arguments -s -S \\\n    \"${globals[@]}\" \\\n\(flags)"
                for (index, argument) in command.arguments.enumerated() {
                    let words = CompletionModel.argumentWords(command, index).map { "(\($0.joined(separator: " ")))" } ?? " "
                    let position = argument.variadic ? "*" : (argument.optional ? "::" : ":")
                    let label = escape(argument.name.lowercased())
                    out += argument.variadic
                        ? "    '*:\(label):\(words)' \\\n" : "    '\(position)\(label):\(words)' \\\n"
                }
                out += "    && return 0\n}\n\n"
            } else {
                out += "  local curcontext=\"$curcontext\" state line\n  typeset -A opt_args\n"
                // The flags typed so far, seen by the functions this one dispatches to.
                if node.path.isEmpty { out += "  local -a _closeup_given=(${(M)words:#-*})\n" }
                out += "  _arguments -C \\\n    \"${_closeup_global_flags[@]}\" \\\n"
                out += "    '1: :->subcommand' \\\n    '*:: :->rest' && return 0\n"
                out += "  case $state in\n    subcommand)\n      local -a subcommands\n      subcommands=(\n"
                for child in node.children { out += "        '\(child.word):\(escape(child.summary))'\n" }
                out += "      )\n      _describe -t commands 'closeup command' subcommands ;;\n    rest)\n      case $line[1] in\n"
                for child in node.children { out += "        \(child.word)) \(functionName(node.path + [child.word])) ;;\n" }
                out += "      esac ;;\n  esac\n}\n\n"
            }
        }
        out += "_closeup \"$@\"\n"
        return out
    }

    private static func functionName(_ path: [String]) -> String {
        (["_closeup"] + path.map { $0.replacingAll("-", with: "_") }).joined(separator: "_")
    }

    /// One `_arguments` spec: '(-h --help)'{-h,--help}'[summary]', '--store=[summary]:STORE:(a b)'.
    private static func spec(_ flag: FlagSpec) -> String {
        let summary = "[\(escape(flag.summary))]"
        var value = ""
        if let placeholder = flag.value {
            let action = !flag.choices.isEmpty ? "(\(flag.choices.joined(separator: " ")))" : flag.kind == .path ? "_files" : " "
            value = ":\(escape(placeholder.lowercased())):\(action)"
        }
        let equals = flag.value == nil ? "" : "="
        let repeatable = flag.repeatable ? "*" : ""  // offered again after it was given
        guard let short = flag.short else { return "'\(repeatable)--\(flag.long)\(equals)\(summary)\(value)'" }
        return "'(-\(short) --\(flag.long))'{-\(short),--\(flag.long)\(equals)}'\(summary)\(value)'"
    }

    /// Text inside single quotes of an _arguments spec: quotes, brackets and colons escaped.
    private static func escape(_ text: String) -> String {
        text.replacingAll("'", with: "'\\''").replacingAll("[", with: "\\[").replacingAll("]", with: "\\]")
            .replacingAll(":", with: "\\:")
    }
}
