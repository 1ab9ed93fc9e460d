import CustomUICore
import JSONSchema

extension DiagnosticCode {
    /// The prompt file is not in the `PromptsData` shape.
    public static let promptInvalid: Self = "prompt.invalid"
}

/// The kind of input a prompt variable asks for (the seeds' `customComponent.type`).
public enum ComponentKind: String, Sendable, CaseIterable, Hashable {
    case textarea, toggle, radio, checkbox, select, number
}

/// How a variable is edited: its input type and constraints.
public struct CustomComponent: Sendable, Hashable {
    /// The input type.
    public var kind: ComponentKind
    /// The choices, for select, radio and checkbox.
    public var options: [String]?
    /// Whether a select or radio also accepts a value of the user's own.
    public var allowOther: Bool
    /// The off and on values of a toggle.
    public var toggleValues: [String]?
    /// The smallest allowed number.
    public var min: Number?
    /// The largest allowed number.
    public var max: Number?
    /// The granularity of a number.
    public var step: Number?

    /// A component from its parts.
    public init(
        kind: ComponentKind, options: [String]? = nil, allowOther: Bool = false, toggleValues: [String]? = nil,
        min: Number? = nil, max: Number? = nil, step: Number? = nil
    ) {
        self.kind = kind
        self.options = options
        self.allowOther = allowOther
        self.toggleValues = toggleValues
        self.min = min
        self.max = max
        self.step = step
    }
}

/// A prompt variable: its name, its default value and how it is edited.
public struct PromptVariable: Sendable {
    /// The name used in `{{name}}` placeholders and `vars.name`.
    public var name: String
    /// The value used when nothing else supplies one.
    public var defaultValue: String
    /// How the variable is edited; a plain text input when absent.
    public var component: CustomComponent?
    /// Where the variable is declared (its object in the prompt file), for diagnostics.
    public var range: SourceRange?
    /// Where its name is written.
    public var nameRange: SourceRange?
    /// Whether a run needs a non-empty value (`"required": true`); others may be empty.
    public var required = false

    /// A variable from its parts.
    public init(name: String, defaultValue: String = "", component: CustomComponent? = nil) {
        self.name = name
        self.defaultValue = defaultValue
        self.component = component
    }
}

/// One message of a prompt.
public struct PromptMessage: Sendable {
    /// `system`, `user` or `assistant`.
    public var role: Role
    /// The text, with `{{variable}}` placeholders.
    public var content: String
    /// Maps offsets in `content` to the prompt file, when it came from one.
    public var contentOrigin: TextOrigin?

    /// Who speaks.
    public enum Role: String, Sendable, CaseIterable, Hashable {
        case system, user, assistant
    }

    /// A message from its parts.
    public init(role: Role, content: String, contentOrigin: TextOrigin? = nil) {
        self.role = role
        self.content = content
        self.contentOrigin = contentOrigin
    }
}

/// A prompt in the seeds' `PromptsData` shape: messages, variables with defaults, settings.
public struct Prompt: Sendable {
    /// The prompt's id in the app, if known.
    public var id: String?
    /// The prompt's name.
    public var name: String?
    /// The messages in order.
    public var messages: [PromptMessage]
    /// The declared variables in order.
    public var variables: [PromptVariable]
    /// The model settings; `model_id` is required.
    public var settings: ValueObject
    /// Tool definitions, passed through.
    public var tools: Value?
    /// The file the prompt was read from, if any.
    public var file: SourceFile?

    /// A prompt from its parts.
    public init(
        id: String? = nil, name: String? = nil, messages: [PromptMessage], variables: [PromptVariable] = [],
        settings: ValueObject, tools: Value? = nil
    ) {
        self.id = id
        self.name = name
        self.messages = messages
        self.variables = variables
        self.settings = settings
        self.tools = tools
    }

    /// The model to run, from `settings.model_id`.
    public var modelID: String? { settings["model_id"]?.stringValue }

    /// The variable named `name`.
    public func variable(_ name: String) -> PromptVariable? { variables.first { $0.name == name } }

    /// Reads a prompt file; the diagnostics say what is missing or mistyped, with positions.
    public static func load(_ file: SourceFile, limits: ResourceLimits = .default) -> (
        prompt: Prompt?, diagnostics: [Diagnostic]
    ) {
        let document: JSONDocument
        do {
            document = try JSONParser.parse(file, limits: limits)
        } catch {
            return (nil, [error.diagnostic(file: file.path)])
        }
        return load(document)
    }

    /// Reads a prompt from a parsed JSON document.
    public static func load(_ document: JSONDocument) -> (prompt: Prompt?, diagnostics: [Diagnostic]) {
        var reader = DocumentReader(document, code: .promptInvalid, what: "the prompt")
        let root = JSONPointer.root
        guard reader.object(root, required: true) != nil else {
            return (
                nil,
                DocumentSchemas.merge(
                    schema: DocumentSchemas.check(document, with: DocumentSchemas.prompt, code: .promptInvalid),
                    reader: reader.diagnostics)
            )
        }

        var messages: [PromptMessage] = []
        let messagesPointer = root.appending("messages")
        if let items = reader.array(messagesPointer, required: true) {
            for index in items.indices {
                let p = messagesPointer.appending(index)
                guard reader.object(p, required: true) != nil else { continue }
                let role = reader.choice(p.appending("role"), PromptMessage.Role.self, required: true)
                let content = reader.string(p.appending("content"), required: true)
                if let role, let content {
                    messages.append(
                        PromptMessage(
                            role: role, content: content, contentOrigin: reader.stringOrigin(p.appending("content"))))
                }
            }
        }

        var variables: [PromptVariable] = []
        let variablesPointer = root.appending("variableDefaults")
        if let items = reader.array(variablesPointer) {
            for index in items.indices {
                let p = variablesPointer.appending(index)
                guard reader.object(p, required: true) != nil,
                    let name = reader.string(p.appending("name"), required: true)
                else {
                    continue
                }
                var variable = PromptVariable(name: name)
                variable.range = document.range(of: p)
                variable.nameRange = document.range(of: p.appending("name"))
                variable.defaultValue = readDefault(&reader, p.appending("defaultValue"))
                variable.component = readComponent(&reader, p.appending("customComponent"))
                variable.required = reader.bool(p.appending("required")) ?? false
                variables.append(variable)
            }
        }

        let settings = reader.object(root.appending("settings"), required: true) ?? ValueObject()
        if reader.value(root.appending("settings")) != nil {
            _ = reader.string(root.appending("settings").appending("model_id"), required: true)
        }
        var prompt = Prompt(
            id: reader.string(root.appending("id")), name: reader.string(root.appending("name")), messages: messages,
            variables: variables, settings: settings, tools: reader.value(root.appending("tools")))
        prompt.file = document.file
        var diagnostics = DocumentSchemas.merge(
            schema: DocumentSchemas.check(document, with: DocumentSchemas.prompt, code: .promptInvalid),
            reader: reader.diagnostics)
        if reader.diagnostics.hasErrors {
            // The prompt is not usable, but its messages' placeholders are still checked: a shape
            // error must not hide a misspelt `{{variable}}` to be found on the next try.
            diagnostics += placeholderDiagnostics(document, reader: reader)
            return (nil, diagnostics)
        }
        return (prompt, diagnostics)
    }

    /// Placeholder findings for every message whose content is a string, against the names of the
    /// `variableDefaults` entries that have one.
    private static func placeholderDiagnostics(_ document: JSONDocument, reader: DocumentReader) -> [Diagnostic] {
        let names = (document.value["variableDefaults"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        var out: [Diagnostic] = []
        for (index, message) in (document.value["messages"]?.arrayValue ?? []).enumerated() {
            guard let content = message["content"]?.stringValue else { continue }
            let pointer = JSONPointer.root.appending("messages").appending(index).appending("content")
            let template = MessageTemplate(content, origin: reader.stringOrigin(pointer))
            out += template.diagnostics + template.check(declared: names)
        }
        return out
    }

    /// Default values are strings in the seeds; numbers and booleans are accepted and kept as text.
    private static func readDefault(_ reader: inout DocumentReader, _ pointer: JSONPointer) -> String {
        switch reader.value(pointer) {
        case nil, .null?: return ""
        case .string(let s)?: return s
        case .number(let n)?: return n.description
        case .bool(let b)?: return b ? "true" : "false"
        case let other?:
            reader.error(pointer, "`defaultValue` must be a string, found \(other.typeName)")
            return ""
        }
    }

    private static func readComponent(_ reader: inout DocumentReader, _ pointer: JSONPointer) -> CustomComponent? {
        guard reader.object(pointer) != nil,
            let kind = reader.choice(pointer.appending("type"), ComponentKind.self, required: true)
        else { return nil }
        return CustomComponent(
            kind: kind, options: reader.stringArray(pointer.appending("options")),
            allowOther: reader.bool(pointer.appending("allowOther")) ?? false,
            toggleValues: reader.stringArray(pointer.appending("toggleValues")),
            min: reader.number(pointer.appending("min")), max: reader.number(pointer.appending("max")),
            step: reader.number(pointer.appending("step")))
    }
}
