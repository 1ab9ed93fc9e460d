import CustomUICore
import Foundation
import JSONSchema
import Testing

@testable import CustomUI

@Suite struct BuiltinSchemasTests {
    static let files: [(name: String, file: String)] = [
        ("prompt", "prompt.schema.json"), ("definition", "definition.schema.json"),
        ("streamEvent", "stream-event.schema.json"),
    ]

    /// The embedded copies equal Schemas/*.json; with CUSTOMUI_RECORD=1 the Swift file is rewritten from them.
    @Test func embeddedSchemasMatchTheFiles() throws {
        var generated = """
            // Generated from Schemas/*.json by the test suite (CUSTOMUI_RECORD=1 swift test): do not edit.
            // The engine validates its own documents with these schemas; embedding them means the binary needs
            // no files at run time, and BuiltinSchemasTests keeps them equal to the files in Schemas/.

            /// The JSON Schemas of the documents the engine reads, as shipped in `Schemas/`.
            public enum BuiltinSchemaText {

            """
        for (index, (name, file)) in Self.files.enumerated() {
            var text = try String(contentsOf: packageRoot.appendingPathComponent("Schemas/\(file)"), encoding: .utf8)
            if !text.hasSuffix("\n") { text += "\n" }
            // Indented as `swift format` lays out a multi-line literal (not part of the string).
            let indented = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
                .map { $0.isEmpty ? "" : "        " + $0 }.joined(separator: "\n")
            generated += "    /// `Schemas/\(file)`.\n"
            generated += "    public static let \(name) = #\"\"\"\n\(indented)\n        \"\"\"#\n"
            if index < Self.files.count - 1 { generated += "\n" }
        }
        generated += "}\n"
        try expectGeneratedFile("Sources/CustomUI/Documents/BuiltinSchemaText.swift", equals: generated)
    }

    @Test func schemasCompile() {
        #expect(DocumentSchemas.prompt != nil)
        #expect(DocumentSchemas.definition != nil)
        #expect(DocumentSchemas.streamEvent != nil)
    }

    @Test func promptFilesAreValidatedWithTheShippedSchema() throws {
        let text = #"{"messages": [{"role": "user", "content": "hi"}], "settings": {"model_id": "m"}, "temprature": 1}"#
        let (_, diagnostics) = Prompt.load(SourceFile(path: "p.json", text: text))
        let d = try #require(diagnostics.first)
        #expect(d.code == .promptInvalid)
        #expect(d.range?.start.column == 82)
        #expect(d.notes.contains { $0.message.contains("additionalProperties") })
    }

    @Test func defaultPropsAreCheckedAgainstThePropsSchema() throws {
        let text = """
            <custom-ui name="x">
              <props-schema>{ "type": "object", "properties": { "n": { "type": "integer", "maximum": 5 } }, "required": ["n"] }</props-schema>
              <default-props>{ "n": 7 }</default-props>
              <view><run/></view>
            </custom-ui>
            """
        let report = Validator.validate(ui: SourceFile(path: "t.xml", text: text))
        let d = try #require(report.diagnostics.first { $0.code == .propsInvalid })
        #expect(d.message.hasPrefix("default props:"))
        #expect(d.range?.start.line == 3 && d.range?.start.column == 25)
    }

    @Test func requiredPropsAreCheckedOnTheMergedProps() throws {
        let text = """
            <custom-ui name="x">
              <props-schema>{ "type": "object", "required": ["article"] }</props-schema>
              <view><run/></view>
            </custom-ui>
            """
        let ui = SourceFile(path: "t.xml", text: text)
        let missing = Validator.validate(ui: ui, props: SourceFile(path: "p.json", text: "{}"))
        #expect(missing.diagnostics.contains { $0.code == .propsInvalid && $0.message.contains("article") })
        let given = Validator.validate(ui: ui, props: SourceFile(path: "p.json", text: #"{"article": "x"}"#))
        #expect(!given.diagnostics.contains { $0.code == .propsInvalid })
    }
}
