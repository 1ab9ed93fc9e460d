/// The CommonMark block phase: lines in, a tree of `BlockNode`s out (the algorithm of the spec's
/// appendix, as in cmark), fed line by line so the streaming renderer can reuse it.
final class BlockParser {
    /// The text; the streaming renderer appends to it between lines.
    @exclusivity(unchecked) var b: [UInt8]
    let options: MarkdownOptions
    /// Open blocks from the document down to the tip.
    @exclusivity(unchecked) private(set) var open: [BlockNode]
    private(set) var root: BlockNode
    @exclusivity(unchecked) var definitions: [String: LinkDefinition] = [:]
    /// Called when a top-level block closes (the streaming renderer listens).
    var onTopLevelClose: ((BlockNode) -> Void)?
    /// Where the text after a block closed by `onTopLevelClose` resumes: the current line's start
    /// (the line did not continue the block), or after the current line (the line closed it).
    @exclusivity(unchecked) private(set) var resumeOffset = 0
    /// Called with each new definition label (the streaming renderer listens).
    var onDefinition: ((String) -> Void)?

    /// Containers nest at most this deep; deeper markers are read as text, so trees and renderers stay shallow.
    static let maxDepth = 96

    // Per-line state.
    @exclusivity(unchecked) private var lineStart = 0
    @exclusivity(unchecked) private var lineEnd = 0
    @exclusivity(unchecked) private(set) var lineNumber = 0
    @exclusivity(unchecked) private var offset = 0
    @exclusivity(unchecked) private var column = 0
    @exclusivity(unchecked) private var partiallyConsumedTab = false
    @exclusivity(unchecked) private var firstNonspace = 0
    @exclusivity(unchecked) private var firstNonspaceColumn = 0
    @exclusivity(unchecked) private var indent = 0
    @exclusivity(unchecked) private var blank = false

    init(bytes: [UInt8], options: MarkdownOptions, definitions: [String: LinkDefinition] = [:]) {
        b = bytes
        self.options = options
        self.definitions = definitions
        root = BlockNode(.document, start: 0, line: 1)
        open = [root]
    }

    /// A parser in the same state whose open blocks are copies, so that it can read a line (the
    /// stream's unfinished line) without changing this one. Closed blocks are shared, the text too
    /// (until either side appends), and nothing is reported to this parser's listeners. The
    /// document copy holds only the open top-level block: its closed blocks are left out.
    func fork() -> BlockParser {
        let other = BlockParser(bytes: b, options: options, definitions: definitions)
        var copies: [BlockNode] = []
        copies.reserveCapacity(open.count)
        for (depth, node) in open.enumerated() {
            let c = node.copy()
            if depth > 0 {
                // The closed children stay the original's, out of the copy's array.
                c.hidden = node.children.count - (depth + 1 < open.count ? 1 : 0)
                c.children = []
            }
            if let parent = copies.last {
                // (The document's closed blocks stay out of the probe.)
                parent.children = [c]
            }
            copies.append(c)
        }
        if copies.count == 1 { copies[0].children = [] }
        // The tip appends the line to what it borrows (a container's are empty: nothing to copy).
        if let tip = copies.last {
            tip.borrowContent()
            other.borrower = tip
        }
        other.open = copies
        other.root = copies[0]
        other.lineNumber = lineNumber
        return other
    }

    /// The fork's tip when it borrowed its original's content (see `BlockNode.borrowContent`).
    private var borrower: BlockNode?

    /// Gives the content a fork's tip borrowed back to this parser's block; call it when done
    /// with the fork, which is then left without that content.
    func returnBorrowed() {
        borrower?.returnContent()
        borrower = nil
    }

    /// The open blocks from the document down (the stream renders them from a fork).
    var openBlocks: [BlockNode] { open }

    /// Parses every line of the text and closes everything.
    func parseAll() -> BlockNode {
        var i = 0
        let n = b.count
        while i < n {
            var e = i
            while e < n, !Scan.isLineEnd(b[e]) { e += 1 }
            var next = e
            if next < n {
                if b[next] == ASCIIByte.carriageReturn, next + 1 < n, b[next + 1] == ASCIIByte.newline {
                    next += 2
                } else {
                    next += 1
                }
            }
            processLine(start: i, end: e)
            i = next
        }
        finish()
        return root
    }

    /// The offset just past the line terminator after `end`.
    private func afterLine(_ end: Int) -> Int {
        var p = end
        if p < b.count {
            if b[p] == ASCIIByte.carriageReturn, p + 1 < b.count, b[p + 1] == ASCIIByte.newline {
                p += 2
            } else {
                p += 1
            }
        }
        return p
    }

    /// Closes every open block (end of input).
    func finish() {
        resumeOffset = b.count
        while open.count > 1 { closeTip() }
        finalize(root)
    }

    // MARK: - Line state

    @inline(__always) private func peek(_ i: Int) -> UInt8 { i < lineEnd ? b[i] : ASCIIByte.newline }

    private func findFirstNonspace() {
        // The scan is cached until the offset moves past it, so deep indentation stays linear.
        if firstNonspace > offset {
            indent = firstNonspaceColumn - column
            blank = firstNonspace >= lineEnd
            return
        }
        var i = offset
        var col = column
        var charsToTab = 4 - (column % 4)
        while i < lineEnd {
            let c = b[i]
            if c == ASCIIByte.space {
                i += 1
                col += 1
                charsToTab -= 1
                if charsToTab == 0 { charsToTab = 4 }
            } else if c == ASCIIByte.tab {
                i += 1
                col += charsToTab
                charsToTab = 4
            } else {
                break
            }
        }
        firstNonspace = i
        firstNonspaceColumn = col
        indent = col - column
        blank = i >= lineEnd
    }

    private func advance(_ count: Int, columns: Bool) {
        var count = count
        while count > 0, offset < lineEnd {
            if b[offset] == ASCIIByte.tab {
                let charsToTab = 4 - (column % 4)
                if columns {
                    partiallyConsumedTab = charsToTab > count
                    let step = min(count, charsToTab)
                    column += step
                    offset += partiallyConsumedTab ? 0 : 1
                    count -= step
                } else {
                    partiallyConsumedTab = false
                    column += charsToTab
                    offset += 1
                    count -= 1
                }
            } else {
                partiallyConsumedTab = false
                offset += 1
                column += 1
                count -= 1
            }
        }
    }

    private func addLine(to node: BlockNode) {
        var extra = 0
        if partiallyConsumedTab {
            offset += 1
            extra = 4 - (column % 4)
        }
        node.addLine(b[min(offset, lineEnd)..<lineEnd], source: offset, extraSpaces: extra)
        node.endOffset = lineEnd
    }

    // MARK: - Tree operations

    private var tip: BlockNode { open[open.count - 1] }

    private func closeTip() {
        let node = open.removeLast()
        finalize(node)
        if open.count == 1 { onTopLevelClose?(node) }
    }

    /// Closes open blocks below index `depth` (keeping `open[0...depth]`).
    private func closeUnmatched(_ depth: Int) {
        while open.count - 1 > depth { closeTip() }
    }

    private func addChild(_ kind: BlockNode.Kind, at start: Int, lastMatched: inout Int) -> BlockNode {
        closeUnmatched(lastMatched)
        while !tip.canContain(kind) { closeTip() }
        let node = BlockNode(kind, start: start, line: lineNumber)
        node.endOffset = lineEnd
        tip.children.append(node)
        open.append(node)
        lastMatched = open.count - 1
        return node
    }

    // MARK: - One line

    /// Processes the line `b[start..<end]` (without its terminator).
    func processLine(start: Int, end: Int) {
        lineNumber += 1
        lineStart = start
        lineEnd = end
        offset = start
        column = 0
        partiallyConsumedTab = false
        blank = false
        firstNonspace = -1
        resumeOffset = start

        // 1. Which open blocks does the line continue?
        var matched = 0
        var allMatched = true
        var i = 1
        while i < open.count {
            let node = open[i]
            findFirstNonspace()
            var ok = false
            switch node.kind {
            case .blockQuote:
                if indent <= 3, peek(firstNonspace) == ASCIIByte.greaterThan {
                    advance(indent + 1, columns: true)
                    if Scan.isSpaceOrTab(peek(offset)) { advance(1, columns: true) }
                    ok = true
                }
            case .item:
                if indent >= node.markerOffset + node.padding {
                    advance(node.markerOffset + node.padding, columns: true)
                    ok = true
                } else if blank, node.childCount > 0 {
                    advance(firstNonspace - offset, columns: false)
                    ok = true
                }
            case .codeBlock:
                if node.fenced {
                    if indent <= 3, peek(firstNonspace) == node.fenceChar,
                        BlockStart.closingFence(b, firstNonspace, lineEnd, node.fenceChar, node.fenceLength)
                    {
                        // The closing fence ends the block and uses up the line.
                        node.endOffset = lineEnd
                        node.fenceClosed = true
                        closeUnmatched(i)
                        resumeOffset = afterLine(lineEnd)
                        closeTip()
                        return
                    }
                    var k = node.fenceOffset
                    while k > 0, peek(offset) == ASCIIByte.space {
                        advance(1, columns: true)
                        k -= 1
                    }
                    ok = true
                } else if indent >= 4 {
                    advance(4, columns: true)
                    ok = true
                } else if blank {
                    advance(firstNonspace - offset, columns: false)
                    ok = true
                }
            case .htmlBlock:
                ok = !(blank && (node.htmlType == 6 || node.htmlType == 7))
            case .paragraph, .table:
                ok = !blank
            case .list:
                ok = true
            default:
                ok = false
            }
            if !ok {
                allMatched = false
                break
            }
            matched = i
            i += 1
        }
        _ = allMatched

        // 2. Does the rest of the line start new blocks?
        var container = open[matched]
        var maybeLazy = tip.kind == .paragraph
        var openedNew = false
        while container.kind != .codeBlock && container.kind != .htmlBlock {
            findFirstNonspace()
            let inParagraph = container.kind == .paragraph
            let context = BlockStart.Context(
                indent: indent, blank: blank, inParagraph: inParagraph, setext: open.count - 1 == matched || !maybeLazy,
                table: inParagraph && options.tables && open.count - 1 == matched && container === tip
                    ? container : nil,
                lazy: maybeLazy, tooDeep: open.count >= BlockParser.maxDepth)
            guard let start = BlockStart.classify(b, firstNonspace, lineEnd, context) else { break }
            let at = firstNonspace
            switch start {
            case .blockQuote:
                advance(firstNonspace + 1 - offset, columns: false)
                if Scan.isSpaceOrTab(peek(offset)) { advance(1, columns: true) }
                container = addChild(.blockQuote, at: at, lastMatched: &matched)
            case .atxHeading(let level, let n):
                advance(firstNonspace + n - offset, columns: false)
                container = addChild(.heading, at: at, lastMatched: &matched)
                container.level = level
            case .fence(let fenceChar, let length):
                container = addChild(.codeBlock, at: at, lastMatched: &matched)
                container.fenced = true
                container.fenceChar = fenceChar
                container.fenceLength = length
                container.fenceOffset = firstNonspace - offset
                var s = at + length
                while s < lineEnd, Scan.isSpaceOrTab(b[s]) { s += 1 }
                var e = lineEnd
                while e > s, Scan.isSpaceOrTab(b[e - 1]) { e -= 1 }
                container.info = Inlines.unescapeAndDecode(b[s..<e])
                advance(lineEnd - offset, columns: false)
            case .htmlBlock(let type):
                container = addChild(.htmlBlock, at: at, lastMatched: &matched)
                container.htmlType = type
            case .setextUnderline(let level):
                if resolveDefinitions(container) {
                    container.kind = .heading
                    container.level = level
                    container.setext = true
                    container.endOffset = lineEnd
                    advance(lineEnd - offset, columns: false)
                }
            case .tableDelimiterRow(let alignments):
                container = startTable(container, alignments)
                matched = open.count - 1
                openedNew = true
                advance(lineEnd - offset, columns: false)
            case .thematicBreak:
                container = addChild(.thematicBreak, at: at, lastMatched: &matched)
                container.endOffset = lineEnd
                advance(lineEnd - offset, columns: false)
            case .listItem(let marker):
                advance(firstNonspace + marker.length - offset, columns: false)
                let saveTab = partiallyConsumedTab
                let saveOffset = offset
                let saveColumn = column
                while column - saveColumn <= 5, Scan.isSpaceOrTab(peek(offset)) { advance(1, columns: true) }
                let spaces = column - saveColumn
                var padding: Int
                if spaces >= 5 || spaces < 1 || Scan.isLineEnd(peek(offset)) {
                    padding = marker.length + 1
                    offset = saveOffset
                    column = saveColumn
                    partiallyConsumedTab = saveTab
                    if spaces > 0 { advance(1, columns: true) }
                } else {
                    padding = marker.length + spaces
                }
                if !(container.kind == .list && container.ordered == marker.ordered
                    && container.bulletChar == marker.bullet && container.delimiter == marker.delimiter)
                {
                    container = addChild(.list, at: at, lastMatched: &matched)
                    container.ordered = marker.ordered
                    container.bulletChar = marker.bullet
                    container.delimiter = marker.delimiter
                    container.listStart = marker.start
                }
                container = addChild(.item, at: at, lastMatched: &matched)
                container.ordered = marker.ordered
                container.markerOffset = indent
                container.padding = padding
            case .indentedCode:
                advance(4, columns: true)
                container = addChild(.codeBlock, at: offset, lastMatched: &matched)
            }
            if case .tableDelimiterRow = start { break }
            if container !== open[0] && container === tip && container.startLine == lineNumber { openedNew = true }
            if container.acceptsLines { break }
            maybeLazy = false
        }

        // 3. The rest of the line is text for the container.
        findFirstNonspace()
        if blank, let last = container.lastChildForWrite() { last.lastLineBlank = true }
        let kind = container.kind
        let lastLineBlank =
            blank && kind != .blockQuote && kind != .heading && kind != .thematicBreak
            && !(kind == .codeBlock && container.fenced)
            && !(kind == .item && container.childCount == 0 && container.startLine == lineNumber)
        container.lastLineBlank = lastLineBlank
        if let at = open.firstIndex(where: { $0 === container }) {
            for k in 0..<at { open[k].lastLineBlank = false }
        }

        if !openedNew, tip !== open[matched], !blank, tip.kind == .paragraph {
            // Lazy continuation line.
            addLine(to: tip)
            return
        }
        closeUnmatched(matched)
        switch container.kind {
        case .codeBlock:
            if !(openedNew && container.fenced) { addLine(to: container) }
        case .htmlBlock:
            addLine(to: container)
            if (1...5).contains(container.htmlType),
                BlockStart.htmlBlockEnds(container.htmlType, b, firstNonspace, lineEnd)
            {
                closeUnmatched(open.count - 1)
                resumeOffset = afterLine(lineEnd)
                if tip === container { closeTip() }
            }
        case .table:
            if !blank {
                container.rows.append(splitCells(b[firstNonspace..<lineEnd], source: firstNonspace))
                container.endOffset = lineEnd
            }
        default:
            if blank {
                break
            } else if container.acceptsLines {
                if container.kind == .heading, !container.setext { chopClosingHashes() }
                advance(firstNonspace - offset, columns: false)
                addLine(to: container)
            } else {
                var m = matched
                let para = addChild(.paragraph, at: firstNonspace, lastMatched: &m)
                advance(firstNonspace - offset, columns: false)
                addLine(to: para)
            }
        }
    }

    /// Drops an ATX heading's closing `#` sequence (and the spaces around it) from the line.
    private func chopClosingHashes() {
        lineEnd = BlockStart.headingTextEnd(b, firstNonspace, lineEnd)
    }

    // MARK: - Tables

    /// Turns the tip paragraph's last line into a table header (the line is a delimiter row with
    /// as many cells).
    private func startTable(_ paragraph: BlockNode, _ alignments: [MarkdownTableAlignment]) -> BlockNode {
        let content = paragraph.content
        var lastStart = content.count - 1
        while lastStart > 0, content[lastStart - 1] != ASCIIByte.newline { lastStart -= 1 }
        let header = splitCells(
            content[lastStart..<(content.count - 1)], source: sourceOffset(of: paragraph, contentOffset: lastStart))
        open.removeLast()
        let table = BlockNode(
            .table, start: sourceOffset(of: paragraph, contentOffset: lastStart), line: lineNumber - 1)
        paragraph.returnContent(keepCopy: true)  // a fork's tip keeps what it borrowed unchanged
        if lastStart > 0 {
            paragraph.content.removeSubrange(lastStart...)
            var k = 0
            while k < paragraph.segments.count {
                if paragraph.segments[k] >= lastStart { paragraph.segments.removeSubrange(k...); break }
                k += 2
            }
            // The paragraph now ends with the line before the header.
            paragraph.endOffset = max(paragraph.startOffset, table.startOffset - 1)
            finalize(paragraph)
            if resolveDefinitionsKeepingEmpty(paragraph) {
                // The paragraph kept some text: it stays before the table.
            } else {
                tip.children.removeAll { $0 === paragraph }
            }
        } else {
            tip.children.removeAll { $0 === paragraph }
        }
        if lastStart > 0, open.count == 1, tip.children.last === paragraph {
            let saved = resumeOffset
            resumeOffset = table.startOffset
            onTopLevelClose?(paragraph)
            resumeOffset = saved
        }
        table.alignments = alignments
        table.rows = [header]
        table.endOffset = lineEnd
        tip.children.append(table)
        open.append(table)
        return table
    }

    private func resolveDefinitionsKeepingEmpty(_ p: BlockNode) -> Bool { !p.content.isEmpty }

    private func sourceOffset(of node: BlockNode, contentOffset: Int) -> Int {
        var k = 0
        var best = node.startOffset
        while k + 1 < node.segments.count {
            if node.segments[k] <= contentOffset {
                best = node.segments[k + 1] + (contentOffset - node.segments[k])
            } else {
                break
            }
            k += 2
        }
        return best
    }

    /// A row's cells, each with its source offset (`source`: where the row starts).
    private func splitCells(_ row: ArraySlice<UInt8>, source: Int) -> [TableCell] {
        BlockStart.cells(row).map { TableCell(bytes: $0.bytes, source: source + $0.start) }
    }

    // MARK: - Finalising

    private func finalize(_ node: BlockNode) {
        node.returnContent(keepCopy: true)  // a fork's tip may change what it borrowed
        switch node.kind {
        case .paragraph:
            _ = resolveDefinitions(node)
        case .codeBlock:
            if !node.fenced {
                // Drop trailing blank lines.
                node.content.removeSubrange(BlockStart.endOfLastTextLine(node.content)...)
            }
        case .list:
            node.tight = BlockParser.isTight(node)
            node.endOffset = node.lastChild?.endOffset ?? node.endOffset
        case .item, .blockQuote:
            node.endOffset = max(node.endOffset, node.lastChild?.endOffset ?? node.endOffset)
        default:
            break
        }
    }

    /// Whether a list is tight as it stands (no blank line between its items or their children).
    static func isTight(_ list: BlockNode) -> Bool {
        for index in 0..<list.childCount where itemMakesLoose(list, index) { return false }
        return true
    }

    /// Whether item `index` of a list makes it loose: it ends with a blank line and has a next
    /// item, or a blank line ends one of its blocks that is followed by another block or item
    /// (`hasNext`: whether a next item follows, if not the list's own).
    static func itemMakesLoose(_ list: BlockNode, _ index: Int, hasNext: Bool? = nil) -> Bool {
        let item = list.child(at: index)
        let hasNext = hasNext ?? (index + 1 < list.childCount)
        if item.lastLineBlank && hasNext { return true }
        let count = item.childCount
        for sub in 0..<count where (hasNext || sub + 1 < count) && endsWithBlankLine(item.child(at: sub)) {
            return true
        }
        return false
    }

    static func endsWithBlankLine(_ node: BlockNode) -> Bool {
        var cur: BlockNode? = node
        while let n = cur {
            if n.lastLineBlank { return true }
            cur = (n.kind == .list || n.kind == .item) ? n.lastChild : nil
        }
        return false
    }

    /// Strips link reference definitions from the start of a paragraph; returns whether text is left.
    @discardableResult
    private func resolveDefinitions(_ node: BlockNode) -> Bool {
        node.returnContent(keepCopy: true)
        var consumed = 0
        let c = node.content
        while consumed < c.count, c[consumed] == ASCIIByte.leftBracket {
            guard let (label, def, end) = Inlines.linkDefinition(c, consumed) else { break }
            if definitions[label] == nil {
                definitions[label] = def
                onDefinition?(label)
            }
            consumed = end
        }
        if consumed > 0 {
            let newStart = sourceOffset(of: node, contentOffset: consumed)
            node.content.removeSubrange(0..<consumed)
            var segs: [Int] = []
            var k = 0
            while k + 1 < node.segments.count {
                let co = node.segments[k] - consumed
                if co >= 0 {
                    segs.append(co)
                    segs.append(node.segments[k + 1])
                } else if k + 2 >= node.segments.count || node.segments[k + 2] > consumed {
                    segs.append(0)
                    segs.append(newStart)
                }
                k += 2
            }
            node.segments = segs
            node.startOffset = newStart
        }
        let hasText = node.content.contains { !Scan.isWhitespace($0) }
        if !hasText { node.content = [] }
        return hasText
    }
}

/// A link reference definition's destination and title, already unescaped and decoded.
struct LinkDefinition: Sendable {
    var destination: String
    var title: String
}
