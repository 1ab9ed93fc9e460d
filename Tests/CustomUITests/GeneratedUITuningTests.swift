import CustomUICore
import Foundation
import Markdown
import Testing

@testable import CustomUI

/// A `json-schema` definition's UI tuned without a template: props' `title`/`description`, and
/// `layout_config.ui` (order, hidden, label, help, placeholder, widget).
@Suite struct GeneratedUITuningTests {
    static let definition = "Examples/story-form/story-form.definition.json"
    static let prompt = "Examples/story-form/story-form.prompt.json"

    @Test func theExampleIsTunedAsItSays() throws {
        let report = Validator.validate(
            ui: try repositoryFile(Self.definition), prompt: try repositoryFile(Self.prompt))
        #expect(report.diagnostics.isEmpty, "\(report.diagnostics)")
        let (template, diagnostics) = RenderPipeline.template(for: report)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let compiled = try #require(template)
        let text = try #require(
            RenderPipeline.render(
                compiled, prompt: report.prompt,
                options: RenderOptions(format: .terminal, terminal: TerminalStyle(width: 120))
            )
            .output)
        let lines = text.split(separator: "\n").map(String.init)
        func line(_ prefix: String) -> Int? { lines.firstIndex { $0.contains(prefix) } }
        // Props: ordered (series before reader), labelled from ui and from the schema's title, help from ui and description, one hidden.
        let series = try #require(line("Series: Bedtime stories"))
        let reader = try #require(line("Written for: Ada, age 9"))
        #expect(series < reader)
        #expect(line("Shown above the story.") != nil && line("Who the story is for.") != nil)
        #expect(!text.contains("st-0042") && !text.contains("Internal"))
        // Variables: topic, length first; labels, help, placeholder; style as a radio group.
        let topic = try #require(line("What is the story about?:"))
        let length = try #require(line("Words:"))
        let style = try #require(line("Style:"))
        #expect(topic < length && length < style)
        #expect(line("A sentence or two is plenty.") != nil)
        #expect(lines[style].contains("(•) whimsical") && lines[style].contains("( ) noir"))
        #expect(line("End with a twist") != nil)
        let html = try #require(
            RenderPipeline.render(compiled, prompt: report.prompt, options: RenderOptions(fragment: true)).output)
        #expect(html.contains("placeholder=\"a fox who learns to sail\""))
        #expect(html.contains("<main class=\"cui cui-layout-compact\">"))
    }

    static func check(_ ui: String, mode: String = "manual") -> ValidationReport {
        let definition = """
            { "name": "A", "component_type": "json-schema", "execution_mode": "\(mode)",
              "props_schema": { "type": "object", "properties": { "customer": { "type": "string" } } },
              "layout_config": { "ui": \(ui) } }
            """
        return Validator.validate(
            ui: SourceFile(path: "d.definition.json", text: definition),
            prompt: try? repositoryFile("Examples/story-writer/story-writer.prompt.json"))
    }

    static func located(_ report: ValidationReport) -> [String] {
        report.diagnostics.map { "\($0.code) \($0.range?.start.line ?? 0):\($0.range?.start.column ?? 0)" }
    }

    @Test func mistakesInUIArePositioned() throws {
        let unknown = Self.check(#"{ "order": ["custmer", "topic"] }"#)
        #expect(Self.located(unknown) == ["ui.unknown-field 3:40"], "\(unknown.diagnostics)")
        #expect(unknown.diagnostics.first?.hint == "did you mean `customer`?")
        let key = Self.check(#"{ "hiden": ["customer"] }"#)
        #expect(Self.located(key) == ["ui.invalid 3:30"])
        #expect(key.diagnostics.first?.hint == "did you mean `hidden`?")
        let setting = Self.check(#"{ "fields": { "topic": { "lable": "T" } } }"#)
        #expect(
            Self.located(setting) == ["ui.invalid 3:53"] && setting.diagnostics.first?.hint == "did you mean `label`?")
        let widget = Self.check(#"{ "fields": { "length": { "widget": "slider" } } }"#)
        #expect(Self.located(widget) == ["ui.invalid 3:64"])
        let incompatible = Self.check(#"{ "fields": { "length": { "widget": "checkbox" } } }"#)
        #expect(Self.located(incompatible) == ["input.incompatible-control 3:64"], "\(incompatible.diagnostics)")
        let hidden = Self.check(#"{ "hidden": ["topic"] }"#, mode: "manual-with-visible-variables")
        #expect(Self.located(hidden) == ["mode.conflicting-setting 3:41"], "\(hidden.diagnostics)")
        #expect(Self.check(#"{ "hidden": ["customer", "twist"], "order": ["length"] }"#).diagnostics.isEmpty)
    }

    @Test func uiInATemplateIsAnUnknownKey() throws {
        let report = Validator.validate(
            ui: SourceFile(
                path: "t.ui.xml",
                text:
                    "<custom-ui name=\"x\">\n  <layout-config>{ \"ui\": {} }</layout-config>\n  <view><run/><slot name=\"a\"/></view>\n</custom-ui>"
            ))
        #expect(Self.located(report) == ["layout.unknown-key 2:20"])
        #expect(
            report.diagnostics.first?.hint
                == "`ui` tunes the UI generated for `json-schema` definitions; a template lays itself out")
    }

    @Test func theInvalidExampleReportsExactlyWhatItsDescriptionLists() throws {
        let file = try repositoryFile("Examples/invalid/generated-ui.definition.json")
        let report = Validator.validate(ui: file)
        let description = try #require(report.document?.definition.description)
        let expected = description.dropFirst("expect: ".count).split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        #expect(description.hasPrefix("expect: "))
        #expect(Self.located(report).sorted() == expected.sorted(), "\(report.diagnostics)")
    }
}
