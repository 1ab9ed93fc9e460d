import CustomUICore

/// An attribute as written: its name, its decoded value, and where each came from.
public struct SyntaxAttribute: Sendable {
    /// The attribute name.
    public var name: String
    /// The range of the name.
    public var nameRange: SourceRange
    /// The value with references decoded and whitespace normalised, as XML defines.
    public var value: String
    /// The range of the value between its quotes.
    public var valueRange: SourceRange
    /// Maps offsets in `value` back to the source, for positions inside expressions.
    public var valueOrigin: TextOrigin
}

/// A run of character data between markup (comments dropped, CDATA included).
public struct SyntaxText: Sendable {
    /// The decoded text.
    public var text: String
    /// The range the text spans in the source.
    public var range: SourceRange
    /// Maps offsets in `text` back to the source.
    public var origin: TextOrigin

    /// Whether the text is only XML whitespace.
    public var isWhitespace: Bool {
        text.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    }
}

/// A child of an element.
public enum SyntaxNode: Sendable {
    case element(SyntaxElement)
    case text(SyntaxText)
}

/// An element as written, with the ranges every diagnostic needs.
public struct SyntaxElement: Sendable {
    /// The element name (a prefixed name keeps its prefix, e.g. `svg:rect`).
    public var name: String
    /// The range of the name in the start tag.
    public var nameRange: SourceRange
    /// From the start tag's `<` through the end tag's `>`.
    public var range: SourceRange
    /// The start tag alone.
    public var startTagRange: SourceRange
    /// The attributes in source order.
    public var attributes: [SyntaxAttribute]
    /// The children in source order.
    public var children: [SyntaxNode]

    /// The attribute named `name`, if present.
    public func attribute(_ name: String) -> SyntaxAttribute? {
        attributes.first { $0.name == name }
    }

    /// The child elements, skipping text.
    public var childElements: [SyntaxElement] {
        children.compactMap { if case .element(let e) = $0 { e } else { nil } }
    }

    /// The source text of the element, exactly as written.
    public func sourceText(in file: SourceFile) -> String { file.text(in: range) }

    /// The range of the name in the end tag; nil when the element closes itself (`<name/>`) or the
    /// end tag does not read `</name`.
    public func endTagNameRange(in file: SourceFile) -> SourceRange? {
        let bytes = file.bytes
        guard range.end.offset > startTagRange.end.offset, range.end.offset <= bytes.count else { return nil }
        var i = range.end.offset - 2
        while i > startTagRange.end.offset, !(bytes[i] == UInt8(ascii: "<") && bytes[i + 1] == UInt8(ascii: "/")) {
            i -= 1
        }
        let nameStart = i + 2
        let nameEnd = nameStart + name.utf8.count
        guard i >= startTagRange.end.offset, nameEnd <= bytes.count,
            file.text(in: file.range(nameStart, nameEnd)) == name
        else { return nil }
        return file.range(nameStart, nameEnd)
    }
}

/// A parsed template document: the source and its single root element.
public struct SyntaxDocument: Sendable {
    /// The source the tree was parsed from.
    public var file: SourceFile
    /// The root element.
    public var root: SyntaxElement
}
