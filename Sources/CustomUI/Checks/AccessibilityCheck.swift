import CustomUICore

extension DiagnosticCode {
    /// An input or button whose accessible name is empty.
    public static let a11yMissingLabel: Self = "a11y.missing-label"
    /// An image without `alt`.
    public static let a11yImageAlt: Self = "a11y.image-alt"
    /// A heading more than one level deeper than the heading before it.
    public static let a11yHeadingOrder: Self = "a11y.heading-order"
    /// A link with no text.
    public static let a11yEmptyLink: Self = "a11y.empty-link"
}

/// Checks that the view can be used with a screen reader: labelled inputs and buttons, images
/// with text alternatives, headings in order, links with text.
struct AccessibilityCheck {
    let file: SourceFile?
    var diagnostics: [Diagnostic] = []
    private var lastHeading: Int?

    init(file: SourceFile?) { self.file = file }

    mutating func check(_ nodes: [TemplateNode]) {
        for node in nodes {
            switch node {
            case .element(let e): check(e)
            case .text: break
            case .conditional(let branches): for branch in branches { check(branch.children) }
            case .loop(let loop): check(loop.children)
            }
        }
    }

    private mutating func check(_ e: ElementNode) {
        switch e.name {
        case "variable", "message-input", "follow-up", "run", "cancel", "reset":
            if let label = e.attributes["label"], case .literal(let text) = label,
                text.trimmingCharacters(in: .whitespaces).isEmpty
            {
                diagnostics.append(
                    .error(
                        .a11yMissingLabel, "`\(e.name)` has an empty label, so screen readers announce nothing",
                        file: file?.path,
                        range: e.attributeRanges["label"] ?? e.nameRange,
                        hint: "write a short label that says what it is for"))
            }
        case "image":
            if e.attributes["alt"] == nil {
                diagnostics.append(
                    .error(
                        .a11yImageAlt, "`image` has no `alt` text", file: file?.path, range: e.nameRange,
                        hint: "describe the image in `alt`, or write `alt=\"\"` if it is decorative"))
            }
        case "heading", "section":
            let level = Int(e.literal("level") ?? (e.name == "section" ? "2" : "")) ?? 0
            if level > 0 {
                if let last = lastHeading, level > last + 1 {
                    diagnostics.append(
                        .warning(
                            .a11yHeadingOrder, "heading level \(level) follows level \(last), skipping a level",
                            file: file?.path,
                            range: e.attributeRanges["level"] ?? e.nameRange,
                            hint: "use level \(last + 1), so the outline has no gaps"))
                }
                lastHeading = level
            }
        case "link":
            if e.children.isEmpty {
                diagnostics.append(
                    .error(
                        .a11yEmptyLink, "`link` has no text", file: file?.path, range: e.nameRange,
                        hint: "put the link text inside: `<link href=\"…\">what it opens</link>`"))
            }
        default:
            break
        }
        check(e.children)
    }
}
