/// What kind of value an attribute takes; the checker validates each kind, the renderer trusts it.
public enum AttributeKind: Sendable, Hashable {
    /// Literal text, no expressions.
    case text
    /// Text with `{{ expression }}` parts.
    case interpolated
    /// A whole expression, e.g. `test="run.status == 'completed'"`.
    case expression
    /// A name: a letter or `_`, then letters, digits, `_` or `-`.
    case identifier
    /// The name of a prompt variable.
    case variableName
    /// One of a fixed set of words.
    case choice([String])
    /// `true` or `false`.
    case boolean
    /// A whole number in a range.
    case integer(ClosedRange<Int>)
    /// A URL (may interpolate); its scheme must be on the allowlist.
    case url
    /// A path to a file, relative to the template.
    case path

    /// How the kind is described in hints and docs.
    public var summary: String {
        switch self {
        case .text: "text"
        case .interpolated: "text with `{{ … }}` expressions"
        case .expression: "an expression"
        case .identifier: "a name (letters, digits, `_`, `-`; starting with a letter or `_`)"
        case .variableName: "the name of a prompt variable"
        case .choice(let words): "one of " + words.map { "`\($0)`" }.joined(separator: ", ")
        case .boolean: "`true` or `false`"
        case .integer(let range): "a whole number from \(range.lowerBound) to \(range.upperBound)"
        case .url: "a URL (http, https, mailto or relative)"
        case .path: "a file path relative to the template"
        }
    }
}

/// One attribute an element accepts.
public struct AttributeSpec: Sendable, Hashable {
    /// The attribute name.
    public var name: String
    /// What it takes.
    public var kind: AttributeKind
    /// Whether it must be present.
    public var required: Bool
    /// The value used when it is absent, for docs.
    public var defaultValue: String?
    /// One line for the reference.
    public var summary: String

    init(
        _ name: String, _ kind: AttributeKind, required: Bool = false, default defaultValue: String? = nil,
        _ summary: String
    ) {
        self.name = name
        self.kind = kind
        self.required = required
        self.defaultValue = defaultValue
        self.summary = summary
    }
}

/// What an element may contain.
public enum ContentModel: Sendable, Hashable {
    /// Nothing.
    case empty
    /// Text (with `{{ … }}`) and inline elements.
    case inline
    /// Block elements; text other than whitespace is an error.
    case blocks
    /// Only the named child elements.
    case children([String])
    /// A JSON document as text.
    case json
    /// Plain text (with `{{ … }}`), no elements.
    case text
}

/// The family an element belongs to, for docs and for the checks that treat families alike.
public enum ElementCategory: String, Sendable, CaseIterable {
    case document = "Document"
    case layout = "Layout"
    case inline = "Inline"
    case input = "Inputs"
    case action = "Actions"
    case output = "Outputs"
    case control = "Control flow"
}

/// One element of the closed vocabulary.
public struct ElementSpec: Sendable, Hashable {
    /// The element name.
    public var name: String
    /// Its family.
    public var category: ElementCategory
    /// The attributes it accepts.
    public var attributes: [AttributeSpec]
    /// What it may contain.
    public var content: ContentModel
    /// One line for the reference.
    public var summary: String

    /// The attribute spec named `name`.
    public func attribute(_ name: String) -> AttributeSpec? { attributes.first { $0.name == name } }

    /// Whether this element may appear where block content is expected.
    public var isBlock: Bool {
        switch category {
        case .layout, .input, .action, .output: name != "item"
        case .control: true
        case .document, .inline: false
        }
    }

    /// Whether this element may appear where inline content is expected.
    public var isInline: Bool { category == .inline || category == .control }
}

/// The closed set of elements a template may use. Anything else is an error, never passed through.
public enum Vocabulary {
    static let gaps = ["none", "small", "medium", "large"]
    static let tones = ["neutral", "info", "success", "warning", "danger"]
    static let executionModes = ExecutionMode.allCases.map(\.rawValue)
    static let controls = ["textarea", "text", "select", "radio", "checkbox", "toggle", "number"]

    /// Every element, in the order the reference lists them.
    public static let elements: [ElementSpec] = [
        // Document
        ElementSpec(
            name: "custom-ui", category: .document,
            attributes: [
                AttributeSpec("name", .text, required: true, "the UI's name, shown in the library"),
                AttributeSpec("description", .text, "what the UI is for"),
                AttributeSpec(
                    "execution-mode", .choice(executionModes), default: "manual",
                    "when the prompt runs and what the user may edit (see execution-modes.md)"),
                AttributeSpec(
                    "auto-submit", .boolean, default: "false",
                    "in a manual mode, run once on mount when every variable has a value"),
                AttributeSpec("show-variables", .boolean, default: "true", "whether variable inputs are shown"),
                AttributeSpec("prompt", .path, "the prompt file this UI is for, relative to the template"),
                AttributeSpec("prompt-id", .text, "the prompt's id in the app (`prompt_id`)"),
            ],
            content: .children(["props-schema", "default-props", "layout-config", "styling-config", "bind", "view"]),
            summary: "the root: the definition's metadata, its JSON configuration and its view"),
        ElementSpec(
            name: "props-schema", category: .document, attributes: [], content: .json,
            summary: "the JSON Schema (2020-12) of the props the UI takes"),
        ElementSpec(
            name: "default-props", category: .document, attributes: [], content: .json,
            summary: "prop values used when the caller gives none"),
        ElementSpec(
            name: "layout-config", category: .document, attributes: [], content: .json,
            summary: "layout choices: `{ \"layout\": NAME }` with one of the layouts in [rendering.md](rendering.md)"),
        ElementSpec(
            name: "styling-config", category: .document, attributes: [], content: .json,
            summary: "theme values: colours, lengths and fonts from a closed grammar ([rendering.md](rendering.md))"),
        ElementSpec(
            name: "bind", category: .document,
            attributes: [
                AttributeSpec("variable", .variableName, required: true, "the prompt variable to give a value"),
                AttributeSpec("value", .expression, required: true, "an expression over `props` giving the value"),
            ],
            content: .empty, summary: "binds a prompt variable to a value computed from props"),
        ElementSpec(name: "view", category: .document, attributes: [], content: .blocks, summary: "the UI itself"),

        // Layout
        ElementSpec(
            name: "stack", category: .layout,
            attributes: [AttributeSpec("gap", .choice(gaps), default: "medium", "space between children")],
            content: .blocks, summary: "children one above the other"),
        ElementSpec(
            name: "row", category: .layout,
            attributes: [
                AttributeSpec("gap", .choice(gaps), default: "medium", "space between children"),
                AttributeSpec(
                    "align", .choice(["start", "center", "end", "stretch"]), default: "stretch", "cross-axis alignment"),
                AttributeSpec("wrap", .boolean, default: "true", "whether children wrap onto new lines"),
            ],
            content: .blocks, summary: "children side by side"),
        ElementSpec(
            name: "grid", category: .layout,
            attributes: [
                AttributeSpec("columns", .integer(1...6), default: "2", "number of columns"),
                AttributeSpec("gap", .choice(gaps), default: "medium", "space between cells"),
            ],
            content: .blocks, summary: "children in equal columns"),
        ElementSpec(
            name: "card", category: .layout,
            attributes: [AttributeSpec("title", .interpolated, "a title shown at the top of the card")],
            content: .blocks, summary: "a bordered group"),
        ElementSpec(
            name: "section", category: .layout,
            attributes: [
                AttributeSpec("title", .interpolated, required: true, "the section's heading"),
                AttributeSpec("level", .integer(1...6), default: "2", "the heading level of the title"),
            ],
            content: .blocks, summary: "a titled region"),
        ElementSpec(
            name: "heading", category: .layout,
            attributes: [AttributeSpec("level", .integer(1...6), required: true, "1 to 6, as in HTML")],
            content: .inline, summary: "a heading"),
        ElementSpec(
            name: "text", category: .layout,
            attributes: [
                AttributeSpec(
                    "tone", .choice(["default", "muted"] + tones), default: "default", "colour and emphasis"),
                AttributeSpec("size", .choice(["small", "normal", "large"]), default: "normal", "text size"),
            ],
            content: .inline, summary: "a paragraph"),
        ElementSpec(name: "divider", category: .layout, attributes: [], content: .empty, summary: "a horizontal rule"),
        ElementSpec(
            name: "list", category: .layout,
            attributes: [AttributeSpec("ordered", .boolean, default: "false", "numbered instead of bulleted")],
            content: .children(["item"]), summary: "a list of `item`s"),
        ElementSpec(name: "item", category: .layout, attributes: [], content: .inline, summary: "one list entry"),
        ElementSpec(
            name: "image", category: .layout,
            attributes: [
                AttributeSpec("src", .url, required: true, "the image URL (http, https, relative, or a data: image)"),
                AttributeSpec("alt", .interpolated, "the text alternative; empty for decorative images"),
                AttributeSpec("width", .integer(1...4096), "display width in pixels"),
                AttributeSpec("height", .integer(1...4096), "display height in pixels"),
            ],
            content: .empty, summary: "an image"),

        // Inline
        ElementSpec(name: "strong", category: .inline, attributes: [], content: .inline, summary: "strong importance"),
        ElementSpec(name: "em", category: .inline, attributes: [], content: .inline, summary: "emphasis"),
        ElementSpec(name: "code", category: .inline, attributes: [], content: .text, summary: "inline code"),
        ElementSpec(
            name: "link", category: .inline,
            attributes: [
                AttributeSpec("href", .url, required: true, "the target URL (http, https, mailto or relative)")
            ],
            content: .inline, summary: "a hyperlink"),
        ElementSpec(
            name: "badge", category: .inline,
            attributes: [AttributeSpec("tone", .choice(tones), default: "neutral", "colour")],
            content: .inline, summary: "a small label"),
        ElementSpec(name: "br", category: .inline, attributes: [], content: .empty, summary: "a line break"),

        // Inputs
        ElementSpec(
            name: "variable", category: .input,
            attributes: [
                AttributeSpec("name", .variableName, required: true, "the prompt variable this input edits"),
                AttributeSpec("label", .interpolated, "the visible label; defaults to the name in words"),
                AttributeSpec("help", .interpolated, "a hint shown under the input"),
                AttributeSpec("placeholder", .interpolated, "shown while the input is empty"),
                AttributeSpec(
                    "control", .choice(controls), "override the input type chosen from the variable's customComponent"),
            ],
            content: .empty, summary: "an input bound to a prompt variable, typed by its customComponent"),
        ElementSpec(
            name: "variables", category: .input, attributes: [], content: .empty,
            summary: "inputs for every prompt variable not placed with `variable`"),
        ElementSpec(
            name: "message-input", category: .input,
            attributes: [
                AttributeSpec("label", .interpolated, required: true, "the visible label"),
                AttributeSpec("placeholder", .interpolated, "shown while the input is empty"),
            ],
            content: .empty, summary: "a free-text message appended to the prompt's messages as the user's turn"),

        // Actions
        ElementSpec(
            name: "run", category: .action,
            attributes: [AttributeSpec("label", .interpolated, default: "Run", "the button text")],
            content: .empty, summary: "runs the prompt"),
        ElementSpec(
            name: "cancel", category: .action,
            attributes: [AttributeSpec("label", .interpolated, default: "Cancel", "the button text")],
            content: .empty, summary: "cancels the running prompt"),
        ElementSpec(
            name: "reset", category: .action,
            attributes: [AttributeSpec("label", .interpolated, default: "Reset", "the button text")],
            content: .empty, summary: "clears the response and restores variable values"),
        ElementSpec(
            name: "follow-up", category: .action,
            attributes: [
                AttributeSpec("label", .interpolated, required: true, "the input's visible label"),
                AttributeSpec("placeholder", .interpolated, "shown while the input is empty"),
            ],
            content: .empty, summary: "an input and button that continue the conversation"),

        // Outputs
        ElementSpec(
            name: "slot", category: .output,
            attributes: [
                AttributeSpec("name", .identifier, required: true, "the slot's name, unique in the template"),
                AttributeSpec(
                    "format", .choice(SlotFormat.allCases.map(\.rawValue)), default: SlotFormat.markdown.rawValue,
                    "how streamed text is shown"),
                AttributeSpec("placeholder", .interpolated, "shown while the slot is empty"),
                AttributeSpec("label", .interpolated, "an accessible name for the region"),
            ],
            content: .empty, summary: "where the response streams; `slots.NAME` holds its text"),
        ElementSpec(
            name: "status", category: .output, attributes: [], content: .empty,
            summary: "the run's status and status messages"),
        ElementSpec(
            name: "tool-events", category: .output, attributes: [], content: .empty,
            summary: "the tool calls the model made and their results"),
        ElementSpec(
            name: "usage", category: .output, attributes: [], content: .empty,
            summary: "tokens, cost and timing of the last run"),
        ElementSpec(
            name: "error", category: .output, attributes: [], content: .empty, summary: "the run's error, if it failed"),
        ElementSpec(
            name: "conversation", category: .output, attributes: [], content: .empty,
            summary: "the earlier turns of the conversation"),

        // Control flow
        ElementSpec(
            name: "if", category: .control,
            attributes: [AttributeSpec("test", .expression, required: true, "shown when this is truthy")],
            content: .blocks, summary: "conditional content"),
        ElementSpec(
            name: "else-if", category: .control,
            attributes: [
                AttributeSpec(
                    "test", .expression, required: true, "shown when earlier tests were falsy and this is truthy")
            ],
            content: .blocks, summary: "follows an `if` or `else-if`"),
        ElementSpec(
            name: "else", category: .control, attributes: [], content: .blocks,
            summary: "follows an `if` or `else-if`; shown when every test was falsy"),
        ElementSpec(
            name: "each", category: .control,
            attributes: [
                AttributeSpec("items", .expression, required: true, "an array to repeat over"),
                AttributeSpec("as", .identifier, required: true, "the name of the current item"),
                AttributeSpec("index", .identifier, "the name of the current 0-based index"),
            ],
            content: .blocks, summary: "repeats its content for each item"),
    ]

    /// Elements by name.
    public static let byName: [String: ElementSpec] = Dictionary(uniqueKeysWithValues: elements.map { ($0.name, $0) })

    /// The names of the elements allowed in `view` and other block containers.
    public static let blockNames: [String] = elements.filter(\.isBlock).map(\.name)

    /// The names of the elements allowed in inline content.
    public static let inlineNames: [String] = elements.filter(\.isInline).map(\.name)
}

/// The five execution modes of the seeds; `docs/execution-modes.md` defines each.
public enum ExecutionMode: String, Sendable, CaseIterable, Hashable {
    case autoRun = "auto-run"
    case autoRunOneShot = "auto-run-one-shot"
    case manualWithHiddenVariables = "manual-with-hidden-variables"
    case manualWithVisibleVariables = "manual-with-visible-variables"
    case manual

    /// Whether the prompt runs on mount without the user acting.
    public var runsOnMount: Bool { self == .autoRun || self == .autoRunOneShot }

    /// Whether the user may continue the conversation after a response.
    public var continuesConversation: Bool { self != .autoRunOneShot }

    /// Whether variable inputs may appear.
    public var allowsVariableInputs: Bool { self != .manualWithHiddenVariables }

    /// Whether the user starts runs with a `run` trigger.
    public var needsRunTrigger: Bool { !runsOnMount }
}
