// keys scan: stream keys as SCAN finds them; guard --delete with a question
// on a terminal, or --yes in scripts.
import CloseupKit
import Glibc

enum KeysCommand {
    static func scan(_ context: CommandContext) throws(CloseupError) -> ExitStatus {
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
                let counted = try scanner.scan(request, action: .dryRun) { _ in true }
                let count = counted.listed - counted.leftAlone
                // The audit counts keys deleted, here none.
                context.audit.setCount(0)
                guard count > 0 else { return context.render(.summary("no keys to delete")) }
                guard Confirm.ask("delete \(count) key\(count == 1 ? "" : "s")? [y/N] ") else {
                    return context.render(
                        CommandResult(fields: [(.deleted, .bool(false))], text: "nothing deleted", outcome: .negative(.declined)))
                }
                action = .delete
            } else {
                throw .usage("refusing to delete without --yes when stdin is not a terminal; nothing was deleted")
            }
        }

        // -0 is for xargs -0 and the like: each key exactly as stored, then a NUL.
        let raw = arguments.has("null")
        // A person watching sees each key as it comes; a pipe or file gets one write per SCAN batch
        // (or 64 KiB), not one per key.
        let watched = isatty(STDOUT_FILENO) == 1
        let done = switch action {
        case .list: "listed"
        case .dryRun: "would delete"
        case .delete: "deleted"
        }
        // A listing ends quietly when its reader goes away (| head); a delete goes on deleting,
        // as a bulk clear does: the deleting was asked for, the listing only shows it. Any other
        // failed write (a full disk) stops both.
        var stopped: Bool {
            guard let failure = terminal.writeFailure else { return false }
            return action != .delete || failure != .readerGone
        }
        terminal.beginProgress(stdoutQuiet: false)
        defer { terminal.endProgress() }
        // Ctrl-C (SIGTERM, SIGHUP) ends the scan at the end of a batch: a delete still lists and
        // counts every key it removed, and the progress line is erased; then the run ends by it.
        Interruption.hold()
        let summary = try scanner.scan(request, action: action, found: { key in
            // A key gone before its UNLINK (another client deleted it) was not deleted by us: a
            // human list of deleted keys leaves it out, a JSON line says so.
            if key.deleted == false || key.leftAlone, !context.json { return !stopped }
            render(key, to: terminal, json: context.json, raw: raw, action: action, withTTL: request.withTTL,
                   store: context.store.served)
            if watched { terminal.flush() }
            return !stopped
        }, endOfBatch: { summary in
            terminal.flush()
            terminal.progress { seconds in
                let count =
                    switch action {
                    case .list: summary.listed
                    case .dryRun: summary.listed - summary.leftAlone
                    case .delete: summary.deleted
                    }
                return "scanned \(ProgressLine.grouped(summary.scanned)) keys, \(done) \(ProgressLine.grouped(count))"
                    + " (\(ProgressLine.rate(summary.scanned, seconds)))"
            }
            // Output that cannot be written stops the scan (a delete too: what it removed is told).
            return !stopped && Interruption.caught == nil
        })
        terminal.endProgress()
        // The listing stays a plain key list (the fallback warning says where it came from); the
        // summary of a delete says it too.
        func keys(_ count: Int) -> String { "\(count) key\(count == 1 ? "" : "s")" }
        let origin = context.marksSQLite(context.store.served) ? " (from SQLite)" : ""
        let alone = summary.leftAlone > 0 ? "; \(keys(summary.leftAlone)) not of closeup's shape left alone" : ""
        switch action {
        case .list: break
        case .dryRun:
            terminal.note("would delete \(keys(summary.listed - summary.leftAlone)) (dry run)\(origin)\(alone)")
        case .delete:
            terminal.note("deleted \(keys(summary.deleted))\(origin)\(alone)")
            context.audit.setCount(summary.deleted)
        }
        return Interruption.caught.map(ExitStatus.signal) ?? .success
    }

    /// One key as its line: JSON (a key that is not UTF-8 in base64, and said so), the raw
    /// bytes and a NUL for -0, or escaped text (control characters and bytes that are not UTF-8
    /// as \xHH). Written straight into the output buffer: nothing is made per key but the line.
    /// The one result not rendered by `CommandContext.render`: millions of keys a second leave
    /// no room for a value per key, and a key line is neither negative nor marked.
    static func render(
        _ key: ScannedKey, to terminal: Terminal, json: Bool, raw: Bool, action: KeyScanAction, withTTL: Bool,
        store: StoreSource?
    ) {
        if json {
            var fields: Fields =
                if let text = key.text {
                    [(.key, .string(text)), (.keyEncoding, .string("utf-8"))]
                } else {
                    [(.key, .string(JSON.base64(key.bytes))), (.keyEncoding, .string("base64"))]
                }
            fields.append((.kind, .optional(key.kind?.rawValue)))
            if let lifetime = key.lifetime {
                switch lifetime {
                case .seconds(let seconds): fields.append((.ttlSeconds, .integer(seconds)))
                case .noExpiry, .gone: fields.append((.ttlSeconds, .null))
                }
                fields.append((.expires, .bool(lifetime != .noExpiry)))
            }
            switch action {
            case .list: break
            case .dryRun: fields.append((.wouldDelete, .bool(!key.leftAlone)))
            case .delete: fields.append((.deleted, .bool(key.deleted ?? false)))
            }
            fields.append((.store, .optional(store?.rawValue)))
            terminal.write(JSON.fields(fields).serialized + (raw ? "\u{0}" : "\n"))
            return
        }
        if raw { terminal.write(bytes: key.bytes) } else { terminal.write(escaping: key.bytes) }
        if withTTL, let lifetime = key.lifetime {
            switch lifetime {
            case .seconds(let seconds): terminal.write("\t\(seconds)")
            case .noExpiry: terminal.write("\t-1")
            case .gone: terminal.write("\t-2")
            }
        }
        terminal.write(raw ? "\u{0}" : "\n")
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
