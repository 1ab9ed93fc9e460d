import CustomUICore
import JSONSchema

extension DiagnosticCode {
    /// `layout_config.ui` is malformed: not an object, an unknown key, a value of the wrong kind.
    public static let uiInvalid: Self = "ui.invalid"
    /// `layout_config.ui` names a field that is neither a prop nor a prompt variable.
    public static let uiUnknownField: Self = "ui.unknown-field"
}

/// How the UI generated for a `json-schema` definition is tuned without a template, as
/// react-jsonschema-form's uiSchema does: `layout_config.ui` with `order`, `hidden` and per-field
/// `label`, `help`, `placeholder` and `widget`. Props also take their label and help from the props
/// schema's `title` and `description`.
///
/// ```json
/// "layout_config": { "ui": { "order": ["topic", "customer"], "hidden": ["tags"],
///                            "fields": { "topic": { "label": "Subject", "widget": "textarea" } } } }
/// ```
public struct GeneratedUIOptions: Sendable {
    /// One field's settings.
    public struct Field: Sendable {
        public var label: String?
        public var help: String?
        public var placeholder: String?
        public var widget: ControlKind?
    }

    /// Fields (props and variables) shown first, in this order; the rest follow in their own order.
    public var order: [String] = []
    /// Fields not shown.
    public var hidden: Set<String> = []
    /// Per-field settings.
    public var fields: [String: Field] = [:]

    static let fieldKeys = ["label", "help", "placeholder", "widget"]
    static let keys = ["order", "hidden", "fields"]

    /// The options of a definition (lenient: whatever is malformed is left out; `check` reports it).
    public init(_ definition: CustomUIDefinition) {
        guard let ui = definition.layoutConfig?["ui"]?.objectValue else { return }
        order = ui["order"]?.arrayValue?.compactMap(\.stringValue) ?? []
        hidden = Set(ui["hidden"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        for (name, value) in ui["fields"]?.objectValue ?? ValueObject() {
            guard let object = value.objectValue else { continue }
            fields[name] = Field(
                label: object["label"]?.stringValue, help: object["help"]?.stringValue,
                placeholder: object["placeholder"]?.stringValue,
                widget: object["widget"]?.stringValue.flatMap(ControlKind.init(rawValue:)))
        }
    }

    /// `names` reordered: those in `order` first, in its order, then the others as they were.
    public func ordered(_ names: [String]) -> [String] {
        let first = order.filter { names.contains($0) }
        return first + names.filter { !first.contains($0) }
    }

    /// Diagnostics for `layout_config.ui` of a `json-schema` definition, at the key or value.
    static func check(_ document: CustomUIDocument, prompt: Prompt?) -> [Diagnostic] {
        let definition = document.definition
        guard let ui = definition.layoutConfig?["ui"] else { return [] }
        let json = document.layoutConfigDocument
        let path = json?.file.path ?? document.file.path
        var out: [Diagnostic] = []
        func range(_ tokens: [String], key: Bool = false) -> SourceRange? {
            var pointer = JSONPointer.root.appending("ui")
            for token in tokens { pointer = pointer.appending(token) }
            return (key ? json?.keyRange(of: pointer) : nil) ?? json?.range(of: pointer) ?? json?.range(of: .root)
        }
        /// Fixes renaming the string at `tokens` (a key or a value) that reads `written`.
        func fixes(_ tokens: [String], key: Bool = false, written: String, _ guesses: [String]) -> [Fix] {
            json.map { Fix.replacingJSONString(range(tokens, key: key), in: $0.file, written: written, with: guesses) }
                ?? []
        }
        func invalid(
            _ message: String, _ tokens: [String], key: Bool = false, hint: String? = nil, fixes: [Fix] = []
        ) {
            out.append(
                .error(.uiInvalid, message, file: path, range: range(tokens, key: key), hint: hint, fixes: fixes))
        }
        guard let object = ui.objectValue else {
            invalid(
                "`layout_config.ui` must be an object, found \(ui.typeName)", [],
                hint: "write `{ \"order\": [...], \"hidden\": [...], \"fields\": { ... } }`")
            return out
        }
        let props = definition.propsSchema?["properties"]?.objectValue?.keys.map { $0 } ?? []
        let variables = prompt?.variables.map(\.name) ?? []
        let known = props + variables
        func checkName(_ name: String, _ tokens: [String], key: Bool) {
            guard !known.contains(name) else { return }
            let guesses = Suggestions.nearest(to: name, in: known)
            out.append(
                .warning(
                    .uiUnknownField,
                    "`layout_config.ui` names `\(name)`, which is neither a prop nor a prompt variable", file: path,
                    range: range(tokens, key: key),
                    hint: Suggestions.didYouMean(guesses)
                        ?? (known.isEmpty
                            ? "the props schema and the prompt declare nothing"
                            : "fields: " + known.map { "`\($0)`" }.joined(separator: ", ")),
                    fixes: fixes(tokens, key: key, written: name, guesses)))
        }
        for (key, value) in object {
            switch key {
            case "order", "hidden":
                guard let items = value.arrayValue else {
                    invalid("`ui.\(key)` must be an array of field names, found \(value.typeName)", [key])
                    continue
                }
                for (index, item) in items.enumerated() {
                    guard let name = item.stringValue else {
                        invalid("`ui.\(key)` lists field names, found \(item.typeName)", [key, String(index)])
                        continue
                    }
                    checkName(name, [key, String(index)], key: false)
                    if key == "hidden", definition.executionMode == .manualWithVisibleVariables,
                        variables.contains(name)
                    {
                        out.append(
                            .error(
                                .modeConflictingSetting,
                                "`\(name)` is hidden, but `manual-with-visible-variables` shows every variable",
                                file: path, range: range([key, String(index)]),
                                hint: "hide only props here, or use `manual-with-hidden-variables` (or `manual`)"))
                    }
                }
            case "fields":
                guard let fields = value.objectValue else {
                    invalid("`ui.fields` must be an object of fields by name, found \(value.typeName)", [key])
                    continue
                }
                for (name, settings) in fields {
                    checkName(name, [key, name], key: true)
                    guard let settings = settings.objectValue else {
                        invalid("`ui.fields.\(name)` must be an object, found \(settings.typeName)", [key, name])
                        continue
                    }
                    for (setting, text) in settings {
                        guard fieldKeys.contains(setting) else {
                            invalid(
                                "`ui.fields.\(name)` has no setting `\(setting)`", [key, name, setting], key: true,
                                hint: Suggestions.didYouMean(setting, in: fieldKeys) ?? "settings: "
                                    + fieldKeys.map { "`\($0)`" }.joined(separator: ", "),
                                fixes: fixes(
                                    [key, name, setting], key: true, written: setting,
                                    Suggestions.nearest(to: setting, in: fieldKeys)))
                            continue
                        }
                        guard let string = text.stringValue else {
                            invalid(
                                "`ui.fields.\(name).\(setting)` must be a string, found \(text.typeName)",
                                [key, name, setting])
                            continue
                        }
                        guard setting == "widget" else { continue }
                        guard let control = ControlKind(rawValue: string) else {
                            let guesses = Suggestions.nearestChoices(
                                to: string, in: ControlKind.allCases.map(\.rawValue))
                            invalid(
                                "`\(string)` is not a widget", [key, name, setting],
                                hint: Suggestions.didYouMean(guesses)
                                    ?? "widgets: "
                                    + ControlKind.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", "),
                                fixes: fixes([key, name, setting], written: string, guesses))
                            continue
                        }
                        if props.contains(name), !variables.contains(name) {
                            invalid(
                                "`widget` applies to prompt variables; `\(name)` is a prop, shown as text",
                                [key, name, setting], key: true)
                        } else if let variable = prompt?.variable(name),
                            !InputCheck.compatible(control, with: variable.component?.kind)
                        {
                            let kind = variable.component?.kind
                            let fits = ControlKind.allCases.filter { InputCheck.compatible($0, with: kind) }.map {
                                "`\($0.rawValue)`"
                            }
                            out.append(
                                .error(
                                    .inputIncompatibleControl,
                                    "`\(name)` is a \(kind?.rawValue ?? "text"), which widget `\(string)` cannot hold",
                                    file: path, range: range([key, name, setting]),
                                    hint: "use one of " + fits.joined(separator: ", ")))
                        }
                    }
                }
            default:
                invalid(
                    "`layout_config.ui` has no key `\(key)`", [key], key: true,
                    hint: Suggestions.didYouMean(key, in: keys) ?? "keys: "
                        + keys.map { "`\($0)`" }.joined(separator: ", "),
                    fixes: fixes([key], key: true, written: key, Suggestions.nearest(to: key, in: keys)))
            }
        }
        return out
    }
}
