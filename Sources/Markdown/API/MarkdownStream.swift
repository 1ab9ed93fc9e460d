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
        if let (cachedStyle, text, count) = terminalCache, cachedStyle == style, count <= finalBlocks.count, dirty.isEmpty {
            finalPart = text
            if count < finalBlocks.count {
                finalPart = TerminalWriter.join(finalPart, TerminalWriter.render(finalBlocks[count...].compactMap { $0 }, style: style))
            }
        } else {
            finalPart = TerminalWriter.render(finalBlocks.compactMap { $0 }, style: style)
        }
        terminalCache = (style, finalPart, finalBlocks.count)
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
        // The tail now starts at the line after the block's last line.
        var p = max(node.endOffset, tailStart)
        let b = parser.b
        while p < b.count, b[p] != 0x0A, b[p] != 0x0D { p += 1 }
        if p < b.count {
            if b[p] == 0x0D, p + 1 < b.count, b[p + 1] == 0x0A { p += 2 } else { p += 1 }
        }
        tailStart = max(tailStart, p)
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

    /// Parses the open tail afresh (with the definitions known so far) and renders it.
    private func renderTailNow() {
        let b = parser.b
        guard tailStart < b.count else {
            tailHTML = ""
            tailBlocks = []
            return
        }
        let tail = Array(b[tailStart...])
        let tailParser = BlockParser(bytes: tail, options: options, definitions: parser.definitions)
        let root = tailParser.parseAll()
        let base = tailStart
        var builder = TreeBuilder(locate: { [unowned self] in self.locate($0 + base, $1 + base) }, options: options, definitions: tailParser.definitions)
        tailBlocks = builder.blocks(root.children)
        var writer = HTMLWriter()
        writer.blocks(tailBlocks, tight: false)
        tailHTML = writer.string
    }
}
