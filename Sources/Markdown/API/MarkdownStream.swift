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
    /// `MarkdownStream.TailPolicy.amortized`). Joined from its parts when read.
    public var tail: String {
        get { parts.joined }
        set { parts = TailParts(text: newValue) }
    }
    /// The tail's parts (one reference: an update costs no copy of the tail).
    var parts: TailParts

    /// An update from its parts.
    public init(finalized: String, rewritesFinalized: Bool = false, tail: String) {
        self.finalized = finalized
        self.rewritesFinalized = rewritesFinalized
        self.parts = TailParts(text: tail)
    }

    init(finalized: String, rewritesFinalized: Bool, parts: TailParts) {
        self.finalized = finalized
        self.rewritesFinalized = rewritesFinalized
        self.parts = parts
    }

    public static func == (a: MarkdownUpdate, b: MarkdownUpdate) -> Bool {
        a.finalized == b.finalized && a.rewritesFinalized == b.rewritesFinalized && a.tail == b.tail
    }
}

/// What a frame lays out once for every chunk on its line: the HTML before the leaf's text (text
/// and chains) and after it. A tail rendered whole is one text here, with no frame.
///
/// `@unchecked Sendable` because of `closeBytes`, a raw buffer: it is written only in `init` and
/// freed only in `deinit`, so a head shared between threads is only ever read.
final class TailHead: @unchecked Sendable {
    let parts: [TailParts.Part]
    /// The UTF-8 byte count of `parts`.
    let bytes: Int
    let close: String
    /// `close`'s UTF-8, owned (appended per chunk without a reference count; freed in `deinit`).
    let closeBytes: UnsafeMutableBufferPointer<UInt8>
    /// The frame that laid it out (-1: none).
    let frame: Int

    init(parts: [TailParts.Part], close: String = "", frame: Int = -1) {
        self.parts = parts
        bytes = parts.reduce(0) { count, part in
            switch part {
            case .text(let text): count + text.utf8.count
            case .chain(let chain): count + chain.count
            }
        }
        self.close = close
        closeBytes = .allocate(capacity: close.utf8.count)
        _ = closeBytes.initialize(from: close.utf8)
        self.frame = frame
    }

    deinit { closeBytes.deallocate() }

    static let empty = TailHead(parts: [])
}

/// A tail's HTML in the parts a frame renders it in: `head + stable + rest + close` (a tail
/// rendered whole is one text in `head`). Kept apart so a chunk changes only `rest` (and appends
/// to `stable`), nothing is joined unless someone reads it, and `html` finds what stayed the same
/// by comparing parts, not bytes. What a chunk changed is one string, `suffix`: from `suffixStart`
/// on it holds the stable prefix's bytes that are not in the chain yet, the rest and the close,
/// so `html` takes a chunk's change in one step.
final class TailParts: Sendable {
    enum Part: Sendable {
        case text(String)
        /// Append-only HTML (an open container's closed children, an open code block's lines).
        case chain(HTMLChain)
    }
    let head: TailHead
    /// The stable prefix's HTML kept as a chain (the rest of it starts the suffix).
    let stable: HTMLChain
    /// From UTF-8 offset `suffixStart` on: the stable prefix's bytes after `stable`, from `restStart`
    /// on the rest's HTML, then `head.close`.
    let suffix: String
    let suffixStart: Int
    let restStart: Int

    init(head: TailHead, stable: HTMLChain, suffix: String, suffixStart: Int, restStart: Int) {
        self.head = head
        self.stable = stable
        self.suffix = suffix
        self.suffixStart = suffixStart
        self.restStart = restStart
    }

    convenience init(head: TailHead = .empty, stable: HTMLChain = HTMLChain(), rest: String = "") {
        self.init(
            head: head, stable: stable, suffix: head.close.isEmpty ? rest : rest + head.close, suffixStart: 0,
            restStart: 0)
    }

    convenience init(text: String) { self.init(head: TailHead(parts: [.text(text)])) }

    static let empty = TailParts()

    /// The rest's HTML (the suffix between the stable bytes and the close).
    var rest: String {
        let u = suffix.utf8
        return String(
            suffix[u.index(u.startIndex, offsetBy: restStart)..<u.index(u.endIndex, offsetBy: -head.close.utf8.count)])
    }

    /// How many parts: the head's, then `stable` and the suffix.
    var count: Int { head.parts.count + 2 }

    /// Part `i`; nil for the last (the suffix, written again whenever it is reached).
    func part(_ i: Int) -> Part? {
        if i < head.parts.count { return head.parts[i] }
        return i == head.parts.count ? .chain(stable) : nil
    }

    /// Appends part `i` from byte `offset` of it on.
    func write(_ i: Int, from offset: Int = 0, into target: inout String) {
        switch part(i) {
        case .text(let text):
            target.append(text, fromUTF8: offset)
        case .chain(let chain):
            chain.write(from: offset, into: &target)
        case nil:
            target.append(suffix, fromUTF8: suffixStart + offset)
        }
    }

    var joined: String {
        var s = ""
        for i in 0..<count { write(i, into: &s) }
        return s
    }
}

extension MarkdownStream {
    /// When an `append` re-parses the open tail.
    public enum TailPolicy: Sendable, Equatable {
        /// After every chunk: `html` and every update's `tail` are the exact render of the text so
        /// far, except that a tail whose last render cost more than a few KB of work waits for the
        /// text to grow by a quarter of that work (`tailExact` is then false; see `mustWait`).
        case exact
        /// Exact at every line start; within a line of a paragraph or heading, text that arrives
        /// after the last exact render is shown as escaped text after it (so `html` holds every
        /// character appended, but markup the waiting text completes, like a closing `**`, shows
        /// literally) until `max(minimumBytes, half of what the last parse read)` bytes wait; then
        /// the tail is rendered exactly. Final blocks, `finish()` and `terminal(style:)` are always
        /// exact; `tailExact` says which kind of tail the last update carried.
        case amortized(minimumBytes: Int)
    }
}

/// Incremental markdown rendering for text that arrives in chunks (an LLM answer streaming into a slot).
///
/// Complete lines go through the block parser once; a top-level block is final when the parser
/// closes it (a later line cannot continue it), and final blocks are rendered once and never
/// re-parsed. The open tail (the last top-level block and the unfinished line) is laid out once
/// per line in a *frame* around the block holding the unfinished line; per chunk only that
/// block's text after its stable point is parsed. After `finish()`, `html` is byte-identical to
/// rendering the whole text at once.
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
    /// The open tail's HTML as of the last update.
    @exclusivity(unchecked) private var tail = TailParts.empty
    @exclusivity(unchecked) private var tailBlocks: [MarkdownBlock] = []
    /// Whether `tailBlocks` lags behind `tail` (frames render HTML only).
    @exclusivity(unchecked) private var tailBlocksStale = false
    /// The stable prefix of the open paragraph holding the unfinished line (see `leafInline`).
    @exclusivity(unchecked) private var st = StableText()
    @exclusivity(unchecked) private var spanBuffer: [(Int, Int)] = []
    @exclusivity(unchecked) private var suffixBuffer: [UInt8] = []
    @exclusivity(unchecked) private var leafWriter = HTMLWriter()
    /// One inline parser reused for every render of the stream (rebuilt when definitions change).
    @exclusivity(unchecked) private var inlineArena: InlineParser?
    @exclusivity(unchecked) private var inlineArenaDefinitions = -1
    /// The open code block's content so far, escaped.
    @exclusivity(unchecked) private var codeCache:
        (node: BlockNode, covered: Int, html: HTMLChain, at: [Int: HTMLChain])?
    /// Tests set this to compare every tail rendered in a frame with a full render.
    var checkTails = false
    /// Frame tails that differed from a full render (tests expect zero).
    @exclusivity(unchecked) private(set) var tailMismatches = 0
    /// The first differing pair (frame, full render), for the test's message.
    @exclusivity(unchecked) private(set) var firstMismatch: (String, String)?
    @exclusivity(unchecked) private var terminalCache: (TerminalStyle, String, Int)?
    /// `finalHTML` and the tail joined, kept in one buffer so reading `html` after every chunk costs
    /// the changed bytes, not the whole answer (in place while the caller does not keep the string).
    @exclusivity(unchecked) private var combined = ""
    /// How many UTF-8 bytes at the start of `combined` are final HTML that is still current.
    @exclusivity(unchecked) private var combinedFinal = 0
    /// The tail that follows the final HTML in `combined`, and its `tailVersion`.
    @exclusivity(unchecked) private var shown = TailParts.empty
    @exclusivity(unchecked) private var combinedVersion = -1
    /// Counts changes of `tail`.
    @exclusivity(unchecked) private var tailVersion = 0
    /// How many chunks were rendered inside a frame (tests check that it is exercised).
    @exclusivity(unchecked) private(set) var frameTails = 0
    /// How many frames were laid out, and how many blocks went through the tree writer (tests
    /// check that frames last a line and closed blocks are written once).
    @exclusivity(unchecked) private(set) var framesBuilt = 0
    /// How many inline parses the leaf renders made.
    @exclusivity(unchecked) private(set) var leafParses = 0
    @exclusivity(unchecked) private(set) var treeWrites = 0
    /// Bytes parsed, laid out or copied for tails and `html` (tests check that it grows linearly
    /// with the text, whatever the shape of its blocks).
    @exclusivity(unchecked) private(set) var workBytes = 0
    /// When the tail is re-parsed (see `TailPolicy`).
    public let tailPolicy: TailPolicy
    /// Whether `tail` is the exact render of the open tail (always, under `.exact`).
    @exclusivity(unchecked) public private(set) var tailExact = true
    /// How many bytes the last exact tail render parsed (the amortized policy waits for half as many).
    @exclusivity(unchecked) private var lastParsedBytes = 0
    /// The last tail render's work and the text's length then (see `mustWait`).
    @exclusivity(unchecked) private var renderWork = 0
    @exclusivity(unchecked) private var textAtRender = 0

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
        guard !finished else { return MarkdownUpdate(finalized: "", rewritesFinalized: false, parts: tail) }
        let start = parser.b.count
        // Contiguous UTF-8 (a native string) is read in place; anything else is copied once.
        let lineEnd =
            chunk.utf8.withContiguousStorageIfAvailable({ appendBytes($0) })
            ?? Array(chunk.utf8).withUnsafeBufferPointer { appendBytes($0) }
        // A chunk without a line end completes no line (unless the last one ended with `\r`).
        if lineEnd || start > 0 && parser.b[start - 1] == 0x0D { feedCompleteLines(from: start) }
        if dirty.isEmpty, pendingFinalized.isEmpty {
            if provisionalTail() { return update(renderTail: false) }
            // The last render cost more than the floor: the tail shown lags until the text has
            // grown enough to pay for the next (see `mustWait`).
            if mustWait() {
                tailExact = false
                tailBlocksStale = true
                return update(renderTail: false)
            }
        }
        let before = workBytes
        let update = update(renderTail: true)
        renderWork = workBytes - before
        textAtRender = parser.b.count
        return update
    }

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
    private func appendBytes(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var nul = false
        var lineEnd = false
        for c in bytes where c <= 0x0D {
            if c == 0 { nul = true } else if c == 0x0A || c == 0x0D { lineEnd = true }
        }
        guard nul else {
            parser.b.append(contentsOf: bytes)
            return lineEnd
        }
        for c in bytes {
            if c == 0 {
                parser.b.append(contentsOf: [0xEF, 0xBF, 0xBD])
            } else {
                parser.b.append(c)
            }
        }
        return lineEnd
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
        if combinedFinal == finalCount, combinedVersion == tailVersion { return combined }
        // `tail` keeps it alive (read without a reference count).
        unowned(unsafe) let new = tail
        if combinedFinal == finalCount, new.head.frame >= 0, shown.head === new.head {
            spliceFrameTail(new)
        } else {
            spliceTail(finalCount: finalCount)
        }
        combinedVersion = tailVersion
        return combined
    }

    /// `combined` after a chunk rendered in the same frame as before: the head stays, the stable
    /// prefix's chain grows (or restarts), the suffix is written again: one step while the chain
    /// stays the same.
    private func spliceFrameTail(_ new: TailParts) {
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
    private func spliceTail(finalCount: Int) {
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
            // The tail blocks catch up; `tail` stays what the last update delivered.
            let shown = tail
            renderTailFully()
            tail = shown
            tailVersion += 1
        }
        return TerminalWriter.join(finalPart, TerminalWriter.render(tailBlocks, style: style))
    }

    // MARK: - Internals

    private func indexLines(from start: Int, in b: [UInt8]) {
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
        if start > 0, b[start - 1] == 0x0D, start < b.count, b[start] != 0x0A, lineStarts.last != start {
            lineStarts.append(start)
        }
    }

    /// Notes the line starts in the new chunk (from `start`) and feeds every line whose end is
    /// known to the block parser; bytes before `start` hold no line end after `fed`, except a `\r`
    /// that ended the last chunk.
    private func feedCompleteLines(from start: Int) {
        let b = parser.b
        indexLines(from: start, in: b)
        let n = b.count
        var i = max(fed, start - 1)
        while i < n {
            let c = b[i]
            if c == 0x0A || c == 0x0D {
                var next = i + 1
                if c == 0x0D {
                    if next >= n { break }  // wait: `\r\n` may be split across chunks
                    if b[next] == 0x0A { next += 1 }
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
        guard rewrites || !pendingFinalized.isEmpty else {
            return MarkdownUpdate(finalized: "", rewritesFinalized: false, parts: tail)
        }
        let finalized = rewrites ? finalHTML : pendingFinalized
        pendingFinalized = ""
        return MarkdownUpdate(finalized: finalized, rewritesFinalized: rewrites, parts: tail)
    }

    private func renderTailNow() {
        tailExact = true
        lastParsedBytes = 0
        if frameTail() { return }
        renderTailFully()
        lastExact = nil
    }

    /// Replaces the whole tail HTML.
    private func replaceTail(_ html: String) {
        tail = TailParts(text: html)
        tailVersion += 1
        lastExact = nil
    }

    /// Under `.amortized`, shows what arrived on the unfinished line since the last exact render as
    /// escaped text after that render's text, while less than the budget waits (see `TailPolicy`).
    private func provisionalTail() -> Bool {
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

    // MARK: - Frames: the open tail laid out around the unfinished line's text

    /// What holds the unfinished line's text in a frame.
    private enum FrameLeaf {
        /// A paragraph (its start is the key of its stable prefix): the text is parsed as inlines.
        /// `keep`: false while the paragraph may still become a link reference definition (which
        /// would take text from its start), so no stable prefix is kept for it.
        case paragraph(start: Int, keep: Bool)
        /// An ATX heading: the line's text without its closing sequence, parsed as inlines.
        case heading
        /// A code block: the line's text, escaped, then a newline (`line`: there is a line; without,
        /// the frame shows the block as it stands, the text ending at a line start).
        case code(line: Bool)
        /// An HTML block, shown as escaped text: the line's text, escaped, then a newline.
        case html(line: Bool)
        /// Nothing: the innermost open block is a container or a leaf rendered whole.
        case none
    }

    /// The stable prefix of the open paragraph: text whose HTML can no longer change, whatever follows.
    private struct StableText {
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
        /// The HTML before the leaf's text and after it.
        let head: TailHead
        /// The parser's paragraph whose complete lines (each ending with a newline) come before the
        /// unfinished line (nil: the line starts the paragraph).
        let paragraph: BlockNode?
        /// Where the unfinished line's text starts.
        let textStart: Int
        /// Counts frames, so `html` knows which head it holds.
        let id: Int

        init(
            fed: Int, finalCount: Int, definitions: Int, settled: Bool, leaf: FrameLeaf, head: TailHead,
            paragraph: BlockNode?, textStart: Int, id: Int
        ) {
            self.fed = fed
            self.finalCount = finalCount
            self.definitions = definitions
            self.settled = settled
            self.leaf = leaf
            self.head = head
            self.paragraph = paragraph
            self.textStart = textStart
            self.id = id
        }
    }
    @exclusivity(unchecked) private var frame: Frame?
    @exclusivity(unchecked) private var frameCount = 0
    /// The last exact render in a frame: the frame, its `rest`, and where the text it rendered
    /// ends (the amortized policy shows what follows as provisional text).
    @exclusivity(unchecked) private var lastExact: (frame: Int, rest: String, textEnd: Int)?
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
        if let f = frame, f.settled, f.fed == fed, isCurrent(f) {
            // The frame holds for this chunk too.
        } else {
            frame = nil
            guard let f = buildFrame() else { return false }
            frame = f
        }
        let f = frame.unsafelyUnwrapped
        if case .paragraph(let start, let keep) = f.leaf {
            // The commonest tail: the open paragraph's text in its frame.
            tail = leafInline(paragraphStart: start, in: f)
            if !keep { st = StableText() }
            return finishFrameTail(f)
        }
        let b = parser.b
        var rest = ""
        switch f.leaf {
        case .paragraph:
            break
        case .heading:
            rest = headingInline(from: f.textStart, to: MarkdownStream.lineEnd(b))
        case .code(let hasLine), .html(let hasLine):
            guard hasLine else { break }
            let end = MarkdownStream.lineEnd(b)
            var writer = HTMLWriter()
            b[f.textStart..<end].withUnsafeBufferPointer { writer.escape($0) }
            writer.bytes.append(0x0A)
            rest = writer.string
            lastParsedBytes = end - f.textStart
            workBytes += end - f.textStart
        case .none:
            break
        }
        tail = TailParts(head: f.head, rest: rest)
        return finishFrameTail(f)
    }

    /// Counts the tail laid out in frame `f`, and under `checkTails` compares it with a full render.
    private func finishFrameTail(_ f: Frame) -> Bool {
        tailVersion += 1
        if tailPolicy != .exact {
            let rest = tail.rest
            // Where the rendered text ends: the amortized policy shows what follows as provisional text.
            let b = parser.b
            var textEnd = MarkdownStream.lineEnd(b)
            while textEnd > f.textStart, Scan.isSpaceOrTab(b[textEnd - 1]) { textEnd -= 1 }
            lastExact = (f.id, rest, textEnd)
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
            tailVersion += 1
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
        let end = Scan.headingTextEnd(b, start, end)
        guard end > start else { return "" }
        let inline = arena()
        inline.reset(b[start..<end])
        inline.parse()
        var writer = HTMLWriter()
        writer.arenaInlines(inline, options: options)
        lastParsedBytes = end - start
        workBytes += end - start
        return writer.string
    }

    /// Whether frame `f` was laid out for the final blocks and definitions there are now.
    private func isCurrent(_ f: Frame) -> Bool {
        f.finalCount == finalNodes.count && f.definitions == parser.definitions.count
    }

    /// Reads the unfinished line in a probe and lays out the tail around the block holding it;
    /// nil when a full render must decide (the line completed a link reference definition, a
    /// paragraph may still become one, or a task item's checkbox is involved).
    private func buildFrame() -> Frame? {
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
        if fed < end, open.count >= 2, let tip = open.last, tip.segments.count >= 2, tip.content.last == 0x0A {
            let contentStart = tip.segments[tip.segments.count - 2]
            let source = tip.segments[tip.segments.count - 1]
            // The line's text, taken whole from where it starts (no tab turned into spaces).
            if source >= fed, tip.content.count - contentStart == end - source + 1,
                tip.content[contentStart..<(tip.content.count - 1)].elementsEqual(b[source..<end])
            {
                switch tip.kind {
                case .paragraph:
                    // A paragraph that is a link reference definition as it stands goes the full
                    // way (it renders nothing, and may change links before it); one that may still
                    // become one keeps its frame for this chunk only.
                    let (mayBeDefinition, isDefinition) = MarkdownStream.definitionState(tip.content)
                    if isDefinition { return nil }
                    // The complete lines before the unfinished one are the parser's paragraph's.
                    if contentStart > 0 {
                        guard let original = tip.original, tip.borrowed.content == contentStart else { return nil }
                        paragraph = original
                    }
                    leaf = .paragraph(start: tip.startOffset, keep: !mayBeDefinition)
                    textStart = source
                    settled = !mayBeDefinition && MarkdownStream.settledLine(b, from: fed)
                case .heading where !tip.setext:
                    leaf = .heading
                    textStart = source
                    settled = MarkdownStream.settledLine(b, from: fed)
                case .codeBlock:
                    if tip.fenced || b[source..<end].contains(where: { !Scan.isSpaceOrTab($0) }) {
                        leaf = .code(line: true)
                        textStart = source
                        settled =
                            tip.original === parser.openBlocks.last
                            && MarkdownStream.settledCodeLine(b, from: fed, fenceChar: tip.fenced ? tip.fenceChar : nil)
                    } else {
                        // A blank line in indented code: dropped with the blank lines before it
                        // unless text follows, so the frame shows the block without them.
                        leaf = .code(line: false)
                    }
                case .htmlBlock:
                    leaf = .html(line: true)
                    textStart = source
                default:
                    break
                }
            }
        } else if fed == b.count, open.count >= 2, let tip = open.last, let original = tip.original,
            original === parser.openBlocks.last, tip.borrowed.content == tip.content.count
        {
            // No unfinished line: the open paragraph or fenced code block as it stands (unsettled:
            // the next chunk starts a line).
            switch tip.kind {
            case .paragraph:
                let (mayBeDefinition, isDefinition) = MarkdownStream.definitionState(tip.content)
                if isDefinition { return nil }
                leaf = .paragraph(start: tip.startOffset, keep: !mayBeDefinition)
                paragraph = original
            case .codeBlock:
                leaf = .code(line: false)
            case .htmlBlock:
                leaf = .html(line: false)
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
                    head.cr()
                    head.writer.raw("<p>")
                }
                head.append(prefix)
                head.writer.bytes.appendUTF8(of: rest.0, rest.1)
                if !tight { head.writer.raw("</p>\n") }
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
                        MarkdownStream.mayBeTask(firstChild.content.dropLast())
                    {
                        writeBlock(node, tight: tight, line: 0, into: &head.writer, missed: &missed)
                        leaf = .none
                        settled = false
                        paragraph = nil
                        break layout
                    }
                    childrenTight = tight
                }
                head.cr()
                head.append(containerHead(node, tight: childrenTight, line: line))
                for child in probeClosed { write(child, tight: childrenTight) }
                switch node.kind {
                case .blockQuote:
                    head.cr()
                    closers.append("</blockquote>\n")
                case .list: closers.append(node.ordered ? "</ol>\n" : "</ul>\n")
                default: closers.append("</li>\n")
                }
            default:
                precondition(innermost, "only containers hold open blocks")
                switch leaf {
                case .paragraph:
                    if !tight {
                        head.cr()
                        head.writer.raw("<p>")
                        closers.append("</p>\n")
                    }
                case .heading:
                    head.cr()
                    head.writer.openHeading(node.level)
                    var close = HTMLWriter()
                    close.closeHeading(node.level)
                    closers.append(close.string)
                case .code(let hasLine), .html(let hasLine):
                    head.cr()
                    var end = hasLine ? node.segments[node.segments.count - 2] : node.content.count
                    if node.kind == .codeBlock {
                        // The info string as the tree has it, so the class is the same.
                        head.writer.openCodeBlock(info: String(decoding: node.info, as: UTF8.self))
                        // Indented code drops its trailing blank lines.
                        if !hasLine, !node.fenced { end = MarkdownStream.endOfLastTextLine(node.content) }
                        closers.append("</code></pre>\n")
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
                    if node.kind == .paragraph, !MarkdownStream.cannotBeDefinition(node.content) {
                        return nil
                    }
                    if node.kind == .codeBlock, !node.fenced { return nil }
                    if node.kind == .table, let rows = tableHead(node) {
                        // The parser's rows from their kept chain, the probe's row (the line) after it.
                        head.cr()
                        head.append(rows)
                        for r in node.borrowed.rows..<node.rows.count {
                            writeTableRow(node, r, into: &head.writer)
                        }
                        closers.append(node.rows.count > 1 ? "</tbody>\n</table>\n" : "</table>\n")
                    } else {
                        writeBlock(node, tight: tight, line: 0, into: &head.writer, missed: &missed)
                    }
                }
            }
        }
        let parts = head.parts()
        frameCount += 1
        framesBuilt += 1
        workBytes += head.written
        var close = ""
        for closer in closers.reversed() { close += closer }
        return Frame(
            fed: fed, finalCount: first, definitions: parser.definitions.count, settled: settled, leaf: leaf,
            head: TailHead(parts: parts, close: close, frame: frameCount), paragraph: paragraph,
            textStart: textStart, id: frameCount)
    }

    /// Forgets the HTML kept for the open tail's blocks when a top-level block became final or a
    /// link reference definition arrived (which may change links in them).
    private func validateCaches() {
        guard closedCacheKey != (finalNodes.count, parser.definitions.count) else { return }
        closedCache.removeAll(keepingCapacity: true)
        containerHeads.removeAll(keepingCapacity: true)
        tightPrefixes.removeAll(keepingCapacity: true)
        closedCacheKey = (finalNodes.count, parser.definitions.count)
    }

    /// A frame's head as it is written: text, and the chains of open containers and code blocks.
    private struct FrameHead {
        var done: [TailParts.Part] = []
        /// The text after the last chain; when `seeded`, its first byte is the chain's last, there
        /// for `cr()` to see and left out of the text.
        var writer = HTMLWriter()
        var seeded = false
        /// Bytes of text written (the stream counts its work).
        var written = 0

        mutating func cr() { writer.cr() }

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
            // A short chain goes in as text: heads of the same layout then have the same parts
            // whichever way they were laid out (a quick frame's opening is text), so `html` keeps
            // what they share.
            if chain.count <= 64 {
                chain.write(into: &writer.bytes)
                return
            }
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

    /// An open container's opening tag and its closed children (the parser's, which no later line
    /// changes), or an open table's complete rows, kept per block and tightness of its children,
    /// and grown as children close (`keptChain`).
    private final class ContainerHead {
        let node: BlockNode
        /// The HTML for each number of children covered, the opening tag alone first.
        var chains: [HTMLChain]

        init(node: BlockNode, opening: String) {
            self.node = node
            var chain = HTMLChain()
            chain.append(opening)
            chains = [chain]
        }
    }
    @exclusivity(unchecked) private var containerHeads: [ContainerKey: ContainerHead] = [:]
    private struct ContainerKey: Hashable {
        let node: ObjectIdentifier
        let tight: Bool
    }
    /// Per open list of the parser: how many of its first items are known not to make it loose,
    /// or that one does (items that have a next one and are closed do not change).
    @exclusivity(unchecked) private var tightPrefixes:
        [ObjectIdentifier: (node: BlockNode, verified: Int, loose: Bool)] = [:]

    /// The head of a probe's container: the opening tag and the parser-closed children (the
    /// original's children the copy leaves out), from the container's kept chain.
    private func containerHead(_ node: BlockNode, tight: Bool, line: Int) -> HTMLChain {
        guard let original = node.original else {
            var chain = HTMLChain()
            chain.append(MarkdownStream.openingTag(node))
            return chain
        }
        return containerChain(original, tight: tight, covering: node.hidden, line: line)
    }

    /// The kept chain of the parser's open container `original`: its opening tag and its first
    /// `count` children (closed), written with the tightness `tight`.
    private func containerChain(_ original: BlockNode, tight: Bool, covering count: Int, line: Int) -> HTMLChain {
        var missed: Set<String> = []
        return keptChain(original, tight: tight, opening: MarkdownStream.openingTag(original), covering: count) {
            k, writer in
            writeBlock(original.children[k], tight: tight, line: line, into: &writer, missed: &missed)
        }
    }

    /// A container's opening tag: a quote's, a list's (with its start number) or an item's.
    static func openingTag(_ node: BlockNode) -> String {
        var opening = HTMLWriter()
        switch node.kind {
        case .blockQuote: opening.raw("<blockquote>\n")
        case .list: opening.openList(start: node.ordered ? node.listStart : nil)
        default: opening.raw("<li>")
        }
        return opening.string
    }

    /// The kept chain of an open block of the parser's (per tightness of its children): `opening`,
    /// then the HTML `write` gives for its parts (children, rows) `0..<count`, each written once.
    private func keptChain(
        _ original: BlockNode, tight: Bool, opening: @autoclosure () -> String, covering count: Int,
        write: (Int, inout HTMLWriter) -> Void
    ) -> HTMLChain {
        let key = ContainerKey(node: ObjectIdentifier(original), tight: tight)
        var entry = containerHeads[key]
        if entry == nil || entry!.node !== original {
            entry = ContainerHead(node: original, opening: opening())
            containerHeads[key] = entry
        }
        let cache = entry!
        while cache.chains.count <= count {
            var chain = cache.chains[cache.chains.count - 1]
            var writer = HTMLWriter()
            let seed = chain.lastByte.map { [$0] } ?? []  // so `cr()` sees what precedes
            writer.bytes.append(contentsOf: seed)
            write(cache.chains.count - 1, &writer)
            chain.append(writer.bytes.dropFirst(seed.count))
            cache.chains.append(chain)
            workBytes += writer.bytes.count - seed.count
        }
        return cache.chains[count]
    }

    /// The HTML of the parser's open table up to its last row (the header first), kept and grown
    /// row by row (rows do not change once their line is complete); nil when the probe's table is
    /// not that table as it stands.
    private func tableHead(_ node: BlockNode) -> HTMLChain? {
        guard let original = node.original, original === parser.openBlocks.last, node.borrowed.rows >= 1 else {
            return nil
        }
        return keptChain(original, tight: false, opening: "", covering: node.borrowed.rows) { r, writer in
            writeTableRow(node, r, into: &writer)
        }
    }

    /// Writes row `r` of a table as the tree writer does: the header row with the table's and
    /// header's opening tags, the first body row with the body's.
    private func writeTableRow(_ table: BlockNode, _ r: Int, into writer: inout HTMLWriter) {
        let header = r == 0
        if header {
            writer.raw("<table>\n<thead>\n")
        } else if r == 1 {
            writer.raw("<tbody>\n")
        }
        writer.raw("<tr>\n")
        let row = table.rows[r]
        let inline = arena()
        for (k, alignment) in table.alignments.enumerated() {
            writer.raw(header ? "<th" : "<td")
            switch alignment {
            case .none: break
            case .left: writer.raw(" align=\"left\"")
            case .center: writer.raw(" align=\"center\"")
            case .right: writer.raw(" align=\"right\"")
            }
            writer.raw(">")
            if k < row.count, !row[k].bytes.isEmpty {
                inline.reset(row[k].bytes[...])
                inline.parse()
                writer.arenaInlines(inline, options: options)
            }
            writer.raw(header ? "</th>\n" : "</td>\n")
        }
        writer.raw(header ? "</tr>\n</thead>\n" : "</tr>\n")
    }

    /// Whether a probe's list is tight, checking only the items after those known not to change it.
    private func isTight(_ list: BlockNode) -> Bool {
        // A probe's copy, or the parser's own list (only its last item is open).
        let original = list.original ?? list
        let key = ObjectIdentifier(original)
        var known =
            tightPrefixes[key].flatMap { $0.node === original ? $0 : nil } ?? (
                node: original, verified: 0, loose: false
            )
        if known.loose { return false }
        // Items of the original that are closed and have a next one do not change.
        let fixed = list.isCopy ? min(list.hidden, original.children.count - 1) : list.childCount - 1
        var i = known.verified
        var tight = true
        while i < list.childCount {
            if BlockParser.itemMakesLoose(list, i) {
                tight = false
                if i < fixed { known.loose = true }
                break
            }
            i += 1
            if i <= fixed { known.verified = i }
        }
        tightPrefixes[key] = known
        return tight
    }

    /// The escaped content of the parser's open code block before the probe's line, kept and grown
    /// line by line; nil when the probe's code block is not that block as it stands.
    private func codeHead(_ node: BlockNode, upTo end: Int) -> HTMLChain? {
        guard let original = node.original, original === parser.openBlocks.last, end <= node.borrowed.content else {
            return nil
        }
        // The probe holds the parser's content (borrowed), the line after it.
        return codeChain(original, content: node.content, upTo: end)
    }

    /// The escaped `content[..<end]` of the parser's open code block `original`, kept and grown.
    private func codeChain(_ original: BlockNode, content: [UInt8], upTo end: Int) -> HTMLChain? {
        if codeCache == nil || codeCache!.node !== original { codeCache = (original, 0, HTMLChain(), [0: HTMLChain()]) }
        if codeCache!.covered < end {
            var own = HTMLWriter()
            content[codeCache!.covered..<end].withUnsafeBufferPointer { own.escape($0) }
            codeCache!.html.append(own.string)
            workBytes += own.bytes.count
            codeCache!.covered = end
            codeCache!.at[end] = codeCache!.html
        }
        // An earlier end (indented code without its trailing blank lines): the chain as it was there.
        return codeCache!.covered == end ? codeCache!.html : codeCache!.at[end]
    }

    /// Where the last line holding more than spaces and tabs ends in leaf content (after its newline).
    static func endOfLastTextLine(_ content: [UInt8]) -> Int {
        var end = content.count
        while end > 0 {
            var start = end - 1  // at the newline ending the line
            while start > 0, content[start - 1] != 0x0A { start -= 1 }
            if content[start..<(end - 1)].contains(where: { !Scan.isSpaceOrTab($0) }) { return end }
            end = start
        }
        return 0
    }

    /// Whether `sizes(node)` would equal `sizes`, without building it.
    static func hasSizes(_ node: BlockNode, _ sizes: [Int]) -> Bool {
        var i = 0
        let same = walkSizes(node) { size in
            guard i < sizes.count, sizes[i] == size else { return false }
            i += 1
            return true
        }
        return same && i == sizes.count
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

    /// Writes a closed block: from the cache when it holds it (the parser's own block, or a
    /// probe's copy that holds no more than its original), else its containers around their
    /// blocks, a paragraph from its stable prefix on, anything else through the tree; what it
    /// writes for the parser's own blocks is kept per tightness. Blocks from line `line` on are the
    /// probe's own and never kept. Collects the reference labels looked up and missing.
    private func writeBlock(
        _ node: BlockNode, tight: Bool, line: Int, into writer: inout HTMLWriter, missed: inout Set<String>,
        keep: Bool = true
    ) {
        var cacheable = node.isCopy || node.startLine < line
        var keyNode = node
        if node.isCopy {
            if let original = MarkdownStream.unchangedOriginal(node) { keyNode = original } else { cacheable = false }
        }
        let key = ObjectIdentifier(keyNode)
        // Every block but a tight paragraph starts on a new line, added before its HTML (a block that
        // renders nothing, like a paragraph that held only link reference definitions, adds none).
        let newline = !(tight && node.kind == .paragraph)
        if cacheable, let cached = closedCache[key], MarkdownStream.hasSizes(node, cached.2),
            let html = tight ? cached.0 : cached.1
        {
            if newline, !html.isEmpty { writer.cr() }
            writer.bytes.appendUTF8(of: html)
            if !cached.3.isEmpty { missed.formUnion(cached.3) }
            return
        }
        var own = HTMLWriter()
        var labels: Set<String> = []
        composeBlock(node, tight: tight, line: line, into: &own, missed: &labels)
        if newline, !own.bytes.isEmpty { writer.cr() }
        writer.bytes.append(contentsOf: own.bytes)
        if !labels.isEmpty { missed.formUnion(labels) }
        if cacheable, keep {
            let sizes = MarkdownStream.sizes(node)
            let html = own.string
            let cached = closedCache[key].flatMap { $0.2 == sizes ? $0 : nil }
            labels.formUnion(cached?.3 ?? [])
            closedCache[key] = tight ? (html, cached?.1, sizes, labels) : (cached?.0, html, sizes, labels)
        }
    }

    /// The HTML of a closed block (see `writeBlock`), as `HTMLWriter.block` writes it after a newline.
    private func composeBlock(
        _ node: BlockNode, tight: Bool, line: Int, into writer: inout HTMLWriter, missed: inout Set<String>
    ) {
        switch node.kind {
        case .blockQuote:
            writer.raw("<blockquote>\n")
            for child in node.allChildren {
                writeBlock(child, tight: false, line: line, into: &writer, missed: &missed)
            }
            writer.cr()
            writer.raw("</blockquote>\n")
            return
        case .list:
            writer.openList(start: node.ordered ? node.listStart : nil)
            for child in node.allChildren {
                writeBlock(child, tight: node.tight, line: line, into: &writer, missed: &missed)
            }
            writer.raw(node.ordered ? "</ol>\n" : "</ul>\n")
            return
        case .item:
            // A task item's checkbox goes before its first paragraph: the tree writes it.
            guard options.taskLists, let first = node.firstChild, first.kind == .paragraph,
                MarkdownStream.mayBeTask(first.content[...])
            else {
                writer.raw("<li>")
                // The item's HTML is kept whole: its blocks are not kept apart as well.
                for child in node.allChildren {
                    writeBlock(child, tight: tight, line: line, into: &writer, missed: &missed, keep: false)
                }
                writer.raw("</li>\n")
                return
            }
        case .paragraph:
            if let (prefix, rest, labels) = stableParagraph(node) {
                if !tight { writer.raw("<p>") }
                prefix.write(into: &writer.bytes)
                writer.bytes.appendUTF8(of: rest.0, rest.1)
                if !tight { writer.raw("</p>\n") }
                if !labels.isEmpty { missed.formUnion(labels) }
                return
            }
        default:
            break
        }
        treeWrites += 1
        var builder = TreeBuilder(locate: MarkdownStream.noRange, options: options, definitions: parser.definitions)
        builder.arena = arena()
        if let block = builder.block(node, tightParent: tight) { writer.block(block, tight: tight) }
        missed.formUnion(builder.missedLabels)
    }

    /// A closed paragraph's HTML from the stable prefix kept for it: the prefix, the rest's HTML
    /// (from the last parse when it covered the rest exactly), and the labels looked up in vain;
    /// nil when the stable prefix is another paragraph's.
    private func stableParagraph(_ node: BlockNode) -> (HTMLChain, (String, Range<Int>), Set<String>)? {
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

    /// The content, children and row counts (and kind) along a block's last-child path: blocks
    /// only grow there, so equal sizes mean the same block.
    static func sizes(_ node: BlockNode) -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(16)
        _ = walkSizes(node) { size in
            result.append(size)
            return true
        }
        return result
    }

    /// Visits the sizes along the last-child path until `visit` returns false; whether it never did.
    private static func walkSizes(_ node: BlockNode, _ visit: (Int) -> Bool) -> Bool {
        var current: BlockNode? = node
        while let n = current {
            // Kind and level too: a paragraph may become a setext heading without growing.
            guard visit(n.content.count), visit(n.childCount), visit(n.rows.count),
                visit(Int(n.kind.rawValue) &<< 8 | n.level | (n.fenceClosed ? 1 &<< 16 : 0))
            else { return false }
            current = n.lastChild
        }
        return true
    }

    /// The block a probe's copy was made from, if the copy and the copies below it hold no more
    /// than their originals (the probe's line went elsewhere).
    static func unchangedOriginal(_ copy: BlockNode) -> BlockNode? {
        guard let original = copy.original, copy.childCount == original.children.count,
            copy.content.count == original.content.count, copy.rows.count == original.rows.count,
            copy.fenceClosed == original.fenceClosed
        else { return nil }
        for (c, o) in zip(copy.children, original.children[copy.hidden...]) where c !== o {
            guard c.isCopy, unchangedOriginal(c) === o else { return nil }
        }
        return original
    }

    /// The open paragraph's tail in `frame`: its text from the stable point on is parsed; the
    /// HTML before that point is kept (`st`).
    private func leafInline(paragraphStart: Int, in frame: Frame) -> TailParts {
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
            while k > 0, !((suffix[k - 1] == 0x20 || suffix[k - 1] == 0x0A) && !Scan.isWhitespace(suffix[k])) {
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
    private func leafTail(head: TailHead, fresh: Int) -> TailParts {
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
    private func arena() -> InlineParser {
        if inlineArena == nil || inlineArenaDefinitions != parser.definitions.count {
            inlineArena = InlineParser([], options: options, definitions: parser.definitions)
            inlineArenaDefinitions = parser.definitions.count
        }
        return inlineArena.unsafelyUnwrapped
    }

    /// The reusable inline parser, if it was made for the same definitions (saves allocations per chunk).
    private func sharedArena(for definitions: [String: LinkDefinition]) -> InlineParser? {
        let inline = arena()
        return definitions.count == parser.definitions.count ? inline : nil
    }

    /// Whether paragraph content (lines ending with newlines) can no longer turn out to start with
    /// a link reference definition: it does not start with `[`, or its first bracket is no label
    /// (`[ ]`, a task box, is none) or is not followed by `:`.
    static func cannotBeDefinition(_ content: [UInt8]) -> Bool {
        let n = content.last == 0x0A ? content.count - 1 : content.count
        guard n > 0, content[0] == 0x5B else { return true }
        switch Inlines.scanLinkLabel(content, 0, n) {
        case .closed(let end): return end < n && content[end] != 0x3A
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

    /// Parses the open tail afresh (with the definitions known so far) and renders it.
    private func renderTailFully() {
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
