/// The element reference in docs/language.md, generated from `Vocabulary` so it always matches.
public enum VocabularyReference {
    /// Markers around the generated part of docs/language.md.
    public static let begin =
        "<!-- BEGIN GENERATED: customui vocabulary; edit Vocabulary.swift, then CUSTOMUI_RECORD=1 swift test -->"
    public static let end = "<!-- END GENERATED -->"

    /// Markdown tables: one section per category, one entry per element.
    public static func markdown() -> String {
        var out = begin + "\n"
        for category in ElementCategory.allCases {
            let elements = Vocabulary.elements.filter { $0.category == category }
            guard !elements.isEmpty else { continue }
            out += "\n### \(category.rawValue)\n"
            for spec in elements {
                out += "\n#### `<\(spec.name)>`\n\n\(spec.summary.prefix(1).uppercased() + spec.summary.dropFirst()). "
                out += "Content: \(content(spec)).\n"
                if !spec.attributes.isEmpty {
                    out += "\n| attribute | takes | default | meaning |\n| --- | --- | --- | --- |\n"
                    for a in spec.attributes {
                        let name = a.required ? "`\(a.name)` (required)" : "`\(a.name)`"
                        let takes = a.kind.summary.replacingOccurrences(of: "|", with: "\\|")
                        out += "| \(name) | \(takes) | \(a.defaultValue.map { "`\($0)`" } ?? "") | \(a.summary) |\n"
                    }
                }
            }
        }
        out += "\n### Run fields\n\n| `run.…` | holds |\n| --- | --- |\n"
        for (name, summary) in RunScope.fields { out += "| `\(name)` | \(summary) |\n" }
        return out + "\n" + end
    }

    private static func content(_ spec: ElementSpec) -> String {
        if spec.category == .control { return "whatever its parent allows (control elements are transparent)" }
        switch spec.content {
        case .empty: return "none (write `<\(spec.name) …/>`)"
        case .inline: return "text with `{{ }}` and inline elements"
        case .blocks: return "block elements"
        case .text: return "text with `{{ }}`, no elements"
        case .json: return "a JSON document"
        case .children(let names): return names.map { "`\($0)`" }.joined(separator: ", ")
        }
    }
}
