import CustomUICore
import JSONSchema

/// Completion, hover and go-to-definition for templates, from the vocabulary, the props schema,
/// the prompt's variables and the filter table.
extension LanguageServer {
    /// LSP CompletionItemKind values used here.
    enum ItemKind {
        static let function = 3
        static let field = 5
        static let variable = 6
        static let `class` = 7
        static let property = 10
        static let keyword = 14
        static let enumMember = 20
    }

    /// The document (for its props schema and slots) from the last text that parsed.
    func loaded(_ document: OpenDocument) -> CustomUIDocument? {
        if checked[document.uri] === document.file { return lastLoaded[document.uri] }
        if let current = CustomUILoader.load(document.file).document { return current }
        return lastLoaded[document.uri]
    }

    func loadedPrompt(for path: String) -> (prompt: Prompt, file: SourceFile)? {
        guard let file = prompt(for: path), let prompt = Prompt.load(file).prompt else { return nil }
        return (prompt, file)
    }

    static func item(_ label: String, kind: Int, detail: String? = nil, documentation: String? = nil) -> Value {
        var object = ValueObject([("label", .string(label)), ("kind", .int(kind))])
        if let detail { object["detail"] = .string(detail) }
        if let documentation { object["documentation"] = ["kind": "markdown", "value": .string(documentation)] }
        return .object(object)
    }

    // MARK: Completion

    func completion(_ document: OpenDocument, offset: Int) -> Value {
        guard document.path.hasSuffix(".ui.xml") else { return ["isIncomplete": false, "items": []] }
        let context = EditorContext.at(offset, in: document.file.bytes)
        var items: [Value] = []
        switch context.place {
        case .elementName:
            items = Self.allowedElements(in: context.stack).compactMap { name in
                Vocabulary.byName[name].map {
                    Self.item(name, kind: ItemKind.class, detail: $0.category.rawValue, documentation: $0.summary)
                }
            }
        case .attributeName(let element, _, let present):
            for attribute in Vocabulary.byName[element]?.attributes ?? [] where !present.contains(attribute.name) {
                items.append(
                    Self.item(
                        attribute.name, kind: ItemKind.property,
                        detail: attribute.kind.summary + (attribute.required ? " (required)" : ""),
                        documentation: attribute.summary))
            }
        case .attributeValue(let element, let attributeName, let soFar):
            guard let attribute = Vocabulary.byName[element]?.attribute(attributeName) else { break }
            switch attribute.kind {
            case .choice(let words):
                items = words.map { Self.item($0, kind: ItemKind.enumMember, detail: attribute.name) }
            case .boolean:
                items = ["true", "false"].map { Self.item($0, kind: ItemKind.enumMember, detail: attribute.name) }
            case .variableName:
                items = (loadedPrompt(for: document.path)?.prompt.variables ?? []).map(Self.variableItem)
            case .expression:
                items = expressionItems(soFar, document: document)
            case .interpolated, .url:
                if let open = soFar.lastRange(of: "{{"), !soFar[open.upperBound...].contains("}}") {
                    items = expressionItems(String(soFar[open.upperBound...]), document: document)
                }
            case .text, .identifier, .integer, .path:
                break
            }
        case .text(let expression?):
            items = expressionItems(expression, document: document)
        case .text(nil), .other:
            break
        }
        return ["isIncomplete": false, "items": .array(items)]
    }

    /// The element names allowed as a child of the innermost open element.
    static func allowedElements(in stack: [String]) -> [String] {
        guard let parentName = stack.last(where: { Vocabulary.byName[$0]?.category != .control }) ?? stack.last,
            let parent = Vocabulary.byName[parentName]
        else { return stack.isEmpty ? ["custom-ui"] : [] }
        let inControl = stack.last.flatMap { Vocabulary.byName[$0] }?.category == .control
        switch parent.content {
        case .children(let names): return inControl ? Vocabulary.blockNames : names
        case .blocks: return Vocabulary.elements.filter { $0.isBlock || $0.category == .control }.map(\.name)
        case .inline: return Vocabulary.inlineNames
        case .empty, .json, .text: return []
        }
    }

    static func variableItem(_ variable: PromptVariable) -> Value {
        item(variable.name, kind: ItemKind.variable, detail: variableDetail(variable))
    }

    static func variableDetail(_ variable: PromptVariable) -> String {
        var detail = "component: " + (variable.component?.kind.rawValue ?? "textarea")
        if let options = variable.component?.options, !options.isEmpty {
            detail += " (" + options.joined(separator: ", ") + ")"
        }
        if !variable.defaultValue.isEmpty { detail += " · default: " + variable.defaultValue }
        return detail
    }

    static func filterDetail(_ filter: FilterSignature) -> String {
        let arguments = filter.arguments.map { $0.name + ": " + $0.type + ($0.defaultValue.map { " = " + $0 } ?? "") }
        return filter.input + " | " + filter.name + (arguments.isEmpty ? "" : ": " + arguments.joined(separator: ", "))
            + " → " + filter.output
    }

    /// Completions for an expression typed up to the cursor: after `|` filters, after `root.path.`
    /// the members there, else the scope roots.
    func expressionItems(_ text: String, document: OpenDocument) -> [Value] {
        var scalars = Array(text.unicodeScalars)
        func isName(_ s: Unicode.Scalar) -> Bool { s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "_" }
        while let last = scalars.last, isName(last) { scalars.removeLast() }
        var before = scalars
        while let last = before.last, last == " " || last == "\t" || last == "\n" { before.removeLast() }
        if before.last == "|" {
            return Filters.all.map {
                Self.item($0.name, kind: ItemKind.function, detail: Self.filterDetail($0), documentation: $0.summary)
            }
        }
        if scalars.last == "." {
            var start = scalars.count - 1
            while start > 0, isName(scalars[start - 1]) || scalars[start - 1] == "." { start -= 1 }
            let path = String(String.UnicodeScalarView(scalars[start..<(scalars.count - 1)])).split(separator: ".").map(
                String.init)
            return memberItems(path, document: document)
        }
        var items = Expr.rootNames.map { Self.item($0, kind: ItemKind.keyword, detail: "scope") }
        items += ["and", "or", "not", "in", "true", "false", "null"].map { Self.item($0, kind: ItemKind.keyword) }
        return items
    }

    func memberItems(_ path: [String], document: OpenDocument) -> [Value] {
        guard let root = path.first else { return [] }
        switch root {
        case "props":
            guard let schema = loaded(document)?.definition.propsSchema,
                let target = Self.schema(schema, at: Array(path.dropFirst())),
                let properties = target["properties"]?.objectValue
            else { return [] }
            return properties.map { key, sub in
                Self.item(
                    key, kind: ItemKind.field, detail: Self.typeName(sub),
                    documentation: sub["description"]?.stringValue)
            }
        case "vars" where path.count == 1:
            return (loadedPrompt(for: document.path)?.prompt.variables ?? []).map(Self.variableItem)
        case "slots" where path.count == 1:
            return Self.slotNames(loaded(document)).map { Self.item($0, kind: ItemKind.field, detail: "slot") }
        case "run" where path.count == 1:
            return RunScope.fields.map { Self.item($0.name, kind: ItemKind.field, documentation: $0.summary) }
        default:
            return []
        }
    }

    /// The subschema at a props path (object properties, array items for indexes).
    static func schema(_ schema: Value, at path: [String]) -> Value? {
        var current = schema
        for component in path {
            if let next = current["properties"]?[component] {
                current = next
            } else if let items = current["items"], Int(component) != nil || current["properties"] == nil {
                current = items["properties"]?[component] ?? items
            } else {
                return nil
            }
        }
        return current
    }

    static func typeName(_ schema: Value) -> String {
        let type =
            schema["type"]?.stringValue
            ?? schema["type"]?.arrayValue?.compactMap(\.stringValue).joined(separator: " | ")
        if type == "array", let items = schema["items"] { return "array of " + typeName(items) }
        if let choices = schema["enum"]?.arrayValue {
            return "one of " + choices.map { JSONWriter().string($0) }.joined(separator: ", ")
        }
        return type ?? "any"
    }

    static func slotNames(_ document: CustomUIDocument?) -> [String] {
        var names: [String] = []
        func walk(_ element: SyntaxElement) {
            if element.name == "slot", let name = element.attribute("name")?.value { names.append(name) }
            element.childElements.forEach(walk)
        }
        if let root = document?.syntax?.root { walk(root) }
        return names
    }

    // MARK: Hover and definition

    /// The dotted name under the cursor (`props.a.b`, `vars.x`, `heading`, `execution-mode`) and
    /// where it starts; the path stops at the component the cursor is on.
    static func word(at offset: Int, in bytes: [UInt8]) -> (text: String, start: Int, end: Int)? {
        func isWord(_ b: UInt8) -> Bool {
            (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b == 0x2D
                || b == 0x2E
        }
        var start = min(max(offset, 0), bytes.count)
        var end = start
        while start > 0, isWord(bytes[start - 1]) { start -= 1 }
        while end < bytes.count, isWord(bytes[end]), bytes[end] != 0x2E { end += 1 }
        guard end > start else { return nil }
        return (String(decoding: bytes[start..<end], as: UTF8.self), start, end)
    }

    func hover(_ document: OpenDocument, offset: Int) -> Value {
        guard document.path.hasSuffix(".ui.xml") || document.path.hasSuffix(".definition.json"),
            let word = Self.word(at: offset, in: document.file.bytes)
        else {
            return .null
        }
        // In a definition's JSON only the paths inside `component_code` have something to show.
        let place =
            document.path.hasSuffix(".ui.xml") ? EditorContext.at(word.start, in: document.file.bytes).place : .other
        var markdown: String?
        switch place {
        case .elementName:
            if let spec = Vocabulary.byName[word.text] {
                markdown = "**`<\(spec.name)>`** (\(spec.category.rawValue)): \(spec.summary)"
                if !spec.attributes.isEmpty {
                    markdown! +=
                        "\n\n"
                        + spec.attributes.map { "- `\($0.name)`\($0.required ? " (required)" : ""): \($0.summary)" }
                        .joined(separator: "\n")
                }
            }
        case .attributeName(let element, _, _):
            if let attribute = Vocabulary.byName[element]?.attribute(word.text) {
                markdown =
                    "**`\(attribute.name)`** on `<\(element)>`: \(attribute.summary)\n\nvalue: \(attribute.kind.summary)"
                if let d = attribute.defaultValue { markdown! += " (default `\(d)`)" }
            }
        default:
            markdown = pathHover(word.text, document: document, before: document.file.bytes[..<word.start])
        }
        guard let markdown else { return .null }
        return [
            "contents": ["kind": "markdown", "value": .string(markdown)],
            "range": Self.range(document.file.range(word.start, word.end), in: document.file),
        ]
    }

    func pathHover(_ path: String, document: OpenDocument, before: ArraySlice<UInt8>) -> String? {
        let parts = path.split(separator: ".").map(String.init)
        if parts.count == 1, before.reversed().drop(while: { $0 == 0x20 }).first == UInt8(ascii: "|"),
            let filter = Filters.all.first(where: { $0.name == parts[0] })
        {
            return
                "**`\(filter.name)`** `\(Self.filterDetail(filter))`\n\n\(filter.summary)\n\ne.g. `\(filter.example)` → `\(filter.exampleResult)`"
        }
        guard let root = parts.first else { return nil }
        switch root {
        case "props":
            guard let schema = loaded(document)?.definition.propsSchema,
                let target = Self.schema(schema, at: Array(parts.dropFirst()))
            else { return nil }
            var text = "`\(path)`: **\(Self.typeName(target))**"
            if let description = target["description"]?.stringValue { text += "\n\n" + description }
            return text
        case "vars" where parts.count == 2:
            guard
                let variable = loadedPrompt(for: document.path)?.prompt.variables.first(where: { $0.name == parts[1] })
            else { return nil }
            return "`\(path)`: prompt variable, \(Self.variableDetail(variable))"
        case "run" where parts.count == 2:
            return RunScope.fields.first { $0.name == parts[1] }.map { "`\(path)`: \($0.summary)" }
        default:
            return nil
        }
    }

    func definition(_ document: OpenDocument, offset: Int) -> Value {
        let isTemplateFile = document.path.hasSuffix(".ui.xml")
        guard isTemplateFile || document.path.hasSuffix(".definition.json"),
            let word = Self.word(at: offset, in: document.file.bytes)
        else {
            return .null
        }
        let parts = word.text.split(separator: ".").map(String.init)
        var variableName: String?
        if parts.count == 2, parts[0] == "vars" { variableName = parts[1] }
        if parts.count == 1, isTemplateFile,
            case .attributeValue(let element, let attribute, _) = EditorContext.at(offset, in: document.file.bytes)
                .place,
            let spec = Vocabulary.byName[element]?.attribute(attribute), spec.kind == .variableName
        {
            variableName = parts[0]
        }
        if let variableName, let (prompt, file) = loadedPrompt(for: document.path),
            let variable = prompt.variables.first(where: { $0.name == variableName }),
            let range = variable.nameRange ?? variable.range
        {
            return ["uri": .string(Self.uri(fromPath: file.path)), "range": Self.range(range, in: file)]
        }
        if parts.count == 2, parts[0] == "slots", let root = loaded(document)?.syntax?.root {
            var found: SyntaxAttribute?
            func walk(_ element: SyntaxElement) {
                if found == nil, element.name == "slot", let name = element.attribute("name"), name.value == parts[1] {
                    found = name
                }
                element.childElements.forEach(walk)
            }
            walk(root)
            if let found {
                var range = found.valueRange
                if !isTemplateFile {
                    // The slot is inside `component_code`: its place in the JSON string.
                    guard let origin = Self.componentCodeOrigin(in: document.file) else { return .null }
                    range = origin.range(range.start.offset, range.end.offset)
                }
                return ["uri": .string(document.uri), "range": Self.range(range, in: document.file)]
            }
        }
        if parts.count >= 2, parts[0] == "props", let schemaDocument = loaded(document)?.propsSchemaDocument {
            var pointer = JSONPointer.root
            for part in parts.dropFirst() { pointer = pointer.appending("properties").appending(part) }
            if let range = schemaDocument.keyRange(of: pointer), schemaDocument.file.path == document.path {
                return ["uri": .string(document.uri), "range": Self.range(range, in: document.file)]
            }
        }
        return .null
    }
}

extension StringProtocol {
    /// The last occurrence of `needle`.
    func lastRange(of needle: String) -> Range<Index>? {
        var index = endIndex
        while index > startIndex {
            index = self.index(before: index)
            if self[index...].hasPrefix(needle) { return index..<self.index(index, offsetBy: needle.count) }
        }
        return nil
    }
}
