import CustomUICore
import JSONSchema

extension DiagnosticCode {
    /// A `props_schema` that is not a valid JSON Schema 2020-12 schema.
    public static let propsSchemaInvalid: Self = "props.invalid-schema"
}

/// The engine's own documents validated with the JSON Schemas it ships (dogfooding), and props
/// validated with the UI's `props_schema`.
enum DocumentSchemas {
    static let prompt: CompiledSchema? = compile(BuiltinSchemaText.prompt)
    static let definition: CompiledSchema? = compile(BuiltinSchemaText.definition)
    static let streamEvent: CompiledSchema? = compile(BuiltinSchemaText.streamEvent)

    private static func compile(_ text: String) -> CompiledSchema? {
        guard let value = try? JSONParser.parseValue(text) else { return nil }
        return try? JSONSchema.compile(value)
    }

    /// Schema errors of a document as diagnostics about its file, under the document's own code
    /// (the failing schema keyword stays in a note).
    static func check(_ document: JSONDocument, with schema: CompiledSchema?, code: DiagnosticCode) -> [Diagnostic] {
        guard let schema else { return [] }
        return schema.validate(document).diagnostics(file: document.file.path).map { d in
            var d = d
            d.code = code
            return d
        }
    }

    /// Diagnostics from a hand-written reader that repeat a schema error at the same place are
    /// dropped: the schema's message (with its hint) says the same thing.
    static func merge(schema: [Diagnostic], reader: [Diagnostic]) -> [Diagnostic] {
        let starts = Set(schema.compactMap { $0.range?.start.offset })
        // The schema's message stands; where it has no hint, the reader's for the same place helps
        // (`auto` → "did you mean `auto-run`?").
        let schema = schema.map { d -> Diagnostic in
            guard d.hint == nil, let start = d.range?.start.offset,
                let hint = reader.first(where: { $0.range?.start.offset == start && $0.hint != nil })?.hint
            else { return d }
            var d = d
            d.hint = hint
            return d
        }
        return schema
            + reader.filter { d in
                guard let start = d.range?.start.offset else { return true }
                return !starts.contains(start)
            }
    }

    /// Checks a props schema against the meta-schema and compiles it; diagnostics point into the
    /// file the schema was written in.
    static func compileProps(_ schema: Value, document: JSONDocument?) -> (CompiledSchema?, [Diagnostic]) {
        let meta = document.map(JSONSchema.metaValidate) ?? JSONSchema.metaValidate(schema)
        if !meta.isValid {
            let diagnostics = meta.errors.map { error -> Diagnostic in
                var d = error.diagnostic(file: document?.file.path)
                d.code = .propsSchemaInvalid
                d.message = "invalid props schema: " + d.message
                return d
            }
            return (nil, diagnostics)
        }
        do {
            if let document { return (try JSONSchema.compile(document), []) }
            return (try JSONSchema.compile(schema), [])
        } catch {
            var d = error.diagnostic(file: document?.file.path)
            d.message = "invalid props schema: " + d.message
            return (nil, [d])
        }
    }

    /// Props (default or caller's) against the compiled props schema.
    static func checkProps(_ props: Value, document: JSONDocument?, schema: CompiledSchema, what: String)
        -> [Diagnostic]
    {
        let result = document.map(schema.validate) ?? schema.validate(props)
        return result.errors.map { error in
            var d = error.diagnostic(file: document?.file.path)
            d.code = .propsInvalid
            d.message = "\(what): " + d.message
            return d
        }
    }
}
