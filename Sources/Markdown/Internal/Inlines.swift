/// Helpers shared by the block and inline phases: escapes, entities, link parts, labels.
enum Inlines {
    /// A character reference at `i` (`&name;`, `&#123;`, `&#x1F;`): its UTF-8 bytes and length.
    static func entity(_ s: [UInt8], _ i: Int, _ n: Int) -> ([UInt8], Int)? {
        guard i + 2 < n, s[i] == 0x26 else { return nil }
        var j = i + 1
        if s[j] == 0x23 {
            j += 1
            var value: UInt32 = 0
            let digitsStart: Int
            if j < n, s[j] == 0x78 || s[j] == 0x58 {
                j += 1
                digitsStart = j
                while j < n, Scan.isHexDigit(s[j]), j - digitsStart < 6 {
                    let c = s[j]
                    let d: UInt32 = Scan.isDigit(c) ? UInt32(c - 0x30) : UInt32((c | 0x20) - 0x61 + 10)
                    value = value * 16 + d
                    j += 1
                }
            } else {
                digitsStart = j
                while j < n, Scan.isDigit(s[j]), j - digitsStart < 7 {
                    value = value * 10 + UInt32(s[j] - 0x30)
                    j += 1
                }
            }
            guard j > digitsStart, j < n, s[j] == 0x3B else { return nil }
            let scalar = (value == 0 ? nil : Unicode.Scalar(value)) ?? "\u{FFFD}"
            return (Array(String(Character(scalar)).utf8), j + 1 - i)
        }
        let nameStart = j
        while j < n, Scan.isAlnum(s[j]), j - nameStart <= EntityTable.longestName { j += 1 }
        guard j > nameStart, j < n, s[j] == 0x3B else { return nil }
        guard let bytes = EntityTable.map[String(decoding: s[nameStart..<j], as: UTF8.self)] else { return nil }
        return (bytes, j + 1 - i)
    }

    /// Backslash escapes and character references resolved (for destinations, titles, info strings).
    static func unescapeAndDecode(_ slice: ArraySlice<UInt8>) -> [UInt8] {
        // Most destinations and titles have nothing to resolve.
        if !slice.contains(where: { $0 == 0x5C || $0 == 0x26 }) { return Array(slice) }
        let s = Array(slice)
        let n = s.count
        var out: [UInt8] = []
        out.reserveCapacity(n)
        var i = 0
        while i < n {
            let c = s[i]
            if c == 0x5C, i + 1 < n, Scan.isASCIIPunctuation(s[i + 1]) {
                out.append(s[i + 1])
                i += 2
            } else if c == 0x26, let (bytes, length) = entity(s, i, n) {
                out.append(contentsOf: bytes)
                i += length
            } else {
                out.append(c)
                i += 1
            }
        }
        return out
    }

    // MARK: - Unicode classes for flanking rules

    static func scalar(before i: Int, in s: [UInt8]) -> Unicode.Scalar? {
        guard i > 0 else { return nil }
        var start = i - 1
        while start > 0, s[start] & 0xC0 == 0x80, i - start < 4 { start -= 1 }
        return decode(s, start, i)
    }

    static func scalar(at i: Int, in s: [UInt8]) -> Unicode.Scalar? {
        guard i < s.count else { return nil }
        let c = s[i]
        let length = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4
        return decode(s, i, min(i + length, s.count))
    }

    private static func decode(_ s: [UInt8], _ a: Int, _ b: Int) -> Unicode.Scalar? {
        if b - a == 1 { return Unicode.Scalar(s[a]) }
        var it = s[a..<b].makeIterator()
        var decoder = UTF8()
        if case .scalarValue(let v) = decoder.decode(&it) { return v }
        return "\u{FFFD}"
    }

    @inline(__always) static func isASCIIWhitespace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D
    }

    static func isUnicodeWhitespace(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x09, 0x0A, 0x0C, 0x0D, 0x20: return true
        case 0..<0x80: return false
        default: return u.properties.generalCategory == .spaceSeparator
        }
    }

    static func isUnicodePunctuation(_ u: Unicode.Scalar) -> Bool {
        if u.value < 0x80 { return Scan.isASCIIPunctuation(UInt8(u.value)) }
        switch u.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }

    // MARK: - Link parts

    static func skipSpaceAndNewlines(_ s: [UInt8], _ j: inout Int, _ n: Int) {
        while j < n, Scan.isSpaceOrTab(s[j]) || s[j] == 0x0A { j += 1 }
    }

    /// `s[a..<b]` with escapes and references resolved, as a string (without an intermediate array
    /// when there is nothing to resolve).
    static func decodedString(_ s: [UInt8], _ a: Int, _ b: Int) -> String {
        if a == b { return "" }
        let slice = s[a..<b]
        if !slice.contains(where: { $0 == 0x5C || $0 == 0x26 }) { return String(decoding: slice, as: UTF8.self) }
        return String(decoding: unescapeAndDecode(slice), as: UTF8.self)
    }

    /// A link destination at `j`: the decoded bytes and the end offset. A bare destination may be empty.
    static func linkDestination(_ s: [UInt8], _ j: Int, _ n: Int) -> ([UInt8], Int)? {
        guard let (a, b, end) = linkDestinationSpan(s, j, n) else { return nil }
        return (unescapeAndDecode(s[a..<b]), end)
    }

    /// A link destination at `j`: its raw content's bounds and the end offset.
    static func linkDestinationSpan(_ s: [UInt8], _ j: Int, _ n: Int) -> (Int, Int, Int)? {
        if j < n, s[j] == 0x3C {
            var k = j + 1
            while k < n {
                let c = s[k]
                if c == 0x3E { return (j + 1, k, k + 1) }
                if c == 0x0A || c == 0x3C { return nil }
                if c == 0x5C, k + 1 < n, Scan.isASCIIPunctuation(s[k + 1]) { k += 2 } else { k += 1 }
            }
            return nil
        }
        var k = j
        var depth = 0
        while k < n {
            let c = s[k]
            if c <= 0x20 || c == 0x7F { break }
            if c == 0x5C, k + 1 < n, Scan.isASCIIPunctuation(s[k + 1]) {
                k += 2
                continue
            }
            if c == 0x28 {
                depth += 1
                if depth > 32 { return nil }
            } else if c == 0x29 {
                if depth == 0 { break }
                depth -= 1
            }
            k += 1
        }
        guard depth == 0 else { return nil }
        return (j, k, k)
    }

    /// A link title at `k` (`"…"`, `'…'` or `(…)`): the decoded bytes and the end offset.
    static func linkTitle(_ s: [UInt8], _ k: Int, _ n: Int) -> ([UInt8], Int)? {
        guard let (a, b, end) = linkTitleSpan(s, k, n) else { return nil }
        return (unescapeAndDecode(s[a..<b]), end)
    }

    /// A link title at `k`: its raw content's bounds and the end offset.
    static func linkTitleSpan(_ s: [UInt8], _ k: Int, _ n: Int) -> (Int, Int, Int)? {
        guard k < n else { return nil }
        let open = s[k]
        let close: UInt8 = open == 0x28 ? 0x29 : open
        var j = k + 1
        while j < n {
            let c = s[j]
            if c == 0x5C, j + 1 < n, Scan.isASCIIPunctuation(s[j + 1]) {
                j += 2
                continue
            }
            if c == close { return (k + 1, j, j + 1) }
            if open == 0x28, c == 0x28 { return nil }
            j += 1
        }
        return nil
    }

    /// A link label `[…]` at `i`: its inner bytes and the end offset (after `]`).
    static func linkLabel(_ s: [UInt8], _ i: Int, _ n: Int) -> ([UInt8], Int)? {
        guard case .closed(let end) = scanLinkLabel(s, i, n) else { return nil }
        return (Array(s[(i + 1)..<(end - 1)]), end)
    }

    /// How a link label read from `i` (before `n`) ends.
    enum LabelEnd {
        /// After its `]`, at this offset.
        case closed(Int)
        /// It is none: no `[` at `i`, a `[` inside, blank, or over 999 characters.
        case invalid
        /// The text ends before the label does (more text may still close it).
        case open
    }

    static func scanLinkLabel(_ s: [UInt8], _ i: Int, _ n: Int) -> LabelEnd {
        guard i < n, s[i] == 0x5B else { return .invalid }
        var j = i + 1
        var nonBlank = false
        while j < n, j - i <= 1000 {
            let c = s[j]
            if c == 0x5C, j + 1 < n {
                nonBlank = true
                j += 2
                continue
            }
            if c == 0x5B { return .invalid }
            if c == 0x5D {
                guard j - i - 1 <= 999 else { return .invalid }
                if !nonBlank && j > i + 1 { return .invalid }
                return .closed(j + 1)
            }
            if !Scan.isWhitespace(c) { nonBlank = true }
            j += 1
        }
        return j - i > 1000 ? .invalid : .open
    }

    /// The matching key of a label: whitespace collapsed, case folded; nil if blank.
    static func normalizeLabel(_ label: [UInt8]) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(label.count)
        var pendingSpace = false
        for c in label {
            if Scan.isWhitespace(c) {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(0x20) }
                pendingSpace = false
                out.append(c)
            }
        }
        guard !out.isEmpty else { return nil }
        if out.allSatisfy({ $0 < 0x80 }) {
            for k in out.indices where out[k] >= 0x41 && out[k] <= 0x5A { out[k] |= 0x20 }
            return String(decoding: out, as: UTF8.self)
        }
        // Lowercasing, uppercasing and lowercasing again folds the special cases (ẞ, ß → SS) the way full case folding does.
        return String(decoding: out, as: UTF8.self).lowercased().uppercased().lowercased()
    }

    /// A link reference definition at `p` in paragraph text: key, definition, end offset.
    static func linkDefinition(_ c: [UInt8], _ p: Int) -> (String, LinkDefinition, Int)? {
        let n = c.count
        guard let (rawLabel, labelEnd) = linkLabel(c, p, n), labelEnd < n, c[labelEnd] == 0x3A,
            let key = normalizeLabel(rawLabel)
        else { return nil }
        var j = labelEnd + 1
        while j < n, Scan.isSpaceOrTab(c[j]) { j += 1 }
        if j < n, c[j] == 0x0A {
            j += 1
            while j < n, Scan.isSpaceOrTab(c[j]) { j += 1 }
        }
        guard j < n, let (dest, destEnd) = linkDestination(c, j, n) else { return nil }
        if c[j] != 0x3C, destEnd == j { return nil }
        let destination = String(decoding: dest, as: UTF8.self)
        // With a title.
        var k = destEnd
        while k < n, Scan.isSpaceOrTab(c[k]) { k += 1 }
        if k < n, c[k] == 0x0A {
            k += 1
            while k < n, Scan.isSpaceOrTab(c[k]) { k += 1 }
        }
        if k > destEnd, k < n, c[k] == 0x22 || c[k] == 0x27 || c[k] == 0x28, let (title, titleEnd) = linkTitle(c, k, n)
        {
            var e = titleEnd
            while e < n, Scan.isSpaceOrTab(c[e]) { e += 1 }
            if e >= n || c[e] == 0x0A {
                return (
                    key, LinkDefinition(destination: destination, title: String(decoding: title, as: UTF8.self)),
                    min(e + 1, n)
                )
            }
        }
        // Without.
        var e = destEnd
        while e < n, Scan.isSpaceOrTab(c[e]) { e += 1 }
        guard e >= n || c[e] == 0x0A else { return nil }
        return (key, LinkDefinition(destination: destination, title: ""), min(e + 1, n))
    }
}
