import CustomUICore
import Foundation
import Testing

@testable import CustomUI

/// Component values as the docs and the seed define them: `step` enforced, `allowOther` honoured
/// by checkboxes, a toggle without `toggleValues` is `false`/`true`, and a definition row without
/// `component_type` is `react`.
@Suite struct ComponentValueTests {
    static func prompt(_ variable: String) -> String {
        """
        {
          "messages": [{ "role": "user", "content": "{{v}}" }],
          "variableDefaults": [\(variable)],
          "settings": { "model_id": "gpt-4o-mini" }
        }
        """
    }

    static let ui =
        "<custom-ui name=\"x\" execution-mode=\"manual-with-visible-variables\"><view><variables/><run/><slot name=\"a\"/></view></custom-ui>"

    static func validate(_ variable: String) -> ValidationReport {
        Validator.validate(
            ui: SourceFile(path: "t.ui.xml", text: ui),
            prompt: SourceFile(path: "t.prompt.json", text: prompt(variable)))
    }

    @Test func aNumberDefaultOffItsStepIsAnErrorWithTheNearestValues() throws {
        let report = Self.validate(
            #"{ "name": "v", "defaultValue": "120", "customComponent": { "type": "number", "min": 100, "max": 1000, "step": 50 } }"#
        )
        let d = try #require(report.diagnostics.first)
        #expect(report.diagnostics.count == 1, "\(report.diagnostics)")
        #expect(
            d.code == .promptInvalidDefault && d.file == "t.prompt.json" && d.range?.start.line == 3
                && d.range?.start.column == 24)
        #expect(d.message == "default of `v`: 120 is not a whole number of steps of 50 from 100")
        #expect(d.hint == "use `100` or `150`")
        // On the step, and decimal steps, are fine.
        #expect(
            Self.validate(
                #"{ "name": "v", "defaultValue": "150", "customComponent": { "type": "number", "min": 100, "step": 50 } }"#
            ).diagnostics.isEmpty)
        #expect(
            Self.validate(
                #"{ "name": "v", "defaultValue": "0.3", "customComponent": { "type": "number", "step": 0.1 } }"#
            ).diagnostics.isEmpty)
    }

    @Test func aVarValueOffItsStepIsRefused() throws {
        let report = Self.validate(
            #"{ "name": "v", "defaultValue": "0", "customComponent": { "type": "number", "step": 0.5 } }"#)
        let template = try #require(report.template)
        let (output, diagnostics) = RenderPipeline.render(template, prompt: report.prompt, variables: ["v": "1.2"])
        #expect(output == nil)
        #expect(diagnostics.first?.code == .renderInvalidVariable)
        #expect(
            diagnostics.first?.message.contains("1.2 is not a whole number of steps of 0.5 from 0") == true,
            "\(diagnostics)")
        #expect(diagnostics.first?.hint == "use `1` or `1.5`")
        #expect(RenderPipeline.render(template, prompt: report.prompt, variables: ["v": "-1.5"]).diagnostics.isEmpty)
    }

    @Test func aCheckboxWithAllowOtherTakesOtherValues() throws {
        let variable =
            #"{ "name": "v", "defaultValue": "red, teal", "customComponent": { "type": "checkbox", "options": ["red", "blue"], "allowOther": true } }"#
        let report = Self.validate(variable)
        #expect(report.diagnostics.isEmpty, "\(report.diagnostics)")
        let template = try #require(report.template)
        #expect(
            RenderPipeline.render(template, prompt: report.prompt, variables: ["v": "blue, mauve"]).diagnostics.isEmpty)
        // Without allowOther, still refused.
        let closed = Self.validate(
            #"{ "name": "v", "defaultValue": "red", "customComponent": { "type": "checkbox", "options": ["red", "blue"] } }"#
        )
        let refused = RenderPipeline.render(
            try #require(closed.template), prompt: closed.prompt, variables: ["v": "mauve"]
        ).diagnostics
        #expect(
            refused.first?.message == "`v`: `mauve` is not one of its options"
                || refused.first?.message.contains("mauve") == true)
    }

    @Test func aToggleWithoutToggleValuesIsFalseOrTrue() throws {
        let report = Self.validate(
            #"{ "name": "v", "defaultValue": "false", "customComponent": { "type": "toggle" } }"#)
        #expect(report.diagnostics.isEmpty, "\(report.diagnostics)")
        let template = try #require(report.template)
        #expect(RenderPipeline.render(template, prompt: report.prompt, variables: ["v": "true"]).diagnostics.isEmpty)
        #expect(
            RenderPipeline.render(template, prompt: report.prompt, variables: ["v": "on"]).diagnostics.first?.hint
                == "use `false`, `true`")
    }

    @Test func aDefinitionWithoutComponentTypeIsReact() throws {
        let json = "{\n  \"name\": \"A\",\n  \"component_code\": \"return <div/>\"\n}"
        let report = Validator.validate(ui: SourceFile(path: "d.definition.json", text: json))
        let d = try #require(report.diagnostics.first { $0.code == .definitionReact })
        #expect(d.range?.start.line == 3 && d.range?.start.column == 3)
        #expect(d.message.contains("without `component_type` is `react`"))
        #expect(d.hint?.contains("Converting from React") == true)
        // A template written without the column gets told to name it.
        let template =
            #"{ "name": "A", "component_code": "<custom-ui><view><run/><slot name=\"a\"/></view></custom-ui>" }"#
        let t = Validator.validate(ui: SourceFile(path: "t.definition.json", text: template))
        #expect(t.diagnostics.map(\.code) == [.definitionReact])
        #expect(t.diagnostics.first?.hint == "`component_code` is a template: add \"component_type\": \"template\"")
    }
}
