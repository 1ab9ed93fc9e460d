import CustomUICore
import JSONSchema

/// `customui schema validate`: checks JSON files against a JSON Schema 2020-12 schema.
enum SchemaCommand: Command {
    static let name = "schema"
    static let summary = "validate JSON files against a JSON Schema (2020-12)"
    static let help = """
        usage: customui schema validate --schema SCHEMA [--ref SCHEMA]... FILE... [--format text|json] [--assert-format]

        Validates each FILE (`-` for standard input) against the JSON Schema in SCHEMA. The schema is
        checked against the 2020-12 meta-schema first. Remote `$ref`s are never fetched; only the
        2020-12 meta-schemas are built in.

        options:
          --schema SCHEMA   the schema file (required)
          --ref SCHEMA      another schema file SCHEMA may `$ref`, by its `$id` or a relative path
                            (repeatable)
          --format FORMAT   `text` (default): one diagnostic per error; `json`: a report with the
                            spec's basic output per file
          --assert-format   treat `format` as an assertion (2020-12 makes it an annotation)

        exit status: 0 every file is valid, 1 some file is invalid, 2 schema or usage error
        """

    static func run(_ arguments: inout Arguments, console: Console) throws -> Int32 {
        guard arguments.items.first == "validate" else {
            throw UsageError(
                arguments.items.first.map { "unknown subcommand `\($0)`; the subcommand is `validate`" }
                    ?? "missing subcommand `validate`")
        }
        arguments = Arguments(Array(arguments.items.dropFirst()))
        guard let schemaPath = try arguments.value("--schema") else { throw UsageError("missing `--schema SCHEMA`") }
        let format = try arguments.choice("--format", ReportFormat.allCases, default: .text)
        let assertFormat = arguments.flag("--assert-format")
        let referencePaths = try arguments.values("--ref")
        let paths = try arguments.positionals()
        guard !paths.isEmpty else { throw UsageError("no FILE to validate") }

        let schema = try readInput(schemaPath)
        let references = try referencePaths.map { (path) throws(UsageError) in try readInput(path) }
        let instances = try paths.map { (path) throws(UsageError) in try readInput(path) }
        let report = SchemaCheck.run(
            schema: schema, instances: instances, references: references,
            options: ValidationOptions(assertFormat: assertFormat))

        if format == .json {
            console.out(JSONWriter(pretty: true).string(report.jsonValue) + "\n")
        } else {
            let renderer = DiagnosticRenderer(sources: [schema] + references + instances, color: console.colorErr)
            let diagnostics = report.diagnostics
            if !diagnostics.isEmpty { console.errRendered(renderer.render(diagnostics)) }
            for file in report.files where file.isValid { console.out("\(file.file): valid\n") }
            if report.exitCode != 0 { console.err(DiagnosticRenderer.summary(diagnostics) + "\n") }
        }
        return report.exitCode
    }
}
