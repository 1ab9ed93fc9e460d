/// Prints diagnostics for people: `file:line:col: error[code]: message`, the source line, and a
/// caret with an underline under the range, then the hint and notes.
///
/// ```
/// ui.xml:3:4: error[template.unknown-element]: unknown element `headng`
///   |
/// 3 |   <headng level="1">Title</headng>
///   |    ^~~~~~
///   = hint: did you mean `heading`?
/// ```
public struct DiagnosticRenderer: Sendable {
    /// Source files by path, for printing excerpts.
    public var sources: [String: SourceFile]
    /// Whether to colour severity labels and carets with ANSI escapes.
    public var color: Bool

    /// A renderer over some source files.
    public init(sources: [SourceFile] = [], color: Bool = false) {
        self.sources = Dictionary(sources.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        self.color = color
    }

    /// One diagnostic, with its excerpt, hint and notes, ending in a newline.
    public func render(_ diagnostic: Diagnostic) -> String {
        var out = header(diagnostic)
        out += "\n"
        let source = diagnostic.file.flatMap { sources[$0] }
        if let range = diagnostic.range, let source {
            out += excerpt(source, range)
        }
        let gutter = String(repeating: " ", count: max(2, gutterWidth(diagnostic)))
        if let hint = diagnostic.hint {
            out += "\(gutter)= \(paint("hint", .bold)): \(TerminalText.visible(hint))\n"
        }
        for note in diagnostic.notes {
            var location = ""
            if let file = note.file ?? diagnostic.file, let range = note.range {
                location = " (\(TerminalText.visible(file)):\(range.start.line):\(range.start.column))"
            }
            out += "\(gutter)= \(paint("note", .bold)): \(TerminalText.visible(note.message))\(location)\n"
        }
        return out
    }

    /// All diagnostics, sorted by location, with a closing count line.
    public func render(_ diagnostics: [Diagnostic]) -> String {
        var out = ""
        for diagnostic in diagnostics.sortedByLocation() {
            out += render(diagnostic)
        }
        return out
    }

    /// A summary such as `2 errors, 1 warning`.
    public static func summary(_ diagnostics: [Diagnostic]) -> String {
        let errors = diagnostics.count { $0.severity == .error }
        let warnings = diagnostics.count { $0.severity == .warning }
        func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        return "\(plural(errors, "error")), \(plural(warnings, "warning"))"
    }

    private func header(_ d: Diagnostic) -> String {
        // Messages quote source text and paths; neither may drive the terminal.
        var location = TerminalText.visible(d.file ?? "<input>")
        if let range = d.range { location += ":\(range.start.line):\(range.start.column)" }
        let style: Style = d.severity == .error ? .red : (d.severity == .warning ? .yellow : .cyan)
        let label = paint("\(d.severity.rawValue)[\(d.code)]", style)
        return "\(paint(location, .bold)): \(label): \(TerminalText.visible(d.message))"
    }

    private func gutterWidth(_ d: Diagnostic) -> Int {
        guard let range = d.range, d.file.flatMap({ sources[$0] }) != nil else { return 0 }
        return String(range.start.line).count + 1
    }

    /// The most columns of a line an excerpt shows; longer lines (minified templates) are cut
    /// to a window around the range, marked with `…`, as compilers do.
    public static let excerptColumns = 100
    /// Columns of context kept before the range when a line is cut.
    static let excerptLeadingColumns = 30

    private func excerpt(_ source: SourceFile, _ range: SourceRange) -> String {
        let lineNumber = range.start.line
        let gutter = String(repeating: " ", count: String(lineNumber).count + 1)
        let window = Self.excerptWindow(source, range)
        // Expand tabs so the caret lines up, show controls visibly, and measure display width so
        // wide characters line up too. The work is bounded by the window, not by the line.
        var shown = window.cutBefore ? "…" : ""
        var caretPad = window.cutBefore ? 1 : 0
        var underline = 0
        var offset = window.start
        for scalar in String(decoding: source.bytes[window.start..<window.end], as: UTF8.self).unicodeScalars {
            let text =
                scalar == "\t" ? "    " : TerminalText.isControl(scalar) ? TerminalText.picture(scalar) : String(scalar)
            let width = scalar == "\t" ? 4 : DisplayWidth.of(text)
            shown += text
            if offset < range.start.offset {
                caretPad += width
            } else if offset < range.end.offset {
                underline += width
            }
            offset += scalar.utf8.count
        }
        if window.cutAfter { shown += "…" }
        let marks = "^" + String(repeating: "~", count: max(0, underline - 1))
        var out = "\(gutter)|\n"
        out += "\(paint(String(lineNumber), .bold)) | \(shown)\n"
        out += "\(gutter)| \(String(repeating: " ", count: caretPad))\(paint(marks, .red))\n"
        return out
    }

    /// The bytes of the range's first line to quote: the whole line when it fits in
    /// `excerptColumns`, else a window of that many columns (as shown: tabs as four, controls as
    /// their visible forms) from the line start when the range starts near it, or from a little
    /// before the range. Found by stepping over UTF-8 bytes from the range's offset, so a
    /// megabyte-long line costs no more than a short one.
    static func excerptWindow(_ source: SourceFile, _ range: SourceRange) -> (
        start: Int, end: Int, cutBefore: Bool, cutAfter: Bool
    ) {
        let bytes = source.bytes
        let line = source.lineByteRange(range.start.line)
        let anchor = min(max(range.start.offset, line.lowerBound), line.upperBound)
        /// The columns the scalar starting at byte `i` takes when shown, and where the next one starts.
        func step(_ i: Int) -> (width: Int, next: Int) {
            var next = i + 1
            while next < line.upperBound, bytes[next] & 0xC0 == 0x80 { next += 1 }
            guard let scalar = String(decoding: bytes[i..<next], as: UTF8.self).unicodeScalars.first else {
                return (1, next)
            }
            if scalar == "\t" { return (4, next) }
            if TerminalText.isControl(scalar) { return (TerminalText.picture(scalar).count, next) }
            return (max(DisplayWidth.of(scalar), 1), next)
        }
        func back(from i: Int, columns: Int) -> (start: Int, used: Int) {
            var start = i
            var used = 0
            while start > line.lowerBound {
                var previous = start - 1
                while previous > line.lowerBound, bytes[previous] & 0xC0 == 0x80 { previous -= 1 }
                let width = step(previous).width
                if used + width > columns { break }
                used += width
                start = previous
            }
            return (start, used)
        }
        // From the line start when the range begins in its first two thirds of a window.
        var (start, used) = back(from: anchor, columns: excerptColumns * 2 / 3)
        if start > line.lowerBound { (start, used) = back(from: anchor, columns: excerptLeadingColumns) }
        var end = anchor
        while end < line.upperBound {
            let (width, next) = step(end)
            if used + width > excerptColumns { break }
            used += width
            end = next
        }
        // Near the end of the line: spend what is left on more context before the range.
        if end == line.upperBound, start > line.lowerBound {
            let more = back(from: start, columns: excerptColumns - used)
            start = more.start
        }
        return (start, end, start > line.lowerBound, end < line.upperBound)
    }

    private enum Style: String {
        case bold = "1"
        case red = "1;31"
        case yellow = "1;33"
        case cyan = "1;36"
    }

    private func paint(_ text: String, _ style: Style) -> String {
        color ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }
}

extension Diagnostic {
    /// The machine-readable form used by `--format json`:
    /// `{"severity","code","message","line","column","endLine","endColumn","hint","fixes"}` plus notes;
    /// each fix is `{"message","edits":[{"line","column","endLine","endColumn","text"}]}`.
    public var jsonValue: Value {
        var object = ValueObject()
        object["severity"] = .string(severity.rawValue)
        object["code"] = .string(code.rawValue)
        object["message"] = .string(message)
        if let file { object["file"] = .string(file) }
        if let range {
            object["line"] = .int(range.start.line)
            object["column"] = .int(range.start.column)
            object["endLine"] = .int(range.end.line)
            object["endColumn"] = .int(range.end.column)
        }
        object["hint"] = hint.map(Value.string) ?? .null
        object["fixes"] = .array(
            fixes.map { fix in
                [
                    "message": .string(fix.message),
                    "edits": .array(
                        fix.edits.map {
                            [
                                "line": .int($0.range.start.line), "column": .int($0.range.start.column),
                                "endLine": .int($0.range.end.line), "endColumn": .int($0.range.end.column),
                                "text": .string($0.text),
                            ]
                        }),
                ]
            })
        if !notes.isEmpty {
            object["notes"] = .array(
                notes.map { note in
                    var n = ValueObject()
                    n["message"] = .string(note.message)
                    if let file = note.file { n["file"] = .string(file) }
                    if let range = note.range {
                        n["line"] = .int(range.start.line)
                        n["column"] = .int(range.start.column)
                    }
                    return .object(n)
                })
        }
        return .object(object)
    }
}
