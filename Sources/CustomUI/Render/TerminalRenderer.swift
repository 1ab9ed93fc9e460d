import CustomUICore
import Foundation
import Markdown

/// Renders a render tree for a terminal: cards in box drawing, inputs with their values and
/// choices (`[x]`, `(•)`, `‹select›`), slots through the markdown terminal renderer, everything
/// wrapped by display width. Colour only when `style.color` (never with NO_COLOR or when piped).
public struct TerminalRenderer: Sendable {
    /// Width, colour and hyperlink settings.
    public var style: TerminalStyle

    /// A renderer.
    public init(style: TerminalStyle) { self.style = style }

    /// The narrowest width the layout renders at: a narrower `style.width` renders at this width.
    public static let minimumWidth = 20
    /// The narrowest content a card, list item or quoted turn indents to. Where indenting would go
    /// below it, the content keeps the width it has: a card is drawn open (a titled rule above its
    /// content, a rule below) and a list item's lines are not indented, so that any nesting
    /// renders in lines no wider than the terminal and in time linear in the tree.
    public static let minimumContentWidth = 12
    /// The most columns cards, list items and quoted turns indent by in all (10 boxed cards): deeper
    /// ones are laid out as where `minimumContentWidth` stops them, so a line passes through at most
    /// this many frames and the layout costs a small multiple of its output at any width.
    public static let maximumIndent = 40

    /// The terminal text of a render tree, ending in a newline.
    public func render(_ node: RenderNode) -> String {
        let lines = block(node, width: max(Self.minimumWidth, style.width))
        return lines.joined(separator: "\n") + "\n"
    }

    /// The width left after indenting by `amount`, or nil when that would go below `minimumContentWidth`
    /// or indent by more than `maximumIndent` in all.
    func inset(_ width: Int, by amount: Int) -> Int? {
        let floor = max(Self.minimumContentWidth, max(Self.minimumWidth, style.width) - Self.maximumIndent)
        return width - amount >= floor ? width - amount : nil
    }

    // MARK: Blocks

    func blocks(_ nodes: [RenderNode], width: Int, spaced: Bool) -> [String] {
        var out: [String] = []
        var pendingInline: [RenderNode] = []
        func flushInline() {
            guard !pendingInline.isEmpty else { return }
            let lines = wrap(spans(pendingInline), width: width)
            if spaced, !out.isEmpty, !lines.isEmpty { out.append("") }
            out += lines
            pendingInline = []
        }
        for node in nodes {
            if Self.isInline(node) {
                pendingInline.append(node)
                continue
            }
            flushInline()
            let lines = block(node, width: width)
            guard !lines.isEmpty else { continue }
            if spaced, !out.isEmpty { out.append("") }
            out += lines
        }
        flushInline()
        return out
    }

    static func isInline(_ node: RenderNode) -> Bool {
        switch node {
        case .text, .strong, .emphasis, .code, .link, .badge, .lineBreak: true
        default: false
        }
    }

    func block(_ node: RenderNode, width: Int) -> [String] {
        switch node {
        case .view(let children):
            return blocks(children, width: width, spaced: true)
        case .stack(let gap, let children):
            return blocks(children, width: width, spaced: gap == "medium" || gap == "large")
        case .grid(_, _, let children):
            return blocks(children, width: width, spaced: false)
        case .row(_, _, _, let children):
            let parts = children.map { blocks([$0], width: width, spaced: false) }.filter { !$0.isEmpty }
            let singleLine = parts.allSatisfy { $0.count == 1 }
            let total = parts.map { visibleWidth($0.first ?? "") }.reduce(0, +) + 2 * max(0, parts.count - 1)
            if singleLine, total <= width { return [parts.map { $0[0] }.joined(separator: "  ")] }
            return parts.flatMap { $0 }
        case .card(let title, let children):
            guard let inner = inset(width, by: 4) else {
                return openBox(title: title, content: blocks(children, width: width, spaced: false), width: width)
            }
            return box(title: title, content: blocks(children, width: inner, spaced: false), width: width)
        case .section(let title, let level, let children):
            return heading(level: level, [.text(title)], width: width) + blocks(children, width: width, spaced: false)
        case .heading(let level, let children):
            return heading(level: level, children, width: width)
        case .paragraph(let tone, let size, let children):
            let sgr = Self.toneSGR(tone) + (size == "small" ? "2" : "")
            return wrap(spans(children, sgr: sgr), width: width)
        case .divider:
            return [paint(String(repeating: "─", count: width), "2")]
        case .list(let ordered, let items):
            var out: [String] = []
            for (index, item) in items.enumerated() {
                let marker = ordered ? "\(index + 1). " : "• "
                let indent = String(repeating: " ", count: DisplayWidth.of(marker))
                guard let inner = inset(width, by: indent.count) else {
                    // Too narrow to indent: the marker on its own line, the item's lines below it.
                    out.append(marker.trimmingCharacters(in: .whitespaces))
                    out += blocks(item, width: width, spaced: false)
                    continue
                }
                let lines = blocks(item, width: inner, spaced: false)
                for (i, line) in lines.enumerated() { out.append((i == 0 ? marker : indent) + line) }
            }
            return out
        case .image(let src, let alt, _, _):
            let label = alt.map { $0.isEmpty ? "image" : "image: \($0)" } ?? "image"
            return wrap(
                [Span(text: "[\(label)]", sgr: "2")] + (src.map { [Span(text: " " + $0, sgr: "2")] } ?? []),
                width: width)
        case .input(let model):
            return input(model, width: width)
        case .messageInput(let label, let placeholder):
            return field(label, value: "", placeholder: placeholder, width: width)
        case .button(_, let label, let enabled):
            // Wrapped like text: a label wider than the space left (long, or long once its
            // control characters are shown) must not overflow its card.
            return wrap([Span(text: "[ \(TerminalText.visible(label)) ]", sgr: enabled ? "1" : "2")], width: width)
        case .followUp(let label, let placeholder):
            return field(label, value: "", placeholder: placeholder, width: width) + [paint("[ Send ]", "1")]
        case .slot(_, let format, _, let placeholder, let content, let streaming):
            if content.isEmpty {
                return placeholder.map { wrap([Span(text: $0, sgr: "2;3")], width: width) } ?? []
            }
            var lines: [String]
            if format == .text {
                lines = content.split(separator: "\n", omittingEmptySubsequences: false).flatMap {
                    wrap([Span(text: String($0), sgr: "")], width: width)
                }
            } else {
                lines = markdown(content, width: width)
            }
            if streaming { lines.append(paint("▍", "2")) }
            return lines
        case .status(let status, let message):
            let (symbol, sgr) = Self.statusSymbol(status)
            var text = "\(symbol) \(HTMLRenderer.Writer.statusText(status))"
            if let message, !message.isEmpty { text += " — \(message)" }
            return wrap([Span(text: text, sgr: sgr)], width: width)
        case .toolEvents(let events):
            return events.flatMap { event in
                wrap(
                    [
                        Span(text: "⚙ ", sgr: "2"), Span(text: event.tool, sgr: "1"),
                        Span(text: " \(event.event)" + (event.message.map { ": \($0)" } ?? ""), sgr: "2"),
                    ], width: width)
            }
        case .usage(let usage):
            guard !usage.isEmpty else { return [] }
            let text = usage.lines.map { "\($0.label): \($0.value)" }.joined(separator: " · ")
            return wrap([Span(text: text, sgr: "2")], width: width)
        case .error(let message):
            guard let message else { return [] }
            return wrap([Span(text: "✗ " + message, sgr: "1;31")], width: width)
        case .conversation(let turns):
            var out: [String] = []
            let inner = inset(width, by: 2) ?? width
            let indent = inner < width ? "  " : ""
            for turn in turns {
                out.append(paint(turn.role == "assistant" ? "Assistant:" : "You:", "1"))
                if turn.role == "assistant" {
                    // The same markdown rendering as a slot's, indented under the role.
                    out += markdown(turn.text, width: inner).map { $0.isEmpty ? "" : indent + $0 }
                } else {
                    out += wrap([Span(text: turn.text, sgr: "")], width: inner).map { indent + $0 }
                }
            }
            return out
        case .text, .strong, .emphasis, .code, .link, .badge, .lineBreak:
            return wrap(spans([node]), width: width)
        }
    }

    /// Markdown as slots and conversation turns show it: the markdown terminal renderer with this
    /// renderer's colour and hyperlink settings, without trailing blank lines.
    func markdown(_ content: String, width: Int) -> [String] {
        let text = MarkdownTerminalRenderer.render(
            MarkdownParser.parse(content),
            style: TerminalStyle(width: width, color: style.color, hyperlinks: style.hyperlinks))
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last == "" { lines.removeLast() }
        return lines
    }

    private func heading(level: Int, _ children: [RenderNode], width: Int) -> [String] {
        let lines = wrap(spans(children, sgr: level <= 2 ? "1;4" : "1"), width: width)
        if level == 1 {
            return lines + [paint(String(repeating: "═", count: min(width, lines.map(visibleWidth).max() ?? 0)), "2")]
        }
        return lines
    }

    private func box(title: String?, content: [String], width: Int) -> [String] {
        let inner = width - 4
        var top = "┌"
        if let title, !title.isEmpty {
            let shown = truncate(TerminalText.visible(title), to: inner - 2)
            top +=
                "─ " + paint(shown, "1") + " "
                + String(repeating: "─", count: max(0, inner - DisplayWidth.of(shown) - 1))
        } else {
            top += String(repeating: "─", count: inner + 2)
        }
        top += "┐"
        var out = [top]
        for line in content {
            out.append("│ " + line + String(repeating: " ", count: max(0, inner - visibleWidth(line))) + " │")
        }
        out.append("└" + String(repeating: "─", count: inner + 2) + "┘")
        return out
    }

    /// A card too deep to box: a rule with its title above the content and a plain rule below,
    /// both the full width, so the content keeps every column.
    private func openBox(title: String?, content: [String], width: Int) -> [String] {
        var top = "─"
        if let title, !title.isEmpty {
            let shown = truncate(title, to: width - 3)
            top +=
                " " + paint(shown, "1") + " "
                + String(repeating: "─", count: max(0, width - DisplayWidth.of(shown) - 3))
        } else {
            top = String(repeating: "─", count: width)
        }
        return [top] + content + [String(repeating: "─", count: width)]
    }

    private func field(_ label: String, value: String, placeholder: String?, width: Int, note: String? = nil)
        -> [String]
    {
        var parts = [Span(text: label + ":", sgr: "1"), Span(text: " ", sgr: "")]
        if value.isEmpty {
            parts.append(Span(text: "‹" + (placeholder ?? "") + "›", sgr: "2;3"))
        } else {
            parts.append(Span(text: value, sgr: "4"))
        }
        if let note { parts.append(Span(text: " (" + note + ")", sgr: "2")) }
        return wrap(parts, width: width)
    }

    private func input(_ model: InputModel, width: Int) -> [String] {
        let lock = model.readOnly ? " (read-only)" : ""
        switch model.control {
        case .text, .textarea:
            return field(model.label + lock, value: model.value, placeholder: model.placeholder, width: width)
                + (model.help.map { wrap([Span(text: $0, sgr: "2")], width: width) } ?? [])
        case .number:
            var range = ""
            if let min = model.min, let max = model.max { range = "\(min)–\(max)" }
            if let step = model.step { range += range.isEmpty ? "step \(step)" : ", step \(step)" }
            return field(
                model.label + lock, value: model.value, placeholder: model.placeholder, width: width,
                note: range.isEmpty ? nil : range)
        case .select:
            let choices = model.options + (model.allowOther ? ["other…"] : [])
            return wrap(
                [
                    Span(text: model.label + lock + ": ", sgr: "1"),
                    Span(text: "‹\(model.value.isEmpty ? "choose" : model.value)›", sgr: "4"),
                ], width: width)
                + wrap(
                    [Span(text: choices.joined(separator: " · "), sgr: "2")], width: inset(width, by: 2) ?? width
                ).map {
                    (inset(width, by: 2) == nil ? "" : "  ") + $0
                }
        case .radio, .checkbox:
            let selected =
                model.control == .checkbox ? Set(ComponentValues.checkboxSelection(model.value)) : [model.value]
            var parts = [Span(text: model.label + lock + ":", sgr: "1")]
            for option in model.options {
                let mark =
                    model.control == .radio
                    ? (selected.contains(option) ? "(•)" : "( )") : (selected.contains(option) ? "[x]" : "[ ]")
                parts.append(Span(text: "  \(mark) \(option)", sgr: ""))
            }
            return wrap(parts, width: width)
        case .toggle:
            let on = model.toggleValues.count == 2 ? model.toggleValues[1] : "true"
            return wrap(
                [Span(text: model.value == on ? "[x] " : "[ ] ", sgr: "1"), Span(text: model.label + lock, sgr: "")],
                width: width)
        }
    }

    // MARK: Inline text

    struct Span {
        var text: String
        var sgr: String
    }

    func spans(_ nodes: [RenderNode], sgr: String = "") -> [Span] {
        var out: [Span] = []
        func join(_ a: String, _ b: String) -> String { [a, b].filter { !$0.isEmpty }.joined(separator: ";") }
        for node in nodes {
            switch node {
            case .text(let s): out.append(Span(text: s, sgr: sgr))
            case .strong(let c): out += spans(c, sgr: join(sgr, "1"))
            case .emphasis(let c): out += spans(c, sgr: join(sgr, "3"))
            case .code(let s): out.append(Span(text: s, sgr: join(sgr, "36")))
            case .link(let href, let c):
                out += spans(c, sgr: join(sgr, "4"))
                if let href { out.append(Span(text: " (\(href))", sgr: join(sgr, "2"))) }
            case .badge(let tone, let c):
                let text = c.map { if case .text(let s) = $0 { s } else { "" } }.joined()
                out.append(
                    Span(text: "[\(text)]", sgr: join(sgr, Self.toneSGR(tone).isEmpty ? "7" : Self.toneSGR(tone))))
            case .lineBreak: out.append(Span(text: "\n", sgr: ""))
            default: break
            }
        }
        return out
    }

    /// Greedy word wrap by display width; styles are applied per word so lines stay balanced.
    func wrap(_ spans: [Span], width: Int) -> [String] {
        // Never narrower than one column, so every pass of the loop below places something.
        let width = max(1, width)
        var lines: [String] = []
        var line = ""
        var lineWidth = 0
        var pendingSpace = false
        func newline() {
            lines.append(line)
            line = ""
            lineWidth = 0
            pendingSpace = false
        }
        for span in spans {
            var word = ""
            func flushWord() {
                guard !word.isEmpty else { return }
                var remaining = word
                while !remaining.isEmpty {
                    let w = DisplayWidth.of(remaining)
                    let space = pendingSpace && lineWidth > 0 ? 1 : 0
                    if lineWidth + space + w <= width {
                        if space == 1 { line += " " }
                        line += paint(remaining, span.sgr)
                        lineWidth += space + w
                        remaining = ""
                    } else if lineWidth > 0 {
                        newline()
                    } else {
                        // A word longer than the line: break it at the width (at least one
                        // character, even one wider than the line, so the loop always advances).
                        var head = truncate(remaining, to: width, ellipsis: false)
                        if head.isEmpty { head = String(remaining.prefix(1)) }
                        line += paint(head, span.sgr)
                        remaining = String(remaining.dropFirst(head.count))
                        newline()
                    }
                }
                pendingSpace = false
                word = ""
            }
            // Untrusted text shows its controls visibly; our own styling is added per word below.
            for c in TerminalText.visible(span.text, newlines: true, tabs: .keep) {
                if c == "\n" {
                    flushWord()
                    newline()
                } else if c == " " || c == "\t" {
                    flushWord()
                    pendingSpace = true
                } else {
                    word.append(c)
                }
            }
            flushWord()
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines.filter { !$0.isEmpty || lines.count == 1 }.filter { !$0.isEmpty }
    }

    func paint(_ text: String, _ sgr: String) -> String {
        guard style.color, !sgr.isEmpty, !text.isEmpty else { return text }
        return "\u{1B}[\(sgr)m\(text)\u{1B}[0m"
    }

    /// Display width of a line that may contain SGR escapes.
    func visibleWidth(_ line: String) -> Int {
        if let width = Self.simpleWidth(line) { return width }
        guard line.contains("\u{1B}") else { return DisplayWidth.of(line) }
        var plain = ""
        var inEscape = false
        for c in line {
            if inEscape {
                if c.isLetter { inEscape = false }
            } else if c == "\u{1B}" {
                inEscape = true
            } else {
                plain.append(c)
            }
        }
        return DisplayWidth.of(plain)
    }

    /// The width of a line made only of printable ASCII, box-drawing characters (U+2500–U+257F,
    /// one column each) and SGR escapes, read byte by byte; nil for any other line, which
    /// `DisplayWidth` measures by grapheme cluster. Framed lines are measured once per frame, so
    /// this keeps that cheap.
    static func simpleWidth(_ line: String) -> Int? {
        var utf8 = line.utf8.makeIterator()
        var width = 0
        while let byte = utf8.next() {
            switch byte {
            case 0x20..<0x7F:
                width += 1
            case 0x1B:
                // ESC [ parameters and a final letter.
                guard utf8.next() == UInt8(ascii: "[") else { return nil }
                while let next = utf8.next() {
                    if (0x40...0x7E).contains(next) { break }
                    guard (0x20...0x3F).contains(next) else { return nil }
                }
            case 0xE2:
                // U+2500–U+257F is E2 94 80 … E2 95 BF; it starts no grapheme cluster with what follows
                // unless a combining mark follows, which is outside this set and returns nil.
                guard let second = utf8.next(), second == 0x94 || second == 0x95,
                    let third = utf8.next(), (0x80...0xBF).contains(third)
                else { return nil }
                width += 1
            default:
                return nil
            }
        }
        return width
    }

    private func truncate(_ text: String, to width: Int, ellipsis: Bool = true) -> String {
        var out = ""
        var w = 0
        for c in text {
            let cw = DisplayWidth.of(c)
            if w + cw > width { return ellipsis && !out.isEmpty ? String(out.dropLast()) + "…" : out }
            out.append(c)
            w += cw
        }
        return out
    }

    static func toneSGR(_ tone: String) -> String {
        switch tone {
        case "muted": "2"
        case "info": "34"
        case "success": "32"
        case "warning": "33"
        case "danger": "31"
        default: ""
        }
    }

    static func statusSymbol(_ status: String) -> (String, String) {
        switch status {
        case "running", "streaming": ("◐", "33")
        case "completed": ("●", "32")
        case "failed": ("✗", "31")
        case "cancelled": ("○", "2")
        default: ("○", "2")
        }
    }
}
