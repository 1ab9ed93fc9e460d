// MarkdownStream: the open tail laid out in a frame around the unfinished line's leaf.
import CustomUICore

extension MarkdownStream {
    // MARK: - Frames: the open tail laid out around the unfinished line's text

    /// What holds the unfinished line's text in a frame.
    enum FrameLeaf {
        /// A paragraph (its start is the key of its stable prefix): the text is parsed as inlines.
        /// `keep`: false while the paragraph may still become a link reference definition (which
        /// would take text from its start), so no stable prefix is kept for it.
        case paragraph(start: Int, keep: Bool)
        /// An ATX heading: the line's text without its closing sequence, parsed as inlines.
        case heading
        /// A code block, or an HTML block (shown as text): the line's text, escaped, then a newline
        /// (`line`: there is a line; without, the frame shows the block as it stands, the text
        /// ending at a line start).
        case escaped(line: Bool)
        /// Nothing: the innermost open block is a container or a leaf rendered whole.
        case none
    }

    /// The open tail laid out around the text of the unfinished line: the HTML before that text
    /// and after it. Made by reading the unfinished line in a probe (`BlockParser.fork`) as the
    /// whole text's last line, then rendering the probe's open blocks from the outside in, with the
    /// HTML of their closed blocks kept per block. A *settled* frame (see `BlockStart.lineIsSettled`) holds for
    /// every later chunk on the same line, since more bytes only extend the leaf's text; another
    /// serves one chunk.
    struct Frame {
        let fed: Int
        let finalCount: Int
        let definitions: Int
        let settled: Bool
        let leaf: FrameLeaf
        /// The HTML before the leaf's text and after it (its identity is the frame's).
        let head: TailHead
        /// The parser's paragraph whose complete lines (each ending with a newline) come before the
        /// unfinished line (nil: the line starts the paragraph).
        let paragraph: BlockNode?
        /// Where the unfinished line's text starts.
        let textStart: Int
    }

    /// Where the unfinished line's text ends: before a last `\r`, the first half of a line ending.
    static func lineEnd(_ b: [UInt8]) -> Int { b.last == ASCIIByte.carriageReturn ? b.count - 1 : b.count }

    /// Renders the tail inside the unfinished line's frame, parsing only the leaf's text (from its
    /// stable prefix on); false when the line has no frame (the full render takes it).
    func frameTail() -> Bool {
        if let f = frame, f.settled, f.fed == fed, isCurrent(f) {
            // The frame holds for this chunk too.
        } else {
            frame = nil
            guard let f = buildFrame() else { return false }
            frame = f
        }
        let f = frame.unsafelyUnwrapped
        let end = MarkdownStream.lineEnd(parser.b)
        switch f.leaf {
        case .paragraph(let start, let keep):
            // The commonest tail: the open paragraph's text in its frame.
            tail = leafInline(paragraphStart: start, in: f)
            if !keep { st = StableText() }
        case .heading, .escaped(line: true):
            var (start, textEnd, rest) = (f.textStart, end, HTMLWriter())
            if case .heading = f.leaf {
                // The line's text without the heading's closing sequence, parsed as inlines.
                while start < end, Scan.isSpaceOrTab(parser.b[start]) { start += 1 }
                textEnd = BlockStart.headingTextEnd(parser.b, start, end)
                writeInlines(parser.b[start..<textEnd], into: &rest)
            } else {
                parser.b[start..<end].withUnsafeBufferPointer { rest.escape($0) }
                rest.bytes.append(ASCIIByte.newline)
            }
            lastParsedBytes = textEnd - start
            workBytes += textEnd - start
            tail = TailParts(head: f.head, rest: rest.string)
        case .escaped, .none:
            tail = TailParts(head: f.head)
        }
        if tailPolicy != .exact {
            // Where the rendered text ends: the amortized policy shows what follows as provisional text.
            var textEnd = end
            while textEnd > f.textStart, Scan.isSpaceOrTab(parser.b[textEnd - 1]) { textEnd -= 1 }
            lastExact = (f.head, tail.rest, textEnd)
        }
        tailBlocksStale = true
        if checkTails {
            let fast = tail
            let work = workBytes
            defer { workBytes = work }  // the check is not the stream's work
            renderTailFully()
            if tail.joined != fast.joined {
                tailMismatches += 1
                if firstMismatch == nil { firstMismatch = (fast.joined, tail.joined) }
            }
            tail = fast
            tailBlocksStale = true
        }
        frameTails += 1
        return true
    }

    /// Whether frame `f` was laid out for the final blocks and definitions there are now.
    func isCurrent(_ f: Frame) -> Bool {
        f.finalCount == finalNodes.count && f.definitions == parser.definitions.count
    }

    /// Reads the unfinished line in a probe and lays out the tail around the block holding it;
    /// nil when a full render must decide (the line completed a link reference definition, a
    /// paragraph may still become one, or a task item's checkbox is involved).
    func buildFrame() -> Frame? {
        let b = parser.b
        // A `\r` ending the text may be half of a `\r\n`: either way it ends the line.
        let end = MarkdownStream.lineEnd(b)
        let probe = parser.fork()
        // The probe's tip borrowed the parser's leaf content to append the line in place; it goes
        // back when the frame is laid out (the frame reads the parser's own blocks after that).
        defer { probe.returnBorrowed() }
        if fed < b.count { probe.processLine(start: fed, end: end) }
        workBytes += end - fed
        guard probe.definitions.count == parser.definitions.count else { return nil }
        let open = probe.openBlocks
        let root = open[0]
        let first = finalNodes.count
        validateCaches()
        let line = probe.lineNumber
        var missed: Set<String> = []  // a tail render needs no labels: the frame is rebuilt on a new definition
        // The leaf holding the unfinished line's text, and whether the frame holds for later chunks.
        var leaf = FrameLeaf.none
        var settled = false
        var paragraph: BlockNode?
        var textStart = b.count
        // A paragraph that is a link reference definition as it stands goes the full way (it
        // renders nothing, and may change links before it); one that may still become one keeps
        // its frame for this chunk only, and no stable prefix.
        let tip = open[open.count - 1]
        let (mayBeDefinition, isDefinition) =
            tip.kind == .paragraph ? BlockStart.definitionState(tip.content) : (false, false)
        if isDefinition { return nil }
        if fed < end, open.count >= 2, tip.segments.count >= 2, tip.content.last == ASCIIByte.newline {
            let contentStart = tip.segments[tip.segments.count - 2]
            let source = tip.segments[tip.segments.count - 1]
            // The line's text, taken whole from where it starts (no tab turned into spaces).
            if source >= fed, tip.content.count - contentStart == end - source + 1,
                tip.content[contentStart..<(tip.content.count - 1)].elementsEqual(b[source..<end])
            {
                switch tip.kind {
                case .paragraph:
                    // The complete lines before the unfinished one are the parser's paragraph's.
                    if contentStart > 0 {
                        guard let original = tip.original, tip.borrowed.content == contentStart else { return nil }
                        paragraph = original
                    }
                    leaf = .paragraph(start: tip.startOffset, keep: !mayBeDefinition)
                    textStart = source
                    settled = !mayBeDefinition && BlockStart.lineIsSettled(b, from: fed)
                case .heading where !tip.setext:
                    leaf = .heading
                    textStart = source
                    settled = BlockStart.lineIsSettled(b, from: fed)
                case .codeBlock:
                    if tip.fenced || b[source..<end].contains(where: { !Scan.isSpaceOrTab($0) }) {
                        leaf = .escaped(line: true)
                        textStart = source
                        settled =
                            tip.original === parser.openBlocks.last
                            && BlockStart.codeLineIsSettled(b, from: fed, fenceChar: tip.fenced ? tip.fenceChar : nil)
                    } else {
                        // A blank line in indented code: dropped with the blank lines before it
                        // unless text follows, so the frame shows the block without them.
                        leaf = .escaped(line: false)
                    }
                case .htmlBlock:
                    leaf = .escaped(line: true)
                    textStart = source
                default:
                    break
                }
            }
        } else if fed == b.count, open.count >= 2, let original = tip.original,
            original === parser.openBlocks.last, tip.borrowed.content == tip.content.count
        {
            // No unfinished line: the open paragraph or fenced code block as it stands (unsettled:
            // the next chunk starts a line).
            switch tip.kind {
            case .paragraph:
                leaf = .paragraph(start: tip.startOffset, keep: !mayBeDefinition)
                paragraph = original
            case .codeBlock, .htmlBlock:
                leaf = .escaped(line: false)
            default:
                break
            }
        }
        var head = FrameHead()
        // Blocks the line closed (it started a new top-level block) come first.
        let openTop = open.count >= 2 ? open[1] : nil
        // A closed paragraph whose stable prefix is kept goes in as that prefix's chain (the probe
        // closes the open paragraph on each line that may still become a blank or a new block).
        func write(_ child: BlockNode, tight: Bool) {
            if child.kind == .paragraph, let (prefix, rest, _) = stableParagraph(child) {
                if !tight {
                    head.writer.cr()
                    head.writer.openParagraph()
                }
                head.append(prefix)
                head.writer.bytes.append(contentsOf: rest.utf8)
                if !tight { head.writer.closeParagraph() }
            } else {
                writeBlock(child, tight: tight, line: line, into: &head.writer, missed: &missed)
            }
        }
        for node in root.children where node !== openTop { write(node, tight: false) }
        var closers: [String] = []
        var tight = false
        layout: for depth in 1..<max(open.count, 1) {
            let node = open[depth]
            let innermost = depth == open.count - 1
            // The probe's own children: the copy of the parser's open child, or blocks the line made.
            let probeClosed = innermost ? node.children[...] : node.children.dropLast()
            switch node.kind {
            case .blockQuote, .list, .item:
                var childrenTight = false
                switch node.kind {
                case .blockQuote:
                    tight = false
                case .list:
                    tight = isTight(node)
                    childrenTight = tight
                default:
                    // A task item's box goes before its first paragraph, which the tree writer
                    // does: the open item is written whole (the list's other items stay kept).
                    if options.taskLists, let firstChild = node.firstChild, firstChild.kind == .paragraph,
                        BlockStart.mayBeTaskBox(firstChild.content.dropLast())
                    {
                        writeBlock(node, tight: tight, line: 0, into: &head.writer, missed: &missed)
                        leaf = .none
                        settled = false
                        paragraph = nil
                        break layout
                    }
                    childrenTight = tight
                }
                head.writer.cr()
                head.append(containerHead(node, tight: childrenTight, line: line))
                for child in probeClosed { write(child, tight: childrenTight) }
                switch node.kind {
                case .blockQuote:
                    head.writer.cr()
                    closers.append(HTMLWriter.tags { $0.closeBlockQuote() })
                case .list: closers.append(HTMLWriter.tags { $0.closeList(ordered: node.ordered) })
                default: closers.append(HTMLWriter.tags { $0.closeItem() })
                }
            default:
                precondition(innermost, "only containers hold open blocks")
                switch leaf {
                case .paragraph:
                    if !tight {
                        head.writer.cr()
                        head.writer.openParagraph()
                        closers.append(HTMLWriter.tags { $0.closeParagraph() })
                    }
                case .heading:
                    head.writer.cr()
                    head.writer.openHeading(node.level)
                    var close = HTMLWriter()
                    close.closeHeading(node.level)
                    closers.append(close.string)
                case .escaped(let hasLine):
                    head.writer.cr()
                    var end = hasLine ? node.segments[node.segments.count - 2] : node.content.count
                    if node.kind == .codeBlock {
                        // The info string as the tree has it, so the class is the same.
                        head.writer.openCodeBlock(info: String(decoding: node.info, as: UTF8.self))
                        // Indented code drops its trailing blank lines.
                        if !hasLine, !node.fenced { end = BlockStart.endOfLastTextLine(node.content) }
                        closers.append(HTMLWriter.tags { $0.closeCodeBlock() })
                    }
                    if let chain = codeHead(node, upTo: end) {
                        head.append(chain)
                    } else {
                        node.content[..<end].withUnsafeBufferPointer { head.writer.escape($0) }
                    }
                case .none:
                    // A leaf without the line's text (a heading or break the line made, a table, a
                    // block whose line could not be taken whole): rendered whole (an open table from
                    // its kept rows), unless a paragraph may hold link reference definitions that
                    // closing it would take out, or indented code may drop trailing blank lines.
                    if node.kind == .paragraph, mayBeDefinition { return nil }
                    if node.kind == .codeBlock, !node.fenced { return nil }
                    if node.kind == .table, let rows = tableHead(node) {
                        // The parser's rows from their kept chain, the probe's row (the line) after it.
                        head.writer.cr()
                        head.append(rows)
                        for r in node.borrowed.rows..<node.rows.count {
                            writeTableRow(node, r, into: &head.writer)
                        }
                        closers.append(HTMLWriter.tags { $0.closeTable(rows: node.rows.count) })
                    } else {
                        writeBlock(node, tight: tight, line: 0, into: &head.writer, missed: &missed)
                    }
                }
            }
        }
        let parts = head.parts()
        framesBuilt += 1
        workBytes += head.written
        var close = ""
        for closer in closers.reversed() { close += closer }
        return Frame(
            fed: fed, finalCount: first, definitions: parser.definitions.count, settled: settled, leaf: leaf,
            head: TailHead(parts: parts, close: close), paragraph: paragraph, textStart: textStart)
    }

    /// Forgets the HTML kept for the open tail's blocks when a top-level block became final or a
    /// link reference definition arrived (which may change links in them).
    func validateCaches() {
        guard closedCacheKey != (finalNodes.count, parser.definitions.count) else { return }
        closedCache.removeAll(keepingCapacity: true)
        containerHeads.removeAll(keepingCapacity: true)
        tightPrefixes.removeAll(keepingCapacity: true)
        closedCacheKey = (finalNodes.count, parser.definitions.count)
    }

    /// A frame's head as it is written: text, and the chains of open containers and code blocks.
    struct FrameHead {
        var done: [TailParts.Part] = []
        /// The text after the last chain; when `seeded`, its first byte is the chain's last, there
        /// for `cr()` to see and left out of the text.
        var writer = HTMLWriter()
        var seeded = false
        /// Bytes of text written (the stream counts its work).
        var written = 0

        mutating func flush() {
            let start = seeded ? 1 : 0
            if writer.bytes.count > start {
                done.append(.text(String(decoding: writer.bytes[start...], as: UTF8.self)))
            }
            written += writer.bytes.count - start
            writer.bytes.removeAll(keepingCapacity: true)
            seeded = false
        }

        mutating func append(_ chain: HTMLChain) {
            guard let last = chain.lastByte else { return }
            flush()
            done.append(.chain(chain))
            writer.bytes.append(last)
            seeded = true
        }

        mutating func parts() -> [TailParts.Part] {
            flush()
            return done
        }
    }
}
