/// Byte classes and recognisers shared by the block and inline parsers (the block-start rules are
/// `BlockStart`'s); each looks at `b[i..<end]`.
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
