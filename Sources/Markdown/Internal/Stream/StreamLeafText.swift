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
        var missed = st.missed
        let inline = arena()
        inline.reset(node.content[st.length..<end])
        inline.parse()
        var writer = HTMLWriter()
        writer.arenaInlines(inline, options: options)
        if !inline.missedLabels.isEmpty { missed.formUnion(inline.missedLabels) }
        return (st.html, writer.string, missed)
    }

    /// The open paragraph's tail in `frame`: its text from the stable point on is parsed; the
    /// HTML before that point is kept (`st`).
    func leafInline(paragraphStart: Int, in frame: Frame) -> TailParts {
        let q = frame.textStart
        let content = frame.paragraph?.content ?? []
        let b = parser.b
        let lineEnd = MarkdownStream.lineEnd(b)
        let definitions = parser.definitions.count
        if st.paragraphStart != paragraphStart || st.definitions != definitions {
            st = StableText(paragraphStart: paragraphStart, definitions: definitions)
        }
        leafWriter.bytes.removeAll(keepingCapacity: true)
        let start = st.length
        MarkdownStream.paragraphText(from: start, content: content, line: b, q..<lineEnd, into: &suffixBuffer)
        while let last = suffixBuffer.last, Scan.isWhitespace(last) { suffixBuffer.removeLast() }
        // The stable point lies beyond the trimmed text (cannot happen while text only grows): start over.
        if start > 0, suffixBuffer.isEmpty {
            st = StableText(paragraphStart: paragraphStart, definitions: definitions)
            return leafInline(paragraphStart: paragraphStart, in: frame)
        }
        let suffix = suffixBuffer
        let inline = arena()
        inline.reset(suffix)
        inline.parse()
        inline.releaseSubject()
        lastParsedBytes = suffix.count
        workBytes += suffix.count
        // The new stable point: the last word start after a space before anything left open, that no
        // construct spans (resolved emphasis, links and code spans, and brackets whose outcome
        // depended on the text between them). Text after it cannot change the HTML before it.
        var spans = spanBuffer  // a local array: appends in the loop cost no reference counting
        spanBuffer = []
        spans.removeAll(keepingCapacity: true)
        inline.nodes.withUnsafeBufferPointer { nodes in
            var node = inline.head
            while node >= 0 {
                let n = nodes[Int(node)]
                if n.kind != .text, n.end > n.start { spans.append((Int(n.start), Int(n.end))) }
                node = n.next
            }
        }
        if !inline.textBrackets.isEmpty { spans += inline.textBrackets }
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
        spanBuffer = spans
        // The render is the prefix's HTML then the rest's: the writer notes where the point falls.
        var restBytes = leafWriter.bytes.count
        if let split = leafWriter.arenaInlines(inline, options: options, splitAt: k > 0 ? k : nil), k > 0 {
            st.length += k
            restBytes += split
            if !inline.missedLabels.isEmpty { st.missed.formUnion(inline.missedLabels) }
        }
        return leafTail(head: frame.head, fresh: restBytes)
    }

    /// Fills `buffer` with a paragraph's text from offset `start`: its complete lines `content`,
    /// then the unfinished line's text, bytes `line` of `b` (nothing when `start` lies beyond them).
    static func paragraphText(
        from start: Int, content: [UInt8], line b: [UInt8], _ line: Range<Int>, into buffer: inout [UInt8]
    ) {
        buffer.removeAll(keepingCapacity: true)
        if start < content.count {
            buffer.append(contentsOf: content[start...])
            if !line.isEmpty { buffer.appendBytes(of: b, line) }
        } else if start - content.count <= line.count {
            buffer.appendBytes(of: b, (line.lowerBound + start - content.count)..<line.upperBound)
        }
    }

    /// The tail from `leafWriter.bytes`: its first `fresh` bytes are the HTML the stable prefix
    /// (`st`) grew by, which goes into the prefix's chain; the rest's HTML follows, then the head's close.
    func leafTail(head: TailHead, fresh: Int) -> TailParts {
        if fresh > 0 { st.html.append(leafWriter.bytes[..<fresh]) }
        leafWriter.bytes.append(contentsOf: head.closeBytes)
        return TailParts(
            head: head, stable: st.html, suffix: String(decoding: leafWriter.bytes[fresh...], as: UTF8.self))
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
