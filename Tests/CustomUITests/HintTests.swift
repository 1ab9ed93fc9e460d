import CustomUICore
import Foundation
import JSONSchema
import Testing

@testable import CustomUI

/// The hints say what is actually wrong (issue 17, point 12).
@Suite struct HintTests {
    static func json(_ text: String) -> JSONSyntaxError? {
        do {
            _ = try JSONParser.parse(SourceFile(path: "x.json", text: text))
            return nil
        } catch {
            return error
        }
    }

    @Test func theTrailingCommaHintOnlyWhereThereIsOne() throws {
        #expect(Self.json(#"{"a": 1,}"#)?.hint == "remove the trailing comma")
        #expect(Self.json("[1, 2, ]")?.hint == "remove the trailing comma")
        let missing = try #require(Self.json(#"{"a": }"#))
        #expect(missing.hint == "write a value: a string, number, object, array, `true`, `false` or `null`")
        #expect(missing.range.start.column == 7)
        #expect(Self.json(#"{"a": [1, ]}"#)?.hint == "remove the trailing comma")
        #expect(Self.json(#"{"a": 1 "b": 2}"#)?.hint != "remove the trailing comma")
    }

    @Test(arguments: [
        ("upcase", "upper"), ("downcase", "lower"), ("size", "length"), ("strip", "trim"), ("uppr", "upper"),
    ])
    func filterNamesFromOtherLanguagesSuggestOurs(written: String, ours: String) throws {
        let report = Validator.validate(
            ui: SourceFile(
                path: "t.ui.xml",
                text:
                    "<custom-ui name=\"x\"><view><run/><slot name=\"a\"/><text>{{ 'a' | \(written) }}</text></view></custom-ui>"
            ))
        let d = try #require(report.diagnostics.first { $0.code == .exprUnknownFilter })
        #expect(d.hint == "did you mean `\(ours)`?")
    }

    @Test func anUnknownModeSuggestsTheModeItBegins() throws {
        let template = Validator.validate(
            ui: SourceFile(
                path: "t.ui.xml",
                text: "<custom-ui name=\"x\" execution-mode=\"auto\"><view><slot name=\"a\"/></view></custom-ui>"))
        #expect(
            template.diagnostics.first?.hint?.hasPrefix("did you mean `auto-run`?") == true, "\(template.diagnostics)")
        let definition = Validator.validate(
            ui: SourceFile(
                path: "d.definition.json",
                text: #"{ "name": "x", "component_type": "json-schema", "execution_mode": "auto" }"#))
        let d = try #require(definition.diagnostics.first { $0.code == .definitionInvalid })
        #expect(d.hint == "did you mean `auto-run`?" && d.range?.start.column == 67, "\(definition.diagnostics)")
    }

    @Test func articlesFollowTheSound() throws {
        let report = Validator.validate(
            ui: SourceFile(
                path: "t.ui.xml",
                text:
                    "<custom-ui name=\"x\"><view><run/><slot name=\"a\"/><each items=\"[1]\"><text>x</text></each></view></custom-ui>"
            ))
        let d = try #require(report.diagnostics.first { $0.code == .templateMissingAttribute })
        #expect(d.message == "`each` needs an `as` attribute")
    }

    @Test func aPromptGivenAsTheUIIsOneErrorThatSaysSo() throws {
        let report = Validator.validate(ui: try repositoryFile("Examples/story-writer/story-writer.prompt.json"))
        #expect(report.diagnostics.count == 1, "\(report.diagnostics)")
        let d = try #require(report.diagnostics.first)
        #expect(d.message == "this is a prompt file, not a UI")
        #expect(d.hint?.hasPrefix("pass it with `--prompt`") == true)
        #expect(d.range?.start.line == 1 && d.range?.start.column == 1)
    }
}
