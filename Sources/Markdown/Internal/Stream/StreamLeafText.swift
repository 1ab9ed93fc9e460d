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
        /// The HTML's last bytes, not in `html` yet: the first `pendingCount` bytes of `pending`.
        var pending = ""
        var pendingCount = 0
        /// Reference labels looked up and missing in the covered text.
        var missed: Set<String> = []
        init() {}

        init(paragraphStart: Int, definitions: Int) {
            self.paragraphStart = paragraphStart
            self.definitions = definitions
        }

        /// Appends the pending bytes (read in place: no reference count).
        mutating func appendPending(to bytes: inout [UInt8]) {
            let count = pendingCount
            guard count > 0 else { return }
            pending.withUTF8 { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: $0[..<count])) }
        }
    }

    /// A closed paragraph's HTML from the stable prefix kept for it: the prefix, the rest's HTML
    /// (from the last parse when it covered the rest exactly), and the labels looked up in vain;
    /// nil when the stable prefix is another paragraph's.
    func stableParagraph(_ node: BlockNode) -> (HTMLChain, (String, Range<Int>), Set<String>)? {
        guard st.paragraphStart == node.startOffset, st.definitions == parser.definitions.count,
            st.length > 0, st.length <= node.content.count
        else { return nil }
        // The prefix's bytes still outside its chain go in.
        if st.pendingCount > 0 {
            st.html.append(st.pending, bytes: 0..<st.pendingCount)
            st.pending = ""
            st.pendingCount = 0
        }
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
        return (st.html, (writer.string, 0..<writer.bytes.count), missed)
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
        // The stable prefix's bytes not in its chain yet come first.
        leafWriter.bytes.removeAll(keepingCapacity: true)
        st.appendPending(to: &leafWriter.bytes)
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
        leafParses += 1
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

    /// The tail from `leafWriter.bytes`, which holds the `fresh` bytes of the stable prefix (`st`)
    /// that are not in its chain (those it held before, then those the chunk adds), then the rest's
    /// HTML: those, the rest and the head's close made one string. Those bytes go into the chain as
    /// one piece once there are `MarkdownStream.pieceBytes` of them (until then each chunk copies
    /// them, which costs less than a piece per chunk).
    func leafTail(head: TailHead, fresh: Int) -> TailParts {
        leafWriter.bytes.append(contentsOf: UnsafeBufferPointer(head.closeBytes))
        let suffix = leafWriter.bytes.withUnsafeMutableBufferPointer { String(decoding: $0, as: UTF8.self) }
        if fresh >= MarkdownStream.pieceBytes {
            st.html.append(suffix, bytes: 0..<fresh)
            st.pending = ""
            st.pendingCount = 0
            return TailParts(head: head, stable: st.html, suffix: suffix, suffixStart: fresh, restStart: fresh)
        }
        if fresh > 0 {
            st.pending = suffix
            st.pendingCount = fresh
        }
        return TailParts(head: head, stable: st.html, suffix: suffix, suffixStart: 0, restStart: fresh)
    }

    /// How many bytes of a stable prefix wait outside its chain before they go in as one piece.
    static let pieceBytes = 256

    /// The reusable inline parser (rebuilt when the definitions change).
    func arena() -> InlineParser {
        if inlineArena == nil || inlineArenaDefinitions != parser.definitions.count {
            inlineArena = InlineParser([], options: options, definitions: parser.definitions)
            inlineArenaDefinitions = parser.definitions.count
        }
        return inlineArena.unsafelyUnwrapped
    }

    /// The reusable inline parser, if it was made for the same definitions (saves allocations per chunk).
    func sharedArena(for definitions: [String: LinkDefinition]) -> InlineParser? {
        let inline = arena()
        return definitions.count == parser.definitions.count ? inline : nil
    }

    /// Whether paragraph content (lines ending with newlines) can no longer turn out to start with
    /// a link reference definition: it does not start with `[`, or its first bracket is no label
    /// (`[ ]`, a task box, is none) or is not followed by `:`.
    static func cannotBeDefinition(_ content: [UInt8]) -> Bool {
        let n = content.last == ASCIIByte.newline ? content.count - 1 : content.count
        guard n > 0, content[0] == ASCIIByte.leftBracket else { return true }
        switch Inlines.scanLinkLabel(content, 0, n) {
        case .closed(let end): return end < n && content[end] != ASCIIByte.colon
        case .invalid: return true
        case .open: return false
        }
    }

    /// Whether a paragraph may still turn out to start with a link reference definition, and
    /// whether it does as it stands (then it renders nothing and may change links before it).
    static func definitionState(_ content: [UInt8]) -> (may: Bool, is: Bool) {
        let may = !cannotBeDefinition(content)
        return (may, may && Inlines.linkDefinition(content, 0) != nil)
    }
}
