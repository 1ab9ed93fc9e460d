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
        var nul = false
        var lineEnd = false
        for c in bytes where c <= ASCIIByte.carriageReturn {
            if c == 0 { nul = true } else if c == ASCIIByte.newline || c == ASCIIByte.carriageReturn { lineEnd = true }
        }
        guard nul else {
            parser.b.append(contentsOf: bytes)
            return lineEnd
        }
        for c in bytes {
            if c == 0 {
                parser.b.append(contentsOf: ASCIIByte.replacementCharacter)
            } else {
                parser.b.append(c)
            }
        }
        return lineEnd
    }

    /// `combined` after a chunk rendered in the same frame as before: the head stays, the stable
    /// prefix's chain grows (or restarts), the suffix is written again: one step while the chain
    /// stays the same.
    func spliceFrameTail(_ new: TailParts) {
        let oldStable = shown.stable.count
        let kept = new.stable.extends(shown.stable) ? oldStable : 0
        let end = combinedFinal + new.head.bytes + kept
        if kept == new.stable.count, new.suffixStart == 0, end <= combined.utf8.count {
            combined.replaceSubrange(combined.utf8.index(combined.startIndex, offsetBy: end)..., with: new.suffix)
        } else {
            combined.truncateUTF8(to: end)
            if kept < new.stable.count { new.stable.write(from: kept, into: &combined) }
            combined.append(new.suffix, fromUTF8: new.suffixStart)
        }
        workBytes += combined.utf8.count - end
        shown = new
    }

    /// `combined` after anything else: the parts of the tail that stayed the same (or only grew)
    /// stay in it, the rest is written again.
    func spliceTail(finalCount: Int) {
        let new = tail
        var keep = 0
        var first = 0  // the first part to append, from byte `from` of it
        var from = 0
        if combinedFinal == finalCount {
            let old = shown
            compare: while first < min(old.count, new.count) {
                switch (old.part(first), new.part(first)) {
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
            combined.truncateUTF8(to: combinedFinal + keep)
            if combinedFinal < finalCount {
                combined.append(finalHTML, fromUTF8: combinedFinal)
            }
        }
        combinedFinal = finalCount
        let before = combined.utf8.count
        for i in first..<new.count { new.write(i, from: i == first ? from : 0, into: &combined) }
        workBytes += combined.utf8.count - before
        shown = new
    }

    // MARK: - Internals

    func indexLines(from start: Int, in b: [UInt8]) {
        var i = start
        while i < b.count {
            let c = b[i]
            if c == ASCIIByte.newline {
                lineStarts.append(i + 1)
            } else if c == ASCIIByte.carriageReturn, i + 1 < b.count, b[i + 1] != ASCIIByte.newline {
                lineStarts.append(i + 1)
            }
            i += 1
        }
        // A `\r` that ended the previous chunk and is not followed by `\n` ends a line too.
        if start > 0, b[start - 1] == ASCIIByte.carriageReturn, start < b.count, b[start] != ASCIIByte.newline,
            lineStarts.last != start
        {
            lineStarts.append(start)
        }
    }

    /// Notes the line starts in the new chunk (from `start`) and feeds every line whose end is
    /// known to the block parser; bytes before `start` hold no line end after `fed`, except a `\r`
    /// that ended the last chunk.
    func feedCompleteLines(from start: Int) {
        let b = parser.b
        indexLines(from: start, in: b)
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

    /// Tail renders only need HTML, so they skip computing source ranges.
    static func noRange(_ a: Int, _ b: Int) -> SourceRange {
        SourceRange(at: SourceLocation(offset: a, line: 1, column: 1))
    }

    func locate(_ a: Int, _ b: Int) -> SourceRange {
        SourceRange(start: location(a), end: location(b))
    }

    func location(_ offset: Int) -> SourceLocation {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        var column = 1
        var i = lineStarts[low]
        let b = parser.b
        while i < offset, i < b.count {
            if !ASCIIByte.isContinuation(b[i]) { column += 1 }
            i += 1
        }
        return SourceLocation(offset: offset, line: low + 1, column: column)
    }

    func renderFinal(_ node: BlockNode) -> (MarkdownBlock?, String, Set<String>) {
        var builder = TreeBuilder(locate: locate, options: options, definitions: parser.definitions)
        guard let block = builder.block(node, tightParent: false) else { return (nil, "", builder.missedLabels) }
        var writer = HTMLWriter()
        writer.block(block, tight: false)
        return (block, writer.string, builder.missedLabels)
    }

    func blockClosed(_ node: BlockNode) {
        let index = finalNodes.count
        // What the tail's frames rendered of the block is reused: its closed blocks and the stable
        // prefix of its last paragraph.
        var missedLabels: Set<String> = []
        var writer = HTMLWriter()
        validateCaches()
        // Not kept: a final block is never written again (and the caches are dropped now).
        writeBlock(node, tight: false, line: Int.max, into: &writer, missed: &missedLabels, keep: false)
        let html = writer.string
        finalNodes.append(node)
        finalHTMLParts.append(html)
        finalHTML += html
        pendingFinalized += html
        for label in missedLabels { missed[label, default: []].append(index) }
        // The tail now starts where the parser resumes after the block.
        tailStart = max(tailStart, parser.resumeOffset)
    }

    func update(renderTail: Bool) -> MarkdownUpdate {
        var rewrites = false
        if !dirty.isEmpty {
            for index in dirty.sorted() {
                let (block, html, missedLabels) = renderFinal(finalNodes[index])
                finalHTMLParts[index] = html
                if index < finalBlocks.count { finalBlocks[index] = block }
                for label in missedLabels { missed[label, default: []].append(index) }
            }
            dirty.removeAll()
            finalHTML = finalHTMLParts.joined()
            combinedFinal = Int.max  // rebuilt on the next read of `html`
            terminalCache = nil
            rewrites = true
        }
        if finished {
            tailExact = true
            replaceTail("")
            tailBlocks = []
        } else if renderTail {
            renderTailNow()
        }
        guard rewrites || !pendingFinalized.isEmpty else {
            return MarkdownUpdate(finalized: "", rewritesFinalized: false, parts: tail)
        }
        let finalized = rewrites ? finalHTML : pendingFinalized
        pendingFinalized = ""
        return MarkdownUpdate(finalized: finalized, rewritesFinalized: rewrites, parts: tail)
    }

    func renderTailNow() {
        tailExact = true
        lastParsedBytes = 0
        if frameTail() { return }
        renderTailFully()
        lastExact = nil
    }

    /// Replaces the whole tail HTML.
    func replaceTail(_ html: String) {
        tail = TailParts(text: html)
        tailVersion += 1
        lastExact = nil
    }

    /// Under `.amortized`, shows what arrived on the unfinished line since the last exact render as
    /// escaped text after that render's text, while less than the budget waits (see `TailPolicy`).
    func provisionalTail() -> Bool {
        guard case .amortized(let minimumBytes) = tailPolicy, !finished, let f = frame, f.settled, f.fed == fed,
            isCurrent(f), let last = lastExact, last.frame == f.id, tail.head === f.head
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
        tailVersion += 1
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
            tailVersion += 1
            tailBlocks = []
            return
        }
        lastParsedBytes = b.count - tailStart
        workBytes += b.count - tailStart
        let tailParser = BlockParser(bytes: Array(b[tailStart...]), options: options, definitions: parser.definitions)
        let root = tailParser.parseAll()
        var builder = TreeBuilder(locate: MarkdownStream.noRange, options: options, definitions: tailParser.definitions)
        builder.arena = sharedArena(for: tailParser.definitions)
        tailBlocks = builder.blocks(root.children)
        var writer = HTMLWriter()
        writer.blocks(tailBlocks, tight: false)
        tail = TailParts(text: writer.string)
        tailVersion += 1
    }
}
