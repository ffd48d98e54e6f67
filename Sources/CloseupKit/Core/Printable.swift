// Text that came from storage (keys, values, record fields, another writer's
// bytes) made safe to print: control characters, C1 controls and bytes that
// are not UTF-8 become \xHH, and a backslash is doubled so an escape can never
// be faked. Nothing read from Redis or SQLite can move the cursor, retitle the
// terminal or pass for another key (SPEC §4). Byte by byte, without building a
// String per character: a key listing runs this for every key.

public enum Printable {
    /// `bytes` as text, escaped.
    public static func escape(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        escape(bytes, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The same for text.
    public static func escape(_ text: String) -> String { escape(Array(text.utf8)) }

    /// Appends `bytes`, escaped, to `out` (UTF-8).
    public static func escape(_ bytes: [UInt8], into out: inout [UInt8]) {
        // Most keys are plain printable ASCII: copied whole.
        if !bytes.contains(where: { $0 < 0x20 || $0 >= 0x7F || $0 == UInt8(ascii: "\\") }) {
            out.append(contentsOf: bytes)
            return
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") {
                out.append(byte)
                index += 1
                continue
            }
            if byte == UInt8(ascii: "\\") {
                out.append(contentsOf: [byte, byte])
                index += 1
                continue
            }
            // A whole, valid sequence of 2 to 4 bytes stays, unless it is a C1 control (U+0080–U+009F).
            let length = byte >> 5 == 0b110 ? 2 : byte >> 4 == 0b1110 ? 3 : byte >> 3 == 0b11110 ? 4 : 0
            if length > 1, index + length <= bytes.count, isValid(bytes[index..<index + length]),
                !(byte == 0xC2 && bytes[index + 1] < 0xA0)
            {
                out.append(contentsOf: bytes[index..<index + length])
                index += length
                continue
            }
            let digits = Array("0123456789abcdef".utf8)
            out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "x"), digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
            index += 1
        }
    }

    /// A diagnostic made safe for a terminal: control characters (C0 but tab, DEL, C1) become
    /// \xHH, and nothing else changes. For messages on stderr, which may quote a value from
    /// anywhere (an environment variable, a flag, a delivery command's stderr) next to text
    /// already escaped by `escape`, so backslashes are left alone.
    public static func neutralizingControls(_ text: String) -> String {
        func isControl(_ scalar: Unicode.Scalar) -> Bool {
            (scalar.value < 0x20 && scalar != "\t") || (0x7F...0x9F).contains(scalar.value)
        }
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard isControl(scalar) else {
                out.append(scalar)
                continue
            }
            let hex = String(scalar.value, radix: 16)
            out.append(contentsOf: ("\\x" + (hex.count == 1 ? "0" : "") + hex).unicodeScalars)
        }
        return String(out)
    }

    /// A multi-byte UTF-8 sequence that decodes to one scalar (no overlong form, no surrogate).
    private static func isValid(_ sequence: ArraySlice<UInt8>) -> Bool {
        String(validating: sequence, as: UTF8.self)?.unicodeScalars.count == 1
    }
}
