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
    let options: MarkdownOptions
    let parser: BlockParser
    /// Byte offset of the first line the block parser has not seen.
    @exclusivity(unchecked) var fed = 0
    /// Byte offset where the open tail starts (a line start after the last final block).
    @exclusivity(unchecked) var tailStart = 0
    @exclusivity(unchecked) var finished = false
    /// Final top-level blocks: the parser node (kept to re-render on a late definition) and output.
    @exclusivity(unchecked) var finalNodes: [BlockNode] = []
    @exclusivity(unchecked) var finalBlocks: [MarkdownBlock?] = []
    @exclusivity(unchecked) var finalHTMLParts: [String] = []
    @exclusivity(unchecked) var finalHTML = ""
    /// Missing reference labels -> indices of final blocks that looked them up.
    @exclusivity(unchecked) var missed: [String: [Int]] = [:]
    @exclusivity(unchecked) var dirty: Set<Int> = []
    @exclusivity(unchecked) var pendingFinalized = ""
    /// The open tail's HTML as of the last update.
    @exclusivity(unchecked) var tail = TailParts.empty
    @exclusivity(unchecked) var tailBlocks: [MarkdownBlock] = []
    /// Whether `tailBlocks` lags behind `tail` (frames render HTML only).
    @exclusivity(unchecked) var tailBlocksStale = false
    /// The stable prefix of the open paragraph holding the unfinished line (see `leafInline`).
    @exclusivity(unchecked) var st = StableText()
    /// One inline parser reused for every render of the stream (rebuilt when definitions change).
    @exclusivity(unchecked) var inlineArena: InlineParser?
    @exclusivity(unchecked) var inlineArenaDefinitions = -1
    /// Tests set this to compare every tail rendered in a frame with a full render.
    var checkTails = false
    /// Frame tails that differed from a full render (tests expect zero).
    @exclusivity(unchecked) var tailMismatches = 0
    /// The first differing pair (frame, full render), for the test's message.
    @exclusivity(unchecked) var firstMismatch: (String, String)?
    @exclusivity(unchecked) var terminalCache: (TerminalStyle, String, Int)?
    /// `finalHTML` and the tail joined, kept in one buffer so reading `html` after every chunk costs
    /// the changed bytes, not the whole answer (in place while the caller does not keep the string).
    @exclusivity(unchecked) var combined = ""
    /// How many UTF-8 bytes at the start of `combined` are final HTML that is still current.
    @exclusivity(unchecked) var combinedFinal = 0
    /// The tail that follows the final HTML in `combined` (tails are immutable: a new tail is a new object).
    @exclusivity(unchecked) var shown = TailParts.empty
    /// How many chunks were rendered inside a frame (tests check that it is exercised).
    @exclusivity(unchecked) var frameTails = 0
    /// How many frames were laid out, and how many blocks went through the tree writer (tests
    /// check that frames last a line and closed blocks are written once).
    @exclusivity(unchecked) var framesBuilt = 0
    @exclusivity(unchecked) var treeWrites = 0
    /// Bytes parsed, laid out or copied for tails and `html` (tests check that it grows linearly
    /// with the text, whatever the shape of its blocks).
    @exclusivity(unchecked) var workBytes = 0
    /// The unfinished line's frame, and the last exact render in a frame: the frame's head, its
    /// `rest`, and where the text it rendered ends (the amortized policy shows what follows as
    /// provisional text).
    @exclusivity(unchecked) var frame: Frame?
    @exclusivity(unchecked) var lastExact: (head: TailHead, rest: String, textEnd: Int)?
    /// Closed blocks inside the open tail, rendered once per tightness: (tight, loose) HTML, and
    /// the sizes along the block's last-child path when rendered (a block the probe closed is kept
    /// under the parser's own block, which may still grow: then the sizes differ).
    @exclusivity(unchecked) var closedCache: [ObjectIdentifier: (String?, String?, [Int], Set<String>)] = [:]
    @exclusivity(unchecked) var closedCacheKey = (-1, -1)
    /// Per open container, table or code block of the parser and tightness of its children: its HTML
    /// for each number of its parts (closed children, complete rows, lines) covered, the opening tag
    /// alone first (see `keptChain`).
    @exclusivity(unchecked) var containerHeads: [ContainerKey: (node: BlockNode, chains: [HTMLChain])] = [:]
    /// Per open list of the parser: how many of its first items are known not to make it loose,
    /// or that one does (items that have a next one and are closed do not change).
    @exclusivity(unchecked) var tightPrefixes: [ObjectIdentifier: (node: BlockNode, verified: Int, loose: Bool)] = [:]
    /// When the tail is re-parsed (see `TailPolicy`).
    public let tailPolicy: TailPolicy
    /// Whether `tail` is the exact render of the open tail (always, under `.exact`).
    @exclusivity(unchecked) public internal(set) var tailExact = true
    /// How many bytes the last exact tail render parsed (the amortized policy waits for half as many).
    @exclusivity(unchecked) var lastParsedBytes = 0
    /// The last tail render's work and the text's length then (see `mustWait`).
    @exclusivity(unchecked) var renderWork = 0
    @exclusivity(unchecked) var textAtRender = 0

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
        if lineEnd || start > 0 && parser.b[start - 1] == ASCIIByte.carriageReturn { feedCompleteLines(from: start) }
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

    /// Ends the stream: the unfinished line is a line, every block is final.
    public func finish() -> MarkdownUpdate {
        guard !finished else { return MarkdownUpdate(finalized: "", tail: "") }
        if fed < parser.b.count {
            var end = parser.b.count
            while end > fed, parser.b[end - 1] == ASCIIByte.newline || parser.b[end - 1] == ASCIIByte.carriageReturn {
                end -= 1
            }
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
        if combinedFinal != finalCount || shown !== tail { spliceTail(finalCount: finalCount) }
        return combined
    }

    /// The text so far rendered for a terminal; final blocks are cached per style, the tail re-rendered.
    public func terminal(style: TerminalStyle) -> String {
        // The final blocks' trees are only needed here: built on the first call that needs them.
        while finalBlocks.count < finalNodes.count {
            var builder = TreeBuilder(locate: MarkdownStream.noRange, options: options, definitions: parser.definitions)
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
        }
        return TerminalWriter.join(finalPart, TerminalWriter.render(tailBlocks, style: style))
    }

}
