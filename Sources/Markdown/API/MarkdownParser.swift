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
        let locator = Locator(source)
        var builder = TreeBuilder(locate: locator.range, options: options, definitions: parser.definitions)
        return MarkdownDocument(blocks: builder.blocks(root.children), source: source)
    }

    /// U+0000 is replaced by U+FFFD, as the spec requires for security.
    static func sanitized(_ text: String) -> String {
        var text = text
        let hasNUL = text.withUTF8 { buffer in buffer.contains(0) }
        guard hasNUL else { return text }
        return String(text.unicodeScalars.map { $0 == "\u{0}" ? "\u{FFFD}" : Character($0) })
    }
}

/// Offsets to line:column for blocks visited in source order: it remembers the last line found,
/// so most lookups are a step or two instead of a binary search.
final class Locator {
    private let bytes: [UInt8]
    private let lineStarts: [Int]
    private var hint = 0

    init(_ source: SourceFile) {
        bytes = source.bytes
        lineStarts = source.lineStarts
    }

    func range(_ a: Int, _ b: Int) -> SourceRange {
        SourceRange(start: location(a), end: location(b))
    }

    func location(_ offset: Int) -> SourceLocation {
        let offset = min(max(offset, 0), bytes.count)
        var line = hint
        if line >= lineStarts.count || lineStarts[line] > offset {
            line = 0
        }
        if line + 1 < lineStarts.count, lineStarts[line + 1] <= offset {
            if line + 2 < lineStarts.count, lineStarts[line + 2] > offset {
                line += 1
            } else {
                var low = line
                var high = lineStarts.count - 1
                while low < high {
                    let mid = (low + high + 1) / 2
                    if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
                }
                line = low
            }
        }
        hint = line
        var column = 1
        var i = lineStarts[line]
        while i < offset {
            if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return SourceLocation(offset: offset, line: line + 1, column: column)
    }
}
