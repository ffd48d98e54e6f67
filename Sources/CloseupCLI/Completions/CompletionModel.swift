// What the three completion generators share: the command tree seen as
// "where am I, and what can come next", derived from the table.

enum CompletionModel {
    /// Every path ("", "otp", "otp send"…) with the words that may follow it.
    static var nodes: [(path: [String], children: [(word: String, summary: String)])] {
        CommandTable.allPaths.map { path in
            (path, CommandTable.nextWords(after: path).map { ($0, CommandTable.summary(path + [$0])) })
        }
    }

    /// Flags available at `path`: the globals, plus the command's own at a leaf.
    static func flags(at path: [String]) -> [FlagSpec] {
        CommandTable.globalFlags + (CommandTable.command(path)?.flags ?? [])
    }

    /// Long names of every flag that takes a value anywhere, for skipping values while walking words.
    static var valueFlags: [String] {
        var names: [String] = []
        for flag in CommandTable.globalFlags + CommandTable.commands.flatMap(\.flags) where flag.value != nil {
            if !names.contains(flag.long) { names.append(flag.long) }
        }
        return names
    }

    /// For `help`: the words that may follow each command path typed after it ("" → the top-level
    /// commands and the connection topic, "otp" → its subcommands).
    static var helpWords: [(typed: String, words: [String])] {
        nodes.filter { CommandTable.command($0.path) == nil }.map { node in
            (node.path.joined(separator: " "),
             node.children.map(\.word) + (node.path.isEmpty ? [HelpRenderer.connectionTopic] : []))
        }
    }

    /// The words positional argument `index` of `command` completes with.
    static func argumentWords(_ command: CommandSpec, _ index: Int) -> [String]? {
        guard !command.arguments.isEmpty else { return nil }
        let argument = index < command.arguments.count
            ? command.arguments[index] : command.arguments.last!.variadic ? command.arguments.last! : nil
        guard let argument else { return nil }
        if argument.completesCommands { return CommandTable.nextWords(after: []) }
        return argument.choices.isEmpty ? nil : argument.choices
    }
}
