import CustomUICore
import Foundation
import JSONSchema
import Testing

@testable import CustomUI

@Suite struct DocumentTests {
    @Test(arguments: ExamplesTests.valid)
    func templateToDefinitionToTemplateKeepsTheDefinition(name: String) throws {
        let file = try repositoryFile("Examples/\(name)/\(name).ui.xml")
        let (document, diagnostics) = CustomUILoader.loadTemplate(file)
        #expect(diagnostics.isEmpty)
        let definition = try #require(document?.definition)

        // Template → definition JSON → definition: every column survives.
        let json = JSONWriter(pretty: true).string(definition.jsonValue)
        let (reloaded, reloadDiagnostics) = CustomUILoader.loadDefinition(SourceFile(path: "d.json", text: json))
        #expect(reloadDiagnostics.isEmpty)
        #expect(reloaded?.definition == definition)

        // Definition → template file → definition: the same again, and the view is kept verbatim.
        let text = CustomUILoader.templateText(for: definition)
        let (again, againDiagnostics) = CustomUILoader.loadTemplate(SourceFile(path: "again.ui.xml", text: text))
        #expect(againDiagnostics.isEmpty)
        #expect(again?.definition == definition)
        let view = try #require(document?.syntax?.root.childElements.first { $0.name == "view" })
        #expect(text.contains(view.sourceText(in: file)))
    }

    @Test func definitionColumnsAreTheAuthority() throws {
        let json = """
            {"name": "A", "component_type": "template", "execution_mode": "auto-run", "show_variables": false, "is_public": true, "version": 3,
             "status": "active", "component_code": "<custom-ui>\\n  <view><slot name=\\"a\\"/></view>\\n</custom-ui>"}
            """
        let (document, diagnostics) = CustomUILoader.loadDefinition(SourceFile(path: "d.json", text: json))
        #expect(diagnostics.isEmpty)
        let d = try #require(document?.definition)
        #expect(d.executionMode == .autoRun && !d.showVariables && d.isPublic && d.version == 3 && d.status == .active)
        // The library columns survive a write and a read.
        let (again, _) = CustomUILoader.loadDefinition(SourceFile(path: "d2.json", text: d.jsonValue.jsonText))
        #expect(again?.definition == d)
        // The template form carries the authoring columns.
        let template = CustomUILoader.templateText(for: d)
        #expect(template.contains("execution-mode=\"auto-run\"") && template.contains("show-variables=\"false\""))
    }

    @Test func definitionErrorsPointIntoTheJSON() throws {
        let json =
            "{\n  \"name\": \"A\",\n  \"execution_mode\": \"manuel\",\n  \"component_code\": \"<custom-ui><view/></custom-ui>\"\n}"
        let (_, diagnostics) = CustomUILoader.loadDefinition(SourceFile(path: "d.json", text: json))
        let d = try #require(diagnostics.first { $0.code == .definitionInvalid })
        #expect(d.range?.start.line == 3 && d.range?.start.column == 21)
        #expect(d.hint == "did you mean `manual`?")
    }

    @Test func componentCodeDiagnosticsNameTheColumn() throws {
        let json =
            #"{"name": "A", "component_type": "template", "component_code": "<custom-ui>\n  <view><headng/></view>\n</custom-ui>"}"#
        let report = Validator.validate(ui: SourceFile(path: "d.json", text: json))
        let d = try #require(report.diagnostics.first { $0.code == .templateUnknownElement })
        #expect(d.file == "d.json (component_code)")
        #expect(d.range?.start.line == 2 && d.range?.start.column == 10)
        #expect(report.sources.contains { $0.path == "d.json (component_code)" })
    }

    @Test func promptMessagePositionsSurviveJSONEscapes() throws {
        // `\"` and `\n` in the JSON string shift the placeholder's column in the file.
        let text =
            #"{"messages": [{"role": "user", "content": "say \"hi\"\n{{tpoic}}"}], "variableDefaults": [{"name": "topic", "defaultValue": "x"}], "settings": {"model_id": "m"}}"#
        let (prompt, diagnostics) = Prompt.load(SourceFile(path: "p.json", text: text))
        #expect(diagnostics.isEmpty)
        var check = PromptCheck(prompt: try #require(prompt))
        check.check()
        let d = try #require(check.diagnostics.first { $0.code == .promptUnknownVariable })
        let column = try #require(d.range?.start.column)
        let offset = text.utf8.distance(
            from: text.utf8.startIndex, to: text.range(of: "{{tpoic")!.lowerBound.samePosition(in: text.utf8)!)
        #expect(column == offset + 1)
    }

    @Test func embeddedJSONErrorsPointIntoTheTemplate() throws {
        let text =
            "<custom-ui name=\"x\">\n  <props-schema>\n    { \"type\": }\n  </props-schema>\n  <view/>\n</custom-ui>"
        let (_, diagnostics) = CustomUILoader.loadTemplate(SourceFile(path: "t.xml", text: text))
        let d = try #require(diagnostics.first)
        #expect(d.code == .templateInvalidJSON)
        #expect(d.range?.start.line == 3 && d.range?.start.column == 15)
    }
}

@Suite struct DefinitionRootTests {
    /// In a definition the metadata lives in the columns: `component_code`'s root needs no attributes.
    @Test func definitionRootNeedsNoName() throws {
        let json =
            #"{"name": "A", "component_type": "template", "component_code": "<custom-ui>\n  <view><run/><slot name=\"s\"/></view>\n</custom-ui>"}"#
        let report = Validator.validate(ui: SourceFile(path: "d.definition.json", text: json))
        #expect(report.diagnostics.isEmpty, "\(report.diagnostics)")
        #expect(report.template != nil)
        // A template file still needs it.
        let file = Validator.validate(
            ui: SourceFile(path: "t.ui.xml", text: "<custom-ui>\n  <view><run/><slot name=\"s\"/></view>\n</custom-ui>")
        )
        #expect(file.diagnostics.map(\.code) == [.templateMissingAttribute])
    }
}
