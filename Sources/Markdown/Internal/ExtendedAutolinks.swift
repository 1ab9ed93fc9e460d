import CustomUICore
/// GitHub's extended autolinks (`www.…`, `http(s)://…`, `name@host.tld`) found in plain text,
/// with GitHub's rules for where a link may start and which trailing punctuation it leaves out.
enum ExtendedAutolinks {
    /// Appends `text` to `out`, split into text and link inlines.
    static func split(_ text: [UInt8], range: Range<Int>, into out: inout [MarkdownInline]) {
        var emitted = 0
        func offsets(_ a: Int, _ b: Int) -> Range<Int> {
            let lo = min(range.lowerBound + a, range.upperBound)
            return lo..<max(lo, min(range.lowerBound + b, range.upperBound))
        }
        func emitText(_ end: Int) {
            if end > emitted {
                out.append(
                    MarkdownInline(
                        kind: .text(String(decoding: text[emitted..<end], as: UTF8.self)),
                        offsets: offsets(emitted, end)))
            }
        }
        forEachLink(text) { start, end, prefix in
            emitText(start)
            let label = String(decoding: text[start..<end], as: UTF8.self)
            let child = MarkdownInline(kind: .text(label), offsets: offsets(start, end))
            out.append(
                MarkdownInline(
                    kind: .link(destination: prefix + label, title: "", [child]), offsets: offsets(start, end)))
            emitted = end
        }
        emitText(text.count)
    }

    /// Calls `body` with each link in `text`, in order: its bounds and the prefix its destination
    /// needs (`http://` for `www.`, `mailto:` for an email address, else nothing).
    static func forEachLink(_ text: [UInt8], _ body: (_ start: Int, _ end: Int, _ prefix: String) -> Void) {
        let n = text.count
        var emitted = 0
        var i = 0
        while i < n {
            let c = text[i]
            // The byte first (`w`, `h`, `@` are rare), the boundary before it only then.
            let folded = c | 0x20
            if folded == 0x77 || folded == 0x68, i == 0 || isBoundary(text[i - 1]) {
                var prefix = ""
                var domainStart = -1
                if Scan.hasPrefix(text, i, n, "www.") {
                    prefix = "http://"
                    domainStart = i
                } else if Scan.hasPrefix(text, i, n, "http://") {
                    domainStart = i + 7
                } else if Scan.hasPrefix(text, i, n, "https://") {
                    domainStart = i + 8
                }
                if domainStart >= 0, let domainEnd = domain(text, domainStart, n) {
                    var end = domainEnd
                    while end < n, !Scan.isWhitespace(text[end]), text[end] != 0x3C { end += 1 }
                    end = trimTrailing(text, i, end)
                    if end > domainStart {
                        body(i, end, prefix)
                        emitted = end
                        i = end
                        continue
                    }
                }
            }
            if c == 0x40, let (start, end) = email(text, i, n, floor: emitted) {
                body(start, end, "mailto:")
                emitted = end
                i = end
                continue
            }
            i += 1
        }
    }

    private static func isBoundary(_ c: UInt8) -> Bool {
        Scan.isWhitespace(c) || c == 0x2A || c == 0x5F || c == 0x7E || c == 0x28
    }

    /// A valid domain at `i`: segments of letters, digits, `_` and `-` separated by `.`, at least one
    /// `.`, and no `_` in the last two segments. Returns the end offset.
    private static func domain(_ t: [UInt8], _ i: Int, _ n: Int) -> Int? {
        var j = i
        var segments = 0
        var segmentStart = j
        var underscore = false  // in the segment being read
        var previousUnderscore = false  // in the segment before it
        while j < n {
            let c = t[j]
            if Scan.isAlnum(c) || c == 0x2D || c >= 0x80 {
                j += 1
            } else if c == 0x5F {
                underscore = true
                j += 1
            } else if c == 0x2E, j + 1 < n,
                Scan.isAlnum(t[j + 1]) || t[j + 1] == 0x2D || t[j + 1] == 0x5F || t[j + 1] >= 0x80
            {
                guard j > segmentStart else { return nil }
                segments += 1
                previousUnderscore = underscore
                underscore = false
                j += 1
                segmentStart = j
            } else {
                break
            }
        }
        guard j > segmentStart else { return nil }
        segments += 1
        guard segments >= 2, !underscore, !previousUnderscore else { return nil }
        return j
    }

    /// GitHub's trailing punctuation rules: `?!.,:*_~` are left out, an unbalanced `)` is left out,
    /// and an entity-like `&name;` at the end is left out.
    private static func trimTrailing(_ t: [UInt8], _ start: Int, _ end: Int) -> Int {
        var end = end
        var open = 0
        var close = 0
        for k in start..<end {
            if t[k] == 0x28 { open += 1 } else if t[k] == 0x29 { close += 1 }
        }
        while end > start {
            let c = t[end - 1]
            if c == 0x3F || c == 0x21 || c == 0x2E || c == 0x2C || c == 0x3A || c == 0x2A || c == 0x5F || c == 0x7E {
                end -= 1
            } else if c == 0x29 {
                if close > open {
                    end -= 1
                    close -= 1
                } else {
                    break
                }
            } else if c == 0x3B {
                var k = end - 2
                while k > start, Scan.isAlnum(t[k]) { k -= 1 }
                if k >= start, t[k] == 0x26, k < end - 2 { end = k } else { break }
            } else {
                break
            }
        }
        return end
    }

    /// An email address around the `@` at `at`, not reaching back before `floor`.
    private static func email(_ t: [UInt8], _ at: Int, _ n: Int, floor: Int) -> (Int, Int)? {
        var start = at
        while start > floor {
            let c = t[start - 1]
            if Scan.isAlnum(c) || c == 0x2E || c == 0x2D || c == 0x5F || c == 0x2B { start -= 1 } else { break }
        }
        guard start < at else { return nil }
        var j = at + 1
        var dots = 0
        while j < n {
            let c = t[j]
            if Scan.isAlnum(c) || c == 0x2D || c == 0x5F {
                j += 1
            } else if c == 0x2E, j + 1 < n, Scan.isAlnum(t[j + 1]) || t[j + 1] == 0x2D || t[j + 1] == 0x5F {
                dots += 1
                j += 1
            } else {
                break
            }
        }
        guard dots >= 1, j > at + 1 else { return nil }
        let last = t[j - 1]
        guard last != 0x2D, last != 0x5F else { return nil }
        return (start, j)
    }
}
