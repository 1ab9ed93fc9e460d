import CustomUICore
import Foundation

/// Validates files against a schema file, producing diagnostics and an exit status: the logic behind `customui schema validate`.
public enum SchemaCheck {
    /// The outcome for one instance file.
    public struct FileReport: Sendable {
        /// The file as the user named it.
        public var file: String
        /// Whether it parsed and matched the schema.
        public var isValid: Bool
        /// Syntax or validation errors, positioned in the file.
        public var diagnostics: [Diagnostic]
        /// The validation result, when the file parsed.
        public var result: ValidationResult?
    }

    /// The outcome of a whole check.
    public struct Report: Sendable {
        /// Problems with the schema itself (syntax, meta-schema, compile); any of them makes the check a schema error.
        public var schemaDiagnostics: [Diagnostic]
        /// One report per instance file, in the order given (empty when the schema failed).
        public var files: [FileReport]

        /// 0 when every file is valid, 1 when some file is invalid, 2 when the schema is unusable.
        public var exitCode: Int32 {
            if schemaDiagnostics.hasErrors { return 2 }
            return files.allSatisfy(\.isValid) ? 0 : 1
        }

        /// Every diagnostic, schema first, then each file's.
        public var diagnostics: [Diagnostic] { schemaDiagnostics + files.flatMap(\.diagnostics) }

        /// The machine-readable report for `--format json`.
        public var jsonValue: Value {
            var object = ValueObject()
            object["valid"] = .bool(exitCode == 0)
            object["exitCode"] = .int(Int(exitCode))
            object["schemaErrors"] = .array(schemaDiagnostics.map(\.jsonValue))
            object["files"] = .array(
                files.map { report in
                    var entry = ValueObject()
                    entry["file"] = .string(report.file)
                    entry["valid"] = .bool(report.isValid)
                    entry["diagnostics"] = .array(report.diagnostics.map(\.jsonValue))
                    if let result = report.result {
                        entry["errors"] = .array(
                            result.errors.map { error in
                                var e = ValueObject()
                                e["instanceLocation"] = .string(error.instanceLocation.description)
                                e["keywordLocation"] = .string(error.keywordLocation)
                                if let absolute = error.absoluteKeywordLocation {
                                    e["absoluteKeywordLocation"] = .string(absolute)
                                }
                                e["keyword"] = .string(error.keyword)
                                e["message"] = .string(error.message)
                                if let range = error.range {
                                    e["line"] = .int(range.start.line)
                                    e["column"] = .int(range.start.column)
                                }
                                return .object(e)
                            })
                        entry["basic"] = result.basicOutput
                    }
                    return .object(entry)
                })
            return .object(object)
        }
    }

    /// Parses and meta-validates the schema, compiles it once, then validates each instance file.
    ///
    /// `references` are further schema files the schema may `$ref`: each is served under its file URI and its `$id`.
    /// A schema without an absolute `$id` gets its file URI as base, so relative references between files work.
    public static func run(
        schema: SourceFile, instances: [SourceFile], references: [SourceFile] = [],
        registry: SchemaRegistry = .standard,
        options: ValidationOptions = .default, limits: ResourceLimits = .default
    ) -> Report {
        var registry = registry
        var referenceDiagnostics: [Diagnostic] = []
        for file in references {
            do {
                let document = try JSONParser.parse(file, limits: limits)
                registry.register(document.value, uri: fileURI(file.path))
                registry.register(document.value)
            } catch {
                referenceDiagnostics.append(error.diagnostic(file: file.path))
            }
        }
        if !referenceDiagnostics.isEmpty { return Report(schemaDiagnostics: referenceDiagnostics, files: []) }
        var options = options
        if options.baseURI == ValidationOptions.default.baseURI, schema.path != "<stdin>" {
            options.baseURI = fileURI(schema.path)
        }
        let compiled: CompiledSchema
        do {
            compiled = try compile(schema, registry: registry, options: options, limits: limits)
        } catch {
            return Report(schemaDiagnostics: error.diagnostics, files: [])
        }
        return Report(schemaDiagnostics: [], files: instances.map { validate($0, against: compiled, limits: limits) })
    }

    /// The `file://` URI of a path, made absolute against the current directory.
    public static func fileURI(_ path: String) -> String {
        var absolute = path
        if !path.hasPrefix("/") {
            var cwd = FileManager.default.currentDirectoryPath
            if !cwd.hasSuffix("/") { cwd += "/" }
            absolute = cwd + path
        }
        let allowed = CharacterSet.urlPathAllowed
        return "file://" + (absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute)
    }

    /// Diagnostics explaining why a schema file cannot be used.
    public struct SchemaFileError: Error, Sendable {
        /// What is wrong, positioned in the schema file.
        public var diagnostics: [Diagnostic]
    }

    /// Parses, meta-validates and compiles a schema file.
    public static func compile(
        _ schema: SourceFile, registry: SchemaRegistry = .standard, options: ValidationOptions = .default,
        limits: ResourceLimits = .default
    ) throws(SchemaFileError) -> CompiledSchema {
        let document: JSONDocument
        do {
            document = try JSONParser.parse(schema, limits: limits)
        } catch {
            throw SchemaFileError(diagnostics: [error.diagnostic(file: schema.path)])
        }
        let meta = JSONSchema.metaValidate(document)
        if !meta.isValid {
            throw SchemaFileError(
                diagnostics: meta.errors.map { error in
                    var d = error.diagnostic(file: schema.path)
                    d.message = "invalid schema: " + d.message
                    return d
                })
        }
        do {
            return try JSONSchema.compile(document, registry: registry, options: options)
        } catch {
            var diagnostic = error.diagnostic(file: schema.path)
            if error.code == .schemaUnresolvedReference {
                diagnostic.hint = "remote schemas are never fetched; pass the referenced file with `--ref FILE`"
            }
            throw SchemaFileError(diagnostics: [diagnostic])
        }
    }

    /// Parses and validates one instance file.
    public static func validate(_ file: SourceFile, against compiled: CompiledSchema, limits: ResourceLimits = .default)
        -> FileReport
    {
        let document: JSONDocument
        do {
            document = try JSONParser.parse(file, limits: limits)
        } catch {
            return FileReport(
                file: file.path, isValid: false, diagnostics: [error.diagnostic(file: file.path)], result: nil)
        }
        let result = compiled.validate(document)
        return FileReport(
            file: file.path, isValid: result.isValid, diagnostics: result.diagnostics(file: file.path), result: result)
    }
}
