import CustomUICore

/// What one `append` or `finish` changed in a stream's HTML.
public struct MarkdownUpdate: Sendable, Equatable {
    /// HTML of blocks that became final, to append after the finalised HTML shown so far; when
    /// `rewritesFinalized` is true it is instead the whole finalised HTML, replacing what was shown.
    public var finalized: String
    /// Whether `finalized` replaces the finalised HTML (a link reference definition arrived that
    /// changes links in blocks finalised earlier; rare).
    public var rewritesFinalized: Bool
    /// HTML of the still-open tail, replacing the previous tail (provisional between parses under
    /// `MarkdownStream.TailPolicy.amortized`).
    public var tail: String

    /// An update from its parts.
    public init(finalized: String, rewritesFinalized: Bool = false, tail: String) {
        self.finalized = finalized
        self.rewritesFinalized = rewritesFinalized
        self.tail = tail
    }
}

extension MarkdownStream {
    /// When an `append` re-parses the open tail.
    public enum TailPolicy: Sendable, Equatable {
        /// After every chunk: `html` and every update's `tail` are the exact render of the text so far.
        case exact
        /// Only once enough text waits: a chunk that makes no block final is shown as escaped text at
        /// the end of the open tail's last paragraph, heading or list item (a small tail without one,
        /// just after a block became final, is shown whole as escaped text in a paragraph), so `html`
        /// holds every non-blank character appended so far, but markup the waiting text completes,
        /// like a closing `**`, shows literally; once the bytes shown that way reach
        /// `max(minimumBytes, half of what the last parse read)` the tail is re-parsed exactly.
        /// Final blocks, `finish()` and `terminal(style:)` are always exact; `tailExact` says which
        /// kind of tail the last update carried. Keeps the stream's total work linear with a small
        /// constant.
        case amortized(minimumBytes: Int)
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
    @exclusivity(unchecked) private var fed = 0
    /// Byte offset where the open tail starts (a line start after the last final block).
    @exclusivity(unchecked) private var tailStart = 0
    @exclusivity(unchecked) private var lineStarts: [Int] = [0]
    @exclusivity(unchecked) private var finished = false

    /// Final top-level blocks: the parser node (kept to re-render on a late definition) and output.
    @exclusivity(unchecked) private var finalNodes: [BlockNode] = []
    @exclusivity(unchecked) private var finalBlocks: [MarkdownBlock?] = []
    @exclusivity(unchecked) private var finalHTMLParts: [String] = []
    @exclusivity(unchecked) private var finalHTML = ""
    /// Missing reference labels -> indices of final blocks that looked them up.
    @exclusivity(unchecked) private var missed: [String: [Int]] = [:]
    @exclusivity(unchecked) private var dirty: Set<Int> = []

    @exclusivity(unchecked) private var pendingFinalized = ""
    @exclusivity(unchecked) private var tailHTML = ""
    @exclusivity(unchecked) private var tailBlocks: [MarkdownBlock] = []
    /// Whether `tailBlocks` lags behind `tailHTML` (the paragraph fast path renders HTML only).
    @exclusivity(unchecked) private var tailBlocksStale = false
    /// The stable prefix of the open top-level paragraph: its inline HTML can no longer change.
    @exclusivity(unchecked) private var stable: StableText?
    @exclusivity(unchecked) private var spanBuffer: [(Int, Int)] = []
    @exclusivity(unchecked) private var suffixBuffer: [UInt8] = []
    /// Counts restarts of `stable` (a splice of the tail needs the same stable prefix, only longer).
    @exclusivity(unchecked) private var stableGeneration = 0
    /// HTML of the closed items of the open top-level list, per tightness (tight, loose).
    @exclusivity(unchecked) private var itemCache: (list: BlockNode, definitions: Int, html: [ObjectIdentifier: (String?, String?)])?
    /// The last list head: its list, definitions, closed items, their tightness, the list's tightness, HTML.
    @exclusivity(unchecked) private var listHeadCache:
        (list: BlockNode, definitions: Int, closed: Int, fed: Int, closedTight: Bool, tight: Bool, html: String)?
    /// One inline parser reused for the paragraph fast path (rebuilt when definitions change).
    @exclusivity(unchecked) private var inlineArena: InlineParser?
    @exclusivity(unchecked) private var inlineArenaDefinitions = -1
    /// The open fenced code block's opening tag and escaped content so far.
    @exclusivity(unchecked) private var codeCache: (node: BlockNode, covered: Int, html: String)?
    /// Tests set this to compare every fast-path tail with a full render.
    var checkTails = false
    /// Fast-path tails that differed from a full render (tests expect zero).
    @exclusivity(unchecked) private(set) var tailMismatches = 0
    /// The first differing pair (fast path, full render), for the test's message.
    @exclusivity(unchecked) private(set) var firstMismatch: (String, String)?
    @exclusivity(unchecked) private var terminalCache: (TerminalStyle, String, Int)?
    /// `finalHTML + tailHTML`, kept in one buffer so reading `html` after every chunk costs the
    /// changed bytes, not the whole answer (in place while the caller does not keep the string).
    @exclusivity(unchecked) private var combined = ""
    /// How many UTF-8 bytes at the start of `combined` are final HTML that is still current.
    @exclusivity(unchecked) private var combinedFinal = 0
    /// How many leading bytes of `tailHTML` are still those after `combinedFinal` in `combined`
    /// (every change of `tailHTML` lowers it to what the change kept).
    @exclusivity(unchecked) private var tailKept = 0
    /// The last tail render split where the unfinished line's text ends, for `quickTail`.
    @exclusivity(unchecked) private var quick: QuickTail?
    /// Whether the last exact tail render read a link reference definition (then no quick path).
    @exclusivity(unchecked) private var tailSawDefinition = false
    /// How many chunks took the quick path exactly (tests check that it is exercised).
    @exclusivity(unchecked) private(set) var quickTails = 0
    /// How many chunks were rendered inside a frame (tests check that it is exercised).
    @exclusivity(unchecked) private(set) var frameTails = 0
    /// When the tail is re-parsed (see `TailPolicy`).
    public let tailPolicy: TailPolicy
    /// Whether `tailHTML` is the exact render of the open tail (always, under `.exact`).
    @exclusivity(unchecked) public private(set) var tailExact = true
    /// Bytes shown as provisional text since the last exact tail render.
    @exclusivity(unchecked) private var provisionalBytes = 0
    /// How many bytes the last exact tail render parsed (the amortized policy waits for half as many).
    @exclusivity(unchecked) private var lastParsedBytes = 0

    /// A stream with the given parser options and tail policy.
    public init(options: MarkdownOptions = .default, tailPolicy: TailPolicy = .exact) {
        self.options = options
        self.tailPolicy = tailPolicy
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
        let fedBefore = fed
        feedCompleteLines()
        if dirty.isEmpty {
            if tailPolicy != .exact, pendingFinalized.isEmpty, quickTail(chunkStart: start, sameLine: fed == fedBefore) {
                return update(renderTail: false)
            }
            if !pendingFinalized.isEmpty || quick == nil, provisionalTail() { return update(renderTail: false) }
        }
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
    public var html: String {
        let finalCount = finalHTML.utf8.count
        let tailCount = tailHTML.utf8.count
        if combinedFinal == finalCount, tailKept == tailCount, combined.utf8.count == finalCount + tailCount {
            return combined
        }
        var keep = combinedFinal == finalCount ? tailKept : 0
        if combinedFinal > finalCount {
            combined = finalHTML
            keep = 0
        } else {
            let end = combinedFinal + keep
            if combined.utf8.count > end {
                combined.removeSubrange(combined.utf8.index(combined.startIndex, offsetBy: end)...)
            }
            if combinedFinal < finalCount {
                combined += finalHTML[finalHTML.utf8.index(finalHTML.startIndex, offsetBy: combinedFinal)...]
            }
        }
        combinedFinal = finalCount
        combined += keep == 0 ? tailHTML[...] : tailHTML[tailHTML.utf8.index(tailHTML.startIndex, offsetBy: keep)...]
        tailKept = tailCount
        return combined
    }

    /// The text so far rendered for a terminal; final blocks are cached per style, the tail re-rendered.
    public func terminal(style: TerminalStyle) -> String {
        // The final blocks' trees are only needed here: built on the first call that needs them.
        while finalBlocks.count < finalNodes.count {
            var builder = TreeBuilder(locate: locate, options: options, definitions: parser.definitions)
            finalBlocks.append(builder.block(finalNodes[finalBlocks.count], tightParent: false))
        }
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
        if tailBlocksStale {
            // The tail blocks catch up; `tailHTML` stays what the last update delivered.
            let shown = tailHTML
            renderTailFully()
            tailHTML = shown
        }
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
        // What the tail's frames rendered of the block is reused: its closed blocks and the stable
        // prefix of its last paragraph.
        var missedLabels: Set<String> = []
        var writer = HTMLWriter()
        writeFinal(node, tight: false, into: &writer, missed: &missedLabels)
        let html = writer.string
        finalNodes.append(node)
        finalHTMLParts.append(html)
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
        let finalized = rewrites ? finalHTML : pendingFinalized
        pendingFinalized = ""
        return MarkdownUpdate(finalized: finalized, rewritesFinalized: rewrites, tail: tailHTML)
    }

    private func renderTailNow() {
        tailSawDefinition = false
        tailExact = true
        provisionalBytes = 0
        lastParsedBytes = 0
        if tailPolicy == .exact {
            if frameTail() { return }
            renderTailFully()
            tailKept = 0
            lastSplice = nil
            return
        }
        defer { prepareQuickTail() }
        let pt = paragraphTail() ?? headingTail()
        let ct = pt == nil ? codeTail() : nil
        let lt = pt == nil && ct == nil ? listTail() : nil
        if let html = pt ?? ct ?? lt {
            replaceTail(html)
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
        renderTailFully()
        tailKept = 0
        lastSplice = nil
    }

    /// The last exact tail render, split at the end of the unfinished line's rendered text.
    private struct QuickTail {
        /// Whether the line's structure is settled so that inert chunks render exactly.
        var settled: Bool
        /// `fed` when the split was made: the unfinished line must still be the same line.
        var fed: Int
        /// Byte offset where the shown text ends (trailing spaces and tabs are not shown yet).
        var shown: Int
        /// Start of the last word of the shown text.
        var wordStart: Int
        /// Whether the last word is all `quickInert` bytes (the chunk may then continue it).
        var wordInert: Bool
        /// Whether the last word is all `#` (a heading's closing sequence: text after it shows it).
        var wordHashes: Bool
        /// The closing tags after the shown text (`tailHTML` ends with them, unless it is empty).
        var close: String
    }

    /// Bytes that never start, end or change an inline construct or a block: ASCII letters and
    /// digits, space, `,`, `.` (autolinks need `www.`, `://` or `@`, checked apart) and non-ASCII.
    @inline(__always) static func quickInert(_ c: UInt8) -> Bool {
        Scan.isAlnum(c) || c == 0x20 || c == 0x2C || c == 0x2E || c >= 0x80
    }

    /// Records where the unfinished line's text ends in the tail just rendered, if a chunk of
    /// inert bytes appended to that line can only extend that text (see `quickTail`).
    private func prepareQuickTail() {
        quick = nil
        let b = parser.b
        guard fed < b.count, !tailHTML.isEmpty else { return }
        // Whether an inert chunk gives the exact render (else the split only serves provisional tails).
        var settled = !tailSawDefinition
        // The line's block structure is settled: before its first letter it holds only container
        // and list markers, heading hashes and spaces (no `<`, `[`, `|`, fences or tabs), and a
        // letter ends every block start's lookahead, so later bytes cannot change which blocks it opens.
        var i = fed
        scan: while i < b.count {
            let c = b[i]
            if Scan.isLetter(c) || c >= 0x80 { break }
            switch c {
            case 0x20, 0x3E, 0x2D, 0x2B, 0x2A, 0x2E, 0x29, 0x23, 0x30...0x39: i += 1
            default:
                settled = false
                break scan
            }
        }
        if i == b.count { settled = false }
        var shown = b.count
        while shown > fed, Scan.isSpaceOrTab(b[shown - 1]) { shown -= 1 }
        // The last word, looked at over 64 bytes at most (a longer word is treated as not inert).
        var w = shown
        var wordInert = true
        var wordHashes = true
        while w > fed, !Scan.isSpaceOrTab(b[w - 1]) {
            if shown - w >= 64 {
                wordInert = false
                wordHashes = false
                break
            }
            w -= 1
            if !MarkdownStream.quickInert(b[w]) { wordInert = false }
            if b[w] != 0x23 { wordHashes = false }
        }
        // The tail HTML must end with the closing tags of the leaf holding the line (a paragraph,
        // a heading or a tight item) and its containers, right after the line's text.
        var html = tailHTML
        let (split, innermost): (Int, String?) = html.withUTF8 { h in
            var p = h.count
            var innermost: String?
            let names = ["p", "li", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"]
            outer: while true {
                var q = p
                if q > 0, h[q - 1] == 0x0A { q -= 1 }
                for name in names {
                    let n = name.utf8.count + 3
                    guard q >= n, h[q - 1] == 0x3E, h[q - n] == 0x3C, h[q - n + 1] == 0x2F else { continue }
                    if zip(h[(q - n + 2)..<(q - 1)], name.utf8).allSatisfy({ $0 == $1 }) {
                        p = q - n
                        innermost = name
                        continue outer
                    }
                }
                break
            }
            return (p, innermost)
        }
        guard let leaf = innermost, leaf == "p" || leaf == "li" || leaf.first == "h" else { return }
        let headBytes = tailHTML.utf8.prefix(split)
        guard let lastByte = headBytes.last, lastByte != 0x0A else { return }
        // An inert last word renders as itself: check that the HTML really ends with it.
        if wordInert, w < shown, !headBytes.reversed().starts(with: b[w..<shown].reversed()) { settled = false }
        let splitIndex = tailHTML.utf8.index(tailHTML.startIndex, offsetBy: split)
        quick = QuickTail(
            settled: settled, fed: fed, shown: shown, wordStart: w, wordInert: wordInert && w < shown,
            wordHashes: wordHashes && w < shown,
            close: String(tailHTML[splitIndex...]))
    }

    /// Renders the tail without parsing when the chunk only extends the unfinished line's text.
    ///
    /// The chunk must be inert bytes (`quickInert`) on the same unfinished line, and either start a
    /// new word (after a space) or continue an inert last word. Such bytes add no delimiter,
    /// bracket, backtick, entity or autolink, and do not change the flanking of the delimiter runs
    /// before them (the end of the text counts as whitespace, like the space they bring), so the
    /// exact render of the longer text is the previous render with the new text (trailing spaces
    /// held back, as the parser trims them) inserted where the line's text ended. Tests compare
    /// every quick tail with a full render.
    private func quickTail(chunkStart: Int, sameLine: Bool) -> Bool {
        guard let current = quick, !finished else { return false }
        let b = parser.b
        let n = b.count
        guard chunkStart < n else { return false }
        let exact =
            sameLine && current.fed == fed && current.settled && quickIsExact(current, chunkStart: chunkStart)
        if !exact {
            // The amortized policy shows the chunk as text until enough bytes wait for a parse (lines
            // the chunk completed went through the block parser; none closed a top-level block).
            guard case .amortized(let minimumBytes) = tailPolicy,
                provisionalBytes + (n - chunkStart) < max(minimumBytes, lastParsedBytes / 2),
                !b[chunkStart...].contains(0x0D)
            else { return false }
        }
        var q = current
        var end = n
        while end > q.shown, Scan.isSpaceOrTab(b[end - 1]) { end -= 1 }
        if end > q.shown {
            let text: String
            if exact || !b[q.shown..<end].contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 }) {
                text = String(decoding: b[q.shown..<end], as: UTF8.self)
            } else {
                var writer = HTMLWriter()
                b[q.shown..<end].withUnsafeBufferPointer { writer.escape($0) }
                text = writer.string
            }
            // In place (the tail string is unique unless the caller kept the last update).
            if tailHTML.isEmpty {
                replaceTail("<p>" + text + q.close)  // the empty provisional tail (`provisionalTail`)
            } else {
                let keep = tailHTML.utf8.count - q.close.utf8.count
                tailHTML.removeSubrange(tailHTML.utf8.index(tailHTML.startIndex, offsetBy: keep)...)
                tailHTML += text
                tailHTML += q.close
                tailKept = min(tailKept, keep)
            }
            var lastSpace = -1
            for k in max(q.shown, chunkStart)..<end where b[k] == 0x20 { lastSpace = k }
            if lastSpace >= 0 { q.wordStart = lastSpace + 1 } else if q.shown < chunkStart { q.wordStart = chunkStart }
            q.wordInert = exact  // an exact chunk either continues an inert word or starts one
            q.wordHashes = false
            q.shown = end
        }
        quick = q
        tailBlocksStale = true
        if !exact || !tailExact {
            tailExact = false
            provisionalBytes += n - chunkStart
            return true
        }
        quickTails += 1
        if checkTails {
            let fast = tailHTML
            renderTailFully()
            if tailHTML != fast {
                tailMismatches += 1
                if firstMismatch == nil { firstMismatch = (fast, tailHTML) }
            }
            tailHTML = fast
            tailBlocksStale = true
        }
        return true
    }

    /// Replaces the whole tail HTML (every path but the frame splice and the quick tail).
    private func replaceTail(_ html: String) {
        tailHTML = html
        tailKept = 0
        lastSplice = nil
    }

    /// Under `.amortized`, shows a small open tail that has no quick-tail split (a block just
    /// closed, or the tail's last block is not a paragraph, heading or list item) as escaped text
    /// in a paragraph, until the next parse.
    private func provisionalTail() -> Bool {
        guard case .amortized(let minimumBytes) = tailPolicy, !finished else { return false }
        let b = parser.b
        var start = tailStart
        while start < b.count, Scan.isWhitespace(b[start]) { start += 1 }
        var end = b.count
        while end > start, Scan.isSpaceOrTab(b[end - 1]) { end -= 1 }
        guard end - start < max(minimumBytes, lastParsedBytes / 2), !b[start..<end].contains(0x0D) else {
            return false
        }
        var writer = HTMLWriter()
        b[start..<end].withUnsafeBufferPointer { writer.escape($0) }
        let text = writer.string
        replaceTail(text.isEmpty ? "" : "<p>" + text + "</p>\n")
        quick = QuickTail(
            settled: false, fed: fed, shown: end, wordStart: end, wordInert: false, wordHashes: false,
            close: "</p>\n")
        tailExact = false
        provisionalBytes = end - start
        tailBlocksStale = true
        return true
    }

    /// Whether the quick tail after this chunk is the exact render (see `quickTail`).
    private func quickIsExact(_ q: QuickTail, chunkStart: Int) -> Bool {
        let b = parser.b
        let n = b.count
        for k in chunkStart..<n where !MarkdownStream.quickInert(b[k]) { return false }
        let boundary = q.shown < chunkStart || b[chunkStart] == 0x20
        if boundary {
            if q.wordHashes { return false }
        } else if !q.wordInert {
            return false
        }
        // `www.` starts an autolink: a word holding a `.` must have no `w`.
        var dot = false
        var w = false
        for k in (boundary ? chunkStart : q.wordStart)..<n {
            let c = b[k]
            if c == 0x20 {
                if dot && w { return false }
                dot = false
                w = false
            } else if c == 0x2E {
                dot = true
            } else if c | 0x20 == 0x77 {
                w = true
            }
        }
        return !(dot && w)
    }

    // MARK: - Frames: the open tail laid out around the unfinished line's text

    /// What holds the unfinished line's text in a frame.
    private enum FrameLeaf {
        /// A paragraph (its start is the key of its stable prefix): the text is parsed as inlines.
        case paragraph(start: Int)
        /// An ATX heading: the line's text without its closing sequence, parsed as inlines.
        case heading
        /// A code block: the line's text, escaped, then a newline.
        case code
        /// Nothing: the innermost open block is a container or a leaf rendered whole.
        case none
    }

    /// The stable prefix of the open paragraph: text whose HTML can no longer change, whatever follows.
    private final class StableText {
        /// After a parse that left nothing open: where its text ended, the HTML of the text from
        /// the stable point to there, and what it looked up in vain.
        struct Clean {
            var end: Int
            var html: String
            var endsWithBackslash: Bool
            var missed: Set<String>
        }
        let paragraphStart: Int
        let definitions: Int
        /// Bytes of the paragraph's text covered, and their HTML.
        var length = 0
        var html = ""
        /// Reference labels looked up and missing in the covered text.
        var missed: Set<String> = []
        var clean: Clean?

        init(paragraphStart: Int, definitions: Int) {
            self.paragraphStart = paragraphStart
            self.definitions = definitions
        }
    }

    /// The open tail laid out around the text of the unfinished line: the HTML before that text
    /// and after it. Made by reading the unfinished line in a probe (`BlockParser.fork`) as the
    /// whole text's last line, then rendering the probe's open blocks from the outside in, with the
    /// HTML of their closed blocks kept per block. A *settled* frame (see `settledLine`) holds for
    /// every later chunk on the same line, since more bytes only extend the leaf's text; another
    /// serves one chunk.
    private final class Frame {
        let fed: Int
        let finalCount: Int
        let definitions: Int
        let settled: Bool
        let leaf: FrameLeaf
        let head: String
        let close: String
        /// A paragraph's complete lines (each ending with a newline) before the unfinished line.
        let lines: [UInt8]
        /// Where the unfinished line's text starts.
        let textStart: Int
        /// Counts frames, so a splice knows the head is the one in `tailHTML`.
        let id: Int

        init(
            fed: Int, finalCount: Int, definitions: Int, settled: Bool, leaf: FrameLeaf, head: String, close: String,
            lines: [UInt8], textStart: Int, id: Int
        ) {
            self.fed = fed
            self.finalCount = finalCount
            self.definitions = definitions
            self.settled = settled
            self.leaf = leaf
            self.head = head
            self.close = close
            self.lines = lines
            self.textStart = textStart
            self.id = id
        }
    }
    @exclusivity(unchecked) private var frame: Frame?
    @exclusivity(unchecked) private var frameCount = 0
    /// What `tailHTML` holds when it was last written by `frameTail`: the frame, the stable prefix
    /// (generation and HTML length) and the byte count of head plus stable prefix.
    @exclusivity(unchecked) private var lastSplice: (frame: Int, generation: Int, stableCount: Int, kept: Int)?
    /// Closed blocks inside the open tail, rendered once per tightness: (tight, loose) HTML, and
    /// the sizes along the block's last-child path when rendered (a block the probe closed is kept
    /// under the parser's own block, which may still grow: then the sizes differ).
    @exclusivity(unchecked) private var closedCache: [ObjectIdentifier: (String?, String?, [Int], Set<String>)] = [:]
    @exclusivity(unchecked) private var closedCacheKey = (-1, -1)

    /// Whether no byte appended to the unfinished line from `start` can change which blocks the
    /// line continues or opens: after container and list markers, spaces, and the characters of
    /// thematic breaks, setext underlines, table delimiter rows and heading markers comes a byte
    /// that no block start reads past (a letter, a digit-free punctuation mark, non-ASCII, or a run
    /// of fewer than three backticks or tildes followed by more text). Tabs, `\r` and `<` (HTML
    /// blocks read the whole line) never settle a line.
    static func settledLine(_ b: [UInt8], from start: Int) -> Bool {
        var i = start
        let n = b.count
        while i < n {
            let c = b[i]
            switch c {
            case 0x20, 0x3E, 0x2D, 0x2B, 0x2A, 0x2E, 0x29, 0x23, 0x30...0x39, 0x3D, 0x5F, 0x3A, 0x7C:
                i += 1
            case 0x60, 0x7E:
                var k = i
                while k < n, b[k] == c { k += 1 }
                return k - i < 3 && k < n
            case 0x09, 0x0D, 0x0A, 0x3C:
                return false
            default:
                return true
            }
        }
        return false
    }

    /// Where the unfinished line's text ends: before a last `\r`, the first half of a line ending.
    static func lineEnd(_ b: [UInt8]) -> Int { b.last == 0x0D ? b.count - 1 : b.count }

    /// Whether an unfinished line inside an open code block stays a line of it whatever follows:
    /// past spaces and `>` it holds a byte other than the fence character, so it cannot become the
    /// closing fence, and its indentation (which decides whether it continues the block) is fixed.
    static func settledCodeLine(_ b: [UInt8], from start: Int, fenceChar: UInt8?) -> Bool {
        var settled = false
        for c in b[start...] {
            if c == 0x09 || c == 0x0D { return false }
            if c != 0x20, c != 0x3E, c != fenceChar { settled = true }
        }
        return settled
    }

    /// Renders the tail inside the unfinished line's frame, parsing only the leaf's text (from its
    /// stable prefix on); false when the line has no frame (the full render takes it).
    private func frameTail() -> Bool {
        let b = parser.b
        if let f = frame, !f.settled || f.fed != fed || f.finalCount != finalNodes.count
            || f.definitions != parser.definitions.count
        {
            frame = nil
        }
        if frame == nil {
            guard let f = buildFrame() else { return false }
            frame = f
        }
        let f = frame!
        var stableHTML = ""
        var rest = ""
        switch f.leaf {
        case .paragraph(let start):
            (stableHTML, rest) = leafInline(paragraphStart: start, content: f.lines, lineText: f.textStart)
        case .heading:
            rest = headingInline(from: f.textStart, to: MarkdownStream.lineEnd(b))
        case .code:
            let end = MarkdownStream.lineEnd(b)
            var writer = HTMLWriter()
            b[f.textStart..<end].withUnsafeBufferPointer { writer.escape($0) }
            writer.bytes.append(0x0A)
            rest = writer.string
            lastParsedBytes = end - f.textStart
        case .none:
            break
        }
        // Splice: keep the head and the stable prefix written last time, add what is new.
        var kept = 0
        if let last = lastSplice, last.frame == f.id, last.generation == stableGeneration,
            last.stableCount <= stableHTML.utf8.count, tailHTML.utf8.count >= last.kept
        {
            kept = last.kept
            tailHTML.removeSubrange(tailHTML.utf8.index(tailHTML.startIndex, offsetBy: kept)...)
            if stableHTML.utf8.count > last.stableCount {
                tailHTML += stableHTML[stableHTML.utf8.index(stableHTML.startIndex, offsetBy: last.stableCount)...]
            }
        } else {
            tailHTML = f.head
            tailHTML += stableHTML
        }
        let fixed = tailHTML.utf8.count
        tailHTML += rest
        tailHTML += f.close
        lastSplice = (f.id, stableGeneration, stableHTML.utf8.count, fixed)
        tailKept = min(tailKept, kept)
        tailBlocksStale = true
        if checkTails {
            let fast = tailHTML
            renderTailFully()
            if tailHTML != fast {
                tailMismatches += 1
                if firstMismatch == nil { firstMismatch = (fast, tailHTML) }
            }
            tailHTML = fast
            tailBlocksStale = true
        }
        frameTails += 1
        return true
    }

    /// An ATX heading's text on the unfinished line from `start`, without its closing sequence, as HTML.
    private func headingInline(from start: Int, to end: Int) -> String {
        let b = parser.b
        var start = start
        while start < end, Scan.isSpaceOrTab(b[start]) { start += 1 }
        var end = end
        while end > start, Scan.isSpaceOrTab(b[end - 1]) { end -= 1 }
        var k = end
        while k > start, b[k - 1] == 0x23 { k -= 1 }
        if k < end, k == start || Scan.isSpaceOrTab(b[k - 1]) {
            end = k
            while end > start, Scan.isSpaceOrTab(b[end - 1]) { end -= 1 }
        }
        guard end > start else { return "" }
        let inline = sharedArena(for: parser.definitions)!
        inline.reset(Array(b[start..<end]))
        inline.parse()
        var writer = HTMLWriter()
        writer.arenaInlines(inline, options: options)
        lastParsedBytes = end - start
        return writer.string
    }

    /// Reads the unfinished line in a probe and lays out the tail around the block holding it;
    /// nil when a full render must decide (the line completed a link reference definition, a
    /// paragraph may still become one, or a task item's checkbox is involved).
    private func buildFrame() -> Frame? {
        let b = parser.b
        // A `\r` ending the text may be half of a `\r\n`: either way it ends the line.
        let end = MarkdownStream.lineEnd(b)
        let probe = parser.fork()
        if fed < b.count { probe.processLine(start: fed, end: end) }
        guard probe.definitions.count == parser.definitions.count else { return nil }
        let open = probe.openBlocks
        let root = open[0]
        let first = finalNodes.count
        if closedCacheKey != (first, parser.definitions.count) {
            closedCache.removeAll(keepingCapacity: true)
            closedCacheKey = (first, parser.definitions.count)
        }
        let line = probe.lineNumber
        func cacheable(_ node: BlockNode) -> Bool { node.isCopy || node.startLine < line }
        // The leaf holding the unfinished line's text, and whether the frame holds for later chunks.
        var leaf = FrameLeaf.none
        var settled = false
        var lines: [UInt8] = []
        var textStart = b.count
        if fed < end, open.count >= 2, let tip = open.last, tip.segments.count >= 2, tip.content.last == 0x0A {
            let contentStart = tip.segments[tip.segments.count - 2]
            let source = tip.segments[tip.segments.count - 1]
            // The line's text, taken whole from where it starts (no tab turned into spaces).
            if source >= fed, tip.content.count - contentStart == end - source + 1,
                tip.content[contentStart..<(tip.content.count - 1)].elementsEqual(b[source..<end])
            {
                switch tip.kind {
                case .paragraph:
                    guard MarkdownStream.cannotBeDefinition(Array(tip.content.dropLast())) else { return nil }
                    leaf = .paragraph(start: tip.startOffset)
                    lines = Array(tip.content[..<contentStart])
                    textStart = source
                    settled = MarkdownStream.settledLine(b, from: fed)
                case .heading where !tip.setext:
                    leaf = .heading
                    textStart = source
                    settled = MarkdownStream.settledLine(b, from: fed)
                case .codeBlock:
                    // Indented code drops trailing blank lines: a blank line goes the full way.
                    if tip.fenced || b[source..<end].contains(where: { !Scan.isSpaceOrTab($0) }) {
                        leaf = .code
                        textStart = source
                        settled =
                            tip.original === parser.openBlocks.last
                            && MarkdownStream.settledCodeLine(b, from: fed, fenceChar: tip.fenced ? tip.fenceChar : nil)
                    }
                default:
                    break
                }
            }
        }
        var writer = HTMLWriter()
        // Blocks the line closed (it started a new top-level block) come first.
        let openTop = open.count >= 2 ? open[1] : nil
        for node in root.children where node !== openTop {
            writeClosed(node, tight: false, cacheable: cacheable(node), into: &writer)
        }
        var closers: [String] = []
        var tight = false
        for depth in 1..<max(open.count, 1) {
            let node = open[depth]
            let innermost = depth == open.count - 1
            let closed = innermost ? node.children[...] : node.children.dropLast()
            switch node.kind {
            case .blockQuote:
                writer.cr()
                writer.raw("<blockquote>\n")
                for child in closed { writeClosed(child, tight: false, cacheable: cacheable(child), into: &writer) }
                writer.cr()
                closers.append("</blockquote>\n")
                tight = false
            case .list:
                tight = BlockParser.isTight(node)
                writer.cr()
                if node.ordered {
                    if node.listStart == 1 {
                        writer.raw("<ol>\n")
                    } else {
                        writer.raw("<ol start=\"")
                        writer.bytes.append(contentsOf: String(node.listStart).utf8)
                        writer.raw("\">\n")
                    }
                } else {
                    writer.raw("<ul>\n")
                }
                for child in closed { writeClosed(child, tight: tight, cacheable: cacheable(child), into: &writer) }
                closers.append(node.ordered ? "</ol>\n" : "</ul>\n")
            case .item:
                // A task item's checkbox goes before its first paragraph: the full render does that.
                if options.taskLists, let firstChild = node.children.first, firstChild.kind == .paragraph,
                    MarkdownStream.mayBeTask(firstChild.content.dropLast())
                {
                    return nil
                }
                writer.cr()
                writer.raw("<li>")
                for child in closed { writeClosed(child, tight: tight, cacheable: cacheable(child), into: &writer) }
                closers.append("</li>\n")
            default:
                precondition(innermost, "only containers hold open blocks")
                switch leaf {
                case .paragraph:
                    if !tight {
                        writer.cr()
                        writer.raw("<p>")
                        closers.append("</p>\n")
                    }
                case .heading:
                    writer.cr()
                    let digit = UInt8(0x30 + min(max(node.level, 1), 6))
                    writer.raw("<h")
                    writer.bytes.append(digit)
                    writer.raw(">")
                    closers.append("</h" + String(UnicodeScalar(digit)) + ">\n")
                case .code:
                    writer.cr()
                    let language = node.info.prefix { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A }
                    if language.isEmpty {
                        writer.raw("<pre><code>")
                    } else {
                        writer.raw("<pre><code class=\"language-")
                        writer.escape(String(decoding: language, as: UTF8.self))
                        writer.raw("\">")
                    }
                    writeCode(node, upTo: node.segments[node.segments.count - 2], into: &writer)
                    closers.append("</code></pre>\n")
                case .none:
                    // A leaf without the line's text (a heading or break the line made, a table, an
                    // HTML block, a paragraph when no line is unfinished): rendered whole, unless a
                    // paragraph may hold link reference definitions that closing it would take out.
                    if node.kind == .paragraph, !MarkdownStream.cannotBeDefinition(Array(node.content.dropLast())) {
                        return nil
                    }
                    // Indented code drops its trailing blank lines when it closes.
                    if node.kind == .codeBlock, !node.fenced { return nil }
                    writeClosed(node, tight: tight, cacheable: false, into: &writer)
                }
            }
        }
        frameCount += 1
        return Frame(
            fed: fed, finalCount: first, definitions: parser.definitions.count, settled: settled, leaf: leaf,
            head: writer.string, close: closers.reversed().joined(), lines: lines, textStart: textStart,
            id: frameCount)
    }

    /// Writes a code block's content before offset `end`, escaped; the content of the parser's own
    /// open code block is escaped once and kept.
    private func writeCode(_ node: BlockNode, upTo end: Int, into writer: inout HTMLWriter) {
        guard let original = node.original, original === parser.openBlocks.last, original.content.count == end else {
            node.content[..<end].withUnsafeBufferPointer { writer.escape($0) }
            return
        }
        if codeCache == nil || codeCache!.node !== original { codeCache = (original, 0, "") }
        if codeCache!.covered < end {
            var own = HTMLWriter()
            original.content[codeCache!.covered..<end].withUnsafeBufferPointer { own.escape($0) }
            codeCache!.html += own.string
            codeCache!.covered = end
        }
        writer.bytes.append(contentsOf: codeCache!.html.utf8)
    }

    /// Writes a closed block of the open tail, from the cache when it is the parser's own block
    /// (kept per tightness; every block but a tight paragraph starts on a new line, which the
    /// writer adds before the cached HTML as `HTMLWriter.block` would).
    private func writeClosed(_ node: BlockNode, tight: Bool, cacheable: Bool, into writer: inout HTMLWriter) {
        // A copy the probe closed without adding to it renders as its original will once closed.
        var cacheable = cacheable
        var keyNode = node
        if node.isCopy {
            if let original = MarkdownStream.unchangedOriginal(node) { keyNode = original } else { cacheable = false }
        }
        let key = ObjectIdentifier(keyNode)
        let newLine = !(tight && node.kind == .paragraph)
        if cacheable, let cached = closedCache[key], MarkdownStream.hasSizes(node, cached.2),
            let html = tight ? cached.0 : cached.1
        {
            if newLine { writer.cr() }
            writer.bytes.append(contentsOf: html.utf8)
            return
        }
        var builder = TreeBuilder(locate: MarkdownStream.noRange, options: options, definitions: parser.definitions)
        builder.arena = sharedArena(for: parser.definitions)
        guard let block = builder.block(node, tightParent: tight) else { return }
        if cacheable {
            let sizes = MarkdownStream.sizes(node)
            var own = HTMLWriter()
            own.block(block, tight: tight)
            let html = own.string
            let cached = closedCache[key].flatMap { $0.2 == sizes ? $0 : nil }
            let labels = builder.missedLabels.union(cached?.3 ?? [])
            closedCache[key] = tight ? (html, cached?.1, sizes, labels) : (cached?.0, html, sizes, labels)
            if newLine { writer.cr() }
            writer.bytes.append(contentsOf: own.bytes)
        } else {
            writer.block(block, tight: tight)
        }
    }

    /// Whether `sizes(node)` would equal `sizes`, without building it.
    static func hasSizes(_ node: BlockNode, _ sizes: [Int]) -> Bool {
        var i = 0
        var current: BlockNode? = node
        while let n = current {
            guard i + 4 <= sizes.count, sizes[i] == n.content.count, sizes[i + 1] == n.children.count,
                sizes[i + 2] == n.rows.count, sizes[i + 3] == Int(n.kind.rawValue) &<< 8 | n.level
            else { return false }
            i += 4
            current = n.children.last
        }
        return i == sizes.count
    }

    /// Whether paragraph text starts, or may go on to start, with a task item's box (`[ ]`, `[x]`
    /// or `[X]`, then a space or tab).
    static func mayBeTask(_ c: ArraySlice<UInt8>) -> Bool {
        var i = c.startIndex
        guard i < c.endIndex, c[i] == 0x5B else { return false }
        i += 1
        if i < c.endIndex, c[i] != 0x20, c[i] | 0x20 != 0x78 { return false }
        i += 1
        if i < c.endIndex, c[i] != 0x5D { return false }
        i += 1
        if i < c.endIndex, !Scan.isSpaceOrTab(c[i]) { return false }
        return true
    }

    /// Writes a block the parser closed, for the final HTML: from the frames' cache when they
    /// rendered it closed, its containers around their blocks, a paragraph from its stable prefix
    /// on; anything else through the tree. Collects the reference labels looked up and missing.
    private func writeFinal(_ node: BlockNode, tight: Bool, into writer: inout HTMLWriter, missed: inout Set<String>) {
        let newLine = !(tight && node.kind == .paragraph)
        if let cached = closedCache[ObjectIdentifier(node)], let html = tight ? cached.0 : cached.1,
            MarkdownStream.hasSizes(node, cached.2)
        {
            if newLine { writer.cr() }
            writer.bytes.append(contentsOf: html.utf8)
            missed.formUnion(cached.3)
            return
        }
        switch node.kind {
        case .blockQuote:
            writer.cr()
            writer.raw("<blockquote>\n")
            for child in node.children { writeFinal(child, tight: false, into: &writer, missed: &missed) }
            writer.cr()
            writer.raw("</blockquote>\n")
            return
        case .list:
            writer.cr()
            if node.ordered {
                if node.listStart == 1 {
                    writer.raw("<ol>\n")
                } else {
                    writer.raw("<ol start=\"")
                    writer.bytes.append(contentsOf: String(node.listStart).utf8)
                    writer.raw("\">\n")
                }
            } else {
                writer.raw("<ul>\n")
            }
            for child in node.children { writeFinal(child, tight: node.tight, into: &writer, missed: &missed) }
            writer.raw(node.ordered ? "</ol>\n" : "</ul>\n")
            return
        case .item:
            guard options.taskLists, let first = node.children.first, first.kind == .paragraph,
                MarkdownStream.mayBeTask(first.content[...])
            else {
                writer.cr()
                writer.raw("<li>")
                for child in node.children { writeFinal(child, tight: tight, into: &writer, missed: &missed) }
                writer.raw("</li>\n")
                return
            }
        case .paragraph:
            if let s = stable, s.paragraphStart == node.startOffset, s.definitions == parser.definitions.count,
                s.length > 0 || s.clean != nil, s.length <= node.content.count
            {
                var end = node.content.count
                while end > s.length, Scan.isWhitespace(node.content[end - 1]) { end -= 1 }
                guard end > s.length else { break }
                if !tight {
                    writer.cr()
                    writer.raw("<p>")
                }
                writer.bytes.append(contentsOf: s.html.utf8)
                if let clean = s.clean, clean.end == end {
                    // The last parse covered the rest exactly.
                    writer.bytes.append(contentsOf: clean.html.utf8)
                    missed.formUnion(clean.missed)
                } else {
                    let inline = sharedArena(for: parser.definitions)!
                    inline.reset(node.content[s.length..<end])
                    inline.parse()
                    writer.arenaInlines(inline, options: options)
                    missed.formUnion(inline.missedLabels)
                }
                if !tight { writer.raw("</p>\n") }
                missed.formUnion(s.missed)
                return
            }
        default:
            break
        }
        var builder = TreeBuilder(locate: MarkdownStream.noRange, options: options, definitions: parser.definitions)
        builder.arena = sharedArena(for: parser.definitions)
        if let block = builder.block(node, tightParent: tight) { writer.block(block, tight: tight) }
        missed.formUnion(builder.missedLabels)
    }

    /// The content, children and row counts (and kind) along a block's last-child path: blocks
    /// only grow there, so equal sizes mean the same block.
    static func sizes(_ node: BlockNode) -> [Int] {
        var result: [Int] = []
        var current: BlockNode? = node
        while let n = current {
            result.append(n.content.count)
            result.append(n.children.count)
            result.append(n.rows.count)
            result.append(Int(n.kind.rawValue) &<< 8 | n.level)  // a paragraph may become a setext heading
            current = n.children.last
        }
        return result
    }

    /// The block a probe's copy was made from, if the copy and the copies below it hold no more
    /// than their originals (the probe's line went elsewhere).
    static func unchangedOriginal(_ copy: BlockNode) -> BlockNode? {
        guard let original = copy.original, copy.children.count == original.children.count,
            copy.content.count == original.content.count, copy.rows.count == original.rows.count
        else { return nil }
        for (c, o) in zip(copy.children, original.children) where c !== o {
            guard c.isCopy, unchangedOriginal(c) === o else { return nil }
        }
        return original
    }

    /// The tail when it is one top-level paragraph (or a block quote holding one), rendered from
    /// its stable prefix on (see `leafInline`).
    private func paragraphTail() -> String? {
        let b = parser.b
        var q = fed
        while q < b.count, Scan.isSpaceOrTab(b[q]) { q += 1 }
        // Only the text after the stable point is copied: the paragraph's lines, then the unfinished line.
        var content: [UInt8] = []
        let paragraphStart: Int
        var quoted = false
        var wrap = ("<p>", "</p>\n")
        if let (start, itemWrap) = newItemLine() ?? firstContainerLine() {
            paragraphStart = start
            q = start
            wrap = itemWrap
        } else if parser.open.count == 1 {
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
            let depth = parser.open.count
            guard depth == 2 || depth == 4, let paragraph = parser.open.last, paragraph.kind == .paragraph,
                MarkdownStream.cannotBeDefinition(paragraph.content)
            else { return nil }
            if depth == 4 {
                // The only child of the last item of an open top-level list with closed items (not a
                // task item: its `[ ]` is rendered as a checkbox).
                let list = parser.open[1]
                guard list.kind == .list, list.children.count >= 2, let item = list.children.last,
                    parser.open[2] === item, item.children.count == 1, paragraph.content.first != 0x5B,
                    let (head, tight, close) = listHead(list, lastItemTight: true)
                else { return nil }
                wrap = tight ? (head + "<li>", "</li>\n" + close) : (head + "<li>\n<p>", "</p>\n</li>\n" + close)
            }
            // Inside the item, indentation counts from its content column (spaces only, to keep columns simple).
            var lineStart = fed
            if depth == 4 {
                guard !b[fed..<q].contains(0x09) else { return nil }
                let column = parser.open[2].markerOffset + parser.open[2].padding
                if q - fed >= column { lineStart = fed + column }
            }
            // A lazy line goes into the paragraph with its indentation (as in the block quote case).
            let lazy = depth == 4 && q < b.count && q - fed < parser.open[2].markerOffset + parser.open[2].padding
            guard q == b.count || MarkdownStream.continuesParagraph(b, from: lineStart, firstNonspace: q) else {
                return nil
            }
            if lazy { q = fed }
            content = paragraph.content
            paragraphStart = paragraph.startOffset
        }
        let (stableHTML, rest) = leafInline(paragraphStart: paragraphStart, content: content, lineText: q)
        return quoted
            ? "<blockquote>\n<p>" + stableHTML + rest + "</p>\n</blockquote>\n"
            : wrap.0 + stableHTML + rest + wrap.1
    }

    /// The HTML of an open paragraph's text, its complete lines `content` then the unfinished line from
    /// `lineText` on: the stable prefix's HTML (final, kept in `stable`) and the rest's, parsed now.
    ///
    /// Inline constructs never span a point where nothing is left open (no unmatched opener,
    /// bracket, backtick run or `<` before it) that sits at a word start after a space, so the
    /// HTML before such a point is final; only the text after it is parsed per chunk.
    private func leafInline(paragraphStart: Int, content: [UInt8], lineText q: Int) -> (String, String) {
        let b = parser.b
        let lineEnd = MarkdownStream.lineEnd(b)
        var s: StableText
        if let current = stable, current.paragraphStart == paragraphStart,
            current.definitions == parser.definitions.count
        {
            s = current
        } else {
            s = StableText(paragraphStart: paragraphStart, definitions: parser.definitions.count)
            stable = s
            stableGeneration += 1
        }
        // The paragraph's text: its complete lines, then the unfinished line's text.
        let total = content.count + max(0, lineEnd - q)
        @inline(__always) func byte(_ i: Int) -> UInt8 { i < content.count ? content[i] : b[q + i - content.count] }
        // The text parsed last time ended with nothing open; if what follows it starts a new word
        // after spaces (or a line break), its HTML is final: the stable point moves past it unparsed.
        if let clean = s.clean, clean.end < total {
            var i = clean.end
            var spaces = 0
            var newline = false
            while i < total {
                let c = byte(i)
                if c == 0x20 {
                    if !newline { spaces += 1 }
                } else if c == 0x0A, !newline, !clean.endsWithBackslash {
                    newline = true  // spaces after it start the next line and are skipped
                } else {
                    break
                }
                i += 1
            }
            if i < total, i > clean.end, !Scan.isWhitespace(byte(i)) {
                s.html += clean.html
                if newline {
                    s.html += spaces >= 2 ? "<br />\n" : "\n"  // a hard or a soft line break
                } else {
                    s.html += String(repeating: " ", count: spaces)
                }
                s.length = i
                s.missed.formUnion(clean.missed)
            }
        }
        s.clean = nil
        var suffix = suffixBuffer
        suffixBuffer = []
        defer { suffixBuffer = suffix }
        var start = s.length
        while true {
            suffix.removeAll(keepingCapacity: true)
            if start < content.count {
                suffix.append(contentsOf: content[start...])
                if q < lineEnd { suffix.append(contentsOf: b[q..<lineEnd]) }
            } else if start - content.count <= lineEnd - q {
                suffix.append(contentsOf: b[(q + start - content.count)..<lineEnd])
            }
            while let last = suffix.last, Scan.isWhitespace(last) { suffix.removeLast() }
            // The stable point lies beyond the trimmed text (cannot happen while text only grows): start over.
            if start > 0, suffix.isEmpty {
                s = StableText(paragraphStart: paragraphStart, definitions: parser.definitions.count)
                stable = s
                stableGeneration += 1
                start = 0
                continue
            }
            break
        }
        let inline = sharedArena(for: parser.definitions)!
        inline.reset(suffix)
        inline.parse()
        lastParsedBytes = suffix.count
        // The new stable point: the last word start after a space before anything left open, that no
        // construct spans (resolved emphasis, links and code spans, and brackets whose outcome
        // depended on the text between them). Text after it cannot change the HTML before it.
        spanBuffer.removeAll(keepingCapacity: true)
        var node = inline.head
        while node >= 0 {
            let n = inline.nodes[Int(node)]
            if n.kind != .text, n.end > n.start { spanBuffer.append((Int(n.start), Int(n.end))) }
            node = n.next
        }
        spanBuffer += inline.textBrackets
        var k = min(inline.unresolved, suffix.count - 1)
        while true {
            while k > 0, !((suffix[k - 1] == 0x20 || suffix[k - 1] == 0x0A) && !Scan.isWhitespace(suffix[k])) {
                k -= 1
            }
            if k == 0 { break }
            // Back off to the start of the outermost construct the point falls inside, if any.
            var outermost = k
            for (a, e) in spanBuffer where a < k && e > k { outermost = min(outermost, a) }
            if outermost == k { break }
            k = outermost
        }
        var writer = HTMLWriter()
        // The render is the prefix's HTML then the rest's: the writer notes where the point falls.
        let split = writer.arenaInlines(inline, options: options, splitAt: k > 0 ? k : nil)
        let result = (s.html, writer.string)
        var restBytes = 0
        if k > 0, let split {
            s.html += String(decoding: writer.bytes[..<split], as: UTF8.self)
            s.length += k
            restBytes = split
        } else {
            k = 0
        }
        if k > 0, !inline.missedLabels.isEmpty { s.missed.formUnion(inline.missedLabels) }
        if inline.unresolved == Int.max {
            s.clean = StableText.Clean(
                end: start + suffix.count, html: String(decoding: writer.bytes[restBytes...], as: UTF8.self),
                endsWithBackslash: suffix.last == 0x5C, missed: inline.missedLabels)
        }
        return result
    }


    /// The tail when it is the first line of a top-level ATX heading, not yet complete: its text
    /// (closing sequence removed) is parsed on its own and written straight to HTML. Long lines go
    /// the general way, so that a huge heading line is not re-read per chunk twice over.
    private func headingTail() -> String? {
        let b = parser.b
        guard parser.open.count == 1, fed < b.count, b.count - fed < 256, !b[fed...].contains(0x0D) else {
            return nil
        }
        var i = fed
        while i < b.count, b[i] == 0x20, i - fed < 4 { i += 1 }
        guard i - fed < 4, i < b.count, b[i] == 0x23 else { return nil }
        var level = 0
        while i < b.count, b[i] == 0x23 {
            level += 1
            i += 1
        }
        guard level <= 6, i < b.count, Scan.isSpaceOrTab(b[i]) else { return nil }
        var start = i
        while start < b.count, Scan.isSpaceOrTab(b[start]) { start += 1 }
        var end = b.count
        while end > start, Scan.isSpaceOrTab(b[end - 1]) { end -= 1 }
        // The optional closing sequence: `#`s after a space or tab (or the whole content).
        var k = end
        while k > start, b[k - 1] == 0x23 { k -= 1 }
        if k < end, k == start || Scan.isSpaceOrTab(b[k - 1]) {
            end = k
            while end > start, Scan.isSpaceOrTab(b[end - 1]) { end -= 1 }
        }
        if inlineArena == nil || inlineArenaDefinitions != parser.definitions.count {
            inlineArena = InlineParser([], options: options, definitions: parser.definitions)
            inlineArenaDefinitions = parser.definitions.count
        }
        var writer = HTMLWriter()
        let digit = UInt8(0x30 + level)
        writer.raw("<h")
        writer.bytes.append(digit)
        writer.raw(">")
        if end > start {
            let inline = inlineArena!
            inline.reset(Array(b[start..<end]))
            inline.parse()
            writer.arenaInlines(inline, options: options)
        }
        writer.raw("</h")
        writer.bytes.append(digit)
        writer.raw(">\n")
        lastParsedBytes = end - start
        return writer.string
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
        lastParsedBytes = b.count - lastLineStart
        let fresh = BlockParser(bytes: Array(b[lastLineStart...]), options: options, definitions: parser.definitions)
        let root = fresh.parseAll()
        tailSawDefinition = fresh.definitionsSeen > 0
        guard fresh.definitions.count == parser.definitions.count, let freshList = root.children.first,
            freshList.kind == .list,
            freshList.ordered == list.ordered, freshList.bulletChar == list.bulletChar,
            freshList.delimiter == list.delimiter
        else { return nil }
        guard let (head, tight, closeTag) = listHead(list, lastItemTight: freshList.tight) else { return nil }
        var html = head
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

    /// When the unfinished line starts a new item of the open top-level list (same marker kind,
    /// indented less than the last item's content, 1–4 spaces after the marker, then text that
    /// cannot start a block nor a task box), the new item's text start and the HTML around its
    /// paragraph: the list head with every current item closed, and the closing tags.
    private func newItemLine() -> (Int, (String, String))? {
        let b = parser.b
        guard parser.open.count >= 3, parser.open[1].kind == .list, let last = parser.open[1].children.last,
            parser.open[2] === last
        else { return nil }
        let list = parser.open[1]
        // What the new line closes must render as it will once closed: at most an open paragraph
        // that cannot be a definition (an open nested list's looseness is only settled on closing).
        for node in parser.open.dropFirst(3) {
            guard node.kind == .paragraph, !node.content.isEmpty, MarkdownStream.cannotBeDefinition(node.content),
                parser.open.count == 4
            else { return nil }
        }
        var i = fed
        while i < b.count, b[i] == 0x20 { i += 1 }
        guard i < b.count, i - fed < 4, i - fed < last.markerOffset + last.padding else { return nil }
        if list.ordered {
            var k = i
            while k < b.count, Scan.isDigit(b[k]), k - i < 9 { k += 1 }
            guard k > i, k < b.count, b[k] == list.delimiter else { return nil }
            i = k + 1
        } else {
            guard b[i] == list.bulletChar else { return nil }
            i += 1
        }
        var c = i
        while c < b.count, b[c] == 0x20 { c += 1 }
        guard c < b.count, c - i >= 1, c - i <= 4, b[c] != 0x5B,
            MarkdownStream.continuesParagraph(b, from: c, firstNonspace: c),
            let (head, tight, close) = listHead(list, lastItemTight: true, includeLast: true)
        else { return nil }
        return (c, tight ? (head + "<li>", "</li>\n" + close) : (head + "<li>\n<p>", "</p>\n</li>\n" + close))
    }

    /// When nothing is open and the unfinished line opens a block quote or a list whose first
    /// line is paragraph text, that text's start and the HTML around its paragraph.
    private func firstContainerLine() -> (Int, (String, String))? {
        let b = parser.b
        guard parser.open.count == 1 else { return nil }
        var i = fed
        while i < b.count, b[i] == 0x20 { i += 1 }
        guard i < b.count, i - fed < 4 else { return nil }
        let wrap: (String, String)
        var markerEnd: Int
        let c0 = b[i]
        if c0 == 0x3E {
            markerEnd = i + 1
            if markerEnd < b.count, b[markerEnd] == 0x20 { markerEnd += 1 }
            wrap = ("<blockquote>\n<p>", "</p>\n</blockquote>\n")
        } else if c0 == 0x2D || c0 == 0x2B || c0 == 0x2A {
            markerEnd = i + 1
            wrap = ("<ul>\n<li>", "</li>\n</ul>\n")
        } else if Scan.isDigit(c0) {
            var k = i
            var start = 0
            while k < b.count, Scan.isDigit(b[k]), k - i < 9 {
                start = start * 10 + Int(b[k] - 0x30)
                k += 1
            }
            guard k < b.count, b[k] == 0x2E || b[k] == 0x29 else { return nil }
            markerEnd = k + 1
            wrap = (start == 1 ? "<ol>\n<li>" : "<ol start=\"\(start)\">\n<li>", "</li>\n</ol>\n")
        } else {
            return nil
        }
        var c = markerEnd
        while c < b.count, b[c] == 0x20 { c += 1 }
        guard c < b.count, c - markerEnd < 4, b[c] != 0x5B, b[c] != 0x09 else { return nil }
        // A list marker needs 1 to 4 spaces after it (more: indented code in the item).
        if c0 != 0x3E { guard c > markerEnd else { return nil } }
        guard MarkdownStream.continuesParagraph(b, from: c, firstNonspace: c) else { return nil }
        return (c, wrap)
    }

    /// The opening tag and closed items' HTML of the open top-level list (items rendered once per
    /// tightness and kept), whether the list is tight, and its closing tag.
    private func listHead(_ list: BlockNode, lastItemTight: Bool, includeLast: Bool = false) -> (String, Bool, String)?
    {
        // With `includeLast`, the open last item is rendered as closed too (a new item follows it).
        let closed = includeLast ? list.children.count : list.children.count - 1
        let fedKey = includeLast ? fed : -1
        let closeTag = list.ordered ? "</ol>\n" : "</ul>\n"
        if let head = listHeadCache, head.list === list, head.definitions == parser.definitions.count,
            head.closed == closed, head.fed == fedKey, !head.closedTight || head.tight == lastItemTight
        {
            return (head.html, head.tight, closeTag)
        }
        // The closed items: each has a following item, so a blank line at its end makes the list loose.
        var closedTight = true
        for item in list.children.prefix(closed) where closedTight {
            if item.lastLineBlank { closedTight = false }
            for child in item.children where BlockParser.endsWithBlankLine(child) { closedTight = false }
        }
        let tight = closedTight && lastItemTight
        if itemCache == nil || itemCache!.list !== list || itemCache!.definitions != parser.definitions.count {
            itemCache = (list, parser.definitions.count, [:])
        }
        var opening = HTMLWriter()
        opening.block(
            MarkdownBlock(
                kind: .list(start: list.ordered ? list.listStart : nil, tight: tight, items: []),
                range: SourceRange(at: SourceLocation(offset: 0, line: 1, column: 1))), tight: false)
        var html = opening.string
        html.removeLast(closeTag.utf8.count)
        for (index, item) in list.children.prefix(closed).enumerated() {
            if index == list.children.count - 1 {
                // The open last item: rendered afresh, not kept (the head is kept per fed line).
                var builder = TreeBuilder(
                    locate: MarkdownStream.noRange, options: options, definitions: parser.definitions)
                builder.arena = sharedArena(for: parser.definitions)
                var writer = HTMLWriter()
                if let block = builder.block(item, tightParent: tight) { writer.block(block, tight: tight) }
                html += writer.string
                continue
            }
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
        listHeadCache = (list, parser.definitions.count, closed, fedKey, closedTight, tight, html)
        return (html, tight, closeTag)
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
        lastParsedBytes = b.count - tailStart
        let tail = Array(b[tailStart...])
        let tailParser = BlockParser(bytes: tail, options: options, definitions: parser.definitions)
        let root = tailParser.parseAll()
        tailSawDefinition = tailSawDefinition || tailParser.definitionsSeen > 0
        var builder = TreeBuilder(locate: MarkdownStream.noRange, options: options, definitions: tailParser.definitions)
        builder.arena = sharedArena(for: tailParser.definitions)
        tailBlocks = builder.blocks(root.children)
        var writer = HTMLWriter()
        writer.blocks(tailBlocks, tight: false)
        tailHTML = writer.string
    }
}
