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
            out += "\(gutter)= \(paint("hint", .bold)): \(hint)\n"
        }
        for note in diagnostic.notes {
            var location = ""
            if let file = note.file ?? diagnostic.file, let range = note.range {
                location = " (\(file):\(range.start.line):\(range.start.column))"
            }
            out += "\(gutter)= \(paint("note", .bold)): \(note.message)\(location)\n"
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
        var location = d.file ?? "<input>"
        if let range = d.range { location += ":\(range.start.line):\(range.start.column)" }
        let style: Style = d.severity == .error ? .red : (d.severity == .warning ? .yellow : .cyan)
        return "\(paint(location, .bold)): \(paint("\(d.severity.rawValue)[\(d.code)]", style)): \(d.message)"
    }

    private func gutterWidth(_ d: Diagnostic) -> Int {
        guard let range = d.range, d.file.flatMap({ sources[$0] }) != nil else { return 0 }
        return String(range.start.line).count + 1
    }

    private func excerpt(_ source: SourceFile, _ range: SourceRange) -> String {
        let lineNumber = range.start.line
        let line = source.line(lineNumber)
        let gutter = String(repeating: " ", count: String(lineNumber).count + 1)
        // Expand tabs so the caret lines up; measure display width so wide characters do too.
        var shown = ""
        var caretPad = 0
        var underline = 0
        var column = 1
        let endColumn = range.end.line == lineNumber ? range.end.column : Int.max
        for scalar in line.unicodeScalars {
            let text = scalar == "\t" ? "    " : String(scalar)
            let width = scalar == "\t" ? 4 : DisplayWidth.of(scalar)
            shown += text
            if column < range.start.column {
                caretPad += width
            } else if column < endColumn {
                underline += width
            }
            column += 1
        }
        let marks = "^" + String(repeating: "~", count: max(0, underline - 1))
        var out = "\(gutter)|\n"
        out += "\(paint(String(lineNumber), .bold)) | \(shown)\n"
        out += "\(gutter)| \(String(repeating: " ", count: caretPad))\(paint(marks, .red))\n"
        return out
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
    /// `{"severity","code","message","line","column","endLine","endColumn","hint"}` plus notes.
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
