/// Byte-level recognisers shared by the block and inline parsers; each looks at `b[i..<end]`.
enum Scan {
    @inline(__always) static func isSpaceOrTab(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
    @inline(__always) static func isLineEnd(_ c: UInt8) -> Bool { c == 0x0A || c == 0x0D }
    @inline(__always) static func isWhitespace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0B || c == 0x0C
    }
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    @inline(__always) static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
    @inline(__always) static func isAlnum(_ c: UInt8) -> Bool { isLetter(c) || isDigit(c) }
    @inline(__always) static func isHexDigit(_ c: UInt8) -> Bool {
        isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66)
    }
    static func isASCIIPunctuation(_ c: UInt8) -> Bool {
        (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E)
    }

    /// Whether `b[i..<end]` starts with `word`, ASCII case-insensitively (`word` is lowercase).
    static func hasPrefix(_ b: [UInt8], _ i: Int, _ end: Int, _ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard i + n <= end else { return false }
        let p = word.utf8Start
        for k in 0..<n {
            let c = b[i + k]
            let w = p[k]
            if c != w && !(isLetter(c) && (c | 0x20) == w) { return false }
        }
        return true
    }

    /// Whether the rest of the line holds only spaces and tabs.
    static func isBlankRest(_ b: [UInt8], _ i: Int, _ end: Int) -> Bool {
        var j = i
        while j < end {
            if !isSpaceOrTab(b[j]) { return false }
            j += 1
        }
        return true
    }

    /// `***`, `---` or `___` (three or more, spaces and tabs between) on a line by itself.
    static func thematicBreak(_ b: [UInt8], _ i: Int, _ end: Int) -> Bool {
        guard i < end else { return false }
        let c = b[i]
        guard c == 0x2A || c == 0x2D || c == 0x5F else { return false }
        var count = 0
        var j = i
        while j < end {
            if b[j] == c { count += 1 } else if !isSpaceOrTab(b[j]) { return false }
            j += 1
        }
        return count >= 3
    }

    /// Where an ATX heading's text in `b[start..<end]` ends: before trailing spaces and tabs, and
    /// before a closing sequence of `#`s (the whole text, or after a space or tab) and the spaces
    /// before it.
    static func headingTextEnd(_ b: [UInt8], _ start: Int, _ end: Int) -> Int {
        var e = end
        while e > start, isSpaceOrTab(b[e - 1]) { e -= 1 }
        var h = e
        while h > start, b[h - 1] == 0x23 { h -= 1 }
        if h < e, h == start || isSpaceOrTab(b[h - 1]) {
            e = h
            while e > start, isSpaceOrTab(b[e - 1]) { e -= 1 }
        }
        return e
    }

    /// An ATX heading opener: returns (level, bytes consumed including one following space) or nil.
    static func atxHeading(_ b: [UInt8], _ i: Int, _ end: Int) -> (Int, Int)? {
        var j = i
        while j < end, b[j] == 0x23, j - i < 7 { j += 1 }
        let level = j - i
        guard level >= 1, level <= 6 else { return nil }
        if j == end { return (level, j - i) }
        guard isSpaceOrTab(b[j]) else { return nil }
        return (level, j - i + 1)
    }

    /// A list item's marker.
    struct ListMarker {
        var length: Int
        var ordered: Bool
        var bullet: UInt8
        var delimiter: UInt8
        var start: Int
    }

    /// A list marker at `i`: `-`, `+` or `*`, or one to nine digits then `.` or `)`, followed by a
    /// space, a tab or the line's end (`end`). Whether it may interrupt a paragraph is the block
    /// parser's to decide.
    static func listMarker(_ b: [UInt8], _ i: Int, _ end: Int) -> ListMarker? {
        @inline(__always) func peek(_ k: Int) -> UInt8 { k < end ? b[k] : 0x0A }
        let c = peek(i)
        if c == 0x2A || c == 0x2D || c == 0x2B {
            let d = peek(i + 1)
            guard isSpaceOrTab(d) || isLineEnd(d) else { return nil }
            return ListMarker(length: 1, ordered: false, bullet: c, delimiter: 0, start: 0)
        }
        guard isDigit(c) else { return nil }
        var j = i
        var start = 0
        while j < end, isDigit(b[j]), j - i < 10 {
            start = start * 10 + Int(b[j] - 0x30)
            j += 1
        }
        guard j - i <= 9 else { return nil }
        let delimiter = peek(j)
        guard delimiter == 0x2E || delimiter == 0x29 else { return nil }
        let d = peek(j + 1)
        guard isSpaceOrTab(d) || isLineEnd(d) else { return nil }
        return ListMarker(length: j + 1 - i, ordered: true, bullet: 0, delimiter: delimiter, start: start)
    }

    /// A setext underline: 1 for `=`, 2 for `-`, or 0.
    static func setextUnderline(_ b: [UInt8], _ i: Int, _ end: Int) -> Int {
        guard i < end, b[i] == 0x3D || b[i] == 0x2D else { return 0 }
        let c = b[i]
        var j = i
        while j < end, b[j] == c { j += 1 }
        guard isBlankRest(b, j, end) else { return 0 }
        return c == 0x3D ? 1 : 2
    }

    /// A code fence opener: (character, length) or nil.
    static func openingFence(_ b: [UInt8], _ i: Int, _ end: Int) -> (UInt8, Int)? {
        guard i < end, b[i] == 0x60 || b[i] == 0x7E else { return nil }
        let c = b[i]
        var j = i
        while j < end, b[j] == c { j += 1 }
        guard j - i >= 3 else { return nil }
        if c == 0x60 {
            var k = j
            while k < end {
                if b[k] == 0x60 { return nil }
                k += 1
            }
        }
        return (c, j - i)
    }

    /// A closing fence of at least `length` `c`s followed only by spaces and tabs.
    static func closingFence(_ b: [UInt8], _ i: Int, _ end: Int, _ c: UInt8, _ length: Int) -> Bool {
        var j = i
        while j < end, b[j] == c { j += 1 }
        return j - i >= length && isBlankRest(b, j, end)
    }

    private static let blockTagNames: Set<String> = [
        "address", "article", "aside", "base", "basefont", "blockquote", "body", "caption", "center", "col",
        "colgroup", "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure",
        "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hr",
        "html", "iframe", "legend", "li", "link", "main", "menu", "menuitem", "nav", "noframes", "ol",
        "optgroup", "option", "p", "param", "search", "section", "summary", "table", "tbody", "td", "tfoot",
        "th", "thead", "title", "tr", "track", "ul",
    ]

    /// The HTML block start condition (1–7) the line begins with, or 0.
    static func htmlBlockStart(_ b: [UInt8], _ i: Int, _ end: Int, canInterruptParagraph: Bool) -> Int {
        guard i + 1 < end, b[i] == 0x3C else { return 0 }
        for tag in ["script", "pre", "style", "textarea"] as [StaticString] where hasPrefix(b, i + 1, end, tag) {
            let j = i + 1 + tag.utf8CodeUnitCount
            if j == end || isSpaceOrTab(b[j]) || b[j] == 0x3E { return 1 }
        }
        if hasPrefix(b, i, end, "<!--") { return 2 }
        if b[i + 1] == 0x3F { return 3 }
        if b[i + 1] == 0x21, i + 2 < end, isLetter(b[i + 2]) { return 4 }
        if hasPrefix(b, i, end, "<![CDATA[") { return 5 }
        var j = i + 1
        if j < end, b[j] == 0x2F { j += 1 }
        let nameStart = j
        while j < end, isAlnum(b[j]) { j += 1 }
        if j > nameStart {
            let name = String(decoding: b[nameStart..<j], as: UTF8.self).lowercased()
            if blockTagNames.contains(name) {
                if j == end || isSpaceOrTab(b[j]) || b[j] == 0x3E || (b[j] == 0x2F && j + 1 < end && b[j + 1] == 0x3E) {
                    return 6
                }
            }
        }
        if canInterruptParagraph { return 0 }
        var k = i
        if let n = openTag(b, i, end) ?? closingTag(b, i, end) {
            k = i + n
            let lowerName = String(decoding: b[(b[i + 1] == 0x2F ? i + 2 : i + 1)..<min(end, i + 12)], as: UTF8.self)
                .lowercased()
            for t in ["script", "style", "pre", "textarea"] where lowerName.hasPrefix(t) {
                let after = lowerName.utf8.dropFirst(t.utf8.count).first
                if after == nil || !(isAlnum(after!) || after! == 0x2D) { return 0 }
            }
            if isBlankRest(b, k, end) { return 7 }
        }
        return 0
    }

    /// Whether a line satisfies the end condition of HTML block types 1–5.
    static func htmlBlockEnds(_ type: Int, _ b: [UInt8], _ i: Int, _ end: Int) -> Bool {
        switch type {
        case 1:
            var j = i
            while j + 1 < end {
                if b[j] == 0x3C, b[j + 1] == 0x2F {
                    for tag in ["script>", "pre>", "style>", "textarea>"] as [StaticString]
                    where hasPrefix(b, j + 2, end, tag) {
                        return true
                    }
                }
                j += 1
            }
            return false
        case 2: return find(b, i, end, Array("-->".utf8)) != nil
        case 3: return find(b, i, end, Array("?>".utf8)) != nil
        case 4: return find(b, i, end, [0x3E]) != nil
        case 5: return find(b, i, end, Array("]]>".utf8)) != nil
        default: return false
        }
    }

    /// The offset of `needle` in `b[i..<end]`.
    static func find(_ b: [UInt8], _ i: Int, _ end: Int, _ needle: [UInt8]) -> Int? {
        guard !needle.isEmpty else { return i }
        var j = i
        let first = needle[0]
        while j + needle.count <= end {
            if b[j] == first {
                var k = 1
                while k < needle.count, b[j + k] == needle[k] { k += 1 }
                if k == needle.count { return j }
            }
            j += 1
        }
        return nil
    }

    @inline(__always) private static func skipSpace(_ b: [UInt8], _ j: inout Int, _ end: Int) -> Bool {
        let start = j
        while j < end, isWhitespace(b[j]) { j += 1 }
        return j > start
    }

    /// An HTML open tag at `i`: its length, or nil.
    static func openTag(_ b: [UInt8], _ i: Int, _ end: Int) -> Int? {
        guard i + 1 < end, b[i] == 0x3C, isLetter(b[i + 1]) else { return nil }
        var j = i + 2
        while j < end, isAlnum(b[j]) || b[j] == 0x2D { j += 1 }
        while true {
            let spaced = skipSpace(b, &j, end)
            guard j < end else { return nil }
            if b[j] == 0x3E { return j + 1 - i }
            if b[j] == 0x2F { return j + 1 < end && b[j + 1] == 0x3E ? j + 2 - i : nil }
            guard spaced else { return nil }
            let c = b[j]
            guard isLetter(c) || c == 0x5F || c == 0x3A else { return nil }
            j += 1
            while j < end, isAlnum(b[j]) || b[j] == 0x5F || b[j] == 0x2E || b[j] == 0x3A || b[j] == 0x2D { j += 1 }
            var k = j
            _ = skipSpace(b, &k, end)
            if k < end, b[k] == 0x3D {
                k += 1
                _ = skipSpace(b, &k, end)
                guard k < end else { return nil }
                let q = b[k]
                if q == 0x22 || q == 0x27 {
                    k += 1
                    while k < end, b[k] != q { k += 1 }
                    guard k < end else { return nil }
                    k += 1
                } else {
                    let s = k
                    while k < end {
                        let d = b[k]
                        if isWhitespace(d) || d == 0x22 || d == 0x27 || d == 0x3D || d == 0x3C || d == 0x3E || d == 0x60
                        {
                            break
                        }
                        k += 1
                    }
                    guard k > s else { return nil }
                }
                j = k
            }
        }
    }

    /// An HTML closing tag at `i`: its length, or nil.
    static func closingTag(_ b: [UInt8], _ i: Int, _ end: Int) -> Int? {
        guard i + 2 < end, b[i] == 0x3C, b[i + 1] == 0x2F, isLetter(b[i + 2]) else { return nil }
        var j = i + 3
        while j < end, isAlnum(b[j]) || b[j] == 0x2D { j += 1 }
        _ = skipSpace(b, &j, end)
        guard j < end, b[j] == 0x3E else { return nil }
        return j + 1 - i
    }
}
