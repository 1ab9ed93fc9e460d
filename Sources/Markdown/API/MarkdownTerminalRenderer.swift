import CustomUICore

/// How to render for a terminal: the width to wrap to, and whether to use colour and OSC 8 links.
public struct TerminalStyle: Hashable, Sendable {
    /// Columns to wrap to (at least 10 is used).
    public var width: Int
    /// ANSI colours and styles; false gives plain text (NO_COLOR, not a terminal).
    public var color: Bool
    /// OSC 8 hyperlinks instead of printing the URL after the link text.
    public var hyperlinks: Bool

    /// A style from its parts.
    public init(width: Int = 80, color: Bool = false, hyperlinks: Bool = false) {
        self.width = width
        self.color = color
        self.hyperlinks = hyperlinks
    }
}

/// Renders a document for a terminal: wrapped to a width by display columns (wide CJK and emoji
/// take two, combining marks none), with box-drawn code blocks and tables and hanging indents.
public struct MarkdownTerminalRenderer {
    /// Block quotes and list items indent their content only while this many columns remain for
    /// it; deeper ones are drawn at the width they are given (a quote without its bar, a list
    /// item's marker on a line of its own), so that every line holds content and the output stays
    /// a small multiple of the input however deep the nesting (the template layout's rule too).
    public static let minimumContentWidth = 12

    /// The terminal text of a document, ending in a newline unless empty.
    public static func render(_ document: MarkdownDocument, style: TerminalStyle) -> String {
        TerminalWriter.render(document.blocks, style: style)
    }
}

/// The terminal layout engine: blocks become arrays of lines, inlines become styled words.
struct TerminalWriter {
    let style: TerminalStyle

    static func render(_ blocks: [MarkdownBlock], style: TerminalStyle) -> String {
        guard !blocks.isEmpty else { return "" }
        let writer = TerminalWriter(style: style)
        let lines = writer.blockLines(blocks, width: max(style.width, 10), tight: false, depth: 0)
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    /// Two rendered parts with a blank line between.
    static func join(_ a: String, _ b: String) -> String {
        if a.isEmpty { return b }
        if b.isEmpty { return a }
        return a + "\n" + b
    }

    // MARK: - Styles

    struct Style: OptionSet, Hashable {
        let rawValue: UInt8
        static let bold = Style(rawValue: 1)
        static let italic = Style(rawValue: 2)
        static let code = Style(rawValue: 4)
        static let strike = Style(rawValue: 8)
        static let link = Style(rawValue: 16)
        static let dim = Style(rawValue: 32)
        static let heading = Style(rawValue: 64)
    }

    private func sgr(_ s: Style) -> String {
        var codes: [String] = []
        if s.contains(.bold) || s.contains(.heading) { codes.append("1") }
        if s.contains(.dim) { codes.append("2") }
        if s.contains(.italic) { codes.append("3") }
        if s.contains(.link) { codes.append("4") }
        if s.contains(.strike) { codes.append("9") }
        if s.contains(.code) { codes.append("36") }
        if s.contains(.heading) { codes.append("35") }
        return codes.isEmpty ? "" : "\u{1B}[" + codes.joined(separator: ";") + "m"
    }

    private func paint(_ text: String, _ s: Style) -> String {
        guard style.color, !s.isEmpty, !text.isEmpty else { return text }
        return sgr(s) + text + "\u{1B}[0m"
    }

    /// Control characters (ESC, C1, bidi overrides) would let text drive the terminal: they are
    /// shown visibly by the one Core function every terminal writer uses; tabs become four spaces.
    static func sanitize(_ text: String) -> String {
        TerminalText.visible(text, tabs: .spaces(4))
    }

    // MARK: - Inline atoms

    struct Atom {
        enum Kind { case word, space, lineBreak }
        var kind: Kind
        var text: String = ""
        var width: Int = 0
        var style: Style = []
        var url: String?
    }

    private func atoms(_ inlines: [MarkdownInline], style s: Style, url: String?, into out: inout [Atom], depth: Int) {
        for inline in inlines {
            switch inline.kind {
            case .text(let t): words(t, style: s, url: url, into: &out)
            case .html(let t): words(t, style: s.union(.dim), url: url, into: &out)
            case .code(let t):
                let text = style.color ? t : "`" + t + "`"
                words(text, style: s.union(.code), url: url, into: &out, keepSpaces: true)
            case .softBreak: out.append(Atom(kind: .space))
            case .hardBreak: out.append(Atom(kind: .lineBreak))
            case .emphasis(let c): atoms(c, style: s.union(.italic), url: url, into: &out, depth: depth + 1)
            case .strong(let c): atoms(c, style: s.union(.bold), url: url, into: &out, depth: depth + 1)
            case .strikethrough(let c):
                if style.color {
                    atoms(c, style: s.union(.strike), url: url, into: &out, depth: depth + 1)
                } else {
                    words("~~", style: s, url: url, into: &out, glue: true)
                    atoms(c, style: s, url: url, into: &out, depth: depth + 1)
                    words("~~", style: s, url: url, into: &out, glue: true)
                }
            case .link(let destination, _, let c):
                let allowed = URLPolicy.allows(destination, image: false)
                let linkURL = allowed && style.hyperlinks && style.color ? TerminalWriter.sanitize(destination) : nil
                atoms(c, style: s.union(.link), url: linkURL ?? url, into: &out, depth: depth + 1)
                if allowed, linkURL == nil, plainText(c) != destination,
                    plainText(c) != destination.replacingOccurrences(of: "mailto:", with: "")
                {
                    out.append(Atom(kind: .space))
                    words("(" + destination + ")", style: s.union(.dim), url: nil, into: &out)
                }
            case .image(let source, _, let c):
                words("[image: " + plainText(c) + "]", style: s.union(.dim), url: url, into: &out)
                if URLPolicy.allows(source, image: true), !source.hasPrefix("data:") {
                    out.append(Atom(kind: .space))
                    words("(" + source + ")", style: s.union(.dim), url: nil, into: &out)
                }
            }
        }
    }

    private func plainText(_ inlines: [MarkdownInline]) -> String {
        var out = ""
        for inline in inlines {
            switch inline.kind {
            case .text(let t), .code(let t), .html(let t): out += t
            case .softBreak, .hardBreak: out += " "
            case .emphasis(let c), .strong(let c), .strikethrough(let c), .link(_, _, let c), .image(_, _, let c):
                out += plainText(c)
            }
        }
        return out
    }

    /// Splits text into words and spaces; `glue` attaches the text to the neighbouring word.
    private func words(
        _ text: String, style s: Style, url: String?, into out: inout [Atom], keepSpaces: Bool = false,
        glue: Bool = false
    ) {
        let text = TerminalWriter.sanitize(text)
        if keepSpaces {
            out.append(Atom(kind: .word, text: text, width: DisplayWidth.of(text), style: s, url: url))
            return
        }
        var current = ""
        for ch in text {
            if ch == " " || ch == "\n" {
                if !current.isEmpty {
                    out.append(Atom(kind: .word, text: current, width: DisplayWidth.of(current), style: s, url: url))
                    current = ""
                }
                out.append(Atom(kind: .space))
            } else {
                current.append(ch)
            }
        }
        if !current.isEmpty {
            out.append(Atom(kind: .word, text: current, width: DisplayWidth.of(current), style: s, url: url))
        }
        _ = glue
    }

    /// Greedy wrapping by display width. Words touching without a space (`foo` then bold `bar`)
    /// stay together; a word wider than the line is split between characters.
    func wrap(_ atoms: [Atom], width: Int) -> [String] {
        var lines: [[Atom]] = [[]]
        var used = 0
        var pendingSpace = false
        var group: [Atom] = []
        func newLine() {
            lines.append([])
            used = 0
            pendingSpace = false
        }
        func place() {
            guard !group.isEmpty else { return }
            let groupWidth = group.reduce(0) { $0 + $1.width }
            let extra = pendingSpace ? 1 : 0
            if used > 0, used + extra + groupWidth > width { newLine() }
            if pendingSpace {
                lines[lines.count - 1].append(Atom(kind: .space, text: " ", width: 1))
                used += 1
                pendingSpace = false
            }
            for atom in group {
                if used + atom.width <= width {
                    lines[lines.count - 1].append(atom)
                    used += atom.width
                    continue
                }
                var piece = ""
                var pieceWidth = 0
                for ch in atom.text {
                    let w = DisplayWidth.of(ch)
                    if used + pieceWidth + w > width, used + pieceWidth > 0 {
                        if !piece.isEmpty {
                            var part = atom
                            part.text = piece
                            part.width = pieceWidth
                            lines[lines.count - 1].append(part)
                        }
                        newLine()
                        piece = ""
                        pieceWidth = 0
                    }
                    piece.append(ch)
                    pieceWidth += w
                }
                if !piece.isEmpty {
                    var part = atom
                    part.text = piece
                    part.width = pieceWidth
                    lines[lines.count - 1].append(part)
                    used += pieceWidth
                }
            }
            group.removeAll()
        }
        for atom in atoms {
            switch atom.kind {
            case .space:
                place()
                if used > 0 { pendingSpace = true }
            case .lineBreak:
                place()
                newLine()
            case .word:
                group.append(atom)
            }
        }
        place()
        if lines.count > 1, lines[lines.count - 1].isEmpty { lines.removeLast() }
        return lines.map(renderLine)
    }

    private func renderLine(_ atoms: [Atom]) -> String {
        var out = ""
        var i = 0
        while i < atoms.count {
            if atoms[i].kind == .space {
                out += " "
                i += 1
                continue
            }
            // Runs of the same style and link are painted together.
            var run = atoms[i].text
            let s = atoms[i].style
            let url = atoms[i].url
            var j = i + 1
            while j < atoms.count {
                let a = atoms[j]
                if a.kind == .space {
                    guard j + 1 < atoms.count, atoms[j + 1].kind == .word, atoms[j + 1].style == s,
                        atoms[j + 1].url == url
                    else { break }
                    run += " "
                } else {
                    guard a.style == s, a.url == url else { break }
                    run += a.text
                }
                j += 1
            }
            var painted = paint(run, s)
            if let url {
                painted = "\u{1B}]8;;" + url + "\u{1B}\\" + painted + "\u{1B}]8;;\u{1B}\\"
            }
            out += painted
            i = j
        }
        return out
    }

    // MARK: - Blocks

    func blockLines(_ blocks: [MarkdownBlock], width: Int, tight: Bool, depth: Int) -> [String] {
        var lines: [String] = []
        for (index, block) in blocks.enumerated() {
            let rendered = self.lines(block, width: width, tight: tight, depth: depth)
            if index > 0, !tight || !(isParagraph(blocks[index - 1]) && isList(block)) {
                if !tight { lines.append("") }
            }
            lines.append(contentsOf: rendered)
        }
        return lines
    }

    private func isParagraph(_ b: MarkdownBlock) -> Bool {
        if case .paragraph = b.kind { return true }
        return false
    }

    private func isList(_ b: MarkdownBlock) -> Bool {
        if case .list = b.kind { return true }
        return false
    }

    private func lines(_ block: MarkdownBlock, width: Int, tight: Bool, depth: Int) -> [String] {
        let width = max(width, 4)
        switch block.kind {
        case .paragraph(let inlines):
            var out: [Atom] = []
            atoms(inlines, style: [], url: nil, into: &out, depth: 0)
            return wrap(out, width: width)
        case .heading(let level, let inlines):
            var out: [Atom] = []
            atoms(inlines, style: .heading, url: nil, into: &out, depth: 0)
            if !style.color {
                out.insert(Atom(kind: .space), at: 0)
                out.insert(Atom(kind: .word, text: String(repeating: "#", count: level), width: level), at: 0)
            }
            var result = wrap(out, width: width)
            if level <= 2, style.color {
                let w = min(width, result.map { DisplayWidth.of(stripANSI($0)) }.max() ?? 0)
                result.append(paint(String(repeating: level == 1 ? "═" : "─", count: w), .dim))
            }
            return result
        case .thematicBreak:
            return [paint(String(repeating: "─", count: width), .dim)]
        case .codeBlock(let info, let code):
            var codeLines = code.split(separator: "\n", omittingEmptySubsequences: false).map {
                TerminalWriter.sanitize(String($0))
            }
            if codeLines.last == "" { codeLines.removeLast() }
            let language = TerminalWriter.sanitize(String(info.prefix { $0 != " " && $0 != "\t" }))
            if !style.color {
                // Plain text: an indented block, easy to copy.
                return codeLines.flatMap { hardWrap($0, width: width - 4) }.map { "    " + $0 }
            }
            let inner = width - 2
            var result: [String] = []
            let label = language.isEmpty ? "" : "─ " + language + " "
            let topFill = max(0, width - 1 - DisplayWidth.of(label))
            result.append(paint("┌" + label + String(repeating: "─", count: topFill), .dim))
            for line in codeLines {
                for piece in hardWrap(line, width: inner) {
                    result.append(paint("│ ", .dim) + paint(piece, .code))
                }
            }
            result.append(paint("└" + String(repeating: "─", count: width - 1), .dim))
            return result
        case .htmlBlock(let text):
            var textLines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
                TerminalWriter.sanitize(String($0))
            }
            if textLines.last == "" { textLines.removeLast() }
            return textLines.flatMap { hardWrap($0, width: width) }.map { paint($0, .dim) }
        case .blockQuote(let children):
            guard width - 2 >= MarkdownTerminalRenderer.minimumContentWidth else {
                return blockLines(children, width: width, tight: false, depth: depth + 1)
            }
            let inner = blockLines(children, width: width - 2, tight: false, depth: depth + 1)
            return inner.map { paint("│", .dim) + " " + $0 }
        case .list(let start, let isTight, let items):
            var result: [String] = []
            let lastNumber = (start ?? 1) + max(items.count - 1, 0)
            let markerWidth = start == nil ? 2 : String(lastNumber).count + 2
            let bullets = ["•", "◦", "▪"]
            for (k, item) in items.enumerated() {
                guard case .listItem(let task, let children) = item.kind else { continue }
                var marker: String
                if let start {
                    let number = String(start + k) + "."
                    marker = String(repeating: " ", count: markerWidth - 1 - number.count) + number + " "
                } else {
                    marker = bullets[depth % bullets.count] + " "
                }
                if let task { marker += task ? "☑ " : "☐ " }
                let indent = DisplayWidth.of(marker)
                if k > 0, !isTight { result.append("") }
                guard width - indent >= MarkdownTerminalRenderer.minimumContentWidth else {
                    result.append(paint(String(marker.dropLast()), .dim))
                    result += blockLines(children, width: width, tight: isTight, depth: depth + 1)
                    continue
                }
                var body = blockLines(children, width: width - indent, tight: isTight, depth: depth + 1)
                if body.isEmpty { body = [""] }
                for (n, line) in body.enumerated() {
                    let prefix = n == 0 ? paint(marker, .dim) : String(repeating: " ", count: indent)
                    result.append(line.isEmpty ? (n == 0 ? prefix : "") : prefix + line)
                }
            }
            return result
        case .listItem(_, let children):
            return blockLines(children, width: width, tight: tight, depth: depth)
        case .table(let alignments, let header, let rows):
            return table(alignments: alignments, header: header, rows: rows, width: width)
        }
    }

    /// Splits a line into pieces at most `width` columns wide.
    private func hardWrap(_ line: String, width: Int) -> [String] {
        let width = max(width, 1)
        var pieces: [String] = []
        var piece = ""
        var used = 0
        for ch in line {
            let w = DisplayWidth.of(ch)
            if used + w > width, used > 0 {
                pieces.append(piece)
                piece = ""
                used = 0
            }
            piece.append(ch)
            used += w
        }
        pieces.append(piece)
        return pieces
    }

    private func stripANSI(_ s: String) -> String {
        guard s.contains("\u{1B}") else { return s }
        var out = ""
        var inEscape = false
        for ch in s.unicodeScalars {
            if inEscape {
                if ch == "m" { inEscape = false }
            } else if ch == "\u{1B}" {
                inEscape = true
            } else {
                out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    private func table(
        alignments: [MarkdownTableAlignment], header: [[MarkdownInline]], rows: [[[MarkdownInline]]], width: Int
    ) -> [String] {
        let columns = alignments.count
        guard columns > 0 else { return [] }
        let all = [header] + rows
        let cellAtoms: [[[Atom]]] = all.enumerated().map { r, row in
            row.map { cell in
                var out: [Atom] = []
                atoms(cell, style: r == 0 ? .bold : [], url: nil, into: &out, depth: 0)
                return out
            }
        }
        // Natural widths, then shrink the widest columns until the table fits.
        var widths = [Int](repeating: 1, count: columns)
        for row in cellAtoms {
            for (c, cell) in row.enumerated() where c < columns {
                let natural = cell.reduce(0) { $0 + ($1.kind == .word ? $1.width : $1.kind == .space ? 1 : 0) }
                widths[c] = max(widths[c], natural)
            }
        }
        let available = width - (3 * columns + 1)
        if available < columns {
            return narrowTable(cellAtoms, width: width)
        }
        widths = Self.shrink(widths, to: available)
        func border(_ left: String, _ mid: String, _ right: String) -> String {
            paint(left + widths.map { String(repeating: "─", count: $0 + 2) }.joined(separator: mid) + right, .dim)
        }
        var result = [border("┌", "┬", "┐")]
        for (r, row) in cellAtoms.enumerated() {
            // A row the parser left short (see MarkdownBlock.Kind.table) shows the cells it has.
            let shown = min(columns, row.count)
            let wrapped: [[String]] = (0..<shown).map { c in wrap(row[c], width: widths[c]) }
            let height = max(1, wrapped.map(\.count).max() ?? 1)
            for lineIndex in 0..<height {
                var line = paint("│", .dim)
                for c in 0..<shown {
                    let text = lineIndex < wrapped[c].count ? wrapped[c][lineIndex] : ""
                    let pad = max(0, widths[c] - DisplayWidth.of(stripANSI(text)))
                    let (left, right): (Int, Int)
                    switch alignments[c] {
                    case .right: (left, right) = (pad, 0)
                    case .center: (left, right) = (pad / 2, pad - pad / 2)
                    default: (left, right) = (0, pad)
                    }
                    line +=
                        " " + String(repeating: " ", count: left) + text + String(repeating: " ", count: right) + " "
                        + paint("│", .dim)
                }
                result.append(line)
            }
            if r == 0 { result.append(border("├", "┼", "┤")) }
        }
        result.append(border("└", "┴", "┘"))
        return result
    }

    /// The widths after taking one column from the widest column (the first of equals) until they
    /// sum to `available` or all are 1, computed in O(columns · log width): the widest level `h`
    /// whose capped sum fits, then the first columns above it one narrower than the rest.
    static func shrink(_ widths: [Int], to available: Int) -> [Int] {
        func capped(_ cap: Int) -> Int { widths.reduce(0) { $0 + min($1, cap) } }
        guard capped(Int.max) > available else { return widths }
        guard capped(1) <= available else { return widths.map { _ in 1 } }
        var low = 1  // capped(low) <= available
        var high = widths.max() ?? 1  // capped(high) > available
        while high - low > 1 {
            let mid = (low + high) / 2
            if capped(mid) <= available { low = mid } else { high = mid }
        }
        var excess = capped(low + 1) - available
        return widths.map { w in
            guard w > low else { return w }
            if excess > 0 {
                excess -= 1
                return low
            }
            return low + 1
        }
    }

    /// A table with more columns than the width holds a column of: each row is one wrapped
    /// paragraph of its cells separated by `│` (the header's bold, a rule below it), so the
    /// output stays within the width and linear in the cells.
    private func narrowTable(_ rows: [[[Atom]]], width: Int) -> [String] {
        var result: [String] = []
        for (r, row) in rows.enumerated() {
            var atoms: [Atom] = []
            for (c, cell) in row.enumerated() {
                if c > 0 {
                    atoms.append(Atom(kind: .space, text: " ", width: 1))
                    atoms.append(Atom(kind: .word, text: "│", width: 1, style: .dim))
                    atoms.append(Atom(kind: .space, text: " ", width: 1))
                }
                atoms += cell
            }
            result += wrap(atoms, width: width)
            if r == 0 { result.append(paint(String(repeating: "─", count: width), .dim)) }
        }
        return result
    }
}
