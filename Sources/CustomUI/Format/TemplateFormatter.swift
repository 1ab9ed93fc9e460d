import CustomUICore

/// Lays a template out one canonical way: two-space indentation of block content, one attribute
/// line per start tag when it fits in `width` columns (else one attribute per line, aligned under
/// the first), and `{{ expr }}` with one space inside the braces and canonical spacing between the
/// expression's tokens.
///
/// The meaning is kept exactly: only whitespace that the engine ignores is changed (whitespace-only
/// text between block children, never inside inline or text content, which is copied verbatim);
/// attribute values keep their quoting and references; comments, CDATA and the XML declaration are
/// kept. A document that does not parse is returned unchanged with the parser's diagnostics.
/// Formatting a formatted document changes nothing.
public enum TemplateFormatter {
    /// The formatted text, or `nil` with the diagnostics when the template is not well-formed.
    public static func format(_ file: SourceFile, width: Int = 100) -> (text: String?, diagnostics: [Diagnostic]) {
        let parsed = TemplateParser.parse(file)
        guard parsed.document != nil else { return (nil, parsed.diagnostics) }
        var reader = FormatReader(bytes: file.bytes)
        let nodes = reader.readNodes(until: nil)
        var printer = FormatPrinter(width: width)
        printer.printTopLevel(nodes)
        return (printer.output, [])
    }

    /// Whether `file` is already in canonical layout (`false` when it does not parse).
    public static func isFormatted(_ file: SourceFile) -> Bool {
        format(file).text == file.text
    }

    /// `{{ … }}` parts of `raw` with canonical spacing; everything else unchanged.
    static func normalizeInterpolations(_ raw: String) -> String {
        let bytes = Array(raw.utf8)
        guard bytes.count >= 4 else { return raw }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 8)
        var i = 0
        while i < bytes.count {
            guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "{"), bytes[i + 1] == UInt8(ascii: "{"),
                let close = ExpressionParser.closingBraces(bytes, from: i + 2, fallBackOnUnterminatedString: false)
            else {
                out.append(bytes[i])
                i += 1
                continue
            }
            let inner = Array(bytes[(i + 2)..<close])
            out += Array("{{".utf8)
            if let spaced = spacedExpression(inner) {
                out += Array(" \(spaced) ".utf8)
            } else {
                out += inner
            }
            out += Array("}}".utf8)
            i = close + 2
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let wordOperators: Set<String> = ["and", "or", "not", "in"]

    /// The expression's tokens joined with canonical spacing, or `nil` to leave it as written
    /// (empty, containing markup references, or not lexable).
    static func spacedExpression(_ inner: [UInt8]) -> String? {
        guard !inner.contains(UInt8(ascii: "&")), !inner.contains(UInt8(ascii: "<")) else { return nil }
        var lexer = Lexer(bytes: inner, start: 0, end: inner.count)
        var tokens: [(kind: Token.Kind, text: String)] = []
        while true {
            guard let token = try? lexer.next() else { return nil }
            if token.kind == .end { break }
            tokens.append((token.kind, String(decoding: inner[token.start..<token.end], as: UTF8.self)))
            if tokens.count > 10_000 { return nil }
        }
        guard !tokens.isEmpty else { return nil }
        var out = tokens[0].text
        for k in 1..<tokens.count {
            let previous = tokens[k - 1]
            let current = tokens[k]
            var space = true
            if [".", ",", ")", "]", ":"].contains(current.text), case .symbol = current.kind { space = false }
            if case .symbol(let s) = previous.kind, [".", "(", "["].contains(s) { space = false }
            if case .symbol(let s) = current.kind, s == "(" || s == "[" {
                switch previous.kind {
                case .identifier(let name) where !wordOperators.contains(name): space = false
                case .symbol(let p) where p == ")" || p == "]": space = false
                case .string: space = false
                default: break
                }
            }
            out += space ? " " + current.text : current.text
        }
        return out
    }
}

/// A node of the formatter's own tree: markup exactly as written, with comments kept.
enum FormatNode {
    /// An element; `inner` is the raw source between the start and end tags.
    case element(
        name: String, attributes: [(name: String, quote: UInt8, raw: String)], selfClosing: Bool,
        children: [FormatNode], inner: String)
    case text(String)
    /// A comment, CDATA section, processing instruction or XML declaration, verbatim.
    case markup(String)
}

/// Reads a well-formed document (the parser has accepted it) into `FormatNode`s.
struct FormatReader {
    let bytes: [UInt8]
    var offset = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
        offset = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    private func matches(_ literal: String, at i: Int) -> Bool {
        let l = Array(literal.utf8)
        guard i + l.count <= bytes.count else { return false }
        return Array(bytes[i..<(i + l.count)]) == l
    }

    private func after(_ literal: String, from start: Int) -> Int {
        let l = Array(literal.utf8)
        var i = start
        while i + l.count <= bytes.count {
            if bytes[i] == l[0], Array(bytes[i..<(i + l.count)]) == l { return i + l.count }
            i += 1
        }
        return bytes.count
    }

    private func string(_ a: Int, _ b: Int) -> String { String(decoding: bytes[a..<b], as: UTF8.self) }

    /// Nodes up to the end tag of `until` (consumed) or the end of the document.
    mutating func readNodes(until name: String?) -> [FormatNode] {
        var nodes: [FormatNode] = []
        var textStart = offset
        func flush(_ end: Int) {
            if end > textStart { nodes.append(.text(string(textStart, end))) }
        }
        while offset < bytes.count {
            guard bytes[offset] == UInt8(ascii: "<") else {
                offset += 1
                continue
            }
            if matches("<!--", at: offset) || matches("<![CDATA[", at: offset) || matches("<?", at: offset) {
                flush(offset)
                let end =
                    matches("<!--", at: offset)
                    ? after("-->", from: offset + 4)
                    : matches("<?", at: offset) ? after("?>", from: offset + 2) : after("]]>", from: offset + 9)
                nodes.append(.markup(string(offset, end)))
                offset = end
                textStart = offset
            } else if matches("</", at: offset) {
                flush(offset)
                offset = after(">", from: offset + 2)
                return nodes
            } else {
                flush(offset)
                nodes.append(readElement())
                textStart = offset
            }
        }
        flush(offset)
        return nodes
    }

    /// The element at `offset`: its start tag read by the parser's `MarkupScanner`, then its content.
    private mutating func readElement() -> FormatNode {
        var scanner = MarkupScanner(bytes: bytes, at: offset)
        let tag = scanner.scanStartTag()
        let name = scanner.string(tag.nameStart..<tag.nameEnd)
        let attributes = tag.attributes.map { attribute in
            (
                name: scanner.string(attribute.nameStart..<attribute.nameEnd), quote: bytes[attribute.valueStart - 1],
                raw: scanner.string(attribute.valueStart..<attribute.valueEnd)
            )
        }
        let selfClosing = tag.selfClosing
        offset = tag.end
        if selfClosing {
            return .element(name: name, attributes: attributes, selfClosing: true, children: [], inner: "")
        }
        let innerStart = offset
        let children = readNodes(until: name)
        // `offset` is after the end tag; the inner text ends at its `</`.
        var innerEnd = offset - 1
        while innerEnd > innerStart, !(bytes[innerEnd] == UInt8(ascii: "<") && bytes[innerEnd + 1] == UInt8(ascii: "/"))
        {
            innerEnd -= 1
        }
        return .element(
            name: name, attributes: attributes, selfClosing: false, children: children,
            inner: string(innerStart, innerEnd))
    }
}

/// Prints `FormatNode`s in canonical layout.
struct FormatPrinter {
    let width: Int
    var output = ""

    private static func isBlank(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    }

    mutating func printTopLevel(_ nodes: [FormatNode]) {
        for node in nodes {
            switch node {
            case .text: continue  // Only whitespace is allowed outside the root.
            case .markup(let raw): output += raw + "\n"
            case .element: printNode(node, indent: 0, inlineContext: false)
            }
        }
    }

    /// Whether an element's children are laid out one per line: its content model holds blocks or
    /// named children (never text or inline content), it is not inside inline content, and its
    /// text is only whitespace (which the engine ignores there).
    private static func laysOutAsBlock(_ name: String, children: [FormatNode], inlineContext: Bool) -> Bool {
        guard !inlineContext, let spec = Vocabulary.byName[name] else { return false }
        switch spec.content {
        case .blocks, .children, .empty: break
        case .inline, .text, .json: return false
        }
        for child in children {
            if case .text(let text) = child, !isBlank(text) { return false }
            if case .markup(let raw) = child, raw.hasPrefix("<![CDATA[") { return false }
        }
        return true
    }

    /// Whether the children of `name` are inline content, for the control elements inside it.
    private static func childrenAreInline(_ name: String, inlineContext: Bool) -> Bool {
        guard let spec = Vocabulary.byName[name] else { return true }
        if spec.category == .control { return inlineContext }
        return spec.content == .inline || spec.content == .text
    }

    private func startTag(
        _ name: String, _ attributes: [(name: String, quote: UInt8, raw: String)], indent: Int, close: String
    ) -> String {
        let parts = attributes.map { attribute -> String in
            let q = String(UnicodeScalar(attribute.quote))
            return attribute.name + "=" + q + TemplateFormatter.normalizeInterpolations(attribute.raw) + q
        }
        let oneLine = "<" + name + parts.map { " " + $0 }.joined() + close
        let multiLineValue = parts.contains { $0.contains("\n") || $0.contains("\r") }
        if parts.count <= 1 || (indent + oneLine.count <= width && !multiLineValue) { return oneLine }
        let align = "\n" + String(repeating: " ", count: indent + name.count + 2)
        return "<" + name + " " + parts.joined(separator: align) + close
    }

    private mutating func printNode(_ node: FormatNode, indent: Int, inlineContext: Bool) {
        let pad = String(repeating: " ", count: indent)
        switch node {
        case .text(let text):
            output += pad + text + "\n"
        case .markup(let raw):
            output += pad + raw + "\n"
        case .element(let name, let attributes, let selfClosing, let children, let inner):
            let block = FormatPrinter.laysOutAsBlock(name, children: children, inlineContext: inlineContext)
            let meaningful = children.filter {
                if case .text(let t) = $0 { return !FormatPrinter.isBlank(t) }
                return true
            }
            if selfClosing || (block && meaningful.isEmpty) {
                output += pad + startTag(name, attributes, indent: indent, close: "/>") + "\n"
            } else if block {
                output += pad + startTag(name, attributes, indent: indent, close: ">") + "\n"
                let inline = FormatPrinter.childrenAreInline(name, inlineContext: inlineContext)
                for child in meaningful { printNode(child, indent: indent + 2, inlineContext: inline) }
                output += pad + "</" + name + ">\n"
            } else {
                let body = isJSON(name) ? inner : TemplateFormatter.normalizeInterpolations(inner)
                output += pad + startTag(name, attributes, indent: indent, close: ">") + body + "</" + name + ">\n"
            }
        }
    }

    private func isJSON(_ name: String) -> Bool { Vocabulary.byName[name]?.content == .json }
}
