// Stored text made printable, and bytes carried in JSON: the escapes a terminal
// sees and the base64 a script decodes.
import Testing

@testable import CloseupKit

struct PrintableTests {
    @Test(arguments: [
        (Array("otp:u1".utf8), "otp:u1"),
        ([0x6F, 0xFF], "o\\xff"),  // not UTF-8
        (Array("a\u{1b}]0;x\u{07}".utf8), "a\\x1b]0;x\\x07"),  // control characters
        (Array("tab\there".utf8), "tab\\x09here"),
        (Array("back\\slash".utf8), "back\\\\slash"),  // a backslash is doubled, so no escape can be faked
        (Array("café".utf8), "café"),  // valid UTF-8 stays
        ([0xC2, 0x9B, 0x41], "\\xc2\\x9bA"),  // C1 control (CSI) in UTF-8
        ([0xE2, 0x82], "\\xe2\\x82"),  // cut short
        (Array("\u{7F}".utf8), "\\x7f"),
    ])
    func escapesWhatCouldDriveATerminal(bytes: [UInt8], shown: String) {
        #expect(Printable.escape(bytes) == shown)
    }

    /// Diagnostics quote values from anywhere beside text `escape` already made safe: controls
    /// are neutralised, backslashes left alone (an escaped key stays readable).
    @Test(arguments: [
        ("port '6379\r'", "port '6379\\x0d'"),
        ("a\u{1b}]0;owned\u{07}\u{1b}[2J", "a\\x1b]0;owned\\x07\\x1b[2J"),
        ("key 'otp:\\xff'", "key 'otp:\\xff'"),
        ("two\nlines", "two\\x0alines"),
        ("tab\tstays", "tab\tstays"),
        ("c1 \u{9b}2J and \u{7f}", "c1 \\x9b2J and \\x7f"),
        ("café ✓", "café ✓"),
    ])
    func diagnosticsCannotDriveATerminal(message: String, shown: String) {
        #expect(Printable.neutralizingControls(message) == shown)
    }

    @Test func jsonEscapesEveryControlCharacter() {
        #expect(JSON.string("a\u{1b}b\u{7f}c\u{9b}d\u{a0}").serialized == #""a\u001bb\u007fc\u009bd\#u{a0}""#)
    }

    @Test(arguments: [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")])
    func base64IsRFC4648(text: String, encoded: String) {
        #expect(JSON.base64(Array(text.utf8)) == encoded)
    }
}
