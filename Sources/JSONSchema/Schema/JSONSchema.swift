import CustomUICore

extension DiagnosticCode {
    /// A schema that is not a valid 2020-12 schema (wrong keyword value type and the like).
    public static let schemaInvalid: Self = "schema.invalid"
    /// A `$ref` or `$dynamicRef` whose target is neither in the schema nor in the registry.
    public static let schemaUnresolvedReference: Self = "schema.unresolved-ref"
    /// A `pattern` or `patternProperties` regular expression that does not compile.
    public static let schemaInvalidPattern: Self = "schema.invalid-pattern"
    /// A meta-schema requires a vocabulary this validator does not know.
    public static let schemaUnknownVocabulary: Self = "schema.unknown-vocabulary"
}

/// How schemas are compiled and instances checked.
public struct ValidationOptions: Sendable, Hashable {
    /// Treat `format` as an assertion rather than an annotation (2020-12 makes this opt-in).
    public var assertFormat: Bool
    /// The base URI of a root schema without an absolute `$id`.
    public var baseURI: String
    /// How many schemas deep one evaluation may nest before it stops (guards against `$ref` cycles that consume no input).
    public var maxEvaluationDepth: Int
    /// How many subschema evaluations one validation may make, so schemas that branch recursively cannot run for ever.
    public var maxSteps: Int

    /// Options from their parts.
    public init(
        assertFormat: Bool = false, baseURI: String = "urn:customui:schema", maxEvaluationDepth: Int = 512,
        maxSteps: Int = 10_000_000
    ) {
        self.assertFormat = assertFormat
        self.baseURI = baseURI
        self.maxEvaluationDepth = maxEvaluationDepth
        self.maxSteps = maxSteps
    }

    /// Format as annotation, default base URI.
    public static let `default` = ValidationOptions()
}

/// Why a schema could not be compiled, with where in the schema the problem is.
public struct SchemaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stable code (`schema.invalid`, `schema.unresolved-ref`, ...).
    public var code: DiagnosticCode
    /// What is wrong, lowercase, without a trailing period.
    public var message: String
    /// Where in the schema document, as a JSON Pointer (for the root document) or an absolute URI.
    public var schemaLocation: String
    /// The pointer into the root schema document, when the problem is in it.
    public var pointer: JSONPointer?
    /// The source range in the schema file, when compiled from a `JSONDocument`.
    public var range: SourceRange?

    /// An error from its parts.
    public init(
        code: DiagnosticCode, message: String, schemaLocation: String, pointer: JSONPointer? = nil,
        range: SourceRange? = nil
    ) {
        self.code = code
        self.message = message
        self.schemaLocation = schemaLocation
        self.pointer = pointer
        self.range = range
    }

    /// `location: message`.
    public var description: String { "\(schemaLocation): \(message)" }

    /// The error as a diagnostic about the schema file.
    public func diagnostic(file: String?) -> Diagnostic {
        .error(
            code, message, file: file, range: range, notes: range == nil ? [DiagnosticNote("at \(schemaLocation)")] : []
        )
    }
}

/// JSON Schema 2020-12: compile a schema once, then validate many instances against it.
public enum JSONSchema {
    /// The 2020-12 meta-schema URI.
    public static let metaSchemaURI = "https://json-schema.org/draft/2020-12/schema"

    /// Compiles a schema value; `$ref`s to other documents are served only from `registry`.
    public static func compile(
        _ schema: Value, registry: SchemaRegistry = .standard, options: ValidationOptions = .default
    ) throws(SchemaError) -> CompiledSchema {
        var compiler = Compiler(registry: registry, options: options)
        return try compiler.compileRoot(schema)
    }

    /// Compiles a schema document; errors carry the source range in the schema file.
    public static func compile(
        _ document: JSONDocument, registry: SchemaRegistry = .standard, options: ValidationOptions = .default
    ) throws(SchemaError) -> CompiledSchema {
        do {
            return try compile(document.value, registry: registry, options: options)
        } catch {
            var error = error
            if let pointer = error.pointer {
                error.range =
                    document.keyRange(of: pointer) ?? document.range(of: pointer) ?? document.nearestRange(of: pointer)
            }
            throw error
        }
    }

    /// Checks a schema against the 2020-12 meta-schema, so authors learn about a misspelt keyword value before it silently does nothing.
    public static func metaValidate(_ schema: Value) -> ValidationResult {
        metaSchemaValidator.validate(schema)
    }

    /// Checks a schema document against the 2020-12 meta-schema, with source ranges.
    public static func metaValidate(_ document: JSONDocument) -> ValidationResult {
        metaSchemaValidator.validate(document)
    }

    static let metaSchemaValidator: CompiledSchema = {
        // The embedded meta-schema always compiles; the fallback keeps a broken build from trapping.
        let value = SchemaRegistry.standard.document(for: metaSchemaURI) ?? .bool(true)
        return (try? compile(value)) ?? CompiledSchema.acceptAll
    }()
}

/// A compiled schema: immutable, shareable across threads, reusable for any number of instances.
///
/// `Sendable` by construction: every stored property is a `let` of a `Sendable` value; the node graph
/// (with its `$ref` cycles) is a `SchemaGraph` of indices, built by the compiler before this object exists.
public final class CompiledSchema: Sendable {
    let root: Int
    let program: Program

    init(root: Int, program: Program) {
        self.root = root
        self.program = program
    }

    static let acceptAll: CompiledSchema = {
        var program = Program()
        var node = Node(location: "#", resourceID: 0)
        node.boolean = true
        program.graph.nodes = [node]
        return CompiledSchema(root: 0, program: program)
    }()

    /// Whether the instance is valid, without building any error (the fastest check).
    public func isValid(_ instance: Value) -> Bool {
        if program.needsAnnotations {
            var run = Evaluator(program: program, collect: false)
            var evaluated = Evaluated()
            return run.validate(root, instance, &evaluated, annotate: false)
        }
        return FastEvaluator.isValid(instance, root: root, program: program)
    }

    /// Validates an instance and reports every error with its instance and keyword locations.
    public func validate(_ instance: Value) -> ValidationResult {
        // Most instances are valid: confirm that cheaply, and only walk again to explain failures.
        if isValid(instance) { return ValidationResult(isValid: true, errors: []) }
        var result = explain(instance)
        if result.errors.isEmpty {
            // The two evaluators agree on the whole test suite; never report "invalid" without a reason.
            result.errors = [
                ValidationError(
                    instanceLocation: .root, keywordLocation: "",
                    absoluteKeywordLocation: program.graph.nodes[root].location,
                    keyword: "schema", message: "value does not match the schema")
            ]
        }
        result.isValid = false
        return result
    }

    /// Runs the error-collecting evaluator on its own (tests use it to check both evaluators agree).
    func explain(_ instance: Value) -> ValidationResult {
        var run = Evaluator(program: program, collect: true)
        var evaluated = Evaluated()
        let valid = run.validate(root, instance, &evaluated, annotate: false)
        return ValidationResult(isValid: valid && run.errors.isEmpty, errors: run.errors)
    }

    /// Validates a parsed document; each error also gets the source range of the value (or member name) it is about.
    public func validate(_ document: JSONDocument) -> ValidationResult {
        var result = validate(document.value)
        for i in result.errors.indices {
            let error = result.errors[i]
            let pointer = error.instanceLocation
            result.errors[i].range =
                (error.pointsAtKey ? document.keyRange(of: pointer) : nil) ?? document.range(of: pointer)
                ?? document.nearestRange(of: pointer)
            if let written = error.written {
                result.errors[i].fixes = Fix.replacingJSONString(
                    result.errors[i].range, in: document.file, written: written, with: error.suggestions)
            }
        }
        return result
    }
}

/// Everything one compiled schema validates with: its node graph and the tables shared by all nodes.
struct Program: Sendable {
    var graph = SchemaGraph()
    /// Per resource ID, its `$dynamicAnchor` targets by name (node indices).
    var dynamicAnchors: [[String: Int]] = []
    /// Whether any `$dynamicRef` needs the dynamic scope tracked.
    var usesDynamicScope = false
    /// Whether some node has `unevaluated*`, so results depend on annotations.
    var hasUnevaluated = false
    /// Whether the annotation-tracking evaluator is needed even for a yes/no answer.
    var needsAnnotations: Bool { usesDynamicScope || hasUnevaluated }
    var maxDepth = 512
    var maxSteps = 10_000_000
}
