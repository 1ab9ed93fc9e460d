// MarkdownStream: the open paragraph's text parsed from its stable point.
import CustomUICore

extension MarkdownStream {
    /// The stable prefix of the open paragraph: text whose HTML can no longer change, whatever follows.
    struct StableText {
        /// The paragraph's start (-1: no paragraph).
        var paragraphStart = -1
        var definitions = 0
        /// Bytes of the paragraph's text covered, and their HTML.
        var length = 0
        var html = HTMLChain()
        /// Reference labels looked up and missing in the covered text.
        var missed: Set<String> = []
    }

    /// A closed paragraph's HTML from the stable prefix kept for it: the prefix, the rest's HTML
    /// (from the last parse when it covered the rest exactly), and the labels looked up in vain;
    /// nil when the stable prefix is another paragraph's.
    func stableParagraph(_ node: BlockNode) -> (HTMLChain, String, Set<String>)? {
        guard st.paragraphStart == node.startOffset, st.definitions == parser.definitions.count,
            st.length > 0, st.length <= node.content.count
        else { return nil }
        var end = node.content.count
        while end > st.length, Scan.isWhitespace(node.content[end - 1]) { end -= 1 }
        guard end > st.length else { return nil }
        var writer = HTMLWriter()
        let inline = writeInlines(node.content[st.length..<end], into: &writer)
        return (st.html, writer.string, st.missed.union(inline.missedLabels))
    }

    /// The open paragraph's tail in `frame`: its text from the stable point on is parsed; the
    /// HTML before that point is kept (`st`).
    func leafInline(paragraphStart: Int, in frame: Frame) -> TailParts {
        let definitions = parser.definitions.count
        if st.paragraphStart != paragraphStart || st.definitions != definitions {
            st = StableText(paragraphStart: paragraphStart, definitions: definitions)
        }
        // The text from the stable point on: the paragraph's complete lines, then the unfinished line's.
        let content = frame.paragraph?.content ?? []
        let lineEnd = MarkdownStream.lineEnd(parser.b)
        var suffix = Array(content[min(st.length, content.count)...])
        suffix += parser.b[min(frame.textStart + max(0, st.length - content.count), lineEnd)..<lineEnd]
        while let last = suffix.last, Scan.isWhitespace(last) { suffix.removeLast() }
        // The stable point lies beyond the trimmed text (cannot happen while text only grows): start over.
        if st.length > 0, suffix.isEmpty {
            st = StableText(paragraphStart: paragraphStart, definitions: definitions)
            return leafInline(paragraphStart: paragraphStart, in: frame)
        }
        let inline = arena()
        inline.reset(suffix)
        inline.parse()
        lastParsedBytes = suffix.count
        workBytes += suffix.count
        // The new stable point: the last word start after a space before anything left open, that no
        // construct spans (resolved emphasis, links and code spans, and brackets whose outcome
        // depended on the text between them). Text after it cannot change the HTML before it.
        var spans = inline.textBrackets
        var node = inline.head
        while node >= 0 {
            let n = inline.nodes[Int(node)]
            if n.kind != .text, n.end > n.start { spans.append((Int(n.start), Int(n.end))) }
            node = n.next
        }
        var k = min(inline.unresolved, suffix.count - 1)
        while true {
            while k > 0,
                !((suffix[k - 1] == ASCIIByte.space || suffix[k - 1] == ASCIIByte.newline)
                    && !Scan.isWhitespace(suffix[k]))
            {
                k -= 1
            }
            if k == 0 { break }
            // Back off to the start of the outermost construct the point falls inside, if any.
            var outermost = k
            for (a, e) in spans where a < k && e > k { outermost = min(outermost, a) }
            if outermost == k { break }
            k = outermost
        }
        // The render is the prefix's HTML then the rest's: the writer notes where the point falls.
        var writer = HTMLWriter()
        var fresh = 0
        if let split = writeInlines(inline, into: &writer, splitAt: k > 0 ? k : -1) {
            st.length += k
            st.html.append(writer.bytes[..<split])
            st.missed.formUnion(inline.missedLabels)
            fresh = split
        }
        return TailParts(
            head: frame.head, stable: st.html, rest: String(decoding: writer.bytes[fresh...], as: UTF8.self))
    }

    /// Writes what `inline` parsed as the one-shot writer does (through the public inline tree); how
    /// many bytes of the output come from the subject before offset `splitAt` (nil if none is given
    /// or an inline other than plain text spans it).
    @discardableResult
    func writeInlines(_ inline: InlineParser, into writer: inout HTMLWriter, splitAt k: Int = -1) -> Int? {
        var converter = InlineConverter(parser: inline, map: { $0 }, options: options, breakAt: k)
        let start = writer.bytes.count
        var split: Int?
        var passed = k < 0
        for node in converter.convert(inline.head, depth: 0, insideLink: false) {
            if !passed, node.offsets.upperBound > k {
                passed = true
                if node.offsets.lowerBound >= k { split = writer.bytes.count - start }
            }
            writer.inline(node)
        }
        return split
    }

    /// Parses `subject` as inlines with the reusable parser and writes them as the one-shot writer does.
    @discardableResult
    func writeInlines(_ subject: ArraySlice<UInt8>, into writer: inout HTMLWriter) -> InlineParser {
        let inline = arena()
        inline.reset(subject)
        inline.parse()
        writeInlines(inline, into: &writer)
        return inline
    }

    /// The reusable inline parser (rebuilt when the definitions change).
    func arena() -> InlineParser {
        if inlineArena == nil || inlineArenaDefinitions != parser.definitions.count {
            inlineArena = InlineParser([], options: options, definitions: parser.definitions)
            inlineArenaDefinitions = parser.definitions.count
        }
        return inlineArena.unsafelyUnwrapped
    }
}
