import CustomUICore

extension DiagnosticCatalog {
    /// The explanation of one code: summary, example input, and what `customui validate` prints for it.
    public static func explain(_ info: DiagnosticInfo) -> String {
        var out = "\(info.code): \(info.summary)\n"
        guard let example = info.example else {
            if let test = info.testedBy { out += "\n(no short example; covered by \(test))\n" }
            return out
        }
        let (files, report) = example.validate()
        out += "\nexample:\n"
        if let summary = example.summary {
            out += "  \(summary)\n"
        } else {
            for file in [files.ui, files.prompt, files.props].compactMap({ $0 })
            where showsInput(file, example: example) {
                out += "\n  \(file.path):\n"
                for line in file.text.split(separator: "\n", omittingEmptySubsequences: false) {
                    out += "    \(line)\n"
                }
            }
        }
        let own = report.diagnostics.filter { $0.code == info.code }
        out += "\noutput:\n\n"
        for line in DiagnosticRenderer(sources: report.sources).render(own).split(separator: "\n") {
            out += "    \(line)\n"
        }
        if let fixes = fixList(own) { out += "\nfixes (validate --fix, editor code actions): \(fixes)\n" }
        return out
    }

    /// The distinct fix messages of `diagnostics`, or nil when they carry none.
    static func fixList(_ diagnostics: [Diagnostic]) -> String? {
        var seen = Set<String>()
        let messages = diagnostics.flatMap(\.fixes).map(\.message).filter { seen.insert($0).inserted }
        return messages.isEmpty ? nil : messages.joined(separator: "; ")
    }

    /// docs/diagnostics.md: every code, grouped by stage, each with its example and real output.
    public static func markdown() -> String {
        var out = """
            # Diagnostics

            Every diagnostic has a stable code, a position (file, line, column) and, where there is
            something to say, a hint. Where the hint names a replacement, the diagnostic also carries
            machine-applicable fixes (shown as "Fix:" below): `customui validate --format json` prints
            them with the same fields for tools, `customui validate --fix` applies the unambiguous ones
            and `customui lsp` offers them as code actions. This page is generated from the engine
            (`customui explain --markdown`), and the test suite runs every example below and checks
            the code is reported at the position shown.

            Examples without their own prompt use this one:

            ```json
            \(standardPrompt)
            ```

            Every code any command prints is here, from the template checks to `render`, `run`,
            the library (`library.*`) and the JSON Schema validator (`schema.*`); `limit.*` codes
            name the budget that ran out (docs/language.md, "Budgets").

            """
        var group = ""
        for info in entries {
            let prefix = String(info.code.rawValue.prefix { $0 != "." })
            let title = groupTitles[prefix] ?? prefix
            if title != group {
                group = title
                out += "\n## \(title)\n"
            }
            out += "\n### `\(info.code)`\n\n\(info.summary.prefix(1).uppercased() + info.summary.dropFirst()).\n"
            guard let example = info.example else {
                out += "\nNo short example: covered by `\(info.testedBy ?? "?")`.\n"
                continue
            }
            let (files, report) = example.validate()
            if let summary = example.summary {
                out += "\nInput: \(summary).\n"
            } else {
                for file in [files.ui, files.prompt, files.props].compactMap({ $0 })
                where showsInput(file, example: example) {
                    let language = file.path.hasSuffix(".json") ? "json" : "xml"
                    out += "\n`\(file.path)`:\n\n```\(language)\n\(file.text)\n```\n"
                }
            }
            let own = report.diagnostics.filter { $0.code == info.code }
            out += "\n```text\n\(DiagnosticRenderer(sources: report.sources).render(own))```\n"
            if let fixes = fixList(own) { out += "\nFix: \(fixes).\n" }
        }
        return out
    }

    /// Shows the files an example is about: its template (or definition) and any file it wrote
    /// itself, but not the standard prompt it borrowed.
    private static func showsInput(_ file: SourceFile, example: DiagnosticExample) -> Bool {
        if file.path.hasSuffix(".prompt.json") { return example.prompt != nil }
        return true
    }

    static let groupTitles = [
        "xml": "XML", "limit": "Limits", "template": "Template structure", "expr": "Expressions", "binding": "Bindings",
        "props": "Props", "prompt": "Prompt", "mode": "Execution modes", "a11y": "Accessibility",
        "definition": "Definitions",
        "json": "JSON", "layout": "Layout and styling", "style": "Layout and styling",
        "render": "Rendering with caller values",
        "run": "Runs", "library": "Library", "schema": "JSON Schema", "input": "Inputs",
        "ui": "Tuning the generated UI",
    ]
}
