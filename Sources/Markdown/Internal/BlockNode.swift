/// A block under construction: a class so the open-block stack can mutate it in place.
final class BlockNode {
    enum Kind: UInt8 {
        case document, blockQuote, list, item, paragraph, heading, thematicBreak, codeBlock, htmlBlock, table
    }

    @exclusivity(unchecked) var kind: Kind
    @exclusivity(unchecked) var children: [BlockNode] = []
    @exclusivity(unchecked) var startOffset: Int
    @exclusivity(unchecked) var endOffset: Int
    @exclusivity(unchecked) var startLine: Int
    @exclusivity(unchecked) var lastLineBlank = false
    /// The block a copy was made from (`copy()`; nil for the parser's own blocks). A probe's
    /// copies are never kept, so they are never cached by identity.
    @exclusivity(unchecked) var original: BlockNode?
    var isCopy: Bool { original != nil }
    /// A copy's children leave out the original's first `hidden` ones: closed blocks, shared, so a
    /// fork copies the open path and not a list of thousands of items (`childCount`, `lastChild`,
    /// `allChildren` count them).
    @exclusivity(unchecked) var hidden = 0
    /// For a copy that took its original's `content`, `segments` and `rows` to append a line in
    /// place (`borrowContent`): how many of each were the original's; -1 otherwise.
    @exclusivity(unchecked) var borrowed = (content: -1, segments: -1, rows: -1)

    /// Leaf text, line by line, joined with `\n`.
    @exclusivity(unchecked) var content: [UInt8] = []
    /// Pairs (content offset, source offset) where each added line starts, to map inline offsets back.
    @exclusivity(unchecked) var segments: [Int] = []

    // Lists and items.
    @exclusivity(unchecked) var ordered = false
    @exclusivity(unchecked) var bulletChar: UInt8 = 0
    @exclusivity(unchecked) var listStart = 0
    @exclusivity(unchecked) var delimiter: UInt8 = 0
    @exclusivity(unchecked) var markerOffset = 0
    @exclusivity(unchecked) var padding = 0
    @exclusivity(unchecked) var tight = true

    // Code blocks.
    @exclusivity(unchecked) var fenced = false
    @exclusivity(unchecked) var fenceChar: UInt8 = 0
    @exclusivity(unchecked) var fenceLength = 0
    @exclusivity(unchecked) var fenceOffset = 0
    /// Whether a fenced code block was ended by its closing fence (not by its container or the text's end).
    @exclusivity(unchecked) var fenceClosed = false
    @exclusivity(unchecked) var info: [UInt8] = []

    @exclusivity(unchecked) var htmlType = 0
    @exclusivity(unchecked) var level = 0
    @exclusivity(unchecked) var setext = false

    // Tables: every row's cells as (bytes, source offset of the cell).
    @exclusivity(unchecked) var alignments: [MarkdownTableAlignment] = []
    @exclusivity(unchecked) var rows: [[TableCell]] = []

    /// A leaf's last line (without its newline); nil when it has none.
    var lastLine: ArraySlice<UInt8>? {
        guard !content.isEmpty else { return nil }
        var start = content.count - 1
        while start > 0, content[start - 1] != ASCIIByte.newline { start -= 1 }
        return content[start..<(content.count - 1)]
    }

    init(_ kind: Kind, start: Int, line: Int) {
        self.kind = kind
        self.startOffset = start
        self.endOffset = start
        self.startLine = line
    }

    /// A copy sharing the children (closed blocks are not changed again) and, until either side
    /// writes, the content (the stream's probe of an unfinished line works on copies of the open blocks).
    func copy() -> BlockNode {
        let c = BlockNode(kind, start: startOffset, line: startLine)
        c.original = self
        c.children = children
        c.endOffset = endOffset
        c.lastLineBlank = lastLineBlank
        c.content = content
        c.segments = segments
        c.ordered = ordered
        c.bulletChar = bulletChar
        c.listStart = listStart
        c.delimiter = delimiter
        c.markerOffset = markerOffset
        c.padding = padding
        c.tight = tight
        c.fenced = fenced
        c.fenceChar = fenceChar
        c.fenceLength = fenceLength
        c.fenceOffset = fenceOffset
        c.fenceClosed = fenceClosed
        c.info = info
        c.htmlType = htmlType
        c.level = level
        c.setext = setext
        c.alignments = alignments
        c.rows = rows
        return c
    }

    var childCount: Int { hidden + children.count }
    var firstChild: BlockNode? { hidden > 0 ? original!.children[0] : children.first }
    var lastChild: BlockNode? { children.last ?? (hidden > 0 ? original!.children[hidden - 1] : nil) }
    /// Child `i`, counting the hidden ones.
    func child(at i: Int) -> BlockNode { i < hidden ? original!.children[i] : children[i - hidden] }
    /// Every child, the hidden ones first.
    var allChildren: [BlockNode] { hidden == 0 ? children : Array(original!.children[..<hidden]) + children }

    /// The last child, to change: a hidden one (a block of the original parser's) is copied first.
    func lastChildForWrite() -> BlockNode? {
        if children.isEmpty, hidden > 0 {
            hidden -= 1
            children = [original!.children[hidden].copy()]
        }
        return children.last
    }

    /// Takes the original's content, segments and table rows, so that appending a line costs the
    /// line (the original gets them back, without the line, from `returnContent`).
    func borrowContent() {
        guard let o = original, borrowed.content < 0 else { return }
        borrowed = (o.content.count, o.segments.count, o.rows.count)
        content = []
        segments = []
        rows = []
        swap(&content, &o.content)
        swap(&segments, &o.segments)
        swap(&rows, &o.rows)
    }

    /// Gives borrowed content back: in place when the copy only appended lines to it, else as a copy
    /// (when closing it may change what it holds: `keepCopy`).
    func returnContent(keepCopy: Bool = false) {
        guard let o = original, borrowed.content >= 0 else { return }
        if keepCopy {
            o.content = Array(content[..<borrowed.content])
            o.segments = Array(segments[..<borrowed.segments])
            o.rows = Array(rows[..<borrowed.rows])
        } else {
            swap(&content, &o.content)
            swap(&segments, &o.segments)
            swap(&rows, &o.rows)
            o.content.removeSubrange(borrowed.content...)
            o.segments.removeSubrange(borrowed.segments...)
            o.rows.removeSubrange(borrowed.rows...)
        }
        borrowed = (-1, -1, -1)
    }

    var acceptsLines: Bool { kind == .paragraph || kind == .heading || kind == .codeBlock }

    func canContain(_ child: Kind) -> Bool {
        switch kind {
        case .document, .blockQuote, .item: return child != .item
        case .list: return child == .item
        default: return false
        }
    }

    /// Appends one line of leaf text, remembering where it came from.
    func addLine(_ bytes: ArraySlice<UInt8>, source: Int, extraSpaces: Int = 0) {
        segments.append(content.count)
        segments.append(source - extraSpaces)
        for _ in 0..<extraSpaces { content.append(0x20) }
        content.append(contentsOf: bytes)
        content.append(0x0A)
    }
}

/// One table cell's raw text and where it starts in the source.
struct TableCell {
    var bytes: [UInt8]
    var source: Int
}
