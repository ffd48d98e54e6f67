// completions SHELL: print the script generated from the table. Answered
// before settings are read, so it works whatever the configuration.
import CloseupKit

enum CompletionsCommand {
    static func run(_ arguments: ParsedArguments, _ terminal: Terminal) -> ExitStatus {
        switch arguments.positionals[0] {
        case "bash": terminal.write(BashCompletion.render())
        case "zsh": terminal.write(ZshCompletion.render())
        default: terminal.write(FishCompletion.render())
        }
        return .success
    }
}
