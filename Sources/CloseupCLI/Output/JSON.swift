// A small JSON value that keeps key order, so --json output is stable and
// reads in the same order as the human output.

public indirect enum JSON: Equatable, Sendable {
    case object([(String, JSON)])
    case array([JSON])
    case string(String)
    case integer(Int64)
    case number(Double)
    case bool(Bool)
    case null

    public static func == (lhs: JSON, rhs: JSON) -> Bool { lhs.serialized == rhs.serialized }

    /// Compact, one line: one result per line for JSON Lines.
    public var serialized: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .object(let fields):
            out.append("{")
            for (offset, (key, value)) in fields.enumerated() {
                if offset > 0 { out.append(",") }
                JSON.quote(key, into: &out)
                out.append(":")
                value.write(to: &out)
            }
            out.append("}")
        case .array(let items):
            out.append("[")
            for (offset, item) in items.enumerated() {
                if offset > 0 { out.append(",") }
                item.write(to: &out)
            }
            out.append("]")
        case .string(let text): JSON.quote(text, into: &out)
        case .integer(let value): out.append(String(value))
        case .number(let value): out.append(value.isFinite ? String(value) : "null")
        case .bool(let value): out.append(value ? "true" : "false")
        case .null: out.append("null")
        }
    }

    private static func quote(_ text: String, into out: inout String) {
        out.append("\"")
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out.append("\"")
    }
}

extension JSON {
    /// `.null` for nil, else the value.
    static func optional(_ text: String?) -> JSON { text.map(JSON.string) ?? .null }
}
