import CustomUICore
import Foundation

/// A replacement of the text in `range` (in the diagnostic's file).
public struct TextEdit: Sendable, Hashable {
    public var range: SourceRange
    public var text: String

    public init(range: SourceRange, text: String) {
        self.range = range
        self.text = text
    }
}

/// One way to fix a diagnostic: a title and the edits that apply it together.
public struct DiagnosticFix: Sendable, Hashable {
    public var message: String
    public var edits: [TextEdit]
}

/// Machine-applicable fixes for diagnostics whose hint names the replacement.
///
/// Derived from the diagnostic and its source, never guessed: a did-you-mean is offered only when
/// the diagnostic's range holds exactly one misspelt name (an unknown element's end tag is renamed
/// with it), and "remove the `{{ }}`" only when the braces are where the diagnostic points.
public enum DiagnosticFixes {
    /// The fixes for `diagnostic`, whose range is in `file`.
    public static func fixes(for diagnostic: Diagnostic, in file: SourceFile) -> [DiagnosticFix] {
        guard let range = diagnostic.range, let hint = diagnostic.hint,
            diagnostic.file == nil || diagnostic.file == file.path,
            range.end.offset <= file.bytes.count, range.start.offset < range.end.offset
        else { return [] }
        var fixes: [DiagnosticFix] = []
        for suggestion in suggestions(in: hint) {
            let written = file.text(in: range)
            guard isName(written), isName(suggestion), written != suggestion else { continue }
            var edits = [TextEdit(range: range, text: suggestion)]
            if diagnostic.code == .templateUnknownElement {
                guard let end = endTagName(of: written, at: range, in: file) else { continue }
                if let end { edits.append(TextEdit(range: end, text: suggestion)) }
            }
            fixes.append(DiagnosticFix(message: "change `\(written)` to `\(suggestion)`", edits: edits))
        }
        if hint.contains("remove the `{{ }}`"), let edits = braceRemoval(at: range.start.offset, in: file) {
            fixes.append(DiagnosticFix(message: "remove the `{{ }}`", edits: edits))
        }
        return fixes
    }

    /// The names in `did you mean `X`?` (and `X` or `Y`) in a hint.
    static func suggestions(in hint: String) -> [String] {
        guard let start = hint.range(of: "did you mean ") else { return [] }
        let rest = hint[start.upperBound...]
        guard let stop = rest.firstIndex(of: "?") else { return [] }
        return rest[..<stop].split(separator: "`", omittingEmptySubsequences: false).enumerated().filter {
            $0.offset % 2 == 1
        }.map { String($0.element) }
    }

    static func isName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 128
            && s.unicodeScalars.allSatisfy {
                $0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.:".unicodeScalars.contains($0)
            }
    }

    /// The range of the end tag's name of the element whose start-tag name is at `range`; `.some(nil)`
    /// when the element is self-closing, `nil` when it cannot be found.
    static func endTagName(of name: String, at range: SourceRange, in file: SourceFile) -> SourceRange?? {
        guard let root = TemplateParser.parse(file).document?.root else { return nil }
        var found: SyntaxElement?
        func walk(_ element: SyntaxElement) {
            if found != nil { return }
            if element.nameRange == range { found = element }
            element.childElements.forEach(walk)
        }
        walk(root)
        guard let element = found else { return nil }
        if element.range.end.offset == element.startTagRange.end.offset { return .some(nil) }
        let bytes = file.bytes
        var i = element.range.end.offset - 2
        while i > element.startTagRange.end.offset,
            !(bytes[i] == UInt8(ascii: "<") && bytes[i + 1] == UInt8(ascii: "/"))
        { i -= 1 }
        let nameStart = i + 2
        let nameEnd = nameStart + name.utf8.count
        guard nameEnd <= bytes.count, file.text(in: file.range(nameStart, nameEnd)) == name else { return nil }
        return .some(file.range(nameStart, nameEnd))
    }

    /// Edits that delete the `{{` at `offset` and its `}}` (with the spaces just inside them).
    static func braceRemoval(at offset: Int, in file: SourceFile) -> [TextEdit]? {
        let bytes = file.bytes
        guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "{"), bytes[offset + 1] == UInt8(ascii: "{")
        else { return nil }
        var open = offset + 2
        while open < bytes.count, bytes[open] == 0x20 { open += 1 }
        var i = open
        while i + 1 < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "'"),
            bytes[i] != UInt8(ascii: "<")
        {
            if bytes[i] == UInt8(ascii: "}"), bytes[i + 1] == UInt8(ascii: "}") {
                var close = i
                while close > open, bytes[close - 1] == 0x20 { close -= 1 }
                return [
                    TextEdit(range: file.range(offset, open), text: ""),
                    TextEdit(range: file.range(close, i + 2), text: ""),
                ]
            }
            i += 1
        }
        return nil
    }

    /// Applies non-overlapping edits to `file`'s text.
    public static func apply(_ edits: [TextEdit], to file: SourceFile) -> String {
        var bytes = file.bytes
        for edit in edits.sorted(by: { $0.range.start.offset > $1.range.start.offset }) {
            bytes.replaceSubrange(edit.range.start.offset..<edit.range.end.offset, with: Array(edit.text.utf8))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
