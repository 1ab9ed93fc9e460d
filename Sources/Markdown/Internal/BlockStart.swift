/// CommonMark's (and GFM's) block-start rules in one place: what a line opens, in the order the
/// spec's appendix tries them (`classify`, which the block parser acts on), the rules themselves,
/// and the *silent* questions the stream asks of an unfinished line (markdown-it's rules in silent
/// mode): whether bytes still to come could change what it opens (`lineIsSettled`), end its code
/// block, give its item a task box or make its paragraph a link reference definition.
enum BlockStart {
    case blockQuote
    /// `markerLength`: the `#`s and one following space or tab.
    case atxHeading(level: Int, markerLength: Int)
    case fence(UInt8, length: Int)
    /// The start condition, 1–7.
    case htmlBlock(type: Int)
    /// 1 for `=`, 2 for `-`.
    case setextUnderline(level: Int)
    case tableDelimiterRow([MarkdownTableAlignment])
    case thematicBreak
    case listItem(ListMarker)
    case indentedCode

    /// Where a line stands when its block start is asked for.
    struct Context {
        /// The indentation of the first non-space byte, in columns, and whether the line is blank.
        var indent: Int
        var blank: Bool
        /// Whether the container the line reached is a paragraph (which some starts may not interrupt).
        var inParagraph: Bool
        /// Whether a setext underline may close that paragraph (it is not continued lazily).
        var setext: Bool
        /// The paragraph whose last line a delimiter row with as many cells would make a table header.
        var table: BlockNode?
        /// Whether the line may continue a paragraph lazily (then indentation starts no code block).
        var lazy: Bool
        /// Whether containers nest too deep for another quote or list.
        var tooDeep: Bool
    }

    /// The block the line `b[i..<end]` opens at its first non-space byte `i`, or nil (text).
    static func classify(_ b: [UInt8], _ i: Int, _ end: Int, _ context: Context) -> BlockStart? {
        guard context.indent < 4 else { return context.lazy || context.blank ? nil : .indentedCode }
        let c = i < end ? b[i] : ASCIIByte.newline
        if c == ASCIIByte.greaterThan, !context.tooDeep { return .blockQuote }
        if c == ASCIIByte.hash, let (level, length) = atxHeading(b, i, end) {
            return .atxHeading(level: level, markerLength: length)
        }
        if let (fenceChar, length) = openingFence(b, i, end) { return .fence(fenceChar, length: length) }
        if c == ASCIIByte.lessThan, case let type = htmlBlockStart(b, i, end, inParagraph: context.inParagraph),
            type != 0
        {
            return .htmlBlock(type: type)
        }
        if context.inParagraph, context.setext, case let level = setextUnderline(b, i, end), level != 0 {
            return .setextUnderline(level: level)
        }
        if let paragraph = context.table, let alignments = delimiterRow(b, i, end), let header = paragraph.lastLine,
            cells(header).count == alignments.count
        {
            return .tableDelimiterRow(alignments)
        }
        if thematicBreak(b, i, end) { return .thematicBreak }
        if !context.tooDeep, let marker = listMarker(b, i, end),
            !context.inParagraph
                || (!(marker.ordered && marker.start != 1) && !Scan.isBlankRest(b, i + marker.length, end))
        {
            return .listItem(marker)
        }
        return nil
    }

    // MARK: - The rules, each reading `b[i..<end]`

    /// `***`, `---` or `___` (three or more, spaces and tabs between) on a line by itself.
    static func thematicBreak(_ b: [UInt8], _ i: Int, _ end: Int) -> Bool {
        guard i < end, case let c = b[i], c == ASCIIByte.asterisk || c == ASCIIByte.hyphen || c == ASCIIByte.underscore
        else { return false }
        var count = 0
        for d in b[i..<end] {
            if d == c { count += 1 } else if !Scan.isSpaceOrTab(d) { return false }
        }
        return count >= 3
    }

    /// An ATX heading opener: (level, bytes taken including one following space or tab) or nil.
    static func atxHeading(_ b: [UInt8], _ i: Int, _ end: Int) -> (Int, Int)? {
        var j = i
        while j < end, b[j] == ASCIIByte.hash, j - i < 7 { j += 1 }
        let level = j - i
        guard (1...6).contains(level) else { return nil }
        if j == end { return (level, j - i) }
        return Scan.isSpaceOrTab(b[j]) ? (level, j - i + 1) : nil
    }

    /// Where an ATX heading's text in `b[start..<end]` ends: before trailing spaces and tabs, and
    /// before a closing sequence of `#`s (the whole text, or after a space or tab) and the spaces
    /// before it.
    static func headingTextEnd(_ b: [UInt8], _ start: Int, _ end: Int) -> Int {
        var e = end
        while e > start, Scan.isSpaceOrTab(b[e - 1]) { e -= 1 }
        var h = e
        while h > start, b[h - 1] == ASCIIByte.hash { h -= 1 }
        if h < e, h == start || Scan.isSpaceOrTab(b[h - 1]) {
            e = h
            while e > start, Scan.isSpaceOrTab(b[e - 1]) { e -= 1 }
        }
        return e
    }

    /// A list item's marker.
    struct ListMarker {
        var length: Int
        var ordered: Bool
        var bullet: UInt8
        var delimiter: UInt8
        var start: Int
    }

    /// A list marker at `i`: `-`, `+` or `*`, or one to nine digits then `.` or `)`, followed by a
    /// space, a tab or the line's end (`end`).
    static func listMarker(_ b: [UInt8], _ i: Int, _ end: Int) -> ListMarker? {
        func endsMarker(_ k: Int) -> Bool { k >= end || Scan.isSpaceOrTab(b[k]) || Scan.isLineEnd(b[k]) }
        guard i < end else { return nil }
        let c = b[i]
        if c == ASCIIByte.asterisk || c == ASCIIByte.hyphen || c == ASCIIByte.plus {
            return endsMarker(i + 1) ? ListMarker(length: 1, ordered: false, bullet: c, delimiter: 0, start: 0) : nil
        }
        var j = i
        var start = 0
        while j < end, Scan.isDigit(b[j]), j - i < 10 {
            start = start * 10 + Int(b[j] - ASCIIByte.zero)
            j += 1
        }
        guard (1...9).contains(j - i), j < end, b[j] == ASCIIByte.period || b[j] == ASCIIByte.rightParen,
            endsMarker(j + 1)
        else { return nil }
        return ListMarker(length: j + 1 - i, ordered: true, bullet: 0, delimiter: b[j], start: start)
    }

    /// A setext underline: 1 for `=`, 2 for `-`, or 0.
    static func setextUnderline(_ b: [UInt8], _ i: Int, _ end: Int) -> Int {
        guard i < end, case let c = b[i], c == ASCIIByte.equals || c == ASCIIByte.hyphen else { return 0 }
        var j = i
        while j < end, b[j] == c { j += 1 }
        guard Scan.isBlankRest(b, j, end) else { return 0 }
        return c == ASCIIByte.equals ? 1 : 2
    }

    /// A code fence opener: (character, length) or nil.
    static func openingFence(_ b: [UInt8], _ i: Int, _ end: Int) -> (UInt8, Int)? {
        guard i < end, case let c = b[i], c == ASCIIByte.backtick || c == ASCIIByte.tilde else { return nil }
        var j = i
        while j < end, b[j] == c { j += 1 }
        // A backtick fence's info string holds no backtick.
        guard j - i >= 3, c == ASCIIByte.tilde || !b[j..<end].contains(ASCIIByte.backtick) else { return nil }
        return (c, j - i)
    }

    /// A closing fence of at least `length` `c`s followed only by spaces and tabs.
    static func closingFence(_ b: [UInt8], _ i: Int, _ end: Int, _ c: UInt8, _ length: Int) -> Bool {
        var j = i
        while j < end, b[j] == c { j += 1 }
        return j - i >= length && Scan.isBlankRest(b, j, end)
    }

    /// A GFM table delimiter row (`| :-- | --: |`): the columns' alignments, or nil.
    static func delimiterRow(_ b: [UInt8], _ s: Int, _ e: Int) -> [MarkdownTableAlignment]? {
        var e = e
        while e > s, Scan.isSpaceOrTab(b[e - 1]) { e -= 1 }
        guard s < e else { return nil }
        var sawPipe = false
        var result: [MarkdownTableAlignment] = []
        var j = s
        if b[j] == ASCIIByte.pipe {
            j += 1
            sawPipe = true
        }
        while j < e {
            while j < e, Scan.isSpaceOrTab(b[j]) { j += 1 }
            let left = j < e && b[j] == ASCIIByte.colon
            if left { j += 1 }
            let dashes = j
            while j < e, b[j] == ASCIIByte.hyphen { j += 1 }
            guard j > dashes else { return nil }
            let right = j < e && b[j] == ASCIIByte.colon
            if right { j += 1 }
            while j < e, Scan.isSpaceOrTab(b[j]) { j += 1 }
            result.append(left && right ? .center : left ? .left : right ? .right : .none)
            if j < e {
                guard b[j] == ASCIIByte.pipe else { return nil }
                sawPipe = true
                j += 1
            }
        }
        return sawPipe || result.count > 1 ? result : nil
    }

    /// A table row split at unescaped pipes (`\|` becomes `|` in the cell), each cell trimmed, with
    /// the offset where it starts in the row.
    static func cells(_ row: ArraySlice<UInt8>) -> [(bytes: [UInt8], start: Int)] {
        var e = row.endIndex
        while e > row.startIndex, Scan.isSpaceOrTab(row[e - 1]) { e -= 1 }
        var j = row.startIndex
        while j < e, Scan.isSpaceOrTab(row[j]) { j += 1 }
        if j < e, row[j] == ASCIIByte.pipe { j += 1 }
        var cells: [(bytes: [UInt8], start: Int)] = []
        var cell: [UInt8] = []
        var cellStart = j
        var trailingPipe = false
        func trimmed() -> (bytes: [UInt8], start: Int) {
            var s = 0
            var e = cell.count
            while s < e, Scan.isSpaceOrTab(cell[s]) { s += 1 }
            while e > s, Scan.isSpaceOrTab(cell[e - 1]) { e -= 1 }
            return (Array(cell[s..<e]), cellStart - row.startIndex + s)
        }
        while j < e {
            let c = row[j]
            if c == ASCIIByte.backslash, j + 1 < e, row[j + 1] == ASCIIByte.pipe {
                cell.append(ASCIIByte.pipe)
                j += 2
            } else if c == ASCIIByte.pipe {
                cells.append(trimmed())
                cell = []
                j += 1
                cellStart = j
                trailingPipe = j == e
            } else {
                cell.append(c)
                j += 1
            }
        }
        if !trailingPipe || !cell.isEmpty { cells.append(trimmed()) }
        return cells
    }

    private static let blockTagNames: Set<String> = [
        "address", "article", "aside", "base", "basefont", "blockquote", "body", "caption", "center", "col",
        "colgroup", "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure",
        "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hr",
        "html", "iframe", "legend", "li", "link", "main", "menu", "menuitem", "nav", "noframes", "ol",
        "optgroup", "option", "p", "param", "search", "section", "summary", "table", "tbody", "td", "tfoot",
        "th", "thead", "title", "tr", "track", "ul",
    ]

    /// The HTML block start condition (1–7) the line begins with, or 0 (type 7 cannot interrupt a
    /// paragraph).
    static func htmlBlockStart(_ b: [UInt8], _ i: Int, _ end: Int, inParagraph: Bool) -> Int {
        guard i + 1 < end, b[i] == ASCIIByte.lessThan else { return 0 }
        func endsName(_ j: Int) -> Bool { j == end || Scan.isSpaceOrTab(b[j]) || b[j] == ASCIIByte.greaterThan }
        for tag in ["script", "pre", "style", "textarea"] as [StaticString] where Scan.hasPrefix(b, i + 1, end, tag) {
            if endsName(i + 1 + tag.utf8CodeUnitCount) { return 1 }
        }
        if Scan.hasPrefix(b, i, end, "<!--") { return 2 }
        if b[i + 1] == ASCIIByte.question { return 3 }
        if b[i + 1] == ASCIIByte.exclamation, i + 2 < end, Scan.isLetter(b[i + 2]) { return 4 }
        if Scan.hasPrefix(b, i, end, "<![CDATA[") { return 5 }
        var j = i + 1
        if j < end, b[j] == ASCIIByte.slash { j += 1 }
        let nameStart = j
        while j < end, Scan.isAlnum(b[j]) { j += 1 }
        if j > nameStart, blockTagNames.contains(String(decoding: b[nameStart..<j], as: UTF8.self).lowercased()),
            endsName(j) || (b[j] == ASCIIByte.slash && j + 1 < end && b[j + 1] == ASCIIByte.greaterThan)
        {
            return 6
        }
        guard !inParagraph, let n = Scan.openTag(b, i, end) ?? Scan.closingTag(b, i, end) else { return 0 }
        let nameAt = b[i + 1] == ASCIIByte.slash ? i + 2 : i + 1
        let lowerName = String(decoding: b[nameAt..<min(end, i + 12)], as: UTF8.self).lowercased()
        for t in ["script", "style", "pre", "textarea"] where lowerName.hasPrefix(t) {
            let after = lowerName.utf8.dropFirst(t.utf8.count).first
            if after == nil || !(Scan.isAlnum(after!) || after! == ASCIIByte.hyphen) { return 0 }
        }
        return Scan.isBlankRest(b, i + n, end) ? 7 : 0
    }

    /// Whether a line satisfies the end condition of HTML block types 1–5.
    static func htmlBlockEnds(_ type: Int, _ b: [UInt8], _ i: Int, _ end: Int) -> Bool {
        switch type {
        case 1:
            var j = i
            while j + 1 < end {
                if b[j] == ASCIIByte.lessThan, b[j + 1] == ASCIIByte.slash {
                    for tag in ["script>", "pre>", "style>", "textarea>"] as [StaticString]
                    where Scan.hasPrefix(b, j + 2, end, tag) {
                        return true
                    }
                }
                j += 1
            }
            return false
        case 2: return Scan.find(b, i, end, Array("-->".utf8)) != nil
        case 3: return Scan.find(b, i, end, Array("?>".utf8)) != nil
        case 4: return Scan.find(b, i, end, [ASCIIByte.greaterThan]) != nil
        case 5: return Scan.find(b, i, end, Array("]]>".utf8)) != nil
        default: return false
        }
    }

    /// Where the last line holding more than spaces and tabs ends in leaf content (after its
    /// newline): indented code drops the blank lines after it.
    static func endOfLastTextLine(_ content: [UInt8]) -> Int {
        var end = content.count
        while end > 0 {
            var start = end - 1  // at the newline ending the line
            while start > 0, content[start - 1] != ASCIIByte.newline { start -= 1 }
            if content[start..<(end - 1)].contains(where: { !Scan.isSpaceOrTab($0) }) { return end }
            end = start
        }
        return 0
    }

    /// How many bytes of `c` match a task item's box in order: `[`, a space, `x` or `X`, `]`, a
    /// space or tab (at most 4).
    static func taskBoxPrefix(_ c: ArraySlice<UInt8>) -> Int {
        var n = 0
        for d in c.prefix(4) {
            let matches =
                switch n {
                case 0: d == ASCIIByte.leftBracket
                case 1: d == ASCIIByte.space || d == ASCIIByte.lowercaseX || d == ASCIIByte.uppercaseX
                case 2: d == ASCIIByte.rightBracket
                default: Scan.isSpaceOrTab(d)
                }
            guard matches else { break }
            n += 1
        }
        return n
    }

    /// A task item's box at the start of its first paragraph's text, followed by some text:
    /// whether it is checked, or nil.
    static func taskBox(_ c: [UInt8]) -> Bool? {
        guard taskBoxPrefix(c[...]) == 4, c[4...].contains(where: { !Scan.isWhitespace($0) }) else { return nil }
        return c[1] != ASCIIByte.space
    }

    // MARK: - Silent questions about an unfinished line (the stream's)

    /// Whether paragraph text (still growing) starts, or may go on to start, with a task item's box.
    static func mayBeTaskBox(_ c: ArraySlice<UInt8>) -> Bool {
        c.first == ASCIIByte.leftBracket && taskBoxPrefix(c) == min(c.count, 4)
    }

    /// Whether no byte appended to the unfinished line from `start` can change which blocks it
    /// continues or opens: past what the rules above read before a block's content (indentation,
    /// quote and list markers, the characters of thematic breaks, setext underlines, table
    /// delimiter rows and ATX openers) comes a byte none of them reads past: a letter, other
    /// punctuation, non-ASCII, or a run of fewer than three fence characters followed by more text.
    /// Tabs, `\r` and `<` (an HTML block start reads the whole line) never settle a line.
    static func lineIsSettled(_ b: [UInt8], from start: Int) -> Bool {
        var i = start
        while i < b.count {
            let c = b[i]
            switch c {
            case ASCIIByte.space, ASCIIByte.greaterThan, ASCIIByte.hyphen, ASCIIByte.plus, ASCIIByte.asterisk,
                ASCIIByte.period, ASCIIByte.rightParen, ASCIIByte.hash, ASCIIByte.zero...ASCIIByte.nine,
                ASCIIByte.equals, ASCIIByte.underscore, ASCIIByte.colon, ASCIIByte.pipe:
                i += 1
            case ASCIIByte.backtick, ASCIIByte.tilde:
                let run = b[i...].prefix { $0 == c }.count
                return run < 3 && i + run < b.count
            case ASCIIByte.tab, ASCIIByte.carriageReturn, ASCIIByte.newline, ASCIIByte.lessThan:
                return false
            default:
                return true
            }
        }
        return false
    }

    /// Whether an unfinished line inside an open code block stays a line of it whatever follows:
    /// past spaces and `>` it holds a byte other than the fence character (so it cannot become
    /// the closing fence), and its indentation (which decides whether it continues the block) is fixed.
    static func codeLineIsSettled(_ b: [UInt8], from start: Int, fenceChar: UInt8?) -> Bool {
        guard !b[start...].contains(where: { $0 == ASCIIByte.tab || $0 == ASCIIByte.carriageReturn }) else {
            return false
        }
        return b[start...].contains { $0 != ASCIIByte.space && $0 != ASCIIByte.greaterThan && $0 != fenceChar }
    }

    /// Whether paragraph content (lines ending with newlines) may still turn out to start with a
    /// link reference definition (it starts with `[`, and its first bracket may be a label followed
    /// by `:`), and whether it does as it stands (then it renders nothing and may change links before it).
    static func definitionState(_ content: [UInt8]) -> (may: Bool, is: Bool) {
        let n = content.last == ASCIIByte.newline ? content.count - 1 : content.count
        guard n > 0, content[0] == ASCIIByte.leftBracket else { return (false, false) }
        let may =
            switch Inlines.scanLinkLabel(content, 0, n) {
            case .closed(let end): end >= n || content[end] == ASCIIByte.colon
            case .invalid: false
            case .open: true
            }
        return (may, may && Inlines.linkDefinition(content, 0) != nil)
    }
}
