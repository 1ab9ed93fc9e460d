// MarkdownStream: lines fed to the block parser, final blocks, updates, the tail's work rule and the `html`
// buffer.
import CustomUICore

extension MarkdownStream {
    /// Whether the tail waits: the last render's work was over `renderWorkFloor` bytes, and the
    /// text has grown by less than a quarter of it since. A tail whose stable point cannot move (text after an opener that stays
    /// unmatched, a line of markers that settles no block, one long code line) costs its whole
    /// length per render; so it is rendered after growing by a quarter of its length at most
    /// geometrically often, and any chunking of any text costs work linear in the text (plus at
    /// most the floor per chunk). Ordinary answers never wait (the benchmark's `exact-share`).
    func mustWait() -> Bool {
        renderWork > MarkdownStream.renderWorkFloor && (parser.b.count - textAtRender) * 4 < renderWork
    }

    /// Tail work a render may cost every chunk (see `mustWait`).
    static let renderWorkFloor = 4 << 10

    /// Appends a chunk's bytes to the text (a NUL becomes U+FFFD, as the spec says); whether they
    /// hold a line end.
    func appendBytes(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var (nul, lineEnd) = (false, false)
        for c in bytes where c <= ASCIIByte.carriageReturn {
            if c == 0 { nul = true } else if c == ASCIIByte.newline || c == ASCIIByte.carriageReturn { lineEnd = true }
        }
        guard nul else {
            parser.b.append(contentsOf: bytes)
            return lineEnd
        }
        for c in bytes { parser.b += c == 0 ? ASCIIByte.replacementCharacter : [c] }
        return lineEnd
    }

    /// `combined` after a chunk: the parts of the tail that stayed the same (or only grew)
    /// stay in it, the rest is written again.
    func spliceTail(finalCount: Int) {
        let new = tail
        // The first part to append, from byte `from` of it, after `keep` bytes of tail that stay.
        var (first, keep, from) = (0, 0, 0)
        if combinedFinal == finalCount {
            compare: while first < min(shown.count, new.count) {
                switch (shown.part(first), new.part(first)) {
                case (.text(let a), .text(let b)) where a == b:
                    keep += a.utf8.count
                case (.chain(let a), .chain(let b)) where b.extends(a):
                    keep += a.count
                    if b.count != a.count {
                        from = a.count
                        break compare
                    }
                default:
                    break compare
                }
                first += 1
            }
        }
        if combinedFinal > finalCount {
            combined = finalHTML
        } else {
            // The final HTML and the tail that stay, then the final HTML that is new.
            let kept = combined.utf8.index(
                combined.startIndex, offsetBy: min(combined.utf8.count, combinedFinal + keep))
            combined.removeSubrange(kept...)
            combined += finalHTML[finalHTML.utf8.index(finalHTML.startIndex, offsetBy: combinedFinal)...]
        }
        combinedFinal = finalCount
        let before = combined.utf8.count
        for i in first..<new.count { new.write(i, from: i == first ? from : 0, into: &combined) }
        workBytes += combined.utf8.count - before
        shown = new
    }

    // MARK: - Internals

    /// Feeds every line whose end is known to the block parser; bytes before the new chunk's
    /// `start` hold no line end after `fed`, except a `\r` that ended the last chunk.
    func feedCompleteLines(from start: Int) {
        let b = parser.b
        let n = b.count
        var i = max(fed, start - 1)
        while i < n {
            let c = b[i]
            if c == ASCIIByte.newline || c == ASCIIByte.carriageReturn {
                var next = i + 1
                if c == ASCIIByte.carriageReturn {
                    if next >= n { break }  // wait: `\r\n` may be split across chunks
                    if b[next] == ASCIIByte.newline { next += 1 }
                }
                parser.processLine(start: fed, end: i)
                fed = next
                i = next
            } else {
                i += 1
            }
        }
    }

    /// The stream renders HTML and terminal text, which need no source ranges.
    static func noRange(_ a: Int, _ b: Int) -> SourceRange {
        SourceRange(at: SourceLocation(offset: a, line: 1, column: 1))
    }

    /// A top-level block's final HTML (reusing what the tail's frames kept of it: its closed blocks
    /// and the stable prefix of its last paragraph), and the reference labels it looked up in vain.
    func finalHTML(of node: BlockNode) -> (String, Set<String>) {
        var missedLabels: Set<String> = []
        var writer = HTMLWriter()
        validateCaches()
        // Not kept: a final block is never written again (and the caches are dropped now).
        writeBlock(node, tight: false, line: Int.max, into: &writer, missed: &missedLabels, keep: false)
        return (writer.string, missedLabels)
    }

    func blockClosed(_ node: BlockNode) {
        let (html, missedLabels) = finalHTML(of: node)
        for label in missedLabels { missed[label, default: []].append(finalNodes.count) }
        finalNodes.append(node)
        finalHTMLParts.append(html)
        finalHTML += html
        pendingFinalized += html
        // The tail now starts where the parser resumes after the block.
        tailStart = max(tailStart, parser.resumeOffset)
    }

    func update(renderTail: Bool) -> MarkdownUpdate {
        var rewrites = false
        if !dirty.isEmpty {
            for index in dirty.sorted() {
                let (html, missedLabels) = finalHTML(of: finalNodes[index])
                finalHTMLParts[index] = html
                for label in missedLabels { missed[label, default: []].append(index) }
            }
            // The terminal's trees are built again from the first block that changed.
            finalBlocks.removeSubrange(min(dirty.min()!, finalBlocks.count)...)
            dirty.removeAll()
            finalHTML = finalHTMLParts.joined()
            combinedFinal = Int.max  // rebuilt on the next read of `html`
            terminalCache = nil
            rewrites = true
        }
        if finished {
            tailExact = true
            tail = .empty
            lastExact = nil
            tailBlocks = []
        } else if renderTail {
            tailExact = true
            lastParsedBytes = 0
            if !frameTail() {
                renderTailFully()
                lastExact = nil
            }
        }
        guard rewrites || !pendingFinalized.isEmpty else {
            return MarkdownUpdate(finalized: "", rewritesFinalized: false, parts: tail)
        }
        let finalized = rewrites ? finalHTML : pendingFinalized
        pendingFinalized = ""
        return MarkdownUpdate(finalized: finalized, rewritesFinalized: rewrites, parts: tail)
    }

    /// Under `.amortized`, shows what arrived on the unfinished line since the last exact render as
    /// escaped text after that render's text, while less than the budget waits (see `TailPolicy`).
    func provisionalTail() -> Bool {
        guard case .amortized(let minimumBytes) = tailPolicy, !finished, let f = frame, f.settled, f.fed == fed,
            isCurrent(f), let last = lastExact, last.head === f.head, tail.head === f.head
        else { return false }
        switch f.leaf {
        case .paragraph, .heading: break
        default: return false  // a code line is escaped text already: its exact render is as cheap
        }
        let b = parser.b
        var end = MarkdownStream.lineEnd(b)
        while end > last.textEnd, Scan.isSpaceOrTab(b[end - 1]) { end -= 1 }
        let waiting = end - last.textEnd
        guard waiting > 0, waiting < max(minimumBytes, lastParsedBytes / 2) else { return false }
        var writer = HTMLWriter()
        b[last.textEnd..<end].withUnsafeBufferPointer { writer.escape($0) }
        tail = TailParts(head: tail.head, stable: tail.stable, rest: last.rest + writer.string)
        tailExact = false
        tailBlocksStale = true
        return true
    }

    /// Parses the open tail afresh (with the definitions known so far) and renders it.
    func renderTailFully() {
        tailBlocksStale = false
        let b = parser.b
        guard tailStart < b.count else {
            tail = .empty
            tailBlocks = []
            return
        }
        lastParsedBytes = b.count - tailStart
        workBytes += b.count - tailStart
        let tailParser = BlockParser(bytes: Array(b[tailStart...]), options: options, definitions: parser.definitions)
        let root = tailParser.parseAll()
        var builder = TreeBuilder(locate: MarkdownStream.noRange, options: options, definitions: tailParser.definitions)
        // The stream's inline parser, when it was made for the same definitions.
        builder.arena = tailParser.definitions.count == parser.definitions.count ? arena() : nil
        tailBlocks = builder.blocks(root.children)
        var writer = HTMLWriter()
        writer.blocks(tailBlocks, tight: false)
        tail = TailParts(text: writer.string)
    }
}
