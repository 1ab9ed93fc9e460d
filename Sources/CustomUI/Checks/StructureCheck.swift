import CustomUICore
import Foundation

extension DiagnosticCode {
    /// The root element is not `custom-ui`.
    public static let templateWrongRoot: Self = "template.wrong-root"
    /// An element outside the vocabulary.
    public static let templateUnknownElement: Self = "template.unknown-element"
    /// An attribute the element does not take.
    public static let templateUnknownAttribute: Self = "template.unknown-attribute"
    /// A required attribute is absent.
    public static let templateMissingAttribute: Self = "template.missing-attribute"
    /// An attribute value of the wrong form (not a choice, number, boolean or name).
    public static let templateInvalidValue: Self = "template.invalid-attribute-value"
    /// An element where its parent does not allow it.
    public static let templateMisplacedElement: Self = "template.misplaced-element"
    /// Text where only elements are allowed.
    public static let templateUnexpectedText: Self = "template.unexpected-text"
    /// `else` or `else-if` without an `if` before it.
    public static let templateOrphanElse: Self = "template.orphan-else"
    /// An element that may appear only once appears again (`view`, `props-schema`, …).
    public static let templateDuplicateElement: Self = "template.duplicate-element"
    /// The root has no `view`.
    public static let templateMissingView: Self = "template.missing-view"
    /// Two slots share a name.
    public static let templateDuplicateSlot: Self = "template.duplicate-slot"
    /// A literal URL with a scheme outside the allowlist (`javascript:`, `vbscript:`, `data:` …).
    public static let templateUnsafeURL: Self = "template.unsafe-url"
}

/// Checks a template tree against the vocabulary: known elements and attributes, required
/// attributes, attribute forms, nesting, text placement, `else` chains and slot names.
struct StructureCheck {
    let file: SourceFile
    /// In a definition JSON the root's metadata lives in the columns, so its attributes are optional.
    let rootAttributesOptional: Bool
    var diagnostics: [Diagnostic] = []
    private var slotNames: [String: SourceRange] = [:]

    init(file: SourceFile, rootAttributesOptional: Bool = false) {
        self.file = file
        self.rootAttributesOptional = rootAttributesOptional
    }

    /// Where an element sits, which decides what it may contain.
    enum Context: Equatable {
        case blocks
        case inline
        case listItems
        case text
        case json
        case empty
        case children([String])

        var description: String {
            switch self {
            case .blocks: "block content"
            case .inline: "inline content"
            case .listItems: "a list"
            case .text: "text content"
            case .json: "JSON content"
            case .empty: "an empty element"
            case .children: "this element"
            }
        }
    }

    mutating func check(_ root: SyntaxElement) {
        guard root.name == "custom-ui" else {
            diagnostics.append(
                .error(
                    .templateWrongRoot, "the root element must be `custom-ui`, not `\(root.name)`", file: file.path,
                    range: root.nameRange, hint: "wrap the template in `<custom-ui name=\"…\">…</custom-ui>`"))
            return
        }
        checkAttributes(root, Vocabulary.byName["custom-ui"]!, requireAttributes: !rootAttributesOptional)
        var seen: [String: SourceRange] = [:]
        for child in root.childElements {
            if ["view", "props-schema", "default-props", "layout-config", "styling-config"].contains(child.name) {
                if let first = seen[child.name] {
                    diagnostics.append(
                        .error(
                            .templateDuplicateElement, "`\(child.name)` appears more than once", file: file.path,
                            range: child.nameRange, hint: "keep one `\(child.name)`",
                            notes: [DiagnosticNote("first `\(child.name)` is here", range: first)]))
                }
                seen[child.name] = seen[child.name] ?? child.nameRange
            }
        }
        if seen["view"] == nil {
            diagnostics.append(
                .error(
                    .templateMissingView, "`custom-ui` has no `view`", file: file.path, range: root.nameRange,
                    hint: "add `<view>…</view>` with the UI's content"))
        }
        checkChildren(of: root, context: context(for: Vocabulary.byName["custom-ui"]!))
    }

    private func context(for spec: ElementSpec) -> Context {
        switch spec.content {
        case .empty: .empty
        case .inline: .inline
        case .blocks: .blocks
        case .text: .text
        case .json: .json
        case .children(let names): spec.name == "list" ? .listItems : .children(names)
        }
    }

    private mutating func checkChildren(of element: SyntaxElement, context: Context) {
        var previous: SyntaxElement?
        for child in element.children {
            switch child {
            case .text(let text):
                if text.isWhitespace { continue }
                switch context {
                case .inline, .text, .json: break
                default:
                    let trimmed = trimmedRange(text)
                    diagnostics.append(
                        .error(
                            .templateUnexpectedText, "text is not allowed directly inside `\(element.name)`",
                            file: file.path,
                            range: trimmed, hint: "put text in `<text>`, `<heading>` or another element that holds text"
                        ))
                }
                previous = nil
            case .element(let e):
                checkElement(e, in: context, parent: element, previous: previous)
                previous = e
            }
        }
    }

    private mutating func checkElement(
        _ e: SyntaxElement, in context: Context, parent: SyntaxElement, previous: SyntaxElement?
    ) {
        guard let spec = Vocabulary.byName[e.name] else {
            let guesses = Suggestions.nearest(to: e.name, in: Vocabulary.elements.map(\.name))
            let endTag = e.endTagNameRange(in: file)
            diagnostics.append(
                .error(
                    .templateUnknownElement, "unknown element `\(e.name)`", file: file.path, range: e.nameRange,
                    hint: Suggestions.didYouMean(guesses)
                        ?? "the vocabulary is closed: see docs/language.md for the elements",
                    fixes: Fix.replacing(e.nameRange, in: file, written: e.name, with: guesses) { name in
                        endTag.map { [TextEdit(range: $0, text: name)] } ?? []
                    }))
            return
        }
        if !allowed(spec, in: context) {
            diagnostics.append(
                .error(
                    .templateMisplacedElement, "`\(e.name)` is not allowed inside `\(parent.name)`", file: file.path,
                    range: e.nameRange, hint: placementHint(spec, parent: parent, context: context)))
        }
        if e.name == "else" || e.name == "else-if" {
            if previous.map({ $0.name == "if" || $0.name == "else-if" }) != true {
                diagnostics.append(
                    .error(
                        .templateOrphanElse, "`\(e.name)` must directly follow an `if` or `else-if`", file: file.path,
                        range: e.nameRange, hint: "move it right after the `</if>` it belongs to"))
            }
        }
        checkAttributes(e, spec)
        if e.name == "slot", let name = e.attribute("name") {
            if let first = slotNames[name.value] {
                diagnostics.append(
                    .error(
                        .templateDuplicateSlot, "slot `\(name.value)` is declared twice", file: file.path,
                        range: name.valueRange,
                        hint: "give each slot its own name",
                        notes: [DiagnosticNote("first declared here", range: first)]))
            } else {
                slotNames[name.value] = name.valueRange
            }
        }
        // Control elements are transparent: their content follows the context they stand in.
        let childContext = spec.category == .control ? context : self.context(for: spec)
        if childContext == .empty {
            if let child = e.childElements.first {
                diagnostics.append(
                    .error(
                        .templateMisplacedElement, "`\(e.name)` takes no content, but contains `\(child.name)`",
                        file: file.path,
                        range: child.nameRange, hint: "write `<\(e.name) …/>`"))
                return
            }
        }
        checkChildren(of: e, context: childContext)
    }

    private func allowed(_ spec: ElementSpec, in context: Context) -> Bool {
        switch context {
        case .blocks: spec.isBlock
        case .inline: spec.isInline
        case .listItems: spec.name == "item" || spec.category == .control
        case .children(let names): names.contains(spec.name)
        case .text, .json, .empty: false
        }
    }

    private func placementHint(_ spec: ElementSpec, parent: SyntaxElement, context: Context) -> String {
        switch context {
        case .inline where spec.isBlock:
            return "`\(parent.name)` holds text and inline elements; put `\(spec.name)` next to it instead"
        case .blocks where spec.isInline:
            return "`\(spec.name)` is inline: put it inside `text`, `heading`, `item`, `link` or `badge`"
        case .blocks where spec.name == "item":
            return "`item` belongs inside `list`"
        case .listItems:
            return "`list` may contain only `item` (and `if`/`each` around items)"
        case .children(let names):
            return "`\(parent.name)` may contain " + names.map { "`\($0)`" }.joined(separator: ", ")
        case .text, .json:
            return "`\(parent.name)` holds only text"
        default:
            return spec.category == .document
                ? "`\(spec.name)` belongs directly inside `custom-ui`"
                : "see docs/language.md for where `\(spec.name)` may appear"
        }
    }

    private mutating func checkAttributes(_ e: SyntaxElement, _ spec: ElementSpec, requireAttributes: Bool = true) {
        for attribute in e.attributes {
            guard let attributeSpec = spec.attribute(attribute.name) else {
                let names = spec.attributes.map(\.name)
                let guesses = Suggestions.nearest(to: attribute.name, in: names.filter { e.attribute($0) == nil })
                diagnostics.append(
                    .error(
                        .templateUnknownAttribute, "`\(e.name)` has no attribute `\(attribute.name)`", file: file.path,
                        range: attribute.nameRange,
                        hint: Suggestions.didYouMean(guesses)
                            ?? (names.isEmpty
                                ? "`\(e.name)` takes no attributes"
                                : "valid attributes: " + names.map { "`\($0)`" }.joined(separator: ", ")),
                        fixes: Fix.replacing(attribute.nameRange, in: file, written: attribute.name, with: guesses)))
                continue
            }
            checkValue(attribute, attributeSpec, element: e)
        }
        for attributeSpec in spec.attributes
        where requireAttributes && attributeSpec.required && e.attribute(attributeSpec.name) == nil {
            diagnostics.append(
                .error(
                    .templateMissingAttribute,
                    "`\(e.name)` needs \(attributeSpec.name.first.map { "aeiou".contains($0) } == true ? "an" : "a") `\(attributeSpec.name)` attribute",
                    file: file.path,
                    range: e.nameRange, hint: "add \(attributeSpec.name)=\"…\": \(attributeSpec.summary)",
                    fixes: Self.missingAttributeFixes(e, attributeSpec.name, in: file)))
        }
    }

    private mutating func checkValue(_ attribute: SyntaxAttribute, _ spec: AttributeSpec, element: SyntaxElement) {
        let value = attribute.value
        var valid = true
        switch spec.kind {
        case .choice(let words): valid = words.contains(value)
        case .boolean: valid = value == "true" || value == "false"
        case .integer(let range): valid = Int(value).map(range.contains) ?? false
        case .identifier, .variableName: valid = Self.isIdentifier(value)
        case .text where spec.required: valid = !value.trimmingCharacters(in: .whitespaces).isEmpty
        case .url:
            if !value.contains("{{"), let scheme = URLPolicy.disallowedScheme(value, image: element.name == "image") {
                diagnostics.append(
                    .error(
                        .templateUnsafeURL, "`\(scheme):` URLs are not allowed in `\(attribute.name)`", file: file.path,
                        range: attribute.valueRange,
                        hint: element.name == "image"
                            ? "use an http, https or relative URL, or a data: URL of a PNG, JPEG, GIF, WebP, AVIF or BMP image"
                            : "use an http, https, mailto or relative URL"))
            }
        default: break
        }
        if !valid {
            var hint = "`\(attribute.name)` takes \(spec.kind.summary)"
            var guesses: [String] = []
            if case .choice(let words) = spec.kind {
                guesses = Suggestions.nearestChoices(to: value, in: words)
            } else if case .boolean = spec.kind {
                guesses = Suggestions.nearestChoices(to: value.lowercased(), in: ["true", "false"])
            }
            if let didYouMean = Suggestions.didYouMean(guesses) { hint = didYouMean + " " + hint }
            diagnostics.append(
                .error(
                    .templateInvalidValue, "`\(value)` is not a valid `\(attribute.name)` for `\(element.name)`",
                    file: file.path,
                    range: attribute.valueRange, hint: hint,
                    fixes: Fix.replacing(attribute.valueRange, in: file, written: value, with: guesses)))
        }
    }

    /// An attribute whose value can be chosen without knowing the author's intent: a loop's `as`
    /// (`item`, the name a loop body most often reads).
    static func missingAttributeFixes(_ e: SyntaxElement, _ name: String, in file: SourceFile) -> [Fix] {
        guard e.name == "each", name == "as", file.text(in: e.nameRange) == e.name else { return [] }
        let value = "item"
        let insertion = TextEdit(
            range: SourceRange(start: e.nameRange.end, end: e.nameRange.end), text: " as=\"\(value)\"")
        return [Fix("add `as=\"\(value)\"`", edits: [insertion])]
    }

    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
        else { return false }
        return s.unicodeScalars.allSatisfy {
            $0 == "_" || $0 == "-" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
        }
    }

    private func trimmedRange(_ text: SyntaxText) -> SourceRange {
        let bytes = Array(text.text.utf8)
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        let start = bytes.firstIndex { !isSpace($0) } ?? 0
        let end = (bytes.lastIndex { !isSpace($0) } ?? start) + 1
        return text.origin.range(start, end)
    }
}
