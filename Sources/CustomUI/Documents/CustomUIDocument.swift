import CustomUICore
import JSONSchema

extension DiagnosticCode {
    /// A JSON configuration element (`props-schema`, `default-props`, …) does not hold valid JSON.
    public static let templateInvalidJSON: Self = "template.invalid-json"
}

/// A custom UI read from either form, ready to be checked, rendered or published.
public struct CustomUIDocument: Sendable {
    /// The definition's columns (for a template file, derived from its root).
    public var definition: CustomUIDefinition
    /// The parsed template, for `template` definitions that parsed.
    public var syntax: SyntaxDocument?
    /// The file the UI was read from.
    public var file: SourceFile
    /// Whether `file` is a definition JSON (else a template file).
    public var isDefinitionJSON: Bool
    /// The props schema with positions, when it was written in one of the files.
    public var propsSchemaDocument: JSONDocument?
    /// The default props with positions, when written in one of the files.
    public var defaultPropsDocument: JSONDocument?
    /// `layout_config` with positions, when written in one of the files.
    public var layoutConfigDocument: JSONDocument?
    /// `styling_config` with positions, when written in one of the files.
    public var stylingConfigDocument: JSONDocument?

    /// Elements of the root that hold JSON configuration, with the definition column each fills.
    static let jsonElements: [(element: String, column: String)] = [
        ("props-schema", "props_schema"), ("default-props", "default_props"), ("layout-config", "layout_config"),
        ("styling-config", "styling_config"),
    ]
}

/// Reads custom UIs from template files and definition JSON, and writes each form from the other.
public enum CustomUILoader {
    /// Reads either form: a file whose first non-blank character is `{` is a definition JSON.
    public static func load(_ file: SourceFile, limits: ResourceLimits = .default) -> (
        document: CustomUIDocument?, diagnostics: [Diagnostic]
    ) {
        let first = file.bytes.first {
            $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF
        }
        return first == UInt8(ascii: "{") ? loadDefinition(file, limits: limits) : loadTemplate(file, limits: limits)
    }

    /// Reads a template file (`<custom-ui …>`).
    public static func loadTemplate(_ file: SourceFile, limits: ResourceLimits = .default) -> (
        document: CustomUIDocument?, diagnostics: [Diagnostic]
    ) {
        let (syntax, parseDiagnostics) = TemplateParser.parse(file, limits: limits)
        guard let syntax else { return (nil, parseDiagnostics) }
        var diagnostics = parseDiagnostics
        let root = syntax.root
        var definition = CustomUIDefinition(name: root.attribute("name")?.value ?? "", componentCode: "")
        definition.description = root.attribute("description")?.value
        definition.promptID = root.attribute("prompt-id")?.value
        if let mode = root.attribute("execution-mode").flatMap({ ExecutionMode(rawValue: $0.value) }) {
            definition.executionMode = mode
        }
        if let v = root.attribute("auto-submit")?.value, v == "true" || v == "false" {
            definition.autoSubmit = v == "true"
        }
        if let v = root.attribute("show-variables")?.value, v == "true" || v == "false" {
            definition.showVariables = v == "true"
        }

        var document = CustomUIDocument(definition: definition, syntax: syntax, file: file, isDefinitionJSON: false)
        if root.name == "custom-ui" {
            for (elementName, column) in CustomUIDocument.jsonElements {
                guard let element = root.childElements.first(where: { $0.name == elementName }) else { continue }
                let (json, jsonDiagnostics) = embeddedJSON(element, file: file, limits: limits)
                diagnostics += jsonDiagnostics
                guard let json else { continue }
                switch column {
                case "props_schema":
                    document.definition.propsSchema = json.value
                    document.propsSchemaDocument = json
                case "default_props":
                    document.definition.defaultProps = json.value
                    document.defaultPropsDocument = json
                case "layout_config":
                    document.definition.layoutConfig = json.value
                    document.layoutConfigDocument = json
                default:
                    document.definition.stylingConfig = json.value
                    document.stylingConfigDocument = json
                }
            }
        }
        document.definition.componentCode = componentCode(from: syntax)
        return (document, diagnostics)
    }

    /// Reads a definition JSON (a `prompt_custom_uis` row).
    public static func loadDefinition(_ file: SourceFile, limits: ResourceLimits = .default) -> (
        document: CustomUIDocument?, diagnostics: [Diagnostic]
    ) {
        let json: JSONDocument
        do {
            json = try JSONParser.parse(file, limits: limits)
        } catch {
            return (nil, [error.diagnostic(file: file.path)])
        }
        if let object = json.value.objectValue, object["messages"] != nil, object["component_code"] == nil,
            object["component_type"] == nil
        {
            // A prompt given where a UI goes: one error saying so, not one per prompt member.
            return (
                nil,
                [
                    .error(
                        .definitionInvalid, "this is a prompt file, not a UI", file: file.path,
                        range: json.range(of: .root),
                        hint:
                            "pass it with `--prompt`, after the UI: `customui validate NAME.ui.xml --prompt \(file.path)`"
                    )
                ]
            )
        }
        let (definition, definitionDiagnostics) = CustomUIDefinition.load(json)
        guard let definition else { return (nil, definitionDiagnostics) }
        var diagnostics = definitionDiagnostics
        var document = CustomUIDocument(definition: definition, syntax: nil, file: file, isDefinitionJSON: true)
        if json.value["props_schema"] != nil {
            document.propsSchemaDocument = subdocument(json, "props_schema")
        }
        if json.value["default_props"] != nil {
            document.defaultPropsDocument = subdocument(json, "default_props")
        }
        if json.value["layout_config"] != nil {
            document.layoutConfigDocument = subdocument(json, "layout_config")
        }
        if json.value["styling_config"] != nil {
            document.stylingConfigDocument = subdocument(json, "styling_config")
        }
        if definition.componentType == .template {
            // The code is its own little file: diagnostics point at its lines, named after the column.
            let codeFile = SourceFile(path: "\(file.path) (component_code)", text: definition.componentCode)
            let (syntax, parseDiagnostics) = TemplateParser.parse(codeFile, limits: limits)
            diagnostics += parseDiagnostics
            document.syntax = syntax
            if let root = syntax?.root {
                diagnostics += mismatches(root, definition, json: json)
            }
        }
        return (document, diagnostics)
    }

    /// The template file text for a definition: columns become the root's attributes and JSON
    /// elements; the `bind` and `view` children of `component_code` follow verbatim.
    public static func templateText(for definition: CustomUIDefinition) -> String {
        var attributes: [(String, String)] = [("name", definition.name)]
        if let d = definition.description { attributes.append(("description", d)) }
        if definition.executionMode != .manual {
            attributes.append(("execution-mode", definition.executionMode.rawValue))
        }
        if definition.autoSubmit { attributes.append(("auto-submit", "true")) }
        if !definition.showVariables { attributes.append(("show-variables", "false")) }
        if let p = definition.promptID { attributes.append(("prompt-id", p)) }
        var out = "<custom-ui"
        for (name, value) in attributes {
            out += " \(name)=\"\(XMLText.escapeAttribute(value))\""
        }
        out += ">\n"
        let values: [String: Value?] = [
            "props_schema": definition.propsSchema, "default_props": definition.defaultProps,
            "layout_config": definition.layoutConfig, "styling_config": definition.stylingConfig,
        ]
        for (element, column) in CustomUIDocument.jsonElements {
            guard let value = values[column] ?? nil else { continue }
            let json = JSONWriter(pretty: true).string(value).replacingOccurrences(of: "\n", with: "\n    ")
            out += "  <\(element)>\n    \(XMLText.escapeText(json))\n  </\(element)>\n"
        }
        let codeFile = SourceFile(path: "component_code", text: definition.componentCode)
        if let root = TemplateParser.parse(codeFile).document?.root {
            for child in root.childElements {
                out += "  " + child.sourceText(in: codeFile) + "\n"
            }
        }
        out += "</custom-ui>\n"
        return out
    }

    /// The `component_code` of a template: its root reduced to the `bind` and `view` children.
    static func componentCode(from syntax: SyntaxDocument) -> String {
        let metadata = Set(CustomUIDocument.jsonElements.map(\.element))
        var out = "<custom-ui>\n"
        for child in syntax.root.childElements where !metadata.contains(child.name) {
            out += "  " + child.sourceText(in: syntax.file) + "\n"
        }
        return out + "</custom-ui>"
    }

    /// Parses the JSON text inside an element. When the text was written without references, the
    /// JSON is parsed in place (everything else blanked) so positions are the template file's own.
    static func embeddedJSON(_ element: SyntaxElement, file: SourceFile, limits: ResourceLimits) -> (
        JSONDocument?, [Diagnostic]
    ) {
        let texts = element.children.compactMap { if case .text(let t) = $0 { t } else { nil } }
        if let child = element.childElements.first {
            return (
                nil,
                [
                    .error(
                        .templateInvalidJSON, "`\(element.name)` holds JSON text, not elements", file: file.path,
                        range: child.nameRange, hint: "write the JSON directly inside `<\(element.name)>`")
                ]
            )
        }
        let text = texts.map(\.text).joined()
        let raw = texts.map { file.text(in: $0.range) }.joined()
        let jsonFile: SourceFile
        if texts.count == 1, let only = texts.first, raw == text {
            var bytes = file.bytes.map { $0 == 0x0A || $0 == 0x0D ? $0 : 0x20 }
            bytes.replaceSubrange(
                only.range.start.offset..<only.range.end.offset,
                with: file.bytes[only.range.start.offset..<only.range.end.offset])
            jsonFile = SourceFile(path: file.path, text: String(decoding: bytes, as: UTF8.self))
        } else {
            jsonFile = SourceFile(path: "\(file.path) (\(element.name))", text: text)
        }
        do {
            let document = try JSONParser.parse(jsonFile, limits: limits)
            return (document, [])
        } catch {
            var d = error.diagnostic(file: jsonFile.path)
            d.code = .templateInvalidJSON
            d.message = "`\(element.name)` is not valid JSON: \(d.message)"
            return (nil, [d])
        }
    }

    /// A document for one column of a definition JSON, sharing the file so positions stay right.
    private static func subdocument(_ json: JSONDocument, _ column: String) -> JSONDocument? {
        guard let range = json.range(of: JSONPointer.root.appending(column)) else { return nil }
        var bytes = json.file.bytes.map { $0 == 0x0A || $0 == 0x0D ? $0 : 0x20 }
        bytes.replaceSubrange(
            range.start.offset..<range.end.offset, with: json.file.bytes[range.start.offset..<range.end.offset])
        return try? JSONParser.parse(SourceFile(path: json.file.path, text: String(decoding: bytes, as: UTF8.self)))
    }

    /// Root attributes written inside `component_code` must agree with the columns.
    private static func mismatches(_ root: SyntaxElement, _ d: CustomUIDefinition, json: JSONDocument) -> [Diagnostic] {
        let columns: [(String, String, String?)] = [
            ("name", "name", d.name), ("description", "description", d.description),
            ("execution-mode", "execution_mode", d.executionMode.rawValue),
            ("auto-submit", "auto_submit", String(d.autoSubmit)),
            ("show-variables", "show_variables", String(d.showVariables)), ("prompt-id", "prompt_id", d.promptID),
        ]
        var result: [Diagnostic] = []
        for (attribute, column, value) in columns {
            guard let written = root.attribute(attribute), written.value != value else { continue }
            result.append(
                .error(
                    .definitionMismatch,
                    "`component_code` says \(attribute)=\"\(written.value)\" but column `\(column)` is \(value.map { "`\($0)`" } ?? "absent")",
                    file: json.file.path,
                    range: json.range(of: JSONPointer.root.appending(column)) ?? json.range(of: .root),
                    hint: "keep metadata in the columns and remove the attribute from `component_code`"))
        }
        return result
    }
}

/// XML escaping for the template files the tool writes (not for HTML: the HTML renderer escapes).
public enum XMLText {
    /// Text content: `&`, `<` and `>` escaped.
    public static func escapeText(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// A double-quoted attribute value: also `"` and line breaks and tabs (which attribute-value
    /// normalisation would otherwise turn into spaces).
    public static func escapeAttribute(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case "\"": out += "&quot;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            case "\t": out += "&#9;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
