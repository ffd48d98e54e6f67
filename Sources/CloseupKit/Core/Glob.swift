// Redis's glob (the MATCH of SCAN and KEYS): `*`, `?`, `[abc]`, `[^a]`,
// `[a-z]`, and `\` escaping the next character. Used where closeup filters keys
// itself (SQLite, and kinds on top of a server-side MATCH), so both agree.

public enum Glob {
    /// True when `pattern` matches the whole of `text`, byte for byte as Redis's stringmatchlen does.
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        matches(Array(pattern.utf8)[...], Array(text.utf8)[...])
    }

    private static func matches(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>) -> Bool {
        var p = pattern.startIndex, t = text.startIndex
        while p < pattern.endIndex {
            switch pattern[p] {
            case UInt8(ascii: "*"):
                while p + 1 < pattern.endIndex, pattern[p + 1] == UInt8(ascii: "*") { p += 1 }
                if p + 1 == pattern.endIndex { return true }
                var start = t
                while start <= text.endIndex {
                    if matches(pattern[(p + 1)...], text[start...]) { return true }
                    start += 1
                }
                return false
            case UInt8(ascii: "?"):
                guard t < text.endIndex else { return false }
                t += 1
            case UInt8(ascii: "["):
                guard t < text.endIndex else { return false }
                p += 1
                let negate = p < pattern.endIndex && pattern[p] == UInt8(ascii: "^")
                if negate { p += 1 }
                var matched = false
                while p < pattern.endIndex, pattern[p] != UInt8(ascii: "]") {
                    if pattern[p] == UInt8(ascii: "\\"), p + 1 < pattern.endIndex {
                        p += 1
                        if pattern[p] == text[t] { matched = true }
                    } else if p + 2 < pattern.endIndex, pattern[p + 1] == UInt8(ascii: "-"), pattern[p + 2] != UInt8(ascii: "]") {
                        let low = min(pattern[p], pattern[p + 2]), high = max(pattern[p], pattern[p + 2])
                        if (low...high).contains(text[t]) { matched = true }
                        p += 2
                    } else if pattern[p] == text[t] {
                        matched = true
                    }
                    p += 1
                }
                if negate { matched.toggle() }
                guard matched else { return false }
                t += 1
                // An unclosed '[' ends the pattern, as in Redis.
                if p == pattern.endIndex { return t == text.endIndex }
            case UInt8(ascii: "\\") where p + 1 < pattern.endIndex:
                p += 1
                guard t < text.endIndex, pattern[p] == text[t] else { return false }
                t += 1
            default:
                guard t < text.endIndex, pattern[p] == text[t] else { return false }
                t += 1
            }
            p += 1
        }
        return t == text.endIndex
    }
}
