import CustomUICore

/// Turns the block parser's tree into the public `MarkdownDocument`, running the inline phase on
/// every leaf.
struct TreeBuilder {
    /// Turns UTF-8 offsets into a source range.
    let locate: (Int, Int) -> SourceRange
    let options: MarkdownOptions
    let definitions: [String: LinkDefinition]
    /// Inline nodes nest at most this deep; deeper wrappers are dropped (their content is kept).
    static let maxInlineDepth = 64

    /// Labels that were looked up and missing, per converted block (for the streaming renderer).
    var missedLabels: Set<String> = []
    /// One inline parser reused for every leaf, so its arrays are allocated once per document.
    var arena: InlineParser? = nil

    mutating func blocks(_ nodes: [BlockNode]) -> [MarkdownBlock] {
        var result: [MarkdownBlock] = []
        result.reserveCapacity(nodes.count)
        for node in nodes {
            if let block = block(node, tightParent: false) { result.append(block) }
        }
        return result
    }

    func range(_ node: BlockNode) -> SourceRange {
        locate(node.startOffset, max(node.startOffset, node.endOffset))
    }

    mutating func block(_ node: BlockNode, tightParent: Bool) -> MarkdownBlock? {
        switch node.kind {
        case .document:
            return nil
        case .paragraph:
            guard !node.content.isEmpty else { return nil }
            return MarkdownBlock(kind: .paragraph(inlines(node, from: 0)), range: range(node))
        case .heading:
            return MarkdownBlock(kind: .heading(level: node.level, inlines(node, from: 0)), range: range(node))
        case .thematicBreak:
            return MarkdownBlock(kind: .thematicBreak, range: range(node))
        case .codeBlock:
            let info = String(decoding: node.info, as: UTF8.self)
            return MarkdownBlock(
                kind: .codeBlock(info: info, code: String(decoding: node.content, as: UTF8.self)), range: range(node),
                fenceClosed: node.fenceClosed)
        case .htmlBlock:
            return MarkdownBlock(kind: .htmlBlock(String(decoding: node.content, as: UTF8.self)), range: range(node))
        case .blockQuote:
            return MarkdownBlock(kind: .blockQuote(blocks(node.allChildren)), range: range(node))
        case .list:
            var items: [MarkdownBlock] = []
            for item in node.allChildren {
                if let b = block(item, tightParent: node.tight) { items.append(b) }
            }
            return MarkdownBlock(
                kind: .list(start: node.ordered ? node.listStart : nil, tight: node.tight, items: items),
                range: range(node))
        case .item:
            var task: Bool?
            var children: [MarkdownBlock] = []
            for (index, child) in node.allChildren.enumerated() {
                if index == 0, options.taskLists, child.kind == .paragraph,
                    let checked = BlockStart.taskBox(child.content)
                {
                    task = checked
                    var skip = 3
                    while skip < child.content.count, Scan.isSpaceOrTab(child.content[skip]) { skip += 1 }
                    guard let b = block(child, tightParent: tightParent, skip: skip) else { continue }
                    children.append(b)
                    continue
                }
                if let b = block(child, tightParent: tightParent) { children.append(b) }
            }
            return MarkdownBlock(kind: .listItem(task: task, children), range: range(node))
        case .table:
            var header: [[MarkdownInline]] = []
            var rows: [[[MarkdownInline]]] = []
            let columns = node.alignments.count
            // A row has at most as many cells as the header; a shorter row is completed with empty
            // cells while the cells added stay within the bytes of the table read so far (its
            // delimiter row and its rows up to this one). Past that a row keeps the cells it has:
            // a wide header over many short rows cannot make the output quadratic in the input.
            var padding = columns
            for (r, row) in node.rows.enumerated() {
                var cells: [[MarkdownInline]] = []
                padding += row.count + 1
                for cell in row.prefix(columns) { padding += cell.bytes.count }
                let missing = max(0, columns - row.count)
                let pad = missing <= padding
                if pad { padding -= missing }
                for k in 0..<(pad ? columns : min(columns, row.count)) {
                    if k < row.count {
                        let cell = row[k]
                        cells.append(inlines(cell.bytes, map: { cell.source + $0 }))
                    } else {
                        cells.append([])
                    }
                }
                if r == 0 { header = cells } else { rows.append(cells) }
            }
            return MarkdownBlock(
                kind: .table(alignments: node.alignments, header: header, rows: rows), range: range(node))
        }
    }

    private mutating func block(_ node: BlockNode, tightParent: Bool, skip: Int) -> MarkdownBlock? {
        MarkdownBlock(kind: .paragraph(inlines(node, from: skip)), range: range(node))
    }

    private mutating func inlines(_ node: BlockNode, from: Int) -> [MarkdownInline] {
        let segments = node.segments
        var subject = Array(node.content[min(from, node.content.count)...])
        while let last = subject.last, Scan.isWhitespace(last) { subject.removeLast() }
        return inlines(subject) { offset in
            let c = offset + from
            // The last segment that starts at or before c.
            var low = 0
            var high = segments.count / 2 - 1
            if high < 0 { return node.startOffset + offset }
            while low < high {
                let mid = (low + high + 1) / 2
                if segments[2 * mid] <= c { low = mid } else { high = mid - 1 }
            }
            return segments[2 * low + 1] + (c - segments[2 * low])
        }
    }

    mutating func inlines(_ subject: [UInt8], map: @escaping (Int) -> Int) -> [MarkdownInline] {
        if subject.isEmpty { return [] }
        let parser: InlineParser
        if let arena {
            arena.reset(subject)
            parser = arena
        } else {
            parser = InlineParser(subject, options: options, definitions: definitions)
            arena = parser
        }
        parser.parse()
        missedLabels.formUnion(parser.missedLabels)
        var converter = InlineConverter(parser: parser, map: map, options: options)
        return converter.convert(parser.head, depth: 0, insideLink: false)
    }
}

/// Arena nodes to public inlines, merging adjacent text and flattening past the depth cap.
struct InlineConverter {
    let parser: InlineParser
    let map: (Int) -> Int
    let options: MarkdownOptions
    /// A subject offset top-level text is not merged across (the stream's stable point): a literal
    /// text node is cut there, so the top-level inlines before it are the HTML before it.
    let breakAt: Int

    private var pending: [UInt8] = []
    private var pendingStart = 0
    private var pendingEnd = 0

    init(parser: InlineParser, map: @escaping (Int) -> Int, options: MarkdownOptions, breakAt: Int = -1) {
        self.parser = parser
        self.map = map
        self.options = options
        self.breakAt = breakAt
    }

    private mutating func flush(into out: inout [MarkdownInline], insideLink: Bool) {
        guard !pending.isEmpty else { return }
        let range = map(pendingStart)..<max(map(pendingStart), map(pendingEnd))
        if options.autolinks, !insideLink {
            ExtendedAutolinks.split(pending, range: range, into: &out)
        } else {
            out.append(MarkdownInline(kind: .text(String(decoding: pending, as: UTF8.self)), offsets: range))
        }
        pending.removeAll(keepingCapacity: true)
    }

    mutating func convert(_ head: Int32, depth: Int, insideLink: Bool) -> [MarkdownInline] {
        var out: [MarkdownInline] = []
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
            switch node.kind {
            case .text:
                if node.litLen == 0 { continue }
                var (a, start) = (Int(node.litStart), Int(node.start))
                if depth == 0, start < breakAt, breakAt < node.end, node.litLen == node.end - node.start {
                    if pending.isEmpty { pendingStart = start }
                    pending.append(contentsOf: parser.lits[a..<(a + breakAt - start)])
                    pendingEnd = breakAt
                    (a, start) = (a + breakAt - start, breakAt)
                }
                if depth == 0, pendingStart < breakAt, start >= breakAt { flush(into: &out, insideLink: insideLink) }
                if pending.isEmpty { pendingStart = start }
                pendingEnd = Int(node.end)
                pending.append(contentsOf: parser.lits[a..<(Int(node.litStart) + Int(node.litLen))])
                continue
            default:
                break
            }
            let range = map(Int(node.start))..<max(map(Int(node.start)), map(Int(node.end)))
            if node.kind.wraps, depth >= TreeBuilder.maxInlineDepth {
                // Too deep: keep the content, drop the wrapper.
                resume.append(node.next)
                i = node.first
                continue
            }
            flush(into: &out, insideLink: insideLink)
            let literal: String
            if node.kind == .code || node.kind == .html {
                let a = Int(node.litStart)
                literal = String(decoding: parser.lits[a..<(a + Int(node.litLen))], as: UTF8.self)
            } else {
                literal = ""
            }
            let kind: MarkdownInline.Kind
            switch node.kind {
            case .text: continue
            case .softBreak: kind = .softBreak
            case .hardBreak: kind = .hardBreak
            case .code: kind = .code(literal)
            case .html: kind = .html(literal)
            case .emphasis: kind = .emphasis(convert(node.first, depth: depth + 1, insideLink: insideLink))
            case .strong: kind = .strong(convert(node.first, depth: depth + 1, insideLink: insideLink))
            case .strikethrough: kind = .strikethrough(convert(node.first, depth: depth + 1, insideLink: insideLink))
            case .link, .image:
                let (destination, title) = parser.links[Int(node.extra)]
                let children = convert(node.first, depth: depth + 1, insideLink: true)
                kind =
                    node.kind == .link
                    ? .link(destination: destination, title: title, children)
                    : .image(source: destination, title: title, children)
            }
            out.append(MarkdownInline(kind: kind, offsets: range))
        }
        flush(into: &out, insideLink: insideLink)
        return out
    }
}
