// What a handler gets: its arguments, the store, and where to write.
import CloseupKit

/// One run's command line, settings, store and output.
struct CommandContext {
    var arguments: ParsedArguments
    var settings: Settings
    var store: Store
    var terminal: Terminal
    var json: Bool
    var environment: [String: String] = [:]
    /// Targets the command adds to its audit record (see AuditTrail).
    let audit = AuditTrail()
}
