// Redis's glob (the MATCH of SCAN and KEYS): `*`, `?`, `[abc]`, `[^a]`,
// `[a-z]`, and `\` escaping the next character. Used where closeup filters keys
// itself (SQLite, and kinds on top of a server-side MATCH), so both agree.
// Every token but `*` matches exactly one byte, so a failed match only ever
// backtracks to the last `*`: time is at most pattern × text, where the
// recursive matcher Redis had before 7.0 (CVE-2022-36021) took exponential time
// on patterns like `*a*a*a*a*a*a*a*a*a*a*c`.

public enum Glob {
    /// True when `pattern` matches the whole of `text`, byte for byte as Redis's stringmatchlen does.
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        matches(Array(pattern.utf8), Array(text.utf8))
    }

    /// True when `pattern` matches the whole of `text` (both bytes).
    public static func matches(_ pattern: [UInt8], _ text: [UInt8]) -> Bool {
        var p = 0, t = 0
        // Where to resume after the last `*`: the pattern after it, and the next text byte it may swallow.
        var star: (pattern: Int, text: Int)?
        while t < text.count {
            if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
                star = (p, t)
                continue
            }
            if p < pattern.count, let next = token(pattern, at: p, matches: text[t]) {
                p = next
                t += 1
                continue
            }
            // The byte does not fit here: let the last `*` swallow one more, or fail.
            guard let resume = star else { return false }
            star = (resume.pattern, resume.text + 1)
            p = resume.pattern
            t = resume.text + 1
        }
        while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }

    /// Whether the one-byte token at `p` (`?`, a class, an escaped or a plain byte) matches
    /// `byte`; if so, where the next token starts. An unclosed `[` runs to the end, as in Redis.
    private static func token(_ pattern: [UInt8], at start: Int, matches byte: UInt8) -> Int? {
        var p = start
        switch pattern[p] {
        case UInt8(ascii: "?"):
            return p + 1
        case UInt8(ascii: "["):
            p += 1
            let negate = p < pattern.count && pattern[p] == UInt8(ascii: "^")
            if negate { p += 1 }
            var matched = false
            while p < pattern.count, pattern[p] != UInt8(ascii: "]") {
                if pattern[p] == UInt8(ascii: "\\"), p + 1 < pattern.count {
                    p += 1
                    if pattern[p] == byte { matched = true }
                } else if p + 2 < pattern.count, pattern[p + 1] == UInt8(ascii: "-") {
                    // As in Redis, `-` makes a range even when `]` follows it: `[?-]` is `?` to `]`.
                    let low = min(pattern[p], pattern[p + 2]), high = max(pattern[p], pattern[p + 2])
                    if (low...high).contains(byte) { matched = true }
                    p += 2
                } else if pattern[p] == byte {
                    matched = true
                }
                p += 1
            }
            guard matched != negate else { return nil }
            return min(p + 1, pattern.count)
        case UInt8(ascii: "\\") where p + 1 < pattern.count:
            return pattern[p + 1] == byte ? p + 2 : nil
        default:
            return pattern[p] == byte ? p + 1 : nil
        }
    }
}
