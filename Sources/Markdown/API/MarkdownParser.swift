import CustomUICore

/// Parses markdown text: CommonMark 0.31.2 plus the GitHub extensions switched on in the options.
public enum MarkdownParser {
    /// Parses `text`; total: every input gives a document, in time linear in its length.
    public static func parse(_ text: String, options: MarkdownOptions = .default) -> MarkdownDocument {
        parse(source: SourceFile(path: "<markdown>", text: sanitized(text)), options: options)
    }

    /// Parses a source file's text (whose NUL characters must already be replaced).
    static func parse(source: SourceFile, options: MarkdownOptions) -> MarkdownDocument {
        let parser = BlockParser(bytes: source.bytes, options: options)
        let root = parser.parseAll()
        var builder = TreeBuilder(locate: source.range, options: options, definitions: parser.definitions)
        return MarkdownDocument(blocks: builder.blocks(root.children), source: source)
    }

    /// U+0000 is replaced by U+FFFD, as the spec requires for security.
    static func sanitized(_ text: String) -> String {
        guard text.utf8.contains(0) else { return text }
        return String(text.unicodeScalars.map { $0 == "\u{0}" ? "\u{FFFD}" : Character($0) })
    }
}
