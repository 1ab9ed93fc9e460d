import CustomUICore
import Foundation
import Testing

@testable import JSONSchema

/// The project's own schemas in `Schemas/`: they compile, pass the meta-schema, and accept and reject samples.
@Suite("Project schemas")
struct ProjectSchemaTests {
    static func schemaFile(_ name: String) throws -> SourceFile {
        let url = Conformance.packageRoot.appendingPathComponent("Schemas").appendingPathComponent(name)
        return SourceFile(path: "Schemas/" + name, text: try String(contentsOf: url, encoding: .utf8))
    }

    static func compiled(_ name: String) throws -> CompiledSchema {
        try SchemaCheck.compile(try schemaFile(name), options: ValidationOptions(assertFormat: true))
    }

    func check(_ schema: String, _ instance: String) throws -> SchemaCheck.FileReport {
        SchemaCheck.validate(
            SourceFile(path: "sample.json", text: instance), against: try ProjectSchemaTests.compiled(schema))
    }

    @Test(arguments: ["prompt.schema.json", "definition.schema.json", "stream-event.schema.json"])
    func compilesAndPassesMetaSchema(name: String) throws {
        let document = try JSONParser.parse(try ProjectSchemaTests.schemaFile(name))
        #expect(JSONSchema.metaValidate(document).isValid)
        _ = try ProjectSchemaTests.compiled(name)
    }

    @Test func promptAccepted() throws {
        let report = try check(
            "prompt.schema.json",
            #"""
            {"id": "p1", "name": "Summarise", "messages": [{"role": "system", "content": "Summarise {{topic}}"}],
             "variableDefaults": [
               {"name": "topic", "defaultValue": "space", "customComponent": {"type": "select", "options": ["space", "sea"], "allowOther": true}},
               {"name": "formal", "defaultValue": "yes", "customComponent": {"type": "toggle", "toggleValues": ["no", "yes"]}},
               {"name": "count", "defaultValue": "3", "customComponent": {"type": "number", "min": 1, "max": 10, "step": 1}}],
             "settings": {"model_id": "gpt-4o", "temperature": 0.7, "max_tokens": 1000, "stream": true, "custom_flag": 1},
             "tools": {}}
            """#)
        #expect(report.isValid, "\(report.diagnostics)")
    }

    @Test(arguments: [
        (#"{"messages": [{"role": "user", "content": "x"}], "settings": {}}"#, "missing required property `model_id`"),
        (#"{"messages": [{"role": "robot", "content": "x"}], "settings": {"model_id": "m"}}"#, "is not one of"),
        (
            #"{"messages": [{"role": "user", "content": "x"}], "settings": {"model_id": "m"}, "variableDefaults": [{"name": "t", "defaultValue": "a", "customComponent": {"type": "toggle", "toggleValues": ["a"]}}]}"#,
            "fewer than the minimum of 2"
        ),
        (
            #"{"messages": [{"role": "user", "content": "x"}], "settings": {"model_id": "m"}, "variableDefaults": [{"name": "t", "defaultValue": "a", "customComponent": {"type": "slider"}}]}"#,
            "is not one of"
        ),
        (
            #"{"messages": [{"role": "user", "content": "x"}], "settings": {"model_id": "m", "temperature": "hot"}}"#,
            "expected number, found string"
        ),
    ])
    func promptRejected(instance: String, message: String) throws {
        let report = try check("prompt.schema.json", instance)
        #expect(!report.isValid)
        #expect(report.diagnostics.contains { $0.message.contains(message) }, "\(report.diagnostics.map(\.message))")
        #expect(report.diagnostics.allSatisfy { $0.range != nil })
    }

    @Test func definitionAcceptedAndRejected() throws {
        let good = try check(
            "definition.schema.json",
            #"""
            {"id": "6f1c2a56-8f0e-4b8e-9f39-0c8f6a0b1d2e", "prompt_id": "p1", "name": "Card", "component_code": "<ui/>",
             "component_type": "template", "props_schema": {"type": "object", "properties": {"title": {"type": "string"}}},
             "default_props": {"title": "Hi"}, "execution_mode": "auto-run-one-shot", "auto_submit": false, "show_variables": true,
             "is_public": false, "is_featured": false, "use_count": 0, "version": 2, "parent_version_id": null, "status": "active",
             "validated": true, "validation_errors": null, "created_at": "2026-01-02T03:04:05Z", "updated_at": "2026-01-02T03:04:05Z"}
            """#)
        #expect(good.isValid, "\(good.diagnostics)")
        let bad = try check(
            "definition.schema.json",
            #"""
            {"prompt_id": "p1", "name": "Card", "component_code": "", "execution_mode": "sometimes", "status": "live",
             "props_schema": {"type": "strng"}, "created_at": "yesterday", "use_count": -1}
            """#)
        #expect(!bad.isValid)
        let locations = Set(bad.result?.errors.map(\.instanceLocation.description) ?? [])
        #expect(locations.isSuperset(of: ["/execution_mode", "/status", "/props_schema", "/created_at", "/use_count"]))
    }

    @Test(arguments: [
        #"{"event": "chunk", "data": {"text": "Hel"}}"#,
        #"{"event": "status_update", "data": {"status": "processing", "user_message": "Thinking"}}"#,
        #"{"event": "tool_event", "data": {"event": "tool_started", "call_id": "c1", "tool_name": "search", "data": {"q": 1}}}"#,
        #"{"event": "completion", "data": {"status": "complete", "total_usage": {"input_tokens": 3}}}"#,
        #"{"event": "data", "data": {"anything": [1, 2]}}"#,
        #"{"event": "error", "data": {"error_type": "rate_limit", "message": "slow down", "code": 429}}"#,
        #"{"event": "broker", "data": {"broker_id": "b1", "value": "v", "source": "tool"}}"#,
        #"{"event": "heartbeat", "data": {}}"#,
        #"{"event": "end", "data": {"reason": "done"}}"#,
    ])
    func streamEventAccepted(line: String) throws {
        let report = try check("stream-event.schema.json", line)
        #expect(report.isValid, "\(report.diagnostics.map(\.message))")
    }

    @Test(arguments: [
        (#"{"event": "chunk", "data": {"txt": "Hel"}}"#, "missing required property `text`"),
        (#"{"event": "shout", "data": {}}"#, "is not one of"),
        (#"{"event": "error", "data": {"message": "x"}}"#, "missing required property `error_type`"),
        (#"{"event": "broker", "data": {"broker_id": 3, "value": 1}}"#, "expected string, found integer"),
        (#"{"event": "end"}"#, "missing required property `data`"),
    ])
    func streamEventRejected(line: String, message: String) throws {
        let report = try check("stream-event.schema.json", line)
        #expect(!report.isValid)
        #expect(report.diagnostics.contains { $0.message.contains(message) }, "\(report.diagnostics.map(\.message))")
    }

    @Test func referencedSchemaFiles() throws {
        let schema = SourceFile(
            path: "schemas/main.json", text: ##"{"properties": {"id": {"$ref": "common.json#/$defs/id"}}}"##)
        let common = SourceFile(
            path: "schemas/common.json", text: #"{"$defs": {"id": {"type": "string", "minLength": 3}}}"#)
        let byID = SourceFile(path: "other.json", text: #"{"$id": "https://example.com/x.json", "type": "integer"}"#)
        let good = SourceFile(path: "g.json", text: #"{"id": "abc"}"#)
        let bad = SourceFile(path: "b.json", text: #"{"id": "a"}"#)
        let report = SchemaCheck.run(schema: schema, instances: [good, bad], references: [common, byID])
        #expect(report.exitCode == 1)
        #expect(report.files.map(\.isValid) == [true, false])
        let missing = SchemaCheck.run(schema: schema, instances: [good])
        #expect(missing.exitCode == 2)
        #expect(missing.schemaDiagnostics.first?.code == .schemaUnresolvedReference)
        let viaID = SourceFile(path: "v.json", text: #"{"$ref": "https://example.com/x.json"}"#)
        #expect(
            SchemaCheck.run(schema: viaID, instances: [SourceFile(path: "n.json", text: "3")], references: [byID])
                .exitCode == 0)
    }

    @Test func checkExitCodes() throws {
        let schema = SourceFile(path: "s.json", text: #"{"type": "object", "required": ["a"]}"#)
        let valid = SourceFile(path: "v.json", text: #"{"a": 1}"#)
        let invalid = SourceFile(path: "x.json", text: #"{"b": 1}"#)
        let broken = SourceFile(path: "b.json", text: #"{"a": }"#)
        #expect(SchemaCheck.run(schema: schema, instances: [valid]).exitCode == 0)
        let mixed = SchemaCheck.run(schema: schema, instances: [valid, invalid, broken])
        #expect(mixed.exitCode == 1)
        #expect(mixed.files.map(\.isValid) == [true, false, false])
        #expect(mixed.files[2].diagnostics.first?.code == .jsonSyntax)
        #expect(
            mixed.files[1].diagnostics.first?.description
                == "x.json:1:1: error[schema.required]: missing required property `a`")
        let badSchema = SourceFile(path: "s.json", text: #"{"type": "objekt"}"#)
        let report = SchemaCheck.run(schema: badSchema, instances: [valid])
        #expect(report.exitCode == 2)
        #expect(report.schemaDiagnostics.first?.range?.start.column == 10)
        #expect(SchemaCheck.run(schema: SourceFile(path: "s.json", text: "{"), instances: [valid]).exitCode == 2)
        let json = mixed.jsonValue
        #expect(json["valid"] == false)
        #expect(json["files"]?.arrayValue?.count == 3)
    }
}
