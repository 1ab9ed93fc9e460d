/// A block under construction: a class so the open-block stack can mutate it in place.
final class BlockNode {
    enum Kind: UInt8 { case document, blockQuote, list, item, paragraph, heading, thematicBreak, codeBlock, htmlBlock, table }

    var kind: Kind
    var children: [BlockNode] = []
    var startOffset: Int
    var endOffset: Int
    var startLine: Int
    var lastLineBlank = false

    /// Leaf text, line by line, joined with `\n`.
    var content: [UInt8] = []
    /// Pairs (content offset, source offset) where each added line starts, to map inline offsets back.
    var segments: [Int] = []

    // Lists and items.
    var ordered = false
    var bulletChar: UInt8 = 0
    var listStart = 0
    var delimiter: UInt8 = 0
    var markerOffset = 0
    var padding = 0
    var tight = true

    // Code blocks.
    var fenced = false
    var fenceChar: UInt8 = 0
    var fenceLength = 0
    var fenceOffset = 0
    var info: [UInt8] = []

    var htmlType = 0
    var level = 0
    var setext = false

    // Tables: every row's cells as (bytes, source offset of the cell).
    var alignments: [MarkdownTableAlignment] = []
    var rows: [[TableCell]] = []

    init(_ kind: Kind, start: Int, line: Int) {
        self.kind = kind
        self.startOffset = start
        self.endOffset = start
        self.startLine = line
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
