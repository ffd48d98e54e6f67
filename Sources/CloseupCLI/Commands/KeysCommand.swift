// keys scan: stream keys as SCAN finds them; guard --delete with a question
// on a terminal, or --yes in scripts.
import CloseupKit
import Glibc

enum KeysCommand {
    static func scan(_ context: CommandContext) throws(CloseupError) -> Int32 {
        let arguments = context.arguments
        var request = KeyScanRequest()
        request.kinds = Set(arguments.all("kind").compactMap(KeyKind.init))
        request.match = arguments.value("match")
        request.count = arguments.value("count").flatMap { Int($0) } ?? 1000
        request.limit = arguments.value("limit").flatMap { Int($0) }
        request.withTTL = arguments.has("ttl")
        request.noExpiryOnly = arguments.has("no-expiry")
        request.anyKey = arguments.has("any-key")
        let deleting = arguments.has("delete")
        if arguments.has("dry-run") && !deleting { throw .usage("--dry-run goes with --delete") }
        if arguments.has("yes") && !deleting { throw .usage("--yes goes with --delete") }
        let scanner = KeyScanner(store: context.store)
        let terminal = context.terminal

        var action = KeyScanAction.list
        if deleting {
            if arguments.has("dry-run") {
                action = .dryRun
            } else if arguments.has("yes") {
                action = .delete
            } else if isatty(STDIN_FILENO) == 1 {
                let count = try scanner.scan(request) { _ in true }.listed
                guard count > 0 else {
                    terminal.line("no keys to delete")
                    return 0
                }
                guard Confirm.ask("delete \(count) key\(count == 1 ? "" : "s")? [y/N] ") else {
                    terminal.error("nothing deleted")
                    return 1
                }
                action = .delete
            } else {
                throw .usage("refusing to delete without --yes when stdin is not a terminal; nothing was deleted")
            }
        }

        let separator = arguments.has("null") ? "\u{0}" : "\n"
        let summary = try scanner.scan(request, action: action) { key in
            // A key gone before its UNLINK (another client deleted it) was not deleted by us: a
            // human list of deleted keys leaves it out, a JSON line says so.
            if key.deleted == false, !context.json { return !terminal.isClosed }
            terminal.write(
                render(key, json: context.json, action: action, withTTL: request.withTTL, store: context.store.served)
                    + separator)
            terminal.flush()  // stream as SCAN goes, so a pipe sees keys at once
            return !terminal.isClosed
        }
        // The listing stays a plain key list (the fallback warning says where it came from); the
        // summary of a delete says it too.
        func keys(_ count: Int) -> String { "\(count) key\(count == 1 ? "" : "s")" }
        let origin = context.marksSQLite(context.store.served) ? " (from SQLite)" : ""
        switch action {
        case .list: break
        case .dryRun: terminal.note("would delete \(keys(summary.listed)) (dry run)\(origin)")
        case .delete: terminal.note("deleted \(keys(summary.deleted))\(origin)")
        }
        return 0
    }

    static func render(
        _ key: ScannedKey, json: Bool, action: KeyScanAction, withTTL: Bool, store: StoreSource?
    ) -> String {
        if json {
            var fields: [(String, JSON)] = [("key", .string(key.key)), ("kind", .optional(key.kind?.rawValue))]
            if let lifetime = key.lifetime {
                switch lifetime {
                case .seconds(let seconds): fields.append(("ttl_seconds", .integer(seconds)))
                case .noExpiry, .gone: fields.append(("ttl_seconds", .null))
                }
                fields.append(("expires", .bool(lifetime != .noExpiry)))
            }
            switch action {
            case .list: break
            case .dryRun: fields.append(("would_delete", .bool(true)))
            case .delete: fields.append(("deleted", .bool(key.deleted ?? false)))
            }
            fields.append(("store", .optional(store?.rawValue)))
            return JSON.object(fields).serialized
        }
        let text = printable(key.key)
        guard withTTL, let lifetime = key.lifetime else { return text }
        switch lifetime {
        case .seconds(let seconds): return "\(text)\t\(seconds)"
        case .noExpiry: return "\(text)\t-1"
        case .gone: return "\(text)\t-2"
        }
    }

    /// A key as one line: control characters shown as \xHH (keys are binary-safe, lines are not).
    static func printable(_ key: String) -> String {
        guard key.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return key }
        var out = ""
        for scalar in key.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// A yes/no question on the terminal.
enum Confirm {
    static func ask(_ question: String) -> Bool {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        _ = question.withCString { write(fd, $0, strlen($0)) }
        var answer: [UInt8] = []
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1, byte != UInt8(ascii: "\n") { answer.append(byte) }
        let text = String(decoding: answer, as: UTF8.self).lowercased()
        return text == "y" || text == "yes"
    }
}
