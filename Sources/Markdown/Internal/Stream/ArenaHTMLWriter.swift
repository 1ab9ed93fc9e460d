extension HTMLWriter {
    /// Writes a parsed inline arena straight to HTML, as `inlines(InlineConverter.convert(…))`
    /// would, without building the `MarkdownInline` tree (the stream's open paragraph renders this
    /// way on every chunk; image descriptions, rare, still go through the tree for their alt text).
    mutating func arenaInlines(_ parser: InlineParser, options: MarkdownOptions) {
        _ = arenaInlines(parser, options: options, splitAt: nil)
    }

    /// As `arenaInlines(_:options:)`, also telling how many bytes of the output come from the
    /// subject before offset `splitAt` (nil if a top-level node other than plain text spans it).
    /// The stream uses it to cut its stable prefix from the render it just made.
    mutating func arenaInlines(_ parser: InlineParser, options: MarkdownOptions, splitAt: Int?) -> Int? {
        var pending = PendingText()
        var split = SplitPoint(offset: splitAt ?? -1)
        let start = bytes.count
        parser.lits.withUnsafeBufferPointer { lits in
            arenaInlines(
                parser, lits, parser.head, depth: 0, insideLink: false, options: options, pending: &pending,
                split: &split)
        }
        return split.output.map { $0 - start }
    }

    /// Text waiting to be written: a range of the literals while the text nodes lie side by side
    /// there (the usual case: they point into the subject), else a copy.
    struct PendingText {
        var a = 0
        var b = 0
        var spill: [UInt8] = []
        var spilled = false

        mutating func add(_ lits: UnsafeBufferPointer<UInt8>, _ x: Int, _ y: Int) {
            if spilled {
                spill.append(contentsOf: UnsafeBufferPointer(rebasing: lits[x..<y]))
            } else if a == b {
                a = x
                b = y
            } else if b == x {
                b = y
            } else {
                spill.append(contentsOf: UnsafeBufferPointer(rebasing: lits[a..<b]))
                spill.append(contentsOf: UnsafeBufferPointer(rebasing: lits[x..<y]))
                spilled = true
            }
        }
    }

    /// Where the output for the subject before `offset` ends, once the writer has passed it.
    struct SplitPoint {
        var offset: Int
        var output: Int?
    }

    /// Writes a run of plain text: escaped, with GitHub's extended autolinks made links unless
    /// inside a link (or turned off).
    mutating func plainText(_ text: UnsafeBufferPointer<UInt8>, insideLink: Bool, options: MarkdownOptions) {
        if options.autolinks, !insideLink,
            text.contains(where: { $0 == ASCIIByte.period || $0 == ASCIIByte.atSign || $0 == ASCIIByte.colon })
        {
            autolinkedText(Array(text))
        } else {
            escape(text)
        }
    }

    private mutating func flushArenaText(
        _ lits: UnsafeBufferPointer<UInt8>, _ pending: inout PendingText, insideLink: Bool, options: MarkdownOptions
    ) {
        if pending.spilled {
            pending.spill.withUnsafeBufferPointer { plainText($0, insideLink: insideLink, options: options) }
            pending.spill.removeAll(keepingCapacity: true)
            pending.spilled = false
        } else if pending.a < pending.b {
            plainText(
                UnsafeBufferPointer(rebasing: lits[pending.a..<pending.b]), insideLink: insideLink, options: options)
        }
        pending.a = 0
        pending.b = 0
    }

    private mutating func arenaInlines(
        _ parser: InlineParser, _ lits: UnsafeBufferPointer<UInt8>, _ head: Int32, depth: Int, insideLink: Bool,
        options: MarkdownOptions, pending: inout PendingText, split: inout SplitPoint
    ) {
        var resume: [Int32] = []
        let nodes = parser.nodes
        var i = head
        while true {
            if i < 0 {
                guard let r = resume.popLast() else { break }
                i = r
                continue
            }
            let node = nodes[Int(i)]
            i = node.next
            if depth == 0, split.offset >= 0, split.output == nil, Int(node.end) > split.offset {
                // The first top-level node reaching past the split point: before it, or inside
                // plain text (a text node spanning a space holds its source bytes as they are).
                let start = Int(node.start)
                if start >= split.offset {
                    flushArenaText(lits, &pending, insideLink: insideLink, options: options)
                    split.output = bytes.count
                } else if node.kind == .text, Int(node.litLen) == Int(node.end) - start {
                    let a = Int(node.litStart)
                    let cut = a + split.offset - start
                    pending.add(lits, a, cut)
                    flushArenaText(lits, &pending, insideLink: insideLink, options: options)
                    split.output = bytes.count
                    pending.add(lits, cut, a + Int(node.litLen))
                    continue
                } else {
                    split.offset = -1  // spanned: no split
                }
            }
            if node.kind == .text {
                if node.litLen > 0 {
                    let a = Int(node.litStart)
                    pending.add(lits, a, a + Int(node.litLen))
                }
                continue
            }
            if node.kind.wraps, depth >= TreeBuilder.maxInlineDepth {
                // Too deep: keep the content, drop the wrapper (as the converter does).
                resume.append(node.next)
                i = node.first
                continue
            }
            flushArenaText(lits, &pending, insideLink: insideLink, options: options)
            switch node.kind {
            case .text: continue
            case .softBreak: bytes.append(ASCIIByte.newline)
            case .hardBreak: hardBreak()
            case .code, .html:
                let a = Int(node.litStart)
                if node.kind == .code { open(.code) }
                parser.lits[a..<(a + Int(node.litLen))].withUnsafeBufferPointer { escape($0) }
                if node.kind == .code { close(.code) }
            case .emphasis, .strong, .strikethrough:
                let span: Span = node.kind == .emphasis ? .emphasis : node.kind == .strong ? .strong : .strikethrough
                open(span)
                arenaInlines(
                    parser, lits, node.first, depth: depth + 1, insideLink: insideLink, options: options,
                    pending: &pending, split: &split)
                flushArenaText(lits, &pending, insideLink: insideLink, options: options)
                close(span)
            case .link:
                let (destination, title) = parser.links[Int(node.extra)]
                openLink(destination, title: title)
                arenaInlines(
                    parser, lits, node.first, depth: depth + 1, insideLink: true, options: options,
                    pending: &pending, split: &split)
                flushArenaText(lits, &pending, insideLink: true, options: options)
                closeLink()
            case .image:
                var converter = InlineConverter(parser: parser, map: { $0 }, options: options)
                let (source, title) = parser.links[Int(node.extra)]
                let children = converter.convert(node.first, depth: depth + 1, insideLink: true)
                inline(MarkdownInline(kind: .image(source: source, title: title, children), offsets: 0..<0))
            }
        }
        flushArenaText(lits, &pending, insideLink: insideLink, options: options)
    }
}
