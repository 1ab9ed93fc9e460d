// MarkdownStream: the HTML of closed blocks inside the open tail, written once and kept.
import CustomUICore

extension MarkdownStream {
    struct ContainerKey: Hashable {
        let node: ObjectIdentifier
        let tight: Bool
    }

    /// The head of a probe's container: its opening tag and the parser-closed children (the
    /// original's children the copy leaves out), from the container's kept chain.
    func containerHead(_ node: BlockNode, tight: Bool, line: Int) -> HTMLChain {
        let opening = HTMLWriter.tags { writer in
            switch node.kind {
            case .blockQuote: writer.openBlockQuote()
            case .list: writer.openList(start: node.ordered ? node.listStart : nil)
            default: writer.openItem()
            }
        }
        guard let original = node.original else {
            var chain = HTMLChain()
            chain.append(opening)
            return chain
        }
        var missed: Set<String> = []
        return keptChain(original, tight: tight, opening: opening, covering: node.hidden) { k, writer in
            writeBlock(original.children[k], tight: tight, line: line, into: &writer, missed: &missed)
        }
    }

    /// The kept chain of an open block of the parser's (per tightness of its children): `opening`,
    /// then the HTML `write` gives for its parts (children, rows) `0..<count`, each written once.
    func keptChain(
        _ original: BlockNode, tight: Bool, opening: @autoclosure () -> String, covering count: Int,
        write: (Int, inout HTMLWriter) -> Void
    ) -> HTMLChain {
        let key = ContainerKey(node: ObjectIdentifier(original), tight: tight)
        if containerHeads[key] == nil {  // (the entry holds its node, so the identifier is not another's)
            var chain = HTMLChain()
            chain.append(opening())
            containerHeads[key] = (original, [chain])
        }
        while case let n = containerHeads[key]!.chains.count, n <= count {
            var chain = containerHeads[key]!.chains[n - 1]
            var writer = HTMLWriter()
            let seed = chain.lastByte.map { [$0] } ?? []  // so `cr()` sees what precedes
            writer.bytes.append(contentsOf: seed)
            write(n - 1, &writer)
            chain.append(writer.bytes.dropFirst(seed.count))
            containerHeads[key]!.chains.append(chain)
            workBytes += writer.bytes.count - seed.count
        }
        return containerHeads[key]!.chains[count]
    }

    /// The HTML of the parser's open table up to its last row (the header first), kept and grown
    /// row by row (rows do not change once their line is complete); nil when the probe's table is
    /// not that table as it stands.
    func tableHead(_ node: BlockNode) -> HTMLChain? {
        guard let original = node.original, original === parser.openBlocks.last, node.borrowed.rows >= 1 else {
            return nil
        }
        return keptChain(original, tight: false, opening: "", covering: node.borrowed.rows) { r, writer in
            writeTableRow(node, r, into: &writer)
        }
    }

    /// Writes row `r` of a table as the tree writer does: the header row with the table's and
    /// header's opening tags, the first body row with the body's.
    func writeTableRow(_ table: BlockNode, _ r: Int, into writer: inout HTMLWriter) {
        let header = r == 0
        writer.openTableRow(r)
        let row = table.rows[r]
        for (k, alignment) in table.alignments.enumerated() {
            writer.openCell(header: header, alignment: alignment)
            if k < row.count, !row[k].bytes.isEmpty { writeInlines(row[k].bytes[...], into: &writer) }
            writer.closeCell(header: header)
        }
        writer.closeTableRow(header: header)
    }

    /// Whether a probe's list is tight, checking only the items after those known not to change it.
    func isTight(_ list: BlockNode) -> Bool {
        // A probe's copy, or the parser's own list (only its last item is open).
        let original = list.original ?? list
        let key = ObjectIdentifier(original)
        // (The entry holds its list, so the identifier is not another list's.)
        var known = tightPrefixes[key] ?? (node: original, verified: 0, loose: false)
        if known.loose { return false }
        // Items of the original that are closed and have a next one do not change.
        let fixed = list.isCopy ? min(list.hidden, original.children.count - 1) : list.childCount - 1
        var i = known.verified
        var tight = true
        while i < list.childCount {
            if BlockParser.itemMakesLoose(list, i) {
                tight = false
                if i < fixed { known.loose = true }
                break
            }
            i += 1
            if i <= fixed { known.verified = i }
        }
        tightPrefixes[key] = known
        return tight
    }

    /// The escaped lines of the parser's open code block before content offset `end` (a line start),
    /// kept and grown line by line; nil when the probe's code block is not that block as it stands.
    func codeHead(_ node: BlockNode, upTo end: Int) -> HTMLChain? {
        guard let original = node.original, original === parser.openBlocks.last, end <= node.borrowed.content else {
            return nil
        }
        // The probe holds the parser's content and segments (borrowed), the line after them.
        let (segments, borrowed) = (node.segments, node.borrowed)
        var lines = borrowed.segments / 2
        while lines > 0, segments[2 * lines - 2] >= end { lines -= 1 }
        return keptChain(original, tight: false, opening: "", covering: lines) { k, writer in
            let lineEnd = 2 * k + 2 < borrowed.segments ? segments[2 * k + 2] : borrowed.content
            node.content[segments[2 * k]..<lineEnd].withUnsafeBufferPointer { writer.escape($0) }
        }
    }

    /// Writes a closed block: from the cache when it holds it (the parser's own block, or a
    /// probe's copy that holds no more than its original), else its containers around their
    /// blocks, a paragraph from its stable prefix on, anything else through the tree; what it
    /// writes for the parser's own blocks is kept per tightness. Blocks from line `line` on are the
    /// probe's own and never kept. Collects the reference labels looked up and missing.
    func writeBlock(
        _ node: BlockNode, tight: Bool, line: Int, into writer: inout HTMLWriter, missed: inout Set<String>,
        keep: Bool = true
    ) {
        var cacheable = node.isCopy || node.startLine < line
        var keyNode = node
        if node.isCopy {
            if let original = MarkdownStream.unchangedOriginal(node) { keyNode = original } else { cacheable = false }
        }
        let key = ObjectIdentifier(keyNode)
        // Every block but a tight paragraph starts on a new line, added before its HTML (a block that
        // renders nothing, like a paragraph that held only link reference definitions, adds none).
        let newline = !(tight && node.kind == .paragraph)
        if cacheable, let cached = closedCache[key], MarkdownStream.sizes(node) == cached.2,
            let html = tight ? cached.0 : cached.1
        {
            if newline, !html.isEmpty { writer.cr() }
            writer.bytes.append(contentsOf: html.utf8)
            if !cached.3.isEmpty { missed.formUnion(cached.3) }
            return
        }
        var own = HTMLWriter()
        var labels: Set<String> = []
        composeBlock(node, tight: tight, line: line, into: &own, missed: &labels)
        if newline, !own.bytes.isEmpty { writer.cr() }
        writer.bytes.append(contentsOf: own.bytes)
        if !labels.isEmpty { missed.formUnion(labels) }
        if cacheable, keep {
            let sizes = MarkdownStream.sizes(node)
            let html = own.string
            let cached = closedCache[key].flatMap { $0.2 == sizes ? $0 : nil }
            labels.formUnion(cached?.3 ?? [])
            closedCache[key] = tight ? (html, cached?.1, sizes, labels) : (cached?.0, html, sizes, labels)
        }
    }

    /// The HTML of a closed block (see `writeBlock`), as `HTMLWriter.block` writes it after a newline.
    func composeBlock(
        _ node: BlockNode, tight: Bool, line: Int, into writer: inout HTMLWriter, missed: inout Set<String>
    ) {
        switch node.kind {
        case .blockQuote:
            writer.openBlockQuote()
            for child in node.allChildren {
                writeBlock(child, tight: false, line: line, into: &writer, missed: &missed)
            }
            writer.cr()
            writer.closeBlockQuote()
            return
        case .list:
            writer.openList(start: node.ordered ? node.listStart : nil)
            for child in node.allChildren {
                writeBlock(child, tight: node.tight, line: line, into: &writer, missed: &missed)
            }
            writer.closeList(ordered: node.ordered)
            return
        case .item:
            // A task item's checkbox goes before its first paragraph: the tree writes it.
            guard options.taskLists, let first = node.firstChild, first.kind == .paragraph,
                BlockStart.mayBeTaskBox(first.content[...])
            else {
                writer.openItem()
                // The item's HTML is kept whole: its blocks are not kept apart as well.
                for child in node.allChildren {
                    writeBlock(child, tight: tight, line: line, into: &writer, missed: &missed, keep: false)
                }
                writer.closeItem()
                return
            }
        case .paragraph:
            if let (prefix, rest, labels) = stableParagraph(node) {
                if !tight { writer.openParagraph() }
                prefix.write(into: &writer.bytes)
                writer.bytes.append(contentsOf: rest.utf8)
                if !tight { writer.closeParagraph() }
                if !labels.isEmpty { missed.formUnion(labels) }
                return
            }
        default:
            break
        }
        treeWrites += 1
        var builder = TreeBuilder(locate: MarkdownStream.noRange, options: options, definitions: parser.definitions)
        builder.arena = arena()
        if let block = builder.block(node, tightParent: tight) { writer.block(block, tight: tight) }
        missed.formUnion(builder.missedLabels)
    }

    /// The content, children and row counts (and kind) along a block's last-child path: blocks
    /// only grow there, so equal sizes mean the same block.
    static func sizes(_ node: BlockNode) -> [Int] {
        var result: [Int] = []
        var current: BlockNode? = node
        while let n = current {
            // Kind and level too: a paragraph may become a setext heading without growing.
            result += [
                n.content.count, n.childCount, n.rows.count,
                Int(n.kind.rawValue) &<< 8 | n.level | (n.fenceClosed ? 1 &<< 16 : 0),
            ]
            current = n.lastChild
        }
        return result
    }

    /// The block a probe's copy was made from, if the copy and the copies below it hold no more
    /// than their originals (the probe's line went elsewhere).
    static func unchangedOriginal(_ copy: BlockNode) -> BlockNode? {
        guard let original = copy.original, copy.childCount == original.children.count,
            copy.content.count == original.content.count, copy.rows.count == original.rows.count,
            copy.fenceClosed == original.fenceClosed
        else { return nil }
        for (c, o) in zip(copy.children, original.children[copy.hidden...]) where c !== o {
            guard c.isCopy, unchangedOriginal(c) === o else { return nil }
        }
        return original
    }
}
