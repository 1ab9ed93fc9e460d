import CustomUICore

/// Where the cursor is in a template that may be half-written: a tolerant scan of the bytes before
/// it (the parser stops at the first error, an editor's buffer is rarely well-formed).
struct EditorContext {
    enum Place: Equatable {
        /// In text content; `expression` is the text since an unclosed `{{` when inside one.
        case text(expression: String?)
        /// Right after `<` (or `</`), typing an element name.
        case elementName(prefix: String)
        /// In a start tag, between attributes, typing an attribute name.
        case attributeName(element: String, prefix: String, present: [String])
        /// In an attribute value, `valueSoFar` is the value up to the cursor.
        case attributeValue(element: String, attribute: String, valueSoFar: String)
        /// In a comment, CDATA, processing instruction or end tag.
        case other
    }

    /// The open elements enclosing the cursor, outermost first.
    var stack: [String]
    var place: Place

    static func at(_ offset: Int, in bytes: [UInt8]) -> EditorContext {
        let end = min(max(offset, 0), bytes.count)
        var stack: [String] = []
        var i = 0
        func string(_ a: Int, _ b: Int) -> String { String(decoding: bytes[a..<b], as: UTF8.self) }
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        func starts(_ literal: String, _ at: Int) -> Bool {
            var k = at
            for byte in literal.utf8 {
                guard k < bytes.count, bytes[k] == byte else { return false }
                k += 1
            }
            return true
        }
        func find(_ literal: String, from: Int) -> Int? {
            let first = literal.utf8.first!
            var k = from
            while k < bytes.count {
                if bytes[k] == first, starts(literal, k) { return k }
                k += 1
            }
            return nil
        }
        var textStart = 0
        while i < end {
            guard bytes[i] == UInt8(ascii: "<") else {
                i += 1
                continue
            }
            for (open, close) in [("<!--", "-->"), ("<![CDATA[", "]]>"), ("<?", "?>"), ("<!", ">")]
            where starts(open, i) {
                guard let c = find(close, from: i + open.utf8.count), c + close.utf8.count <= end else {
                    return EditorContext(stack: stack, place: .other)
                }
                i = c + close.utf8.count
                textStart = i
                break
            }
            guard i < end, bytes[i] == UInt8(ascii: "<"), !starts("<!", i), !starts("<?", i) else { continue }
            if starts("</", i) {
                var k = i + 2
                while k < end, !isSpace(bytes[k]), bytes[k] != UInt8(ascii: ">") { k += 1 }
                if k >= end {
                    return EditorContext(stack: stack, place: .other)
                }
                let name = string(i + 2, k)
                if let last = stack.lastIndex(of: name) { stack.removeSubrange(last...) }
                i = (find(">", from: k).map { $0 + 1 }) ?? bytes.count
                textStart = i
                continue
            }
            // A start tag.
            var k = i + 1
            while k < end, !isSpace(bytes[k]), bytes[k] != UInt8(ascii: ">"), bytes[k] != UInt8(ascii: "/") { k += 1 }
            if k >= end { return EditorContext(stack: stack, place: .elementName(prefix: string(i + 1, end))) }
            let name = string(i + 1, k)
            var present: [String] = []
            var selfClosing = false
            var closed = false
            while k < end {
                while k < end, isSpace(bytes[k]) { k += 1 }
                guard k < end else { break }
                if bytes[k] == UInt8(ascii: ">") {
                    closed = true
                    k += 1
                    break
                }
                if bytes[k] == UInt8(ascii: "/") {
                    selfClosing = true
                    k += 1
                    continue
                }
                if bytes[k] == UInt8(ascii: "<") { break }  // An unfinished tag; a new one starts.
                let attrStart = k
                while k < end, !isSpace(bytes[k]), bytes[k] != UInt8(ascii: "="), bytes[k] != UInt8(ascii: ">"),
                    bytes[k] != UInt8(ascii: "/")
                {
                    k += 1
                }
                let attrName = string(attrStart, k)
                if k >= end {
                    return EditorContext(
                        stack: stack, place: .attributeName(element: name, prefix: attrName, present: present))
                }
                present.append(attrName)
                while k < end, isSpace(bytes[k]) { k += 1 }
                guard k < end, bytes[k] == UInt8(ascii: "=") else { continue }
                k += 1
                while k < end, isSpace(bytes[k]) { k += 1 }
                guard k < end, bytes[k] == UInt8(ascii: "\"") || bytes[k] == UInt8(ascii: "'") else { continue }
                let quote = bytes[k]
                let valueStart = k + 1
                var v = valueStart
                while v < end, bytes[v] != quote { v += 1 }
                if v >= end {
                    return EditorContext(
                        stack: stack,
                        place: .attributeValue(element: name, attribute: attrName, valueSoFar: string(valueStart, end)))
                }
                k = v + 1
            }
            if !closed {
                if k >= end {
                    return EditorContext(
                        stack: stack, place: .attributeName(element: name, prefix: "", present: present))
                }
                i = k
                continue
            }
            if !selfClosing { stack.append(name) }
            i = k
            textStart = i
        }
        // In text: inside an unclosed `{{`?
        let text = string(min(textStart, end), end)
        if let open = text.lastRange(of: "{{"), !text[open.upperBound...].contains("}}") {
            return EditorContext(stack: stack, place: .text(expression: String(text[open.upperBound...])))
        }
        return EditorContext(stack: stack, place: .text(expression: nil))
    }
}
