/// Walks the bytes of a document that libxml2 has accepted, in step with libxml2's events, to
/// recover what libxml2 does not report: exact byte ranges of tags, attribute names and values, and
/// a map from decoded text back to source offsets.
///
/// It is deliberately not a parser: it relies on the input being well-formed (libxml2 stops the
/// parse at the first error before the scanner is asked about anything after it).
struct MarkupScanner {
    let bytes: [UInt8]
    /// Where the next unscanned markup or text starts.
    private(set) var offset: Int

    init(bytes: [UInt8]) {
        self.bytes = bytes
        // A UTF-8 byte-order mark is not content.
        offset = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// A scanner positioned at `offset` (the formatter reads one tag at a time with it).
    init(bytes: [UInt8], at offset: Int) {
        self.bytes = bytes
        self.offset = offset
    }

    struct RawAttribute {
        var nameStart: Int
        var nameEnd: Int
        var valueStart: Int
        var valueEnd: Int
    }

    struct StartTag {
        var start: Int
        var end: Int
        var nameStart: Int
        var nameEnd: Int
        var selfClosing: Bool
        var attributes: [RawAttribute]
    }

    /// Skips text, comments, CDATA sections, processing instructions and the XML declaration up to
    /// the next start or end tag; returns where the skipped content began and where the tag starts.
    mutating func skipToTag() -> (contentStart: Int, tagStart: Int) {
        let contentStart = offset
        var i = offset
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "<") else {
                i += 1
                continue
            }
            if matches("<!--", at: i) {
                i = after("-->", from: i + 4)
            } else if matches("<![CDATA[", at: i) {
                i = after("]]>", from: i + 9)
            } else if matches("<?", at: i) {
                i = after("?>", from: i + 2)
            } else if matches("<!", at: i) {
                // A document type declaration; the parser refuses it before we get here.
                i = after(">", from: i + 2)
            } else {
                break
            }
        }
        offset = i
        return (contentStart, i)
    }

    /// Scans the start tag at `offset` (which must be at its `<`).
    mutating func scanStartTag() -> StartTag {
        let start = offset
        var i = start + 1
        let nameStart = i
        while i < bytes.count, !isSpace(bytes[i]), bytes[i] != UInt8(ascii: ">"), bytes[i] != UInt8(ascii: "/") {
            i += 1
        }
        let nameEnd = i
        var attributes: [RawAttribute] = []
        var selfClosing = false
        while i < bytes.count {
            while i < bytes.count, isSpace(bytes[i]) { i += 1 }
            guard i < bytes.count else { break }
            if bytes[i] == UInt8(ascii: ">") {
                i += 1
                break
            }
            if bytes[i] == UInt8(ascii: "/") {
                selfClosing = true
                i += 1
                continue
            }
            let attrNameStart = i
            while i < bytes.count, !isSpace(bytes[i]), bytes[i] != UInt8(ascii: "=") { i += 1 }
            let attrNameEnd = i
            while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "'") { i += 1 }
            guard i < bytes.count else { break }
            let quote = bytes[i]
            i += 1
            let valueStart = i
            while i < bytes.count, bytes[i] != quote { i += 1 }
            attributes.append(
                RawAttribute(nameStart: attrNameStart, nameEnd: attrNameEnd, valueStart: valueStart, valueEnd: i))
            i += 1
        }
        offset = i
        return StartTag(
            start: start, end: i, nameStart: nameStart, nameEnd: nameEnd, selfClosing: selfClosing,
            attributes: attributes)
    }

    /// Scans the end tag at `offset`; returns its range.
    mutating func scanEndTag() -> Range<Int> {
        let start = offset
        offset = after(">", from: start + 2)
        return start..<offset
    }

    func string(_ range: Range<Int>) -> String {
        String(decoding: bytes[max(0, range.lowerBound)..<min(bytes.count, range.upperBound)], as: UTF8.self)
    }

    // MARK: Decoding with offset maps

    /// Decodes character data between markup: references replaced, line ends normalised, comments and
    /// processing instructions dropped, CDATA kept verbatim. Returns the text and the points where the
    /// text-to-source correspondence restarts.
    func decodeContent(_ range: Range<Int>) -> (text: [UInt8], segments: [(textOffset: Int, sourceOffset: Int)]) {
        var text: [UInt8] = []
        text.reserveCapacity(range.count)
        var segments: [(textOffset: Int, sourceOffset: Int)] = [(0, range.lowerBound)]
        var i = range.lowerBound
        func restart(at source: Int) {
            if let last = segments.last, last.textOffset == text.count {
                segments[segments.count - 1].sourceOffset = source
            } else {
                segments.append((text.count, source))
            }
        }
        while i < range.upperBound {
            let b = bytes[i]
            if b == UInt8(ascii: "<") {
                if matches("<!--", at: i) {
                    i = min(after("-->", from: i + 4), range.upperBound)
                } else if matches("<![CDATA[", at: i) {
                    let contentStart = i + 9
                    let close = find("]]>", from: contentStart, limit: range.upperBound) ?? range.upperBound
                    restart(at: contentStart)
                    appendNormalisingLineEnds(contentStart..<close, into: &text, restart: restart)
                    i = min(close + 3, range.upperBound)
                } else {
                    i = min(after("?>", from: i + 2), range.upperBound)
                }
                restart(at: i)
            } else if b == UInt8(ascii: "&") {
                let end = find(";", from: i, limit: range.upperBound).map { $0 + 1 } ?? range.upperBound
                text.append(contentsOf: decodeReference(i..<end))
                i = end
                restart(at: i)
            } else if b == 0x0D {
                text.append(0x0A)
                i += (i + 1 < range.upperBound && bytes[i + 1] == 0x0A) ? 2 : 1
                restart(at: i)
            } else {
                text.append(b)
                i += 1
            }
        }
        return (text, segments)
    }

    /// Decodes an attribute value: references replaced, and literal tab, newline and carriage return
    /// (a CRLF pair counting once) each become a space, as XML's attribute-value normalisation says.
    func decodeAttribute(_ range: Range<Int>) -> (text: [UInt8], segments: [(textOffset: Int, sourceOffset: Int)]) {
        var text: [UInt8] = []
        text.reserveCapacity(range.count)
        var segments: [(textOffset: Int, sourceOffset: Int)] = [(0, range.lowerBound)]
        var i = range.lowerBound
        while i < range.upperBound {
            let b = bytes[i]
            if b == UInt8(ascii: "&") {
                let end = find(";", from: i, limit: range.upperBound).map { $0 + 1 } ?? range.upperBound
                text.append(contentsOf: decodeReference(i..<end))
                i = end
                segments.append((text.count, i))
            } else if b == 0x0D {
                text.append(0x20)
                i += (i + 1 < range.upperBound && bytes[i + 1] == 0x0A) ? 2 : 1
                segments.append((text.count, i))
            } else if b == 0x09 || b == 0x0A {
                text.append(0x20)
                i += 1
            } else {
                text.append(b)
                i += 1
            }
        }
        return (text, segments)
    }

    private func appendNormalisingLineEnds(
        _ range: Range<Int>, into text: inout [UInt8], restart: (Int) -> Void
    ) {
        var i = range.lowerBound
        while i < range.upperBound {
            if bytes[i] == 0x0D {
                text.append(0x0A)
                i += (i + 1 < range.upperBound && bytes[i + 1] == 0x0A) ? 2 : 1
                restart(i)
            } else {
                text.append(bytes[i])
                i += 1
            }
        }
    }

    /// Decodes `&name;` for the five predefined entities, or a character reference. Anything else
    /// is kept as written, a lone `&` cut off by the end of its value included (the scanner reads
    /// such bytes when libxml2 took the document in another encoding than its own reading).
    private func decodeReference(_ range: Range<Int>) -> [UInt8] {
        guard range.count >= 3, bytes[range.upperBound - 1] == UInt8(ascii: ";") else { return Array(bytes[range]) }
        let body = string((range.lowerBound + 1)..<(range.upperBound - 1))
        switch body {
        case "lt": return [UInt8(ascii: "<")]
        case "gt": return [UInt8(ascii: ">")]
        case "amp": return [UInt8(ascii: "&")]
        case "apos": return [UInt8(ascii: "'")]
        case "quot": return [UInt8(ascii: "\"")]
        default: break
        }
        var code: UInt32?
        if body.hasPrefix("#x") {
            code = UInt32(body.dropFirst(2), radix: 16)
        } else if body.hasPrefix("#") {
            code = UInt32(body.dropFirst(1))
        }
        if let code, let scalar = Unicode.Scalar(code) {
            return Array(String(Character(scalar)).utf8)
        }
        return Array(bytes[range])
    }

    private func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    private func matches(_ literal: StaticString, at i: Int) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard i + count <= bytes.count else { return false }
        let pointer = literal.utf8Start
        for k in 0..<count where bytes[i + k] != pointer[k] { return false }
        return true
    }

    private func find(_ literal: StaticString, from start: Int, limit: Int) -> Int? {
        var i = start
        while i < limit {
            if matches(literal, at: i) { return i }
            i += 1
        }
        return nil
    }

    private func after(_ literal: StaticString, from start: Int) -> Int {
        find(literal, from: start, limit: bytes.count).map { $0 + literal.utf8CodeUnitCount } ?? bytes.count
    }
}
