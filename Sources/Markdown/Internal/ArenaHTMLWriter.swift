extension HTMLWriter {
    /// Writes a parsed inline arena straight to HTML, as `inlines(InlineConverter.convert(…))`
    /// would, without building the `MarkdownInline` tree (the stream's open paragraph renders this
    /// way on every chunk; image descriptions, rare, still go through the tree for their alt text).
    mutating func arenaInlines(_ parser: InlineParser, options: MarkdownOptions) {
        var pending: [UInt8] = []
        var split = SplitPoint(offset: -1)
        arenaInlines(
            parser, parser.head, depth: 0, insideLink: false, options: options, pending: &pending, split: &split)
    }

    /// As `arenaInlines(_:options:)`, also telling how many bytes of the output come from the
    /// subject before offset `splitAt` (nil if a top-level node other than plain text spans it).
    /// The stream uses it to cut its stable prefix from the render it just made.
    mutating func arenaInlines(_ parser: InlineParser, options: MarkdownOptions, splitAt: Int?) -> Int? {
        var pending: [UInt8] = []
        var split = SplitPoint(offset: splitAt ?? -1)
        let start = bytes.count
        arenaInlines(
            parser, parser.head, depth: 0, insideLink: false, options: options, pending: &pending, split: &split)
        return split.output.map { $0 - start }
    }

    /// Where the output for the subject before `offset` ends, once the writer has passed it.
    struct SplitPoint {
        var offset: Int
        var output: Int?
    }

    private mutating func flushArenaText(_ pending: inout [UInt8], insideLink: Bool, options: MarkdownOptions) {
        guard !pending.isEmpty else { return }
        if options.autolinks, !insideLink, pending.contains(where: { $0 == 0x2E || $0 == 0x40 || $0 == 0x3A }) {
            var out: [MarkdownInline] = []
            ExtendedAutolinks.split(pending, range: 0..<pending.count, into: &out)
            inlines(out)
        } else {
            pending.withUnsafeBufferPointer { escape($0) }
        }
        pending.removeAll(keepingCapacity: true)
    }

    private mutating func arenaInlines(
        _ parser: InlineParser, _ head: Int32, depth: Int, insideLink: Bool, options: MarkdownOptions,
        pending: inout [UInt8], split: inout SplitPoint
    ) {
        var resume: [Int32] = []
        var i = head
        while true {
            if i < 0 {
                guard let r = resume.popLast() else { break }
                i = r
                continue
            }
            let node = parser.nodes[Int(i)]
            i = node.next
            if depth == 0, split.offset >= 0, split.output == nil, Int(node.end) > split.offset {
                // The first top-level node reaching past the split point: before it, or inside
                // plain text (a text node spanning a space holds its source bytes as they are).
                let start = Int(node.start)
                if start >= split.offset {
                    flushArenaText(&pending, insideLink: insideLink, options: options)
                    split.output = bytes.count
                } else if node.kind == .text, Int(node.litLen) == Int(node.end) - start {
                    let a = Int(node.litStart)
                    let cut = a + split.offset - start
                    pending.append(contentsOf: parser.lits[a..<cut])
                    flushArenaText(&pending, insideLink: insideLink, options: options)
                    split.output = bytes.count
                    pending.append(contentsOf: parser.lits[cut..<(a + Int(node.litLen))])
                    continue
                } else {
                    split.offset = -1  // spanned: no split
                }
            }
            if node.kind == .text {
                if node.litLen > 0 {
                    let a = Int(node.litStart)
                    pending.append(contentsOf: parser.lits[a..<(a + Int(node.litLen))])
                }
                continue
            }
            let container =
                node.kind == .emphasis || node.kind == .strong || node.kind == .strikethrough
                || node.kind == .link || node.kind == .image
            if container, depth >= TreeBuilder.maxInlineDepth {
                // Too deep: keep the content, drop the wrapper (as the converter does).
                resume.append(node.next)
                i = node.first
                continue
            }
            flushArenaText(&pending, insideLink: insideLink, options: options)
            switch node.kind {
            case .text: continue
            case .softBreak: bytes.append(0x0A)
            case .hardBreak: raw("<br />\n")
            case .code, .html:
                let a = Int(node.litStart)
                if node.kind == .code { raw("<code>") }
                parser.lits[a..<(a + Int(node.litLen))].withUnsafeBufferPointer { escape($0) }
                if node.kind == .code { raw("</code>") }
            case .emphasis, .strong, .strikethrough:
                switch node.kind {
                case .emphasis: raw("<em>")
                case .strong: raw("<strong>")
                default: raw("<del>")
                }
                arenaInlines(
                    parser, node.first, depth: depth + 1, insideLink: insideLink, options: options, pending: &pending,
                    split: &split)
                flushArenaText(&pending, insideLink: insideLink, options: options)
                switch node.kind {
                case .emphasis: raw("</em>")
                case .strong: raw("</strong>")
                default: raw("</del>")
                }
            case .link:
                let (destination, title) = parser.links[Int(node.extra)]
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
                arenaInlines(
                    parser, node.first, depth: depth + 1, insideLink: true, options: options, pending: &pending,
                    split: &split)
                flushArenaText(&pending, insideLink: true, options: options)
                raw("</a>")
            case .image:
                var converter = InlineConverter(parser: parser, map: { $0 }, options: options)
                let (source, title) = parser.links[Int(node.extra)]
                let children = converter.convert(node.first, depth: depth + 1, insideLink: true)
                inline(MarkdownInline(kind: .image(source: source, title: title, children), offsets: 0..<0))
            }
        }
        flushArenaText(&pending, insideLink: insideLink, options: options)
    }
}
