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
    @exclusivity(unchecked) var info: [UInt8] = []

    @exclusivity(unchecked) var htmlType = 0
    @exclusivity(unchecked) var level = 0
    @exclusivity(unchecked) var setext = false

    // Tables: every row's cells as (bytes, source offset of the cell).
    @exclusivity(unchecked) var alignments: [MarkdownTableAlignment] = []
    @exclusivity(unchecked) var rows: [[TableCell]] = []

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
        c.info = info
        c.htmlType = htmlType
        c.level = level
        c.setext = setext
        c.alignments = alignments
        c.rows = rows
        return c
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
