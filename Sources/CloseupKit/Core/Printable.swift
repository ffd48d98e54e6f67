// Text that came from storage (keys, values, record fields, another writer's
// bytes) made safe to print: control characters, C1 controls and bytes that
// are not UTF-8 become \xHH, and a backslash is doubled so an escape can never
// be faked. Nothing read from Redis or SQLite can move the cursor, retitle the
// terminal or pass for another key (SPEC §4).

public enum Printable {
    /// Bytes as text for a message: control characters and bytes that are not UTF-8 as \xHH,
    /// so no key can move the cursor or pass for another.
    public static func escape(_ bytes: [UInt8]) -> String {
        var out = ""
        var index = 0
        while index < bytes.count {
            // Each valid UTF-8 sequence stays as it is; anything else is escaped byte by byte.
            let length = bytes[index] < 0x80 ? 1 : bytes[index] >> 5 == 0b110 ? 2 : bytes[index] >> 4 == 0b1110 ? 3
                : bytes[index] >> 3 == 0b11110 ? 4 : 0
            if length > 1, index + length <= bytes.count,
                let scalar = String(validating: bytes[index..<index + length], as: UTF8.self)?.unicodeScalars.first,
                !(0x80...0x9F).contains(scalar.value)
            {
                out.unicodeScalars.append(scalar)
                index += length
                continue
            }
            let byte = bytes[index]
            if length == 1, byte >= 0x20, byte != 0x7F, byte != UInt8(ascii: "\\") {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else if byte == UInt8(ascii: "\\") {
                out += "\\\\"
            } else {
                out += "\\x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16)
            }
            index += 1
        }
        return out
    }

    /// The same for text.
    public static func escape(_ text: String) -> String { escape(Array(text.utf8)) }
}
