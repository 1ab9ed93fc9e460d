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
        /// After every chunk: `html` and every update's `tail` are the exact render of the text so far.
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
    @exclusivity(unchecked) private var afterBuffer: [UInt8] = []
    /// The spans `quickText` found (a buffer reused across chunks).
    @exclusivity(unchecked) private var quickSpans: [Range<Int>] = []
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
    /// How many leaf renders needed no parse (inert text after a parse that left nothing open).
    @exclusivity(unchecked) private(set) var quickTexts = 0
    /// How many frames were laid out, and how many blocks went through the tree writer (tests
    /// check that frames last a line and closed blocks are written once).
    @exclusivity(unchecked) private(set) var framesBuilt = 0
    /// How many frames were laid out without a probe (`quickFrame`).
    @exclusivity(unchecked) private(set) var quickFrames = 0
    /// How many tails showed a streaming link destination without a parse (`openLinkDestination`).
    @exclusivity(unchecked) private(set) var linkDestinations = 0
    /// How many links closed after a streaming destination without a parse (`closeLinkDestination`).
    @exclusivity(unchecked) private(set) var linkCloses = 0
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
        if dirty.isEmpty, pendingFinalized.isEmpty, provisionalTail() { return update(renderTail: false) }
        return update(renderTail: true)
    }

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
        /// After a parse that left nothing open (`cleanEnd >= 0`): where its text ended, the HTML
        /// of the text from the stable point to there, whether it ended with a backslash, and
        /// what it looked up in vain.
        /// (The HTML is UTF-8 bytes `cleanRange` of `cleanHTML`: the tail a chunk made.)
        var cleanEnd = -1
        var cleanHTML = ""
        var cleanRange = 0..<0
        var cleanEndsWithBackslash = false
        var cleanMissed: Set<String> = []
        /// Whether that text's last word is all inert bytes (see `quickText`), and whether it
        /// holds a `.` and a `w` (an extended autolink needs `www.`).
        var lastWordInert = false
        var lastWordDot = false
        var lastWordW = false
        /// After a parse whose only open construct is an inline link whose destination is
        /// streaming in (`[inert text](` then destination bytes to the end): where its `(` is in
        /// the paragraph's text (-1: no such link), where the parsed text ended, and the HTML of the
        /// rest before the `(` (see `openLinkDestination`).
        var linkParen = -1
        var linkEnd = 0
        var linkHead = ""
        /// How many bytes of `linkHead` come before the link's `[` (-1: unknown, the link is
        /// parsed when it closes), and the byte count of its text (see `closeLinkDestination`).
        var linkPre = -1
        var linkText = 0

        init() {}

        init(paragraphStart: Int, definitions: Int) {
            self.paragraphStart = paragraphStart
            self.definitions = definitions
        }

        /// Notes that the text from the stable point to `end` left nothing open, its HTML UTF-8 bytes
        /// `range` of `html` (nothing looked up in vain, no backslash at its end), and whether its
        /// last word is inert (see `quickText`).
        mutating func noteClean(
            to end: Int, html: String = "", range: Range<Int> = 0..<0, lastWordInert: Bool = true
        ) {
            cleanEnd = end
            cleanHTML = html
            cleanRange = range
            cleanEndsWithBackslash = false
            cleanMissed = []
            self.lastWordInert = lastWordInert
            lastWordDot = false
            lastWordW = false
        }

        /// Appends the pending bytes (read in place: no reference count).
        mutating func appendPending(to bytes: inout [UInt8]) {
            let count = pendingCount
            guard count > 0 else { return }
            pending.withUTF8 { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: $0[..<count])) }
        }

        /// Appends the clean text's HTML (read in place).
        mutating func appendClean(to bytes: inout [UInt8]) {
            let range = cleanRange
            guard !range.isEmpty else { return }
            cleanHTML.withUTF8 { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
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
        /// For a line of the parser's open fenced code block at the top level: that block, and the
        /// head's parts before its content (a frame for its next line grows only the content).
        let code: BlockNode?
        let codePrefix: [TailParts.Part]
        /// For a frame `codeFrame` laid out: the code block's content so far, shown as the tail's
        /// stable part after a head of `codePrefix` alone (one head for all the block's lines, so
        /// `html` appends each line's HTML instead of comparing a new head).
        let codeChain: HTMLChain?
        /// For a line in the parser's open top-level list: that list, and whether it is tight
        /// (a frame for its next item's line lays out the list without a probe).
        let list: BlockNode?
        let listTight: Bool
        /// Where the marker of a list's first item is, when a frame laid it out without a probe
        /// and the lines since went on with its paragraph (the list is then tight, one item).
        let firstItem: Int?
        var paragraphLeaf: Bool {
            if case .paragraph = leaf { return true }
            return false
        }

        init(
            fed: Int, finalCount: Int, definitions: Int, settled: Bool, leaf: FrameLeaf, head: TailHead,
            paragraph: BlockNode?, textStart: Int, id: Int, code: BlockNode? = nil, codePrefix: [TailParts.Part] = [],
            codeChain: HTMLChain? = nil, list: BlockNode? = nil, listTight: Bool = false, firstItem: Int? = nil
        ) {
            self.firstItem = firstItem
            self.code = code
            self.codePrefix = codePrefix
            self.codeChain = codeChain
            self.list = list
            self.listTight = listTight
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
    /// The last settled frame of a paragraph's line: when the next line's first chunk needed a
    /// frame for that chunk only (a marker alone, say), the chunks after it are laid out from this
    /// one, as if that chunk had not come (nothing the parser holds changes within a line).
    @exclusivity(unchecked) private var anchor: Frame?
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
            let previous = frame
            frame = nil
            if let f = quickFrame(after: previous) {
                quickFrames += 1
                frame = f
            } else {
                guard let f = buildFrame() else { return false }
                frame = f
            }
            if let f = frame, f.settled, f.paragraphLeaf { anchor = f }
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
        case .none:
            break
        }
        tail = TailParts(head: f.head, stable: f.codeChain ?? HTMLChain(), rest: rest)
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
        return writer.string
    }

    /// The frame of an unfinished line whose block is known without a probe (the commonest lines):
    /// one that starts a block when nothing is open (`quickTopLevelFrame`), starts the next item of
    /// the open top-level list (`newItemFrame`), continues the paragraph the last frame laid out
    /// (the same layout, its complete lines now the parser's; in a top-level quote after its `> `),
    /// or continues the top-level fenced code block it laid out (the same layout, the kept content
    /// grown); or no line yet after one of those (`quickFrameWithoutLine`). Nil when the line may do
    /// anything else: `buildFrame` reads it in a probe.
    private func quickFrame(after last: Frame?) -> Frame? {
        validateCaches()  // the kept HTML this frame reuses must be for the current definitions
        let b = parser.b
        var f = last
        if let last, last.fed == fed, !last.settled, let anchor, anchor.fed < fed, onlyLine(from: anchor.fed) {
            f = anchor
        }
        if fed == b.count { return quickFrameWithoutLine(after: f) }
        guard fed < MarkdownStream.lineEnd(b) else { return nil }
        let open = parser.openBlocks
        if open.count == 1 { return quickTopLevelFrame() }
        if open.count == 3, open[1].kind == .list, let item = open.last, item.kind == .item {
            return frameAfterClosedItem(list: open[1], item: item)
        }
        if open.count == 2, let code = open.last, MarkdownStream.isTopFence(code) {
            // A line of the top-level fenced code block: its content so far, then the line; a
            // closing fence goes the full way (the block it closes is highlighted); a line that may
            // still close it holds for this chunk only.
            let settled = MarkdownStream.settledCodeLine(b, from: fed, fenceChar: code.fenceChar)
            if !settled, !b[fed..<MarkdownStream.lineEnd(b)].allSatisfy({ $0 == 0x20 }) {
                guard let closes = MarkdownStream.fenceRun(b, from: fed, closing: code), !closes else { return nil }
            }
            return codeFrame(code, after: last, settled: settled, line: true)
        }
        // The last frame is for an earlier line, or for this one before it had text.
        guard let f, f.fed < fed || f.textStart >= fed, let tip = open.last else { return nil }
        // The list's tightness as the last frame saw it holds if that frame is for this line, or
        // for the one line before it, settled as a paragraph's (it added no blank line), whatever
        // became final before the list since (the list's HTML is laid out anew).
        // A list whose first item the last frame laid out (tight: one item, no blank line) counts too.
        let list = f.list ?? (open.count == 4 && f.firstItem == open[1].startOffset ? open[1] : nil)
        // The list's open item holds a paragraph, or a paragraph and a tight list whose open item
        // holds one (a line at the list's own indentation closes them all).
        if let list, f.fed == fed || f.settled && f.paragraphLeaf && onlyLine(from: f.fed),
            open.count == 4
                || open.count == 6 && open[3].kind == .list && open[4].kind == .item
                    && BlockParser.isTight(open[3]),
            open[1] === list, let item = Optional(open[2]), item.kind == .item, tip.kind == .paragraph,
            MarkdownStream.cannotBeDefinition(tip.content)
        {
            if let textStart = MarkdownStream.newItemText(b, from: fed, of: list),
                let keep = textStart.map({ paragraphKeep(b, at: $0, inItem: true) }) ?? true
            {
                return newItemFrame(list: list, tight: f.listTight, closing: item, textStart: textStart, keep: keep)
            }
            // An item whose paragraph is its only child and no task box (the tree writes those).
            if open.count == 4, item.childCount == 1,
                !(options.taskLists && MarkdownStream.mayBeTask(tip.content.dropLast())),
                let (marker, textStart) = MarkdownStream.nestedListText(b, from: fed, in: item),
                let keep = paragraphKeep(b, at: textStart, inItem: true)
            {
                return nestedListFrame(
                    list: list, tight: f.listTight, item: item, paragraph: tip, marker: marker, textStart: textStart,
                    keep: keep)
            }
        }
        // Otherwise the last frame was laid out for the final blocks and definitions there are
        // now, or the tail is one top-level paragraph, whose layout is `<p>` whatever became final
        // before it (the block before it closes when the paragraph's first line is complete).
        let current = isCurrent(f)
        guard current || open.count == 2 && tip.kind == .paragraph else { return nil }
        switch f.leaf {
        case .paragraph(let start, keep: true):
            // The paragraph goes on: the same layout, its complete lines now the parser's. In a
            // top-level quote, a line may go on after its `> `.
            let quoteMarker = open.count == 3 && open[1].kind == .blockQuote && b[fed] == 0x3E
            var textStart = fed
            if quoteMarker, fed + 1 < b.count, b[fed + 1] == 0x20 { textStart = fed + 2 }
            guard tip.kind == .paragraph, tip.startOffset == start else { return nil }
            // Spaces so far (after the quote's `>`): a blank line for this chunk, which would
            // close the paragraph; the tail shows it as it stands.
            let end = MarkdownStream.lineEnd(b)
            if b[(quoteMarker ? fed + 1 : fed)..<end].allSatisfy({ $0 == 0x20 }) {
                if !current { return topParagraphFrame(tip, textStart: end, settled: false) }
                return paragraphFrame(after: f, paragraph: tip, textStart: end, settled: false)
            }
            // Text so far that more bytes may still make a block start goes on with the
            // paragraph for this chunk only.
            var settled = true
            if !MarkdownStream.continuesParagraph(b, from: textStart) {
                // The paragraph is the last container the line matches at the top level, or in a
                // top-level quote after its `> ` (not lazily: the quote does not match then).
                let container = open.count == 2 || open.count == 3 && textStart == fed + 2
                guard MarkdownStream.goesOnForNow(b, from: textStart, paragraphIsContainer: container)
                else { return nil }
                settled = false
            }
            if !current { return topParagraphFrame(tip, textStart: textStart, settled: settled) }
            return paragraphFrame(after: f, paragraph: tip, textStart: textStart, settled: settled)
        default:
            return nil
        }
    }

    /// The frame of a line at the first column after the last item of the parser's open top-level
    /// list when the item's blocks are all closed (a blank line or a closed code block ended
    /// them): the list's next item (the list loose if a blank line ends the item before it), or a
    /// block at the top level (see `quickTopLevelFrame`) that closes the list, written whole before
    /// it. Nil for anything else (an indented line may go on with the item).
    private func frameAfterClosedItem(list: BlockNode, item: BlockNode) -> Frame? {
        let b = parser.b
        if let textStart = MarkdownStream.newItemText(b, from: fed, of: list) {
            guard let keep = textStart.map({ paragraphKeep(b, at: $0, inItem: true) }) ?? true else { return nil }
            let tight = isTight(list) && !BlockParser.itemMakesLoose(list, list.childCount - 1, hasNext: true)
            return newItemFrame(list: list, tight: tight, closing: item, textStart: textStart, keep: keep)
        }
        // A marker of the list's own kind (a new item, its text not yet settled) is the probe's.
        guard b[fed] != 0x20, b[fed] != 0x09, !MarkdownStream.isItemMarker(b, at: fed, of: list),
            let top = quickTopLevelFrame()
        else { return nil }
        let tight = isTight(list)
        var (head, line) = keptItemsHead(list, tight: tight)
        var missed: Set<String> = []
        writeBlock(item, tight: tight, line: line, into: &head.writer, missed: &missed)
        head.writer.raw(list.ordered ? "</ol>\n" : "</ul>\n")
        for part in top.head.parts {
            switch part {
            case .text(let text): head.writer.bytes.appendUTF8(of: text)
            case .chain(let chain): head.append(chain)
            }
        }
        workBytes += head.written
        return Frame(
            fed: fed, finalCount: top.finalCount, definitions: top.definitions, settled: top.settled, leaf: top.leaf,
            head: TailHead(parts: head.parts(), close: top.head.close, frame: top.id), paragraph: nil,
            textStart: top.textStart, id: top.id, listTight: top.listTight, firstItem: top.firstItem)
    }

    /// A frame head that starts with the parser's open top-level `list` and its items but the
    /// last (kept), and the line number past the parser's blocks (they are all on earlier lines).
    private func keptItemsHead(_ list: BlockNode, tight: Bool) -> (FrameHead, line: Int) {
        let line = parser.lineNumber + 1
        var head = FrameHead()
        head.append(containerChain(list, tight: tight, covering: list.children.count - 1, line: line))
        return (head, line)
    }

    /// Whether frame `f` was laid out for the final blocks and definitions there are now.
    private func isCurrent(_ f: Frame) -> Bool {
        f.finalCount == finalNodes.count && f.definitions == parser.definitions.count
    }

    /// The frame for the parser's open paragraph, going on from `f`'s in `f`'s layout, with the
    /// unfinished line's text from `textStart`.
    private func paragraphFrame(after f: Frame, paragraph: BlockNode, textStart: Int, settled: Bool) -> Frame {
        frameCount += 1
        return Frame(
            fed: fed, finalCount: f.finalCount, definitions: f.definitions, settled: settled, leaf: f.leaf,
            head: f.head, paragraph: paragraph, textStart: textStart, id: frameCount, list: f.list,
            listTight: f.listTight, firstItem: f.firstItem)
    }

    /// The frame for the parser's open paragraph when it is the whole tail (nothing else open), with
    /// the unfinished line's text from `textStart`: `<p>`, laid out for the final blocks there are now.
    private func topParagraphFrame(_ paragraph: BlockNode, textStart: Int, settled: Bool) -> Frame {
        frameCount += 1
        return Frame(
            fed: fed, finalCount: finalNodes.count, definitions: parser.definitions.count, settled: settled,
            leaf: .paragraph(start: paragraph.startOffset, keep: true), head: MarkdownStream.topParagraphHead,
            paragraph: paragraph, textStart: textStart, id: frameCount)
    }

    /// The frame for the parser's open code block `f.code` as it stands, in `f`'s layout, with the
    /// unfinished line as one of its lines (`line`) or without one.
    private func codeFrame(_ code: BlockNode, after f: Frame?, settled: Bool, line: Bool) -> Frame? {
        guard let chain = codeChain(code, content: code.content, upTo: code.content.count) else { return nil }
        // The opening tag as the last frame for this block laid it out, or anew (it depends on
        // nothing but the block's info string).
        let prefix: [TailParts.Part]
        if let f, f.code === code {
            prefix = f.codePrefix
        } else {
            var opening = HTMLWriter()
            opening.openCodeBlock(info: String(decoding: code.info, as: UTF8.self))
            prefix = [.text(opening.string)]
        }
        frameCount += 1
        // The content goes after the head, so the head of the last frame for this block serves.
        let head =
            f.flatMap { $0.code === code && $0.codeChain != nil ? $0.head : nil }
            ?? TailHead(parts: prefix, close: "</code></pre>\n", frame: frameCount)
        return Frame(
            fed: fed, finalCount: finalNodes.count, definitions: parser.definitions.count, settled: settled,
            leaf: .code(line: line), head: head, paragraph: nil, textStart: fed, id: frameCount, code: code,
            codePrefix: prefix, codeChain: chain)
    }

    /// Whether a block is a fenced code block at the top level whose fence starts the line (the
    /// frames above lay out its lines without a probe).
    static func isTopFence(_ node: BlockNode) -> Bool {
        node.kind == .codeBlock && node.fenced && node.fenceOffset == 0
    }

    /// For an unfinished line of `code` (a fenced block) that is, so far, up to three spaces and a
    /// run of its fence character then spaces: whether it closes the block (a run as long as the
    /// fence), or false while the run is shorter and ends the line (it may yet become the
    /// closing fence). Nil for anything else.
    static func fenceRun(_ b: [UInt8], from start: Int, closing code: BlockNode) -> Bool? {
        let end = lineEnd(b)
        var i = start
        while i < end, i - start < 3, b[i] == 0x20 { i += 1 }
        let run = i
        while i < end, b[i] == code.fenceChar { i += 1 }
        let length = i - run
        guard length > 0 else { return nil }
        if length < code.fenceLength { return i == end ? false : nil }
        while i < end, b[i] == 0x20 { i += 1 }
        return i == end ? true : nil
    }

    /// The frame when no line has begun (the last chunk ended a line): empty when nothing is
    /// open; when that line, settled in the last frame as a line of a paragraph or of a top-level
    /// fenced code block, went on with it, the same layout, the block as it stands (for this
    /// chunk: the next line may end it).
    private func quickFrameWithoutLine(after f: Frame?) -> Frame? {
        if parser.openBlocks.count == 1 {
            // Nothing is open and no line has begun: the tail is empty.
            frameCount += 1
            return Frame(
                fed: fed, finalCount: finalNodes.count, definitions: parser.definitions.count, settled: false,
                leaf: .none, head: MarkdownStream.emptyHead, paragraph: nil, textStart: fed, id: frameCount)
        }
        if parser.openBlocks.count == 2, let code = parser.openBlocks.last, MarkdownStream.isTopFence(code) {
            return codeFrame(code, after: f, settled: false, line: false)
        }
        guard let f, f.settled, f.fed < fed, onlyLine(from: f.fed), let tip = parser.openBlocks.last else { return nil }
        let current = isCurrent(f)
        switch f.leaf {
        case .paragraph(let start, keep: true):
            guard tip.kind == .paragraph, tip.startOffset == start else { return nil }
            if current { return paragraphFrame(after: f, paragraph: tip, textStart: fed, settled: false) }
            // The tail is this paragraph alone (see `quickFrame`).
            guard parser.openBlocks.count == 2 else { return nil }
            return topParagraphFrame(tip, textStart: fed, settled: false)
        default:
            return nil
        }
    }

    /// The frame of a line that starts the next item of the parser's open top-level list, whose
    /// last item (`closing`, its paragraph open) the line closes: the list's kept items, the
    /// closing item, and the new item's opening, with its text (if any yet) as a paragraph (which
    /// keeps a stable prefix and holds for the line if `keep`: see `paragraphKeep`).
    private func newItemFrame(
        list: BlockNode, tight: Bool, closing item: BlockNode, textStart: Int?, keep: Bool
    ) -> Frame {
        var (head, line) = keptItemsHead(list, tight: tight)
        var missed: Set<String> = []
        writeBlock(item, tight: tight, line: line, into: &head.writer, missed: &missed)
        head.cr()
        head.writer.raw("<li>")
        var close = "</li>\n" + (list.ordered ? "</ol>\n" : "</ul>\n")
        var leaf = FrameLeaf.none
        if let textStart {
            leaf = .paragraph(start: textStart, keep: keep)
            if !tight {
                head.cr()
                head.writer.raw("<p>")
                close = "</p>\n" + close
            }
        }
        frameCount += 1
        workBytes += head.written
        return Frame(
            fed: fed, finalCount: finalNodes.count, definitions: parser.definitions.count,
            settled: textStart != nil && keep, leaf: leaf,
            head: TailHead(parts: head.parts(), close: close, frame: frameCount), paragraph: nil,
            textStart: textStart ?? parser.b.count, id: frameCount, list: list, listTight: tight)
    }

    /// The frame of a line that opens a list in the open item of the parser's top-level `list`,
    /// whose paragraph the line closes: the list's kept items, the item with its paragraph, and the
    /// new list's first item (tight while it is the only one), with its text as a paragraph.
    private func nestedListFrame(
        list: BlockNode, tight: Bool, item: BlockNode, paragraph: BlockNode, marker: Scan.ListMarker,
        textStart: Int, keep: Bool
    ) -> Frame {
        var (head, line) = keptItemsHead(list, tight: tight)
        var missed: Set<String> = []
        head.cr()
        head.writer.raw("<li>")
        writeBlock(paragraph, tight: tight, line: line, into: &head.writer, missed: &missed)
        head.cr()
        head.writer.openList(start: marker.ordered ? marker.start : nil)
        head.writer.raw("<li>")
        let close =
            "</li>\n" + (marker.ordered ? "</ol>\n" : "</ul>\n") + "</li>\n" + (list.ordered ? "</ol>\n" : "</ul>\n")
        frameCount += 1
        workBytes += head.written
        return Frame(
            fed: fed, finalCount: finalNodes.count, definitions: parser.definitions.count, settled: keep,
            leaf: .paragraph(start: textStart, keep: keep),
            head: TailHead(parts: head.parts(), close: close, frame: frameCount), paragraph: nil, textStart: textStart,
            id: frameCount, list: list, listTight: tight)
    }

    /// Where the text starts of an unfinished line that opens a list inside `item` (an item of a
    /// top-level list, its paragraph open): indented exactly to the item's content, a bullet (or
    /// `1.` or `1)`, the only numbers that may interrupt a paragraph), one space, then paragraph
    /// text (see `continuesParagraph`). Nil for anything else, a marker alone too (an empty item
    /// cannot interrupt a paragraph: the line may be its setext underline).
    static func nestedListText(_ b: [UInt8], from start: Int, in item: BlockNode) -> (Scan.ListMarker, Int)? {
        let end = lineEnd(b)
        let indent = item.markerOffset + item.padding
        var i = start
        while i < end, i - start < indent, b[i] == 0x20 { i += 1 }
        guard i - start == indent, i < end, let marker = Scan.listMarker(b, i, end),
            !marker.ordered || marker.start == 1
        else { return nil }
        i += marker.length
        guard i + 1 < end, b[i] == 0x20, continuesParagraph(b, from: i + 1) else { return nil }
        return (marker, i + 1)
    }

    /// Where the text of an unfinished line that starts a new item of `list` at its first column
    /// starts: after the list's marker (the same bullet, or digits and the same delimiter) and one
    /// space, at a byte that makes the item's text a paragraph whatever follows (see
    /// `continuesParagraph`; a `[` is for `paragraphKeep` to judge). `.some(nil)`:
    /// the line is the marker (and the space) so far: an empty item, for this chunk (the line
    /// cannot be a setext underline, since the paragraph it would underline is in the item the
    /// line does not continue, nor a thematic break yet). Nil: anything else.
    static func newItemText(_ b: [UInt8], from start: Int, of list: BlockNode) -> Int?? {
        let end = lineEnd(b)
        guard let marker = Scan.listMarker(b, start, end), isItemMarker(marker, of: list) else { return nil }
        var i = start + marker.length
        if i == end { return .some(nil) }  // the marker alone: an empty item too
        guard b[i] == 0x20 else { return nil }
        i += 1
        if i == end { return .some(nil) }
        guard continuesParagraph(b, from: i) else { return nil }
        return i
    }

    /// Whether the frame of a paragraph whose text starts at `i` on the unfinished line (text that
    /// starts no block) keeps a stable prefix and holds for the rest of the line: yes, unless the
    /// text starts with `[`, which may begin a link reference definition (no while it may: the
    /// frame serves this chunk only, as a probe's would). Nil when a probe must decide: the text is
    /// a definition as it stands (it renders nothing and may change links before it), or, in a
    /// list item, may still be a task box.
    private func paragraphKeep(_ b: [UInt8], at i: Int, inItem: Bool) -> Bool? {
        guard b[i] == 0x5B else { return true }
        let end = MarkdownStream.lineEnd(b)
        if inItem, options.taskLists, MarkdownStream.mayBeTask(b[i..<end]) { return nil }
        var content = Array(b[i..<end])
        content.append(0x0A)
        let (mayBeDefinition, isDefinition) = MarkdownStream.definitionState(content)
        return isDefinition ? nil : !mayBeDefinition
    }

    /// Whether a list marker is one of `list`'s kind: the same bullet, or digits and the same delimiter.
    static func isItemMarker(_ marker: Scan.ListMarker, of list: BlockNode) -> Bool {
        marker.ordered == list.ordered
            && (list.ordered ? marker.delimiter == list.delimiter : marker.bullet == list.bulletChar)
    }

    /// Whether the unfinished line starts at `i` with a list marker of `list`'s kind.
    static func isItemMarker(_ b: [UInt8], at i: Int, of list: BlockNode) -> Bool {
        Scan.listMarker(b, i, lineEnd(b)).map { isItemMarker($0, of: list) } ?? false
    }

    /// Whether the unfinished line's text from `i` makes a paragraph of its own whatever follows:
    /// it starts no block (`continuesParagraph`) and no `[`, which may begin a task box or a link
    /// reference definition.
    static func startsParagraphText(_ b: [UInt8], at i: Int) -> Bool {
        b[i] != 0x5B && continuesParagraph(b, from: i)
    }

    /// Whether the parser has read one line from `start` up to `fed`.
    private func onlyLine(from start: Int) -> Bool {
        // `fed` and `start` are line starts: the one before `fed` must be `start`.
        var j = lineStarts.count - 1
        while j > 0, lineStarts[j] > fed { j -= 1 }
        return j > 0 && lineStarts[j] == fed && lineStarts[j - 1] == start
    }

    /// The frame of a line that starts a block at the top level when nothing is open (so it
    /// closes nothing), settled by its first bytes: a paragraph; an ATX heading (`#`s, a space,
    /// then text that is no closing sequence); the first item of a list (a bullet, or digits and
    /// `.` or `)`, one space, then paragraph text; tight while it is the only item); a quote's
    /// first line (`> ` then paragraph text). Nil for anything else.
    private func quickTopLevelFrame() -> Frame? {
        let b = parser.b
        let end = MarkdownStream.lineEnd(b)
        if let whole = MarkdownStream.emptyBlockStart(b, from: fed, to: end) {
            // For this chunk only: the next byte may make it anything.
            frameCount += 1
            return Frame(
                fed: fed, finalCount: finalNodes.count, definitions: parser.definitions.count, settled: false,
                leaf: .none, head: TailHead(parts: [.text(whole)], frame: frameCount), paragraph: nil,
                textStart: b.count, id: frameCount)
        }
        if MarkdownStream.paragraphForNow(b, from: fed, to: end) {
            // A paragraph for this chunk only (more bytes may make the line another block).
            frameCount += 1
            return Frame(
                fed: fed, finalCount: finalNodes.count, definitions: parser.definitions.count, settled: false,
                leaf: .paragraph(start: fed, keep: true), head: MarkdownStream.topParagraphHead, paragraph: nil,
                textStart: fed, id: frameCount)
        }
        var head: TailHead
        var leaf: FrameLeaf
        var textStart: Int
        var firstItem: Int?
        var keep = true
        switch b[fed] {
        case 0x23:
            guard let (level, n) = Scan.atxHeading(b, fed, end), fed + n < end, b[fed + n - 1] == 0x20,
                b[fed + n] != 0x23, MarkdownStream.continuesParagraph(b, from: fed + n)
            else { return nil }
            var open = HTMLWriter()
            open.openHeading(level)
            var close = HTMLWriter()
            close.closeHeading(level)
            head = TailHead(parts: [.text(open.string)], close: close.string, frame: frameCount + 1)
            leaf = .heading
            textStart = fed + level
        case 0x3E:
            guard fed + 2 < end, b[fed + 1] == 0x20, MarkdownStream.startsParagraphText(b, at: fed + 2) else {
                return nil
            }
            head = MarkdownStream.topQuoteHead
            textStart = fed + 2
            leaf = .paragraph(start: textStart, keep: true)
        case 0x2D, 0x2A, 0x2B, 0x30...0x39:
            guard let marker = Scan.listMarker(b, fed, end) else { return nil }
            let i = fed + marker.length
            guard i + 1 < end, b[i] == 0x20, MarkdownStream.continuesParagraph(b, from: i + 1),
                let keepText = paragraphKeep(b, at: i + 1, inItem: true)
            else { return nil }
            keep = keepText
            let start = marker.ordered ? marker.start : nil
            var open = HTMLWriter()
            open.openList(start: start)
            open.raw("<li>")
            head = TailHead(
                parts: [.text(open.string)], close: start == nil ? "</li>\n</ul>\n" : "</li>\n</ol>\n",
                frame: frameCount + 1)
            textStart = i + 1
            leaf = .paragraph(start: textStart, keep: keep)
            firstItem = fed
        default:
            guard MarkdownStream.continuesParagraph(b, from: fed),
                let keepText = paragraphKeep(b, at: fed, inItem: false)
            else { return nil }
            keep = keepText
            head = MarkdownStream.topParagraphHead
            textStart = fed
            leaf = .paragraph(start: fed, keep: keep)
        }
        frameCount += 1
        return Frame(
            fed: fed, finalCount: finalNodes.count, definitions: parser.definitions.count, settled: keep, leaf: leaf,
            head: head, paragraph: nil, textStart: textStart, id: frameCount, listTight: firstItem != nil,
            firstItem: firstItem)
    }

    /// The whole render of an unfinished line from `start` (nothing open) that is a block's
    /// opening and nothing more yet, maybe followed by spaces: an empty ATX heading (up to six
    /// `#`s), an empty quote (`>`), an empty fenced code block (its opening fence) or an empty
    /// list item (a bullet, or digits and `.` or `)`). Nil for anything else (a tab, text, a longer
    /// run).
    static func emptyBlockStart(_ b: [UInt8], from start: Int, to end: Int) -> String? {
        var i = start
        var writer = HTMLWriter()
        switch b[start] {
        case 0x23:
            while i < end, b[i] == 0x23 { i += 1 }
            guard i - start <= 6 else { return nil }
            writer.openHeading(i - start)
            writer.closeHeading(i - start)
        case 0x3E:
            i += 1
            writer.raw("<blockquote>\n</blockquote>\n")
        case 0x60, 0x7E:
            // An opening fence: three or more, then an info string of letters, digits, `-`, `_`,
            // `+` or `.` (nothing the tree would unescape).
            let c = b[start]
            while i < end, b[i] == c { i += 1 }
            guard i - start >= 3 else { return nil }
            while i < end, b[i] == 0x20 { i += 1 }
            let info = i
            while i < end, Scan.isAlnum(b[i]) || b[i] == 0x2D || b[i] == 0x5F || b[i] == 0x2B || b[i] == 0x2E {
                i += 1
            }
            writer.openCodeBlock(info: String(decoding: b[info..<i], as: UTF8.self))
            writer.raw("</code></pre>\n")
        default:
            guard let marker = Scan.listMarker(b, start, end) else { return nil }
            i += marker.length
            writer.openList(start: marker.ordered ? marker.start : nil)
            writer.raw(marker.ordered ? "<li></li>\n</ol>\n" : "<li></li>\n</ul>\n")
        }
        while i < end, b[i] == 0x20 { i += 1 }
        return i == end ? writer.string : nil
    }

    /// Whether an unfinished line from `start` (nothing open) is, as it stands, a paragraph that
    /// more bytes may still make another block: one or two of the same `*`, `_`, `` ` ``, `~`,
    /// `-`, `+` or `=` (three may open a break or a fence; a lone `*`, `-` or `+` is an empty list
    /// item, see `emptyBlockStart`), or digits (a list item's number before its `.` or `)`).
    static func paragraphForNow(_ b: [UInt8], from start: Int, to end: Int) -> Bool {
        let c = b[start]
        let loneBullet = end - start == 1 && (c == 0x2A || c == 0x2D || c == 0x2B)
        return !loneBullet
            && digitsOrShortRun(b, from: start, to: end) {
                $0 == 0x2A || $0 == 0x5F || $0 == 0x60 || $0 == 0x7E || $0 == 0x2D || $0 == 0x2B || $0 == 0x3D
            }
    }

    /// Whether the unfinished line from `start` to `end` (not empty) is digits only, or one or
    /// two of the same byte, one that `runs` accepts.
    static func digitsOrShortRun(_ b: [UInt8], from start: Int, to end: Int, runs: (UInt8) -> Bool) -> Bool {
        let c = b[start]
        if Scan.isDigit(c) { return b[start..<end].allSatisfy(Scan.isDigit) }
        return runs(c) && end - start <= 2 && b[start..<end].allSatisfy { $0 == c }
    }

    /// The layout of an empty tail, shared by all.
    static let emptyHead = TailHead(parts: [], frame: 0)

    /// The layout of a quote's first paragraph at the top level, shared by all.
    static let topQuoteHead = TailHead(
        parts: [.text("<blockquote>\n<p>")], close: "</p>\n</blockquote>\n", frame: 0)

    /// The layout of a paragraph at the top level, shared by all.
    static let topParagraphHead = TailHead(parts: [.text("<p>")], close: "</p>\n", frame: 0)

    /// Whether an unfinished line from `start` (a line start) goes on with an open paragraph as it
    /// stands, though more bytes may make it start a block: digits (a list item's number before
    /// its delimiter), or, when the paragraph is the last container the line matches (at the top
    /// level or in a top-level quote, not lazily in a list item, where a marker alone starts a new
    /// list), one or two `*`, `+`, `_`, backticks or `~` (a lone bullet is an empty item, which
    /// cannot interrupt a paragraph; three may make a break or a fence). Never `-` or `=` (a
    /// setext underline) nor `#` (an empty heading interrupts a paragraph).
    static func goesOnForNow(_ b: [UInt8], from start: Int, paragraphIsContainer: Bool) -> Bool {
        let end = lineEnd(b)
        guard start < end else { return false }
        return digitsOrShortRun(b, from: start, to: end) {
            paragraphIsContainer && ($0 == 0x2A || $0 == 0x2B || $0 == 0x5F || $0 == 0x60 || $0 == 0x7E)
        }
    }

    /// Whether an unfinished line from `start` (a line start) continues an open paragraph, lazily
    /// or not, whatever follows: its first byte starts no block (a letter, non-ASCII, or
    /// punctuation no block starts with), or it starts with a run of `*`, `_`, `-`, `+`, `=`, `#`,
    /// digits, or fewer than three backticks or tildes, followed by a letter, digit or non-ASCII
    /// byte (no list marker, heading, break, underline, fence or table row is that).
    static func continuesParagraph(_ b: [UInt8], from start: Int) -> Bool {
        let end = lineEnd(b)
        guard start < end else { return false }
        let c = b[start]
        switch c {
        case 0x41...0x5A, 0x61...0x7A, 0x80...0xFF, 0x21, 0x22, 0x24...0x29, 0x2C, 0x2E, 0x2F, 0x3B, 0x3F, 0x40,
            0x5B...0x5E, 0x7B, 0x7D:
            return true
        case 0x2A, 0x5F, 0x2D, 0x2B, 0x3D, 0x23, 0x60, 0x7E, 0x30...0x39:
            var i = start
            if Scan.isDigit(c) {
                while i < end, Scan.isDigit(b[i]) { i += 1 }
            } else {
                while i < end, b[i] == c { i += 1 }
            }
            if c == 0x60 || c == 0x7E, i - start >= 3 { return false }
            return i < end && (Scan.isAlnum(b[i]) || b[i] >= 0x80)
        default:
            return false
        }
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
        var code: BlockNode?
        var codePrefix: [TailParts.Part] = []
        var list: BlockNode?
        var listTight = false
        var firstItem: Int?
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
                    if depth == 1, let original = node.original, parser.openBlocks.count > 1,
                        original === parser.openBlocks[1]
                    {
                        list = original
                        listTight = tight
                    } else if depth == 1, node.original == nil, node.childCount == 1 {
                        // The line starts a list: the parser's once the line is complete.
                        firstItem = node.startOffset
                        listTight = tight
                    }
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
                        if node.kind == .codeBlock, node.fenced, node.fenceOffset == 0, open.count == 2 {
                            code = node.original
                            codePrefix = head.parts()
                        }
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
            textStart: textStart, id: frameCount, code: code, codePrefix: codePrefix, list: list, listTight: listTight,
            firstItem: firstItem)
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
            st.length > 0 || st.cleanEnd >= 0, st.length <= node.content.count
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
        if st.cleanEnd == end {
            if !st.cleanMissed.isEmpty { missed.formUnion(st.cleanMissed) }
            return (st.html, (st.cleanHTML, st.cleanRange), missed)
        }
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

    /// The tail of an open paragraph's text in `frame`'s head, the text the complete lines of the
    /// frame's paragraph then the unfinished line from the frame's `textStart` on: the stable
    /// prefix's HTML (final, kept in `st`) and the rest's, parsed now.
    ///
    /// Inline constructs never span a point where nothing is left open (no unmatched opener,
    /// bracket, backtick run or `<` before it) that sits at a word start after a space, so the
    /// HTML before such a point is final; only the text after it is parsed per chunk.
    ///
    /// The HTML the chunk adds to the stable prefix, the rest's and the close are written into
    /// `leafWriter.bytes` in that order and made one string (see `TailParts`).
    private func leafInline(paragraphStart: Int, in frame: Frame) -> TailParts {
        let q = frame.textStart
        let head = frame.head
        let content = frame.paragraph?.content ?? []
        let b = parser.b
        let lineEnd = MarkdownStream.lineEnd(b)
        let definitions = parser.definitions.count
        if st.paragraphStart != paragraphStart || st.definitions != definitions {
            st = StableText(paragraphStart: paragraphStart, definitions: definitions)
        }
        // The paragraph's text: its complete lines, then the unfinished line's text.
        let total = content.count + max(0, lineEnd - q)
        // The stable prefix's bytes not in its chain yet come first.
        leafWriter.bytes.removeAll(keepingCapacity: true)
        st.appendPending(to: &leafWriter.bytes)
        if st.linkParen >= content.count, st.linkEnd <= total {
            if openLinkDestination(lineText: q, lineOffset: content.count) {
                return leafTail(head: head, fresh: st.pendingCount, clean: false)
            }
            if closeLinkDestination(lineText: q, lineOffset: content.count),
                b[(q + st.cleanEnd - content.count)..<lineEnd].allSatisfy({ $0 == 0x20 })
            {
                // Nothing but spaces after the link: the tail is its text so far.
                st.linkParen = -1
                st.appendClean(to: &leafWriter.bytes)
                return leafTail(head: head, fresh: st.pendingCount, clean: true)
            }
        }
        st.linkParen = -1
        // Nothing is stable yet and no parse left nothing open: the empty text before the first
        // byte leaves nothing open (a text that starts with a space is left to the parse).
        if st.cleanEnd < 0, st.length == 0, st.html.count == 0, st.pendingCount == 0, total > 0,
            (content.isEmpty ? b[q] : content[0]) != 0x20
        {
            st.noteClean(to: 0)
        }
        // The text after the last parse, when that parse left nothing open.
        let cleanEnd = st.cleanEnd
        if cleanEnd >= 0, cleanEnd < total {
            MarkdownStream.paragraphText(from: cleanEnd, content: content, line: b, q..<lineEnd, into: &afterBuffer)
            if let fresh = afterBuffer.withUnsafeBufferPointer({ quickText($0) }) {
                return leafTail(head: head, fresh: fresh, clean: st.cleanEnd >= 0)
            }
            // The text parsed last time ended with nothing open; if what follows it starts a new
            // word after spaces (or a line break), its HTML is final: the stable point moves past
            // it unparsed.
            var i = cleanEnd
            var spaces = 0
            var newline = false
            while i < total {
                let c = afterBuffer[i - cleanEnd]
                if c == 0x20 {
                    if !newline { spaces += 1 }
                } else if c == 0x0A, !newline, !st.cleanEndsWithBackslash {
                    newline = true  // spaces after it start the next line and are skipped
                } else {
                    break
                }
                i += 1
            }
            if i < total, i > cleanEnd, !Scan.isWhitespace(afterBuffer[i - cleanEnd]) {
                // The text, then a hard or a soft line break, or the spaces: stable bytes.
                st.appendClean(to: &leafWriter.bytes)
                if newline {
                    if spaces >= 2 { leafWriter.raw("<br />") }
                    leafWriter.bytes.append(0x0A)
                } else {
                    leafWriter.bytes.append(contentsOf: repeatElement(0x20, count: spaces))
                }
                st.length = i
                if !st.cleanMissed.isEmpty { st.missed.formUnion(st.cleanMissed) }
            }
        }
        // Nothing is open before the stable point, and the byte before it is a space or a line
        // break: inert text and spans from it need no parse either (a span may start it).
        // (From the complete lines on, the text holds a line break: not inert.)
        if st.length < total, st.cleanEnd != st.length, st.length >= content.count {
            st.noteClean(to: st.length)
            let from = q + st.length - content.count
            if let fresh = b.withUnsafeBufferPointer({
                quickText(UnsafeBufferPointer(rebasing: $0[from..<lineEnd]), spanAtStart: true)
            }) {
                return leafTail(head: head, fresh: fresh, clean: st.cleanEnd >= 0)
            }
        }
        st.cleanEnd = -1
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
        if inline.unresolved < suffix.count, inline.unresolved >= k {
            noteOpenLinkDestination(
                suffix: suffix, opener: inline.unresolved, start: start, rest: leafWriter.bytes[restBytes...])
        }
        if inline.unresolved == Int.max {
            var inert = true
            var dot = false
            var w = false
            var i = suffix.count
            while i > 0, suffix[i - 1] != 0x20, suffix[i - 1] != 0x0A, suffix.count - i < 64 {
                i -= 1
                let c = suffix[i]
                if !MarkdownStream.inert(c) { inert = false }
                if c == 0x2E { dot = true } else if c | 0x20 == 0x77 { w = true }
            }
            if i > 0, suffix[i - 1] != 0x20, suffix[i - 1] != 0x0A { inert = false }  // a word over 64 bytes
            st.cleanEnd = start + suffix.count
            st.cleanEndsWithBackslash = suffix.last == 0x5C
            if !(st.cleanMissed.isEmpty && inline.missedLabels.isEmpty) { st.cleanMissed = inline.missedLabels }
            st.lastWordInert = inert
            st.lastWordDot = dot
            st.lastWordW = w
        }
        return leafTail(head: head, fresh: restBytes, clean: inline.unresolved == Int.max)
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
    /// them, which costs less than a piece per chunk). `clean`: the rest is the HTML of the text
    /// after the stable point, parsed with nothing left open (kept as `cleanHTML`).
    private func leafTail(head: TailHead, fresh: Int, clean: Bool) -> TailParts {
        let restEnd = leafWriter.bytes.count
        leafWriter.bytes.append(contentsOf: UnsafeBufferPointer(head.closeBytes))
        let suffix = leafWriter.bytes.withUnsafeMutableBufferPointer { String(decoding: $0, as: UTF8.self) }
        if clean {
            st.cleanHTML = suffix
            st.cleanRange = fresh..<restEnd
        }
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

    /// Bytes that may follow in a streaming link destination without ending it or starting any
    /// construct in the text as it stands: ASCII letters and digits and `/ . - : % = ? # + , ; @`.
    @inline(__always) static func destinationByte(_ c: UInt8) -> Bool {
        Scan.isAlnum(c) || c == 0x2F || c == 0x2E || c == 0x2D || c == 0x3A || c == 0x25 || c == 0x3D || c == 0x3F
            || c == 0x23 || c == 0x2B || c == 0x2C || c == 0x3B || c == 0x40
    }

    /// After a parse that left something open from `u = inline.unresolved` on (at or after the
    /// new stable point): if that is an inline link whose destination is streaming in — the
    /// suffix from `u` is `[`, inert bytes, `](`, then only destination bytes — notes the `(` and
    /// the HTML of the rest before it, once the rest is seen to end with the destination's own
    /// render (from the `(` on, as plain text: escaped, with extended autolinks). Until the link
    /// closes, more destination bytes change only that part: `openLinkDestination` renders it
    /// alone instead of parsing from the `[` again. An opener inside the brackets or the
    /// destination, or any other byte, leaves it to the parse.
    private func noteOpenLinkDestination(
        suffix: [UInt8], opener u: Int, start: Int, rest: ArraySlice<UInt8>
    ) {
        guard suffix[u] == 0x5B else { return }
        var i = u + 1
        while i < suffix.count, suffix[i] != 0x5D {
            guard MarkdownStream.inert(suffix[i]) else { return }
            i += 1
        }
        guard i + 1 < suffix.count, suffix[i + 1] == 0x28 else { return }
        let paren = i + 1
        var j = paren + 1
        while j < suffix.count {
            guard MarkdownStream.destinationByte(suffix[j]) else { return }
            j += 1
        }
        var own = HTMLWriter()
        suffix.withUnsafeBufferPointer {
            own.plainText(UnsafeBufferPointer(rebasing: $0[paren...]), insideLink: false, options: options)
        }
        guard rest.count >= own.bytes.count, rest.suffix(own.bytes.count).elementsEqual(own.bytes) else { return }
        st.linkParen = start + paren
        st.linkEnd = start + suffix.count
        let head = rest.dropLast(own.bytes.count)
        st.linkHead = String(decoding: head, as: UTF8.self)
        // While open, `[text]` shows as itself: then the closed link's HTML replaces just that. Its
        // `]` is the only one parsed (none before it), so the only label looked up in vain is its
        // own, as a shortcut reference: none once it is an inline link.
        let bracketed = suffix[u..<paren]
        if !suffix[..<u].contains(0x5D), head.count >= bracketed.count,
            head.suffix(bracketed.count).elementsEqual(bracketed)
        {
            st.linkPre = head.count - bracketed.count
            st.linkText = bracketed.count - 2
        } else {
            st.linkPre = -1
        }
    }

    /// When the link `noteOpenLinkDestination` found closes on the unfinished line (its text starts
    /// at `q`, at paragraph offset `lineOffset`) right after destination bytes — `[text](dest)`,
    /// the text inert, the destination plain, no title — the text up to its `)` is the HTML before
    /// the link's `[` and the link's own (written as the parse would: `openLink`, the text, `</a>`),
    /// with nothing left open: noted as the clean text (see `quickText`), so what follows it is
    /// handled as after any parse that left nothing open, without parsing the link again. False
    /// (nothing noted) for anything else.
    private func closeLinkDestination(lineText q: Int, lineOffset: Int) -> Bool {
        guard st.linkPre >= 0 else { return false }
        let b = parser.b
        let end = MarkdownStream.lineEnd(b)
        let paren = q + (st.linkParen - lineOffset)
        let known = q + (st.linkEnd - lineOffset)
        let textStart = paren - 1 - st.linkText
        guard textStart > q, paren < end, known <= end, b[paren] == 0x28, b[textStart - 1] == 0x5B,
            b[paren - 1] == 0x5D
        else { return false }
        var i = max(known, paren + 1)
        while i < end, MarkdownStream.destinationByte(b[i]) { i += 1 }
        guard i < end, b[i] == 0x29, i > paren + 1 else { return false }
        var writer = HTMLWriter()
        writer.bytes.appendUTF8(of: st.linkHead, 0..<st.linkPre)
        writer.openLink(String(decoding: b[(paren + 1)..<i], as: UTF8.self), title: "")
        writer.bytes.appendBytes(of: b, textStart..<(paren - 1))
        writer.raw("</a>")
        st.noteClean(
            to: lineOffset + (i + 1 - q), html: writer.string, range: 0..<writer.bytes.count, lastWordInert: false)
        lastParsedBytes = i + 1 - paren
        workBytes += i + 1 - paren
        linkCloses += 1
        return true
    }

    /// The rest's HTML while the link `noteOpenLinkDestination` found is still open and only
    /// destination bytes followed on the unfinished line (its text starts at `q`, at paragraph
    /// offset `lineOffset`): the HTML before the link's `(` and the render of the text from it.
    /// Written into `leafWriter.bytes`; false otherwise.
    private func openLinkDestination(lineText q: Int, lineOffset: Int) -> Bool {
        let b = parser.b
        let end = MarkdownStream.lineEnd(b)
        let paren = q + (st.linkParen - lineOffset)
        let known = q + (st.linkEnd - lineOffset)
        guard paren < end, known <= end, b[paren] == 0x28 else { return false }
        var i = known
        while i < end {
            guard MarkdownStream.destinationByte(b[i]) else { return false }
            i += 1
        }
        leafWriter.bytes.appendUTF8(of: st.linkHead)
        b.withUnsafeBufferPointer {
            leafWriter.plainText(UnsafeBufferPointer(rebasing: $0[paren..<end]), insideLink: false, options: options)
        }
        st.linkEnd = lineOffset + (end - q)
        lastParsedBytes = end - paren
        workBytes += end - paren
        linkDestinations += 1
        return true
    }

    /// Bytes that never start, end or change an inline construct: ASCII letters and digits, space,
    /// `,`, `.` (an extended autolink needs `www.`, checked apart) and non-ASCII.
    @inline(__always) static func inert(_ c: UInt8) -> Bool {
        Scan.isAlnum(c) || c == 0x20 || c == 0x2C || c == 0x2E || c >= 0x80
    }

    /// When the text after a parse that left nothing open is inert bytes on the same line, and
    /// either starts a new word or continues an inert last word (and no word holding a `.` holds a
    /// `w`), its HTML is the text itself: it adds no delimiter, bracket, backtick, entity or
    /// autolink, and does not change the flanking of a run before it (the end of the text counts
    /// as whitespace, like the space it brings). Writes the HTML it adds to the stable prefix and
    /// the rest's into `leafWriter.bytes` without a parse and returns how many bytes are the
    /// prefix's; the stable point moves to the last new word start.
    private func quickText(_ text: UnsafeBufferPointer<UInt8>, spanAtStart: Bool = false) -> Int? {
        var count = text.count
        while count > 0, text[count - 1] == 0x20 { count -= 1 }  // trailing spaces are not shown
        guard count > 0 else { return nil }
        let continues = text[0] != 0x20
        if continues, !st.lastWordInert { return nil }
        var dot = continues && st.lastWordDot
        var w = continues && st.lastWordW
        var wordStart = -1
        var spans = 0  // how many spans (see `wordSpan`), noted in `quickSpans`
        var open = false  // the text ends with an opening run that nothing closes yet
        var i = 0
        while i < count {
            let c = text[i]
            guard MarkdownStream.inert(c) else {
                // Not at the start after a clean text: its last byte might lengthen the opening run
                // (`spanAtStart`: the text starts after a space or a line break).
                guard i > 0 || spanAtStart else { return nil }
                guard let end = MarkdownStream.wordSpan(text, at: i, count: count) else {
                    guard MarkdownStream.openingRun(text, at: i, count: count) else { return nil }
                    open = true
                    break
                }
                if spans == quickSpans.count { quickSpans.append(0..<0) }
                quickSpans[spans] = i..<end
                spans += 1
                i = end
                continue
            }
            if c == 0x20 {
                if dot && w { return nil }
                dot = false
                w = false
                wordStart = i + 1
            } else if c == 0x2E {
                dot = true
            } else if c | 0x20 == 0x77 {
                w = true
            }
            i += 1
        }
        if dot && w { return nil }
        // The text is its own HTML (and a span's, its tags around its word); up to the last new
        // word start it is final (as is what the buffer holds already: the prefix's pending
        // bytes, and a line break before the text).
        let base = leafWriter.bytes.count
        st.appendClean(to: &leafWriter.bytes)
        writeQuickText(text, 0..<max(0, wordStart), spans: spans)
        let fresh = wordStart > 0 ? leafWriter.bytes.count : base
        if wordStart > 0 {
            st.length = st.cleanEnd + wordStart
            if !st.cleanMissed.isEmpty {
                st.missed.formUnion(st.cleanMissed)
                st.cleanMissed = []
            }
        }
        writeQuickText(text, max(0, wordStart)..<count, spans: spans)
        // After an opening run, something is open: the next chunk starts from the stable point.
        st.cleanEnd = open ? -1 : st.cleanEnd + count
        st.cleanEndsWithBackslash = false
        st.lastWordInert = true
        st.lastWordDot = dot
        st.lastWordW = w
        lastParsedBytes = 0
        quickTexts += 1
        return fresh
    }

    /// Where a span ends that starts at `text[i]`: `*W*`, `**W**` or `` `W` ``, W one or more ASCII
    /// letters and digits, the closing run exactly as long as the opening one (before `count`).
    /// With nothing open before it and inert bytes or spans around it, that is emphasis, strong
    /// emphasis or a code span whatever precedes or follows it: the opening run, followed by a
    /// letter or digit, is left-flanking, the closing one, preceded by one, right-flanking (for
    /// `*` that is all opening and closing take; the runs' lengths sum to 2 or 4, so the rule of
    /// three does not apply), and nothing else can pair with either. A byte that lengthens the
    /// closing run later is not inert, so it goes to the parse. Nil for anything else.
    static func wordSpan(_ text: UnsafeBufferPointer<UInt8>, at i: Int, count: Int) -> Int? {
        let c = text[i]
        guard c == 0x2A || c == 0x60 else { return nil }
        let run = c == 0x2A && i + 1 < count && text[i + 1] == 0x2A ? 2 : 1
        var j = i + run
        let word = j
        while j < count, Scan.isAlnum(text[j]) { j += 1 }
        guard j > word else { return nil }
        var end = j
        while end < count, text[end] == c { end += 1 }
        return end - j == run ? end : nil
    }

    /// Whether `text[i..<count]` is an opening run that nothing after it closes: a run of `*` or
    /// backticks, then only ASCII letters and digits to the end. With nothing open before it, the
    /// text is then its own HTML: no closing run follows, and an unmatched run is literal. What
    /// follows may still close it.
    static func openingRun(_ text: UnsafeBufferPointer<UInt8>, at i: Int, count: Int) -> Bool {
        let c = text[i]
        guard c == 0x2A || c == 0x60 else { return false }
        var j = i + 1
        while j < count, text[j] == c { j += 1 }
        while j < count, Scan.isAlnum(text[j]) { j += 1 }
        return j == count
    }

    /// Writes `text[range]` as `quickText` found it: bytes as themselves, the spans among the
    /// first `spans` of `quickSpans` inside the range as their HTML.
    @inline(__always) private func writeQuickText(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, spans: Int) {
        if spans == 0 { return leafWriter.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[range])) }
        writeSpans(text, range, spans: spans)
    }

    private func writeSpans(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, spans: Int) {
        var position = range.lowerBound
        for k in 0..<spans {
            let span = quickSpans[k]
            guard span.lowerBound >= range.lowerBound, span.upperBound <= range.upperBound else { continue }
            leafWriter.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[position..<span.lowerBound]))
            let c = text[span.lowerBound]
            let run = c == 0x2A && text[span.lowerBound + 1] == 0x2A ? 2 : 1
            let (open, close): (StaticString, StaticString) =
                c == 0x60 ? ("<code>", "</code>") : run == 2 ? ("<strong>", "</strong>") : ("<em>", "</em>")
            leafWriter.raw(open)
            leafWriter.bytes.append(
                contentsOf: UnsafeBufferPointer(rebasing: text[(span.lowerBound + run)..<(span.upperBound - run)]))
            leafWriter.raw(close)
            position = span.upperBound
        }
        leafWriter.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[position..<range.upperBound]))
    }

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
