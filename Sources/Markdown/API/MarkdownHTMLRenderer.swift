/// Renders a document as an HTML fragment that is safe to embed in a page: raw HTML from the
/// markdown is escaped as text, every URL passes ``MarkdownURLPolicy``, and everything else is escaped.
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

/// Which link and image URLs the renderers keep; all others are dropped (the text stays).
public enum MarkdownURLPolicy {
    /// The schemes allowed in links and images; URLs without a scheme (relative) are allowed too.
    public static let allowedSchemes: Set<String> = ["http", "https", "mailto"]
    /// The `data:` media types allowed for images only (no SVG: it can carry script).
    public static let allowedImageDataTypes: [String] = [
        "image/png", "image/jpeg", "image/jpg", "image/gif", "image/webp", "image/avif", "image/bmp",
    ]

    /// Whether a URL may be emitted as a link (`image == false`) or image source.
    public static func allows(_ url: String, image: Bool) -> Bool {
        // Browsers ignore tabs and newlines anywhere and C0 controls and spaces at the ends, so the
        // scheme is read the way they read it.
        // The scheme, lowercased, packed into a word (its first 8 bytes) so the common schemes are
        // recognised without building a string.
        var packed: UInt64 = 0
        var length = 0
        var first: UInt8 = 0
        var started = false
        var rest: Substring.UTF8View?
        let utf8 = url.utf8
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let c = utf8[index]
            if c == 0x09 || c == 0x0A || c == 0x0D {
                index = utf8.index(after: index)
                continue
            }
            if !started, c <= 0x20 {
                index = utf8.index(after: index)
                continue
            }
            started = true
            if c == 0x3A {
                rest = url[utf8.index(after: index)...].utf8
                break
            }
            if Scan.isAlnum(c) || c == 0x2B || c == 0x2D || c == 0x2E {
                let lower = c | (Scan.isLetter(c) ? 0x20 : 0)
                if length == 0 { first = lower }
                if length < 8 { packed |= UInt64(lower) << UInt64(8 * length) }
                length += 1
            } else {
                return true  // `/`, `?`, `#` or another character before any `:`: relative
            }
            index = utf8.index(after: index)
        }
        guard let rest else { return true }
        guard length > 0, Scan.isLetter(first) else { return true }
        if (length == 4 && packed == 0x7074_7468) || (length == 5 && packed == 0x73_7074_7468)
            || (length == 6 && packed == 0x6F74_6C69_616D)
        {
            return true  // http, https, mailto
        }
        // Rebuild the scheme (rare: anything but http, https and mailto).
        var scheme: [UInt8] = []
        var i = utf8.startIndex
        started = false
        while i < utf8.endIndex {
            let c = utf8[i]
            i = utf8.index(after: i)
            if c == 0x09 || c == 0x0A || c == 0x0D { continue }
            if !started, c <= 0x20 { continue }
            started = true
            if c == 0x3A { break }
            scheme.append(c | (Scan.isLetter(c) ? 0x20 : 0))
        }
        let name = String(decoding: scheme, as: UTF8.self)
        if allowedSchemes.contains(name) { return true }
        if image, name == "data" {
            let mediaType = String(decoding: rest.prefix { $0 != 0x3B && $0 != 0x2C }, as: UTF8.self).lowercased()
                .filter { !$0.isWhitespace }
            return allowedImageDataTypes.contains(mediaType)
        }
        return false
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
                raw("<p>")
                checkbox()
                self.inlines(inlines)
                raw("</p>\n")
            }
        case .heading(let level, let inlines):
            cr()
            openHeading(level)
            self.inlines(inlines)
            closeHeading(level)
        case .thematicBreak:
            cr()
            raw("<hr />\n")
        case .codeBlock(let info, let code):
            cr()
            openCodeBlock(info: info)
            escape(code)
            raw("</code></pre>\n")
        case .htmlBlock(let text):
            // Raw HTML is shown as text, never emitted as markup.
            cr()
            escape(text)
            cr()
        case .blockQuote(let children):
            cr()
            raw("<blockquote>\n")
            blocks(children, tight: false)
            cr()
            raw("</blockquote>\n")
        case .list(let start, let isTight, let items):
            cr()
            openList(start: start)
            for item in items { self.block(item, tight: isTight) }
            raw(start == nil ? "</ul>\n" : "</ol>\n")
        case .listItem(let task, let children):
            cr()
            raw("<li>")
            pendingCheckbox = task
            blocks(children, tight: tight)
            pendingCheckbox = nil
            raw("</li>\n")
        case .table(let alignments, let header, let rows):
            cr()
            raw("<table>\n<thead>\n<tr>\n")
            for (k, cell) in header.enumerated() { tableCell(cell, header: true, alignment: alignments[k]) }
            raw("</tr>\n</thead>\n")
            if !rows.isEmpty {
                raw("<tbody>\n")
                for row in rows {
                    raw("<tr>\n")
                    for (k, cell) in row.enumerated() { tableCell(cell, header: false, alignment: alignments[k]) }
                    raw("</tr>\n")
                }
                raw("</tbody>\n")
            }
            raw("</table>\n")
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
        if MarkdownURLPolicy.allows(destination, image: false) {
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
        raw(header ? "<th" : "<td")
        switch alignment {
        case .none: break
        case .left: raw(" align=\"left\"")
        case .center: raw(" align=\"center\"")
        case .right: raw(" align=\"right\"")
        }
        raw(">")
        inlines(cell)
        raw(header ? "</th>\n" : "</td>\n")
    }

    // MARK: - Inlines

    mutating func inlines(_ inlines: [MarkdownInline]) {
        for inline in inlines { self.inline(inline) }
    }

    mutating func inline(_ inline: MarkdownInline) {
        switch inline.kind {
        case .text(let text): escape(text)
        case .softBreak: bytes.append(0x0A)
        case .hardBreak: raw("<br />\n")
        case .code(let code):
            raw("<code>")
            escape(code)
            raw("</code>")
        case .html(let html): escape(html)
        case .emphasis(let children):
            raw("<em>")
            inlines(children)
            raw("</em>")
        case .strong(let children):
            raw("<strong>")
            inlines(children)
            raw("</strong>")
        case .strikethrough(let children):
            raw("<del>")
            inlines(children)
            raw("</del>")
        case .link(let destination, let title, let children):
            openLink(destination, title: title)
            inlines(children)
            raw("</a>")
        case .image(let source, let title, let children):
            if MarkdownURLPolicy.allows(source, image: true) {
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

