// The closeup executable: everything lives in CloseupCLI and CloseupKit.
import CloseupCLI
import Glibc

var environment: [String: String] = [:]
var entry = environ
while let pair = entry.pointee {
    let text = String(cString: pair)
    if let equals = text.firstIndex(of: "=") {
        environment[String(text[..<equals])] = String(text[text.index(after: equals)...])
    }
    entry += 1
}
exit(Runner.run(Array(CommandLine.arguments.dropFirst()), environment: environment))
