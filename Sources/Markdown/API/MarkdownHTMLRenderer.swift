import CustomUICore
/// Renders a document as an HTML fragment that is safe to embed in a page: raw HTML from the
/// markdown is escaped as text, every URL passes ``URLPolicy``, and everything else is escaped.
public struct MarkdownHTMLRenderer {
    /// The HTML of a whole document.
    public static func render(_ document: MarkdownDocument) -> String {
        var out = HTMLWriter()
        out.bytes.reserveCapacity(document.source.bytes.count + document.source.bytes.count / 4)
        out.blocks(document.blocks, tight: false)
        return out.string
    }

    /// The HTML of some blocks (the streaming renderer renders block by block).
    static func render(blocks: [MarkdownBlock]) -> String {
        var out = HTMLWriter()
        out.blocks(blocks, tight: false)
        return out.string
    }

    /// The HTML of inline content alone (for callers that place it in their own element).
    public static func render(inlines: [MarkdownInline]) -> String {
        var out = HTMLWriter()
        out.inlines(inlines)
        return out.string
    }
}

/// The HTML output buffer and the walkers that fill it.
struct HTMLWriter {
    var bytes: [UInt8]
    /// A task item's checkbox, waiting for the item's first paragraph.
    private var pendingCheckbox: Bool?

    var string: String { String(decoding: bytes, as: UTF8.self) }

    init() {
        // Room for a short render up front: growing from empty costs several reallocations.
        bytes = []
        bytes.reserveCapacity(128)
    }

    @inline(__always) mutating func raw(_ s: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    mutating func cr() {
        if let last = bytes.last, last != 0x0A { bytes.append(0x0A) }
    }

    mutating func escape(_ text: String) {
        var text = text
        text.withUTF8 { escape($0) }
    }

    mutating func escape(_ buffer: UnsafeBufferPointer<UInt8>) {
        var start = 0
        let n = buffer.count
        var i = 0
        // `&`, `<`, `>` and `"` are all below 64: one bit test per byte.
        let mask: UInt64 = 1 << 0x26 | 1 << 0x3C | 1 << 0x3E | 1 << 0x22
        while i < n {
            let c = buffer[i]
            if c < 64, mask & (1 << UInt64(c)) != 0 {
                if i > start { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<i])) }
                switch c {
                case 0x26: raw("&amp;")
                case 0x3C: raw("&lt;")
                case 0x3E: raw("&gt;")
                default: raw("&quot;")
                }
                start = i + 1
            }
            i += 1
        }
        if n > start { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<n])) }
    }

    private static let hrefSafe: [Bool] = {
        var t = [Bool](repeating: false, count: 256)
        for c in "-_.+!*(),%#@?=;:/$~".utf8 { t[Int(c)] = true }
        for c in UInt8(0x30)...0x39 { t[Int(c)] = true }
        for c in UInt8(0x41)...0x5A { t[Int(c)] = true }
        for c in UInt8(0x61)...0x7A { t[Int(c)] = true }
        return t
    }()

    /// A URL for an attribute: percent-encodes what is not URL-safe, entity-escapes `&` and `'`.
    mutating func escapeURL(_ url: String) {
        var url = url
        url.withUTF8 { escapeURL($0) }
    }

    mutating func escapeURL(_ buffer: UnsafeBufferPointer<UInt8>) {
        @inline(__always) func hex(_ d: UInt8) -> UInt8 { d < 10 ? 0x30 + d : 0x37 + d }
        HTMLWriter.hrefSafe.withUnsafeBufferPointer { safe in
            let n = buffer.count
            var start = 0
            var i = 0
            while i < n {
                let c = buffer[i]
                if safe[Int(c)] {
                    i += 1
                    continue
                }
                if i > start { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<i])) }
                if c == 0x26 {
                    raw("&amp;")
                } else if c == 0x27 {
                    raw("&#x27;")
                } else {
                    bytes.append(0x25)
                    bytes.append(hex(c >> 4))
                    bytes.append(hex(c & 15))
                }
                i += 1
                start = i
            }
            if n > start { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<n])) }
        }
    }

    // MARK: - Blocks

    mutating func blocks(_ blocks: [MarkdownBlock], tight: Bool) {
        for block in blocks { self.block(block, tight: tight) }
    }

    mutating func block(_ block: MarkdownBlock, tight: Bool) {
        switch block.kind {
        case .paragraph(let inlines):
            if tight {
                checkbox()
                self.inlines(inlines)
            } else {
                cr()
                openParagraph()
                checkbox()
                self.inlines(inlines)
                closeParagraph()
            }
        case .heading(let level, let inlines):
            cr()
            openHeading(level)
            self.inlines(inlines)
            closeHeading(level)
        case .thematicBreak:
            cr()
            thematicBreak()
        case .codeBlock(let info, let code):
            cr()
            openCodeBlock(info: info)
            codeContent(code, info: info, highlighted: block.fenceClosed)
            closeCodeBlock()
        case .htmlBlock(let text):
            // Raw HTML is shown as text, never emitted as markup.
            cr()
            escape(text)
            cr()
        case .blockQuote(let children):
            cr()
            openBlockQuote()
            blocks(children, tight: false)
            cr()
            closeBlockQuote()
        case .list(let start, let isTight, let items):
            cr()
            openList(start: start)
            for item in items { self.block(item, tight: isTight) }
            closeList(ordered: start != nil)
        case .listItem(let task, let children):
            cr()
            openItem()
            pendingCheckbox = task
            blocks(children, tight: tight)
            pendingCheckbox = nil
            closeItem()
        case .table(let alignments, let header, let rows):
            cr()
            openTableRow(0)
            for (k, cell) in header.enumerated() { tableCell(cell, header: true, alignment: alignments[k]) }
            closeTableRow(header: true)
            for (r, row) in rows.enumerated() {
                openTableRow(r + 1)
                for (k, cell) in row.enumerated() { tableCell(cell, header: false, alignment: alignments[k]) }
                closeTableRow(header: false)
            }
            closeTable(rows: rows.count + 1)
        }
    }

    /// `<ol>`, `<ol start="N">` (ordered, starting at `start`) or `<ul>` (nil), then a newline.
    mutating func openList(start: Int?) {
        guard let start else { return raw("<ul>\n") }
        if start == 1 {
            raw("<ol>\n")
        } else {
            raw("<ol start=\"")
            bytes.append(contentsOf: String(start).utf8)
            raw("\">\n")
        }
    }

    /// `<hN>` for the level clamped to 1…6; `closeHeading` writes `</hN>` and a newline.
    mutating func openHeading(_ level: Int) {
        raw("<h")
        bytes.append(UInt8(0x30 + min(max(level, 1), 6)))
        raw(">")
    }

    mutating func closeHeading(_ level: Int) {
        raw("</h")
        bytes.append(UInt8(0x30 + min(max(level, 1), 6)))
        raw(">\n")
    }

    /// `<pre><code>`, with a `language-` class from the info string's first word if it has one.
    mutating func openCodeBlock(info: String) {
        let language = info.prefix { $0 != " " && $0 != "\t" && $0 != "\n" }
        if language.isEmpty {
            raw("<pre><code>")
        } else {
            raw("<pre><code class=\"language-")
            escape(String(language))
            raw("\">")
        }
    }

    /// `<a>` with the destination as `href` if the URL policy allows it, and the title if any.
    mutating func openLink(_ destination: String, title: String) {
        if URLPolicy.allows(destination, image: false) {
            raw("<a href=\"")
            escapeURL(destination)
            raw("\"")
        } else {
            raw("<a")
        }
        if !title.isEmpty {
            raw(" title=\"")
            escape(title)
            raw("\"")
        }
        raw(">")
    }

    private mutating func checkbox() {
        guard let checked = pendingCheckbox else { return }
        pendingCheckbox = nil
        raw(
            checked
                ? "<input type=\"checkbox\" checked=\"\" disabled=\"\" /> "
                : "<input type=\"checkbox\" disabled=\"\" /> ")
    }

    private mutating func tableCell(_ cell: [MarkdownInline], header: Bool, alignment: MarkdownTableAlignment) {
        openCell(header: header, alignment: alignment)
        inlines(cell)
        closeCell(header: header)
    }

    // MARK: - Inlines

    mutating func inlines(_ inlines: [MarkdownInline]) {
        for inline in inlines { self.inline(inline) }
    }

    mutating func inline(_ inline: MarkdownInline) {
        switch inline.kind {
        case .text(let text): escape(text)
        case .softBreak: bytes.append(0x0A)
        case .hardBreak: hardBreak()
        case .code(let code):
            open(.code)
            escape(code)
            close(.code)
        case .html(let html): escape(html)
        case .emphasis(let children):
            open(.emphasis)
            inlines(children)
            close(.emphasis)
        case .strong(let children):
            open(.strong)
            inlines(children)
            close(.strong)
        case .strikethrough(let children):
            open(.strikethrough)
            inlines(children)
            close(.strikethrough)
        case .link(let destination, let title, let children):
            openLink(destination, title: title)
            inlines(children)
            closeLink()
        case .image(let source, let title, let children):
            if URLPolicy.allows(source, image: true) {
                raw("<img src=\"")
                escapeURL(source)
                raw("\" alt=\"")
            } else {
                raw("<img alt=\"")
            }
            plain(children)
            raw("\"")
            if !title.isEmpty {
                raw(" title=\"")
                escape(title)
                raw("\"")
            }
            raw(" />")
        }
    }

    /// Alt text: the plain text of an image description.
    private mutating func plain(_ inlines: [MarkdownInline]) {
        for inline in inlines {
            switch inline.kind {
            case .text(let t), .code(let t), .html(let t): escape(t)
            case .softBreak, .hardBreak: bytes.append(0x20)
            case .emphasis(let c), .strong(let c), .strikethrough(let c), .link(_, _, let c), .image(_, _, let c):
                plain(c)
            }
        }
    }
}
