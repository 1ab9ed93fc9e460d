import CustomUICore

/// What one `append` or `finish` changed in a stream's HTML.
public struct MarkdownUpdate: Sendable, Equatable {
    /// HTML of blocks that became final, to append after the finalised HTML shown so far; when
    /// `rewritesFinalized` is true it is instead the whole finalised HTML, replacing what was shown.
    public var finalized: String
    /// Whether `finalized` replaces the finalised HTML (a link reference definition arrived that
    /// changes links in blocks finalised earlier; rare).
    public var rewritesFinalized: Bool
    /// HTML of the still-open tail, replacing the previous tail.
    public var tail: String

    /// An update from its parts.
    public init(finalized: String, rewritesFinalized: Bool = false, tail: String) {
        self.finalized = finalized
        self.rewritesFinalized = rewritesFinalized
        self.tail = tail
    }
}

/// Incremental markdown rendering for text that arrives in chunks (an LLM answer streaming into a slot).
///
/// Complete lines go through the block parser once; a top-level block is final when the parser
/// closes it (a later line cannot continue it), and final blocks are rendered once and never
/// re-parsed. Only the open tail (the last top-level block and the unfinished line) is re-rendered
/// per chunk. After `finish()`, `html` is byte-identical to rendering the whole text at once.
public final class MarkdownStream {
    private let options: MarkdownOptions
    private let parser: BlockParser
    /// Byte offset of the first line the block parser has not seen.
    private var fed = 0
    /// Byte offset where the open tail starts (a line start after the last final block).
    private var tailStart = 0
    private var lineStarts: [Int] = [0]
    private var finished = false

    /// Final top-level blocks: the parser node (kept to re-render on a late definition) and output.
    private var finalNodes: [BlockNode] = []
    private var finalBlocks: [MarkdownBlock?] = []
    private var finalHTMLParts: [String] = []
    private var finalHTML = ""
    /// Missing reference labels -> indices of final blocks that looked them up.
    private var missed: [String: [Int]] = [:]
    private var dirty: Set<Int> = []

    private var pendingFinalized = ""
    private var tailHTML = ""
    private var tailBlocks: [MarkdownBlock] = []
    /// Whether `tailBlocks` lags behind `tailHTML` (the paragraph fast path renders HTML only).
    private var tailBlocksStale = false
    /// The stable prefix of the open top-level paragraph: its inline HTML can no longer change.
    private var stable: (paragraphStart: Int, length: Int, html: String)?
    /// HTML of the closed items of the open top-level list, per tightness (tight, loose).
    private var itemCache: (list: BlockNode, definitions: Int, html: [ObjectIdentifier: (String?, String?)])?
    /// One inline parser reused for the paragraph fast path (rebuilt when definitions change).
    private var inlineArena: InlineParser?
    private var inlineArenaDefinitions = -1
    /// The open fenced code block's opening tag and escaped content so far.
    private var codeCache: (node: BlockNode, covered: Int, html: String)?
    /// Tests set this to compare every fast-path tail with a full render.
    var checkTails = false
    /// Fast-path tails that differed from a full render (tests expect zero).
    private(set) var tailMismatches = 0
    /// The first differing pair (fast path, full render), for the test's message.
    private(set) var firstMismatch: (String, String)?
    private var terminalCache: (TerminalStyle, String, Int)?

    /// A stream with the given parser options.
    public init(options: MarkdownOptions = .default) {
        self.options = options
        parser = BlockParser(bytes: [], options: options)
        parser.onTopLevelClose = { [unowned self] node in self.blockClosed(node) }
        parser.onDefinition = { [unowned self] label in
            if let blocks = self.missed.removeValue(forKey: label) { self.dirty.formUnion(blocks) }
        }
    }

    /// Adds a chunk of text and returns what changed.
    public func append(_ chunk: String) -> MarkdownUpdate {
        guard !finished else { return MarkdownUpdate(finalized: "", tail: tailHTML) }
        let start = parser.b.count
        for c in chunk.utf8 {
            if c == 0 {
                parser.b.append(contentsOf: [0xEF, 0xBF, 0xBD])
            } else {
                parser.b.append(c)
            }
        }
        indexLines(from: start)
        feedCompleteLines()
        return update(renderTail: true)
    }

    /// Ends the stream: the unfinished line is a line, every block is final.
    public func finish() -> MarkdownUpdate {
        guard !finished else { return MarkdownUpdate(finalized: "", tail: "") }
        if fed < parser.b.count {
            var end = parser.b.count
            while end > fed, parser.b[end - 1] == 0x0A || parser.b[end - 1] == 0x0D { end -= 1 }
            parser.processLine(start: fed, end: end)
            fed = parser.b.count
        }
        parser.finish()
        finished = true
        tailStart = parser.b.count
        return update(renderTail: true)
    }

    /// The HTML so far: the final blocks and the open tail. After `finish()` it equals the one-shot render.
    public var html: String { finalHTML + tailHTML }

    /// The text so far rendered for a terminal; final blocks are cached per style, the tail re-rendered.
    public func terminal(style: TerminalStyle) -> String {
        var finalPart: String
        if let (cachedStyle, text, count) = terminalCache, cachedStyle == style, count <= finalBlocks.count,
            dirty.isEmpty
        {
            finalPart = text
            if count < finalBlocks.count {
                finalPart = TerminalWriter.join(
                    finalPart, TerminalWriter.render(finalBlocks[count...].compactMap { $0 }, style: style))
            }
        } else {
            finalPart = TerminalWriter.render(finalBlocks.compactMap { $0 }, style: style)
        }
        terminalCache = (style, finalPart, finalBlocks.count)
        if tailBlocksStale { renderTailFully() }
        return TerminalWriter.join(finalPart, TerminalWriter.render(tailBlocks, style: style))
    }

    // MARK: - Internals

    private func indexLines(from start: Int) {
        let b = parser.b
        var i = start
        while i < b.count {
            let c = b[i]
            if c == 0x0A {
                lineStarts.append(i + 1)
            } else if c == 0x0D, i + 1 < b.count, b[i + 1] != 0x0A {
                lineStarts.append(i + 1)
            }
            i += 1
        }
        // A `\r` that ended the previous chunk and is not followed by `\n` ends a line too.
        if start > 0, parser.b[start - 1] == 0x0D, start < b.count, b[start] != 0x0A, lineStarts.last != start {
            lineStarts.append(start)
        }
    }

    /// Feeds every line whose end is known to the block parser.
    private func feedCompleteLines() {
        let n = parser.b.count
        var i = fed
        while i < n {
            let c = parser.b[i]
            if c == 0x0A || c == 0x0D {
                var next = i + 1
                if c == 0x0D {
                    if next >= n { break }  // wait: `\r\n` may be split across chunks
                    if parser.b[next] == 0x0A { next += 1 }
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

    private func locate(_ a: Int, _ b: Int) -> SourceRange {
        SourceRange(start: location(a), end: location(b))
    }

    private func location(_ offset: Int) -> SourceLocation {
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
            if b[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return SourceLocation(offset: offset, line: low + 1, column: column)
    }

    private func renderFinal(_ node: BlockNode) -> (MarkdownBlock?, String, Set<String>) {
        var builder = TreeBuilder(locate: locate, options: options, definitions: parser.definitions)
        guard let block = builder.block(node, tightParent: false) else { return (nil, "", builder.missedLabels) }
        var writer = HTMLWriter()
        writer.block(block, tight: false)
        return (block, writer.string, builder.missedLabels)
    }

    private func blockClosed(_ node: BlockNode) {
        let index = finalNodes.count
        let (block, html, missedLabels) = renderFinal(node)
        finalNodes.append(node)
        finalHTMLParts.append(html)
        finalBlocks.append(block)
        finalHTML += html
        pendingFinalized += html
        for label in missedLabels { missed[label, default: []].append(index) }
        // The tail now starts where the parser resumes after the block.
        tailStart = max(tailStart, parser.resumeOffset)
    }

    private func update(renderTail: Bool) -> MarkdownUpdate {
        var rewrites = false
        if !dirty.isEmpty {
            for index in dirty.sorted() {
                let (block, html, missedLabels) = renderFinal(finalNodes[index])
                finalHTMLParts[index] = html
                finalBlocks[index] = block
                for label in missedLabels { missed[label, default: []].append(index) }
            }
            dirty.removeAll()
            finalHTML = finalHTMLParts.joined()
            terminalCache = nil
            rewrites = true
        }
        if finished {
            tailHTML = ""
            tailBlocks = []
        } else if renderTail {
            renderTailNow()
        }
        let finalized = rewrites ? finalHTML : pendingFinalized
        pendingFinalized = ""
        return MarkdownUpdate(finalized: finalized, rewritesFinalized: rewrites, tail: tailHTML)
    }

    private func renderTailNow() {
        if let html = paragraphTail() ?? codeTail() ?? listTail() {
            tailHTML = html
            tailBlocksStale = true
            if checkTails {
                let fast = html
                renderTailFully()
                if tailHTML != fast {
                    tailMismatches += 1
                    if firstMismatch == nil { firstMismatch = (fast, tailHTML) }
                }
            }
            return
        }
        stable = nil
        renderTailFully()
    }

    /// The tail when it is one top-level paragraph (or a block quote holding one), rendered from
    /// its stable prefix on.
    ///
    /// Inline constructs never span a point where nothing is left open (no unmatched opener,
    /// bracket, backtick run or `<` before it) that sits at a word start after a space, so the
    /// HTML before such a point is final; only the text after it is parsed per chunk.
    private func paragraphTail() -> String? {
        let b = parser.b
        var q = fed
        while q < b.count, Scan.isSpaceOrTab(b[q]) { q += 1 }
        // Only the text after the stable point is copied: the paragraph's lines, then the unfinished line.
        var content: [UInt8] = []
        let paragraphStart: Int
        var quoted = false
        if parser.open.count == 1 {
            // Nothing open: an unfinished first line that can only become a paragraph.
            var indent = 0
            for c in b[fed..<q] { indent += c == 0x09 ? 4 - indent % 4 : 1 }
            guard q < b.count, indent < 4, MarkdownStream.continuesParagraph(b, from: fed, firstNonspace: q),
                MarkdownStream.cannotBeDefinition(Array(b[q...]))
            else { return nil }
            paragraphStart = q
        } else if parser.open.count == 3, parser.open[1].kind == .blockQuote, parser.open[1].children.count == 1 {
            // A block quote holding one open paragraph: the unfinished line is quoted (`>` and at
            // most one space, as the parser strips them) or a lazy continuation.
            let paragraph = parser.open[2]
            guard paragraph.kind == .paragraph, MarkdownStream.cannotBeDefinition(paragraph.content) else { return nil }
            var r = fed
            while r < b.count, r - fed < 3, b[r] == 0x20 { r += 1 }
            var lineStart = fed
            if r < b.count, b[r] == 0x3E {
                r += 1
                if r < b.count, b[r] == 0x09 { return nil }
                if r < b.count, b[r] == 0x20 { r += 1 }
                lineStart = r
                q = r
                while q < b.count, Scan.isSpaceOrTab(b[q]) { q += 1 }
                guard q == b.count || MarkdownStream.continuesParagraph(b, from: lineStart, firstNonspace: q) else {
                    return nil
                }
            } else {
                guard q == b.count || MarkdownStream.continuesParagraph(b, from: lineStart, firstNonspace: q) else {
                    return nil
                }
                // A lazy line goes into the paragraph with its indentation (inline parsing drops it).
                if q < b.count { q = fed }
            }
            content = paragraph.content
            paragraphStart = paragraph.startOffset
            quoted = true
        } else {
            guard parser.open.count == 2, let paragraph = parser.open.last, paragraph.kind == .paragraph,
                MarkdownStream.cannotBeDefinition(paragraph.content)
            else { return nil }
            guard q == b.count || MarkdownStream.continuesParagraph(b, from: fed, firstNonspace: q) else { return nil }
            content = paragraph.content
            paragraphStart = paragraph.startOffset
        }
        if stable == nil || stable!.paragraphStart != paragraphStart {
            stable = (paragraphStart, 0, "")
        }
        var suffix: [UInt8] = []
        var start = stable!.length
        while true {
            suffix.removeAll(keepingCapacity: true)
            if start < content.count {
                suffix.append(contentsOf: content[start...])
                suffix.append(contentsOf: b[q...])
            } else if start - content.count <= b.count - q {
                suffix.append(contentsOf: b[(q + start - content.count)...])
            }
            while let last = suffix.last, Scan.isWhitespace(last) { suffix.removeLast() }
            // The stable point lies beyond the trimmed text (cannot happen while text only grows): start over.
            if start > 0, suffix.isEmpty {
                stable = (paragraphStart, 0, "")
                start = 0
                continue
            }
            break
        }
        if inlineArena == nil || inlineArenaDefinitions != parser.definitions.count {
            inlineArena = InlineParser([], options: options, definitions: parser.definitions)
            inlineArenaDefinitions = parser.definitions.count
        }
        let inline = inlineArena!
        inline.reset(suffix)
        inline.parse()
        var converter = InlineConverter(parser: inline, map: { $0 }, options: options)
        var writer = HTMLWriter()
        writer.inlines(converter.convert(inline.head, depth: 0, insideLink: false))
        let html =
            quoted
            ? "<blockquote>\n<p>" + stable!.html + writer.string + "</p>\n</blockquote>\n"
            : "<p>" + stable!.html + writer.string + "</p>\n"
        // Move the stable point forward once enough text follows it.
        if suffix.count > 8 {
            // Resolved constructs (emphasis, links, code spans) must not span the point either.
            var spans: [(Int, Int)] = []
            var node = inline.head
            while node >= 0 {
                let n = inline.nodes[Int(node)]
                if n.kind != .text, n.end > n.start { spans.append((Int(n.start), Int(n.end))) }
                node = n.next
            }
            spans += inline.textBrackets
            var k = min(inline.unresolved, suffix.count - 1)
            while true {
                while k > 0, !(suffix[k - 1] == 0x20 && !Scan.isWhitespace(suffix[k])) { k -= 1 }
                if k == 0 { break }
                // Back off to the start of the outermost construct the point falls inside, if any.
                var outermost = k
                for (a, e) in spans where a < k && e > k { outermost = min(outermost, a) }
                if outermost == k { break }
                k = outermost
            }
            var e = k
            while e > 0, suffix[e - 1] == 0x20 { e -= 1 }
            if k > 0, e > 0, !Scan.isWhitespace(suffix[e - 1]) {
                var builder = TreeBuilder(
                    locate: MarkdownStream.noRange, options: options, definitions: parser.definitions)
                builder.arena = sharedArena(for: parser.definitions)
                var prefixWriter = HTMLWriter()
                prefixWriter.inlines(builder.inlines(Array(suffix[..<e]), map: { $0 }))
                stable!.html += prefixWriter.string + String(repeating: " ", count: k - e)
                stable!.length += k
            }
        }
        return html
    }

    /// The tail when it is one open fenced code block: the escaped code is kept and extended line
    /// by line, so a long code block costs only its new text per chunk.
    private func codeTail() -> String? {
        guard parser.open.count == 2, let code = parser.open.last, code.kind == .codeBlock, code.fenced else {
            codeCache = nil
            return nil
        }
        let b = parser.b
        var q = fed
        var skip = code.fenceOffset
        while skip > 0, q < b.count, b[q] == 0x20 {
            q += 1
            skip -= 1
        }
        var first = fed
        while first < b.count, b[first] == 0x20 { first += 1 }
        // An unfinished line that could still become the closing fence, or a pending `\r`, needs the parser.
        if first < b.count, first - fed < 4, b[first] == code.fenceChar { return nil }
        if b[fed...].contains(0x0D) { return nil }
        if codeCache == nil || codeCache!.node !== code {
            var writer = HTMLWriter()
            let info = String(decoding: code.info, as: UTF8.self)
            writer.block(
                MarkdownBlock(
                    kind: .codeBlock(info: info, code: ""),
                    range: SourceRange(at: SourceLocation(offset: 0, line: 1, column: 1))), tight: false)
            var opening = writer.string
            opening.removeLast("</code></pre>\n".utf8.count)
            codeCache = (code, 0, opening)
        }
        if codeCache!.covered < code.content.count {
            var writer = HTMLWriter()
            code.content[codeCache!.covered...].withUnsafeBufferPointer { writer.escape($0) }
            codeCache!.html += writer.string
            codeCache!.covered = code.content.count
        }
        var partial = ""
        if fed < b.count {
            var writer = HTMLWriter()
            b[q...].withUnsafeBufferPointer { writer.escape($0) }
            partial = writer.string + "\n"
        }
        return codeCache!.html + partial + "</code></pre>\n"
    }

    /// The tail when it is an open top-level list with closed items: the closed items are rendered
    /// once per tightness and kept; only the last item (and what follows it) is parsed per chunk.
    private func listTail() -> String? {
        guard parser.open.count >= 3, parser.open[1].kind == .list, let list = Optional(parser.open[1]),
            list.children.count >= 2, let last = list.children.last, parser.open[2] === last
        else {
            itemCache = nil
            return nil
        }
        let b = parser.b
        var lastLineStart = min(last.startOffset, b.count)
        while lastLineStart > 0, b[lastLineStart - 1] != 0x0A, b[lastLineStart - 1] != 0x0D { lastLineStart -= 1 }
        guard lastLineStart >= tailStart else { return nil }
        // The closed items: each has a following item, so a blank line at its end makes the list loose.
        var tight = true
        for item in list.children.dropLast() where tight {
            if item.lastLineBlank { tight = false }
            for child in item.children where BlockParser.endsWithBlankLine(child) { tight = false }
        }
        let fresh = BlockParser(bytes: Array(b[lastLineStart...]), options: options, definitions: parser.definitions)
        let root = fresh.parseAll()
        guard fresh.definitions.count == parser.definitions.count, let freshList = root.children.first,
            freshList.kind == .list,
            freshList.ordered == list.ordered, freshList.bulletChar == list.bulletChar,
            freshList.delimiter == list.delimiter
        else { return nil }
        tight = tight && freshList.tight
        if itemCache == nil || itemCache!.list !== list || itemCache!.definitions != parser.definitions.count {
            itemCache = (list, parser.definitions.count, [:])
        }
        var html = ""
        var opening = HTMLWriter()
        opening.block(
            MarkdownBlock(
                kind: .list(start: list.ordered ? list.listStart : nil, tight: tight, items: []),
                range: SourceRange(at: SourceLocation(offset: 0, line: 1, column: 1))), tight: false)
        var openTag = opening.string
        let closeTag = list.ordered ? "</ol>\n" : "</ul>\n"
        openTag.removeLast(closeTag.utf8.count)
        html += openTag
        for item in list.children.dropLast() {
            let key = ObjectIdentifier(item)
            let cached = itemCache!.html[key]
            if let text = tight ? cached?.0 : cached?.1 {
                html += text
                continue
            }
            var builder = TreeBuilder(locate: MarkdownStream.noRange, options: options, definitions: parser.definitions)
            builder.arena = sharedArena(for: parser.definitions)
            var writer = HTMLWriter()
            if let block = builder.block(item, tightParent: tight) { writer.block(block, tight: tight) }
            let text = writer.string
            itemCache!.html[key] = tight ? (text, cached?.1) : (cached?.0, text)
            html += text
        }
        var builder = TreeBuilder(locate: MarkdownStream.noRange, options: options, definitions: fresh.definitions)
        builder.arena = sharedArena(for: fresh.definitions)
        var freshBlocks = builder.blocks(root.children)
        guard case .list(_, _, let items) = freshBlocks.first?.kind else { return nil }
        var writer = HTMLWriter()
        for item in items { writer.block(item, tight: tight) }
        html += writer.string + closeTag
        freshBlocks.removeFirst()
        var rest = HTMLWriter()
        rest.blocks(freshBlocks, tight: false)
        return html + rest.string
    }

    /// The reusable inline parser, if it was made for the same definitions (saves allocations per chunk).
    private func sharedArena(for definitions: [String: LinkDefinition]) -> InlineParser? {
        if inlineArena == nil || inlineArenaDefinitions != parser.definitions.count {
            inlineArena = InlineParser([], options: options, definitions: parser.definitions)
            inlineArenaDefinitions = parser.definitions.count
        }
        return definitions.count == parser.definitions.count ? inlineArena : nil
    }

    /// Whether paragraph text can no longer turn out to start with a link reference definition:
    /// it does not start with `[`, or its first bracket closes and is not followed by `:`.
    static func cannotBeDefinition(_ content: [UInt8]) -> Bool {
        guard content.first == 0x5B else { return true }
        guard let (_, end) = Inlines.linkLabel(content, 0, content.count) else { return false }
        return end < content.count && content[end] != 0x3A
    }

    /// Whether an unfinished line is paragraph text whatever follows it: it cannot start a block
    /// that interrupts a paragraph, nor be a setext underline or a table delimiter row.
    static func continuesParagraph(_ b: [UInt8], from lineStart: Int, firstNonspace q: Int) -> Bool {
        let n = b.count
        if b[q...].contains(0x0D) { return false }
        if q - lineStart >= 4 { return true }  // indented: continuation text (indented code cannot interrupt)
        // A letter, digit or non-ASCII character rules out thematic breaks, setext underlines and delimiter rows.
        guard b[q...].contains(where: { Scan.isAlnum($0) || $0 >= 0x80 }) else { return false }
        func run(_ c: UInt8) -> Int {
            var k = q
            while k < n, b[k] == c { k += 1 }
            return k - q
        }
        let c = b[q]
        switch c {
        case 0x3E, 0x3C: return false  // block quote, HTML block
        case 0x23:
            let r = run(c)
            return r > 6 || (q + r < n && !Scan.isSpaceOrTab(b[q + r]))
        case 0x2A, 0x2D, 0x2B:
            return q + 1 < n && !Scan.isSpaceOrTab(b[q + 1])
        case 0x60, 0x7E:
            let r = run(c)
            return r < 3 && q + r < n
        case 0x30...0x39:
            var k = q
            while k < n, Scan.isDigit(b[k]) { k += 1 }
            return k < n && b[k] != 0x2E && b[k] != 0x29 || k - q > 9
        default:
            return true
        }
    }

    /// Parses the open tail afresh (with the definitions known so far) and renders it.
    private func renderTailFully() {
        tailBlocksStale = false
        let b = parser.b
        guard tailStart < b.count else {
            tailHTML = ""
            tailBlocks = []
            return
        }
        let tail = Array(b[tailStart...])
        let tailParser = BlockParser(bytes: tail, options: options, definitions: parser.definitions)
        let root = tailParser.parseAll()
        var builder = TreeBuilder(locate: MarkdownStream.noRange, options: options, definitions: tailParser.definitions)
        builder.arena = sharedArena(for: tailParser.definitions)
        tailBlocks = builder.blocks(root.children)
        var writer = HTMLWriter()
        writer.blocks(tailBlocks, tight: false)
        tailHTML = writer.string
    }
}
