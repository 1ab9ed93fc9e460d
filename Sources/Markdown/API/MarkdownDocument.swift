import CustomUICore

/// Which extensions to CommonMark the parser recognises.
public struct MarkdownOptions: Hashable, Sendable {
    /// GitHub tables (`| a | b |` with a delimiter row).
    public var tables: Bool
    /// GitHub strikethrough (`~~gone~~`, also `~gone~`).
    public var strikethrough: Bool
    /// GitHub task list items (`- [ ] todo`, `- [x] done`).
    public var taskLists: Bool
    /// GitHub extended autolinks (`www.example.com`, `https://…`, `name@example.com` without `<>`).
    public var autolinks: Bool

    /// Options from their parts; every extension is on unless switched off.
    public init(tables: Bool = true, strikethrough: Bool = true, taskLists: Bool = true, autolinks: Bool = true) {
        self.tables = tables
        self.strikethrough = strikethrough
        self.taskLists = taskLists
        self.autolinks = autolinks
    }

    /// All the GitHub extensions LLM output uses, on.
    public static let `default` = MarkdownOptions()
    /// Plain CommonMark 0.31.2, no extensions (what the spec examples expect).
    public static let commonMark = MarkdownOptions(
        tables: false, strikethrough: false, taskLists: false, autolinks: false)
}

/// A parsed markdown text: its top-level blocks and the source they came from.
public struct MarkdownDocument: Sendable {
    /// The top-level blocks, in order.
    public var blocks: [MarkdownBlock]
    /// The markdown text, for turning inline byte offsets into line:column.
    public let source: SourceFile

    /// A document from its parts.
    public init(blocks: [MarkdownBlock], source: SourceFile) {
        self.blocks = blocks
        self.source = source
    }

    /// The line:column range of an inline's UTF-8 byte offsets.
    public func range(of inline: MarkdownInline) -> SourceRange {
        source.range(inline.offsets.lowerBound, inline.offsets.upperBound)
    }
}

/// The alignment of one table column, from its delimiter row.
public enum MarkdownTableAlignment: Hashable, Sendable {
    /// No colon in the delimiter row.
    case none
    /// `:---`.
    case left
    /// `:---:`.
    case center
    /// `---:`.
    case right
}

/// A block-level node with the source range it covers.
public struct MarkdownBlock: Sendable {
    /// What the block is; containers hold their children here.
    public indirect enum Kind: Sendable {
        /// A paragraph of inline content.
        case paragraph([MarkdownInline])
        /// An ATX (`#`) or setext (underlined) heading, level 1–6.
        case heading(level: Int, [MarkdownInline])
        /// `***`, `---` or `___`.
        case thematicBreak
        /// Indented or fenced code; `info` is the fence's info string (empty for indented code).
        case codeBlock(info: String, code: String)
        /// A raw HTML block, kept as text: renderers escape it, never emit it as markup.
        case htmlBlock(String)
        /// `>` quoted blocks.
        case blockQuote([MarkdownBlock])
        /// A bullet or ordered list; `start` is nil for bullet lists.
        case list(start: Int?, tight: Bool, items: [MarkdownBlock])
        /// One list item; `task` is nil, or whether a GitHub task item is checked.
        case listItem(task: Bool?, [MarkdownBlock])
        /// A GitHub table: the header cells, the alignments and the body rows. A body row has at
        /// most as many cells as the header; a shorter one is completed with empty cells while
        /// the cells added stay within the table's bytes so far, else it keeps the cells it has.
        case table(alignments: [MarkdownTableAlignment], header: [[MarkdownInline]], rows: [[[MarkdownInline]]])
    }

    /// What the block is.
    public var kind: Kind
    /// Where it is in the markdown text.
    public var range: SourceRange
    /// Whether a fenced code block was ended by its closing fence. Only such blocks are
    /// highlighted: one still open when the text ended (an answer mid-stream) may yet grow, and
    /// is shown as plain text until its fence arrives.
    public var fenceClosed: Bool

    /// A block from its parts.
    public init(kind: Kind, range: SourceRange, fenceClosed: Bool = false) {
        self.kind = kind
        self.range = range
        self.fenceClosed = fenceClosed
    }
}

/// An inline node with the UTF-8 byte offsets it covers in the markdown text.
public struct MarkdownInline: Sendable {
    /// What the inline is; spans hold their children here.
    public indirect enum Kind: Sendable {
        /// Literal text (entities and escapes already decoded).
        case text(String)
        /// A line ending inside a paragraph.
        case softBreak
        /// A hard line ending (two spaces or a backslash before the newline).
        case hardBreak
        /// A code span's content.
        case code(String)
        /// `*x*` or `_x_`.
        case emphasis([MarkdownInline])
        /// `**x**` or `__x__`.
        case strong([MarkdownInline])
        /// `~~x~~` (GitHub extension).
        case strikethrough([MarkdownInline])
        /// A link; the destination is unfiltered here, renderers apply the URL allowlist.
        case link(destination: String, title: String, [MarkdownInline])
        /// An image; the children are its description (alt text).
        case image(source: String, title: String, [MarkdownInline])
        /// Inline raw HTML, kept as text: renderers escape it, never emit it as markup.
        case html(String)
    }

    /// What the inline is.
    public var kind: Kind
    /// The UTF-8 byte offsets it covers (resolve with ``MarkdownDocument/range(of:)``).
    public var offsets: Range<Int>

    /// An inline from its parts.
    public init(kind: Kind, offsets: Range<Int>) {
        self.kind = kind
        self.offsets = offsets
    }
}
