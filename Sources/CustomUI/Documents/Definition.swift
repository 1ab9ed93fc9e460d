import CustomUICore
import JSONSchema

extension DiagnosticCode {
    /// The definition JSON is not in the `prompt_custom_uis` shape.
    public static let definitionInvalid: Self = "definition.invalid"
    /// A definition column disagrees with the template root's attribute.
    public static let definitionMismatch: Self = "definition.mismatch"
    /// `component_type: react` is refused: JSX cannot be sandboxed.
    public static let definitionReact: Self = "definition.react"
}

/// What `component_code` holds.
public enum ComponentType: String, Sendable, CaseIterable, Hashable {
    /// A CustomUI template (this engine's language).
    case template
    /// No template: the UI is generated from the prompt's variables and the props schema.
    case jsonSchema = "json-schema"
    /// Arbitrary JSX, as the app used to run with `new Function`; refused.
    case react
}

/// A definition's lifecycle state.
public enum DefinitionStatus: String, Sendable, CaseIterable, Hashable {
    case draft, active, archived
}

/// A custom UI definition in the shape of the seeds' `prompt_custom_uis` row.
///
/// The template file form (`<custom-ui …>`) and this JSON form carry the same authoring fields;
/// in the JSON form the metadata lives in the columns and `component_code` holds the template's
/// `<custom-ui>` element with its `bind` and `view` children.
public struct CustomUIDefinition: Sendable, Hashable {
    public var id: String?
    public var userID: String?
    public var promptID: String?
    public var name: String
    public var description: String?
    public var componentCode: String
    public var componentType: ComponentType
    public var propsSchema: Value?
    public var defaultProps: Value?
    public var executionMode: ExecutionMode
    public var autoSubmit: Bool
    public var showVariables: Bool
    public var layoutConfig: Value?
    public var stylingConfig: Value?
    public var isPublic: Bool
    public var isFeatured: Bool
    public var useCount: Int
    public var version: Int
    public var parentVersionID: String?
    public var status: DefinitionStatus
    public var validated: Bool
    public var validationErrors: Value?
    public var createdAt: String?
    public var updatedAt: String?
    public var publishedAt: String?
    public var lastUsedAt: String?

    /// A definition with the seeds' defaults for everything but the name and code.
    public init(name: String, componentCode: String, componentType: ComponentType = .template) {
        self.name = name
        self.componentCode = componentCode
        self.componentType = componentType
        executionMode = .manual
        autoSubmit = false
        showVariables = true
        isPublic = false
        isFeatured = false
        useCount = 0
        version = 1
        status = .draft
        validated = false
    }

    /// The row as JSON, keys in the seeds' column order; absent optional columns are omitted.
    public var jsonValue: Value {
        var o = ValueObject()
        func put(_ key: String, _ value: Value?) { if let value { o[key] = value } }
        put("id", id.map(Value.string))
        put("user_id", userID.map(Value.string))
        put("prompt_id", promptID.map(Value.string))
        o["name"] = .string(name)
        put("description", description.map(Value.string))
        o["component_code"] = .string(componentCode)
        o["component_type"] = .string(componentType.rawValue)
        put("props_schema", propsSchema)
        put("default_props", defaultProps)
        o["execution_mode"] = .string(executionMode.rawValue)
        o["auto_submit"] = .bool(autoSubmit)
        o["show_variables"] = .bool(showVariables)
        put("layout_config", layoutConfig)
        put("styling_config", stylingConfig)
        o["is_public"] = .bool(isPublic)
        o["is_featured"] = .bool(isFeatured)
        o["use_count"] = .int(useCount)
        o["version"] = .int(version)
        put("parent_version_id", parentVersionID.map(Value.string))
        o["status"] = .string(status.rawValue)
        o["validated"] = .bool(validated)
        put("validation_errors", validationErrors)
        put("created_at", createdAt.map(Value.string))
        put("updated_at", updatedAt.map(Value.string))
        put("published_at", publishedAt.map(Value.string))
        put("last_used_at", lastUsedAt.map(Value.string))
        return .object(o)
    }

    /// The columns a definition JSON may have; anything else is reported.
    static let columns = [
        "id", "user_id", "prompt_id", "name", "description", "component_code", "component_type", "props_schema",
        "default_props", "execution_mode", "auto_submit", "show_variables", "layout_config", "styling_config",
        "is_public", "is_featured", "use_count", "version", "parent_version_id", "status", "validated",
        "validation_errors", "created_at", "updated_at", "published_at", "last_used_at",
    ]

    /// Reads a definition JSON document.
    public static func load(_ document: JSONDocument) -> (definition: CustomUIDefinition?, diagnostics: [Diagnostic]) {
        var r = DocumentReader(document, code: .definitionInvalid, what: "the definition")
        let root = JSONPointer.root
        let schemaDiagnostics = DocumentSchemas.check(
            document, with: DocumentSchemas.definition, code: .definitionInvalid)
        guard let object = r.object(root, required: true) else {
            return (nil, DocumentSchemas.merge(schema: schemaDiagnostics, reader: r.diagnostics))
        }
        // The schema refuses unknown columns too (an error); this adds the did-you-mean.
        for key in object.keys where !columns.contains(key) {
            let guesses = Suggestions.nearest(to: key, in: columns.filter { object[$0] == nil })
            let range = document.keyRange(of: root.appending(key))
            r.diagnostics.append(
                .error(
                    .definitionInvalid, "unknown column `\(key)`", file: r.path, range: range,
                    hint: Suggestions.didYouMean(guesses) ?? "columns are those of `prompt_custom_uis`",
                    fixes: Fix.replacingJSONString(range, in: document.file, written: key, with: guesses)))
        }
        func p(_ key: String) -> JSONPointer { root.appending(key) }
        let name = r.string(p("name"), required: true) ?? ""
        // The seed's table default: a row without `component_type` is `react` (and so refused below).
        let typeWritten = r.value(p("component_type")) != nil
        let type = r.choice(p("component_type"), ComponentType.self) ?? (typeWritten ? .template : .react)
        let code = r.string(p("component_code"), required: type != .jsonSchema) ?? ""
        var d = CustomUIDefinition(name: name, componentCode: code, componentType: type)
        d.id = r.string(p("id"))
        d.userID = r.string(p("user_id"))
        d.promptID = r.string(p("prompt_id"))
        d.description = r.string(p("description"))
        d.propsSchema = r.value(p("props_schema")).flatMap { $0.isNull ? nil : $0 }
        d.defaultProps = r.value(p("default_props")).flatMap { $0.isNull ? nil : $0 }
        if let props = d.defaultProps, props.objectValue == nil {
            r.error(p("default_props"), "`default_props` must be an object, found \(props.typeName)")
        }
        d.executionMode = r.choice(p("execution_mode"), ExecutionMode.self) ?? .manual
        d.autoSubmit = r.bool(p("auto_submit")) ?? false
        d.showVariables = r.bool(p("show_variables")) ?? true
        d.layoutConfig = r.value(p("layout_config")).flatMap { $0.isNull ? nil : $0 }
        d.stylingConfig = r.value(p("styling_config")).flatMap { $0.isNull ? nil : $0 }
        d.isPublic = r.bool(p("is_public")) ?? false
        d.isFeatured = r.bool(p("is_featured")) ?? false
        d.useCount = r.int(p("use_count")) ?? 0
        d.version = r.int(p("version")) ?? 1
        d.parentVersionID = r.string(p("parent_version_id"))
        d.status = r.choice(p("status"), DefinitionStatus.self) ?? .draft
        d.validated = r.bool(p("validated")) ?? false
        d.validationErrors = r.value(p("validation_errors")).flatMap { $0.isNull ? nil : $0 }
        d.createdAt = r.string(p("created_at"))
        d.updatedAt = r.string(p("updated_at"))
        d.publishedAt = r.string(p("published_at"))
        d.lastUsedAt = r.string(p("last_used_at"))
        if type == .react {
            let convert =
                "JSX is arbitrary code; CustomUI runs only declarative templates. Convert the component to a `<custom-ui>` template (see docs/language.md, \"Converting from React\") or use `json-schema` to generate the UI from the prompt's variables"
            if typeWritten {
                r.diagnostics.append(
                    .error(
                        .definitionReact, "`component_type: react` cannot run in the sandbox", file: r.path,
                        range: document.range(of: p("component_type")), hint: convert))
            } else {
                let isTemplate = code.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("<custom-ui")
                r.diagnostics.append(
                    .error(
                        .definitionReact,
                        "a definition without `component_type` is `react` (the column's default), which cannot run in the sandbox",
                        file: r.path, range: document.keyRange(of: p("component_code")) ?? document.range(of: root),
                        hint: isTemplate
                            ? "`component_code` is a template: add \"component_type\": \"template\"" : convert))
            }
        }
        let diagnostics = DocumentSchemas.merge(schema: schemaDiagnostics, reader: r.diagnostics)
        return (r.diagnostics.hasErrors ? nil : d, diagnostics)
    }
}
