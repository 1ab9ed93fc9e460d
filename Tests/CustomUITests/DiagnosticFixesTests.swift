import CustomUICore
import Foundation
import Testing

@testable import CustomUI

/// Fixes carried by diagnostics, set where each diagnostic is made: each kind, applied, leaves the
/// input without that diagnostic and with no new one.
@Suite struct DiagnosticFixesTests {
    static let schema = """
        <props-schema>{ "type": "object", "properties": {
          "title": { "type": "string" }, "items": { "type": "array", "items": { "type": "string" } } } }</props-schema>
        """

    /// A template around `body` (inside `<view>` after `<run/>` and a slot named `answer`).
    static func template(_ body: String, root: String = #"execution-mode="manual""#, head: String = schema) -> String {
        """
        <custom-ui name="x" \(root)>
        \(head)
        <view><run/><slot name="answer"/>
        \(body)
        </view></custom-ui>
        """
    }

    static let prompt = SourceFile(
        path: "t.prompt.json",
        text: """
            { "name": "p", "messages": [{ "role": "user", "content": "About {{topic}}" }],
              "variableDefaults": [{ "name": "topic", "defaultValue": "x" }], "settings": { "model_id": "m" } }
            """)

    struct Case: CustomTestStringConvertible, Sendable {
        var kind: String
        var path = "t.ui.xml"
        var text: String
        var code: DiagnosticCode
        /// What the fixed text contains.
        var expected: String
        var testDescription: String { kind }
    }

    static let cases: [Case] = [
        Case(
            kind: "element (both tags)", text: template("<headng level=\"1\">Hi</headng>"),
            code: .templateUnknownElement, expected: "<heading level=\"1\">Hi</heading>"),
        Case(
            kind: "attribute", text: template("<heading levl=\"1\">Hi</heading>"), code: .templateUnknownAttribute,
            expected: "<heading level=\"1\">"),
        Case(
            kind: "mode", text: template("<text>x</text>", root: #"execution-mode="manul""#),
            code: .templateInvalidValue, expected: #"execution-mode="manual""#),
        Case(
            kind: "filter", text: template("<text>{{ props.title | upcase }}</text>"), code: .exprUnknownFilter,
            expected: "{{ props.title | upper }}"),
        Case(
            kind: "props path", text: template("<text>{{ props.titel }}</text>"), code: .bindingUnknownProp,
            expected: "{{ props.title }}"),
        Case(
            kind: "variable", text: template("<text>{{ vars.topc }}</text>"), code: .bindingUnknownVariable,
            expected: "{{ vars.topic }}"),
        Case(
            kind: "slot", text: template("<text>{{ slots.answr }}</text>"), code: .bindingUnknownSlot,
            expected: "{{ slots.answer }}"),
        Case(
            kind: "run field", text: template("<text>{{ run.stauts }}</text>"), code: .bindingUnknownRunField,
            expected: "{{ run.status }}"),
        Case(
            kind: "scope root", text: template("<text>{{ prop.title }}</text>"), code: .bindingUnknownName,
            expected: "{{ props.title }}"),
        Case(
            kind: "remove the {{ }}", text: template(#"<if test="{{ props.title }}"><text>x</text></if>"#),
            code: .exprUnexpectedToken, expected: #"<if test="props.title">"#),
        Case(
            kind: "= to ==", text: template(#"<if test="props.title = 'a'"><text>x</text></if>"#),
            code: .exprUnexpectedToken, expected: #"<if test="props.title == 'a'">"#),
        Case(
            kind: "! to not", text: template(#"<if test="!props.title"><text>x</text></if>"#),
            code: .exprUnexpectedToken, expected: #"<if test="not props.title">"#),
        Case(
            kind: "a stray }}", text: template(#"<if test="props.title }}"><text>x</text></if>"#),
            code: .exprUnexpectedToken, expected: #"<if test="props.title ">"#),
        Case(
            kind: "an as", text: template(#"<each items="props.items"><text>{{ item }}</text></each>"#),
            code: .templateMissingAttribute, expected: #"<each as="item" items="props.items">"#),
        Case(
            kind: "impossible value",
            text: template(#"<if test="run.status == 'runing'"><text>x</text></if>"#),
            code: .bindingImpossibleValue, expected: #"run.status == 'running'"#),
        Case(
            kind: "styling key",
            text: template("<text>x</text>", head: #"<styling-config>{ "acent": "red" }</styling-config>"#),
            code: .styleUnknownKey, expected: #""accent": "red""#),
        Case(
            kind: "layout",
            text: template("<text>x</text>", head: #"<layout-config>{ "layout": "sidebr" }</layout-config>"#),
            code: .layoutInvalid, expected: #""layout": "sidebar""#),
        Case(
            kind: "length unit",
            text: template("<text>x</text>", head: #"<styling-config>{ "radius": "12" }</styling-config>"#),
            code: .styleInvalidValue, expected: #""radius": "12px""#),
        Case(
            kind: "default props key",
            text: template(
                "<text>x</text>",
                head: #"""
                    <props-schema>{ "type": "object", "additionalProperties": false, "properties": { "title": { "type": "string" } } }</props-schema>
                    <default-props>{ "titel": "x" }</default-props>
                    """#),
            code: .propsInvalid, expected: #"{ "title": "x" }"#),
        Case(
            kind: "default props value",
            text: template(
                "<text>x</text>",
                head: #"""
                    <props-schema>{ "type": "object", "properties": { "tone": { "enum": ["calm", "bold"] } } }</props-schema>
                    <default-props>{ "tone": "bld" }</default-props>
                    """#),
            code: .propsInvalid, expected: #"{ "tone": "bold" }"#),
        Case(
            kind: "definition column", path: "t.definition.json",
            text:
                #"{ "name": "x", "component_type": "template", "execution_mod": "manual", "component_code": "<custom-ui><view><run/><slot name=\"a\"/></view></custom-ui>" }"#,
            code: .definitionInvalid, expected: #""execution_mode": "manual""#),
        Case(
            kind: "definition mode", path: "t.definition.json",
            text:
                #"{ "name": "x", "component_type": "template", "execution_mode": "manul", "component_code": "<custom-ui><view><run/><slot name=\"a\"/></view></custom-ui>" }"#,
            code: .definitionInvalid, expected: #""execution_mode": "manual""#),
    ]

    static func diagnostics(_ text: String, path: String) -> [Diagnostic] {
        Validator.validate(ui: SourceFile(path: path, text: text), prompt: prompt).diagnostics
    }

    @Test(arguments: cases) func theFixRemovesItsDiagnostic(_ c: Case) throws {
        let before = Self.diagnostics(c.text, path: c.path)
        let diagnostic = try #require(before.first { $0.code == c.code }, "\(before)")
        let fix = try #require(diagnostic.fixes.first, "\(diagnostic) has no fix")
        #expect(fix.edits.allSatisfy { $0.range.end.offset >= $0.range.start.offset })
        let bytes = try #require(Fix.apply(fix.edits, to: Array(c.text.utf8)))
        let fixed = String(decoding: bytes, as: UTF8.self)
        #expect(fixed.contains(c.expected), "\(fixed)")
        let after = Self.diagnostics(fixed, path: c.path)
        #expect(
            after.filter { $0.code == c.code }.count == before.filter { $0.code == c.code }.count - 1,
            "\(fix.message): \(after)")
        #expect(after.count < before.count, "the fix adds no diagnostic: \(after)")
    }

    @Test func aPromptPlaceholderIsRenamedInThePrompt() throws {
        let file = SourceFile(
            path: "p.prompt.json",
            text: """
                { "name": "p", "messages": [{ "role": "user", "content": "About {{ topc }}" }],
                  "variableDefaults": [{ "name": "topic", "defaultValue": "x" }], "settings": { "model_id": "m" } }
                """)
        let diagnostic = try #require(
            LanguageServer.promptDiagnostics(file).first { $0.code == .promptUnknownVariable })
        let fix = try #require(diagnostic.fixes.first)
        let fixed = String(decoding: try #require(Fix.apply(fix.edits, to: file.bytes)), as: UTF8.self)
        #expect(fixed.contains("About {{ topic }}"))
        #expect(
            !LanguageServer.promptDiagnostics(SourceFile(path: file.path, text: fixed)).contains {
                $0.code == diagnostic.code
            })
    }

    @Test func tiesAreAlternativesAndTheHintNamesThemAll() throws {
        // `bm` is one edit from both `br` and `em`.
        let text = Self.template("<text><bm>x</bm></text>")
        let diagnostic = try #require(
            Self.diagnostics(text, path: "t.ui.xml").first { $0.code == .templateUnknownElement })
        #expect(diagnostic.fixes.map(\.message) == ["change `bm` to `br`", "change `bm` to `em`"])
        #expect(diagnostic.hint == "did you mean `br` or `em`?")
        #expect(diagnostic.fixes.allSatisfy { $0.edits.count == 2 })
    }

    @Test func aNameWrittenWithAReferenceGetsNoFix() throws {
        // `&#x6C;` is an `l`: `manul` once decoded, but the source does not read `manul`.
        let text = Self.template("<text>x</text>", root: ##"execution-mode="manu&#x6C;""##)
        let diagnostic = try #require(
            Self.diagnostics(text, path: "t.ui.xml").first { $0.code == .templateInvalidValue })
        #expect(diagnostic.hint?.contains("did you mean") == true)
        #expect(diagnostic.fixes.isEmpty)
    }

    @Test func everyDidYouMeanInTheBindingsExampleCarriesOneFix() throws {
        let ui = try repositoryFile("Examples/invalid/bindings.ui.xml")
        let prompt = try repositoryFile("Examples/invalid/bindings.prompt.json")
        let report = Validator.validate(ui: ui, prompt: prompt)
        let named = report.diagnostics.filter { $0.hint?.contains("did you mean") == true }
        #expect(named.count >= 4)
        #expect(named.allSatisfy { $0.fixes.count == 1 })
        #expect(report.diagnostics.filter { $0.hint?.contains("did you mean") != true }.allSatisfy { $0.fixes.isEmpty })
        let edits = named.flatMap { $0.fixes[0].edits }
        let fixed = try #require(Fix.apply(edits, to: ui.bytes))
        let after = Validator.validate(
            ui: SourceFile(path: ui.path, text: String(decoding: fixed, as: UTF8.self)), prompt: prompt)
        #expect(after.diagnostics.count == report.diagnostics.count - named.count)
    }

    @Test func overlappingEditsAreRefused() {
        let file = SourceFile(path: "t", text: "abcdef")
        let a = TextEdit(range: file.range(1, 3), text: "X")
        let b = TextEdit(range: file.range(2, 4), text: "Y")
        #expect(Fix.apply([a, b], to: file.bytes) == nil)
        let insertion = TextEdit(range: file.range(2, 2), text: "1")
        #expect(Fix.apply([insertion, insertion], to: file.bytes) == nil, "two insertions at one place")
        #expect(Fix.apply([a, TextEdit(range: file.range(3, 4), text: "Z")], to: file.bytes) == Array("aXZef".utf8))
        #expect(Fix.apply([TextEdit(range: file.range(5, 6), text: "")], to: Array("ab".utf8)) == nil)
        var backwards = file.range(3, 3)
        backwards.end = file.location(at: 1)  // the initializer orders the bounds; a mutation need not
        #expect(Fix.apply([TextEdit(range: backwards, text: "")], to: file.bytes) == nil)
    }

    @Test func theJSONFormListsFixesWithTheirEdits() throws {
        let text = Self.template("<headng>Hi</headng>")
        let diagnostic = try #require(Self.diagnostics(text, path: "t.ui.xml").first { $0.fixes.count == 1 })
        let fixes = try #require(diagnostic.jsonValue["fixes"]?.arrayValue)
        #expect(fixes.count == 1)
        #expect(fixes[0]["message"]?.stringValue == "change `headng` to `heading`")
        let edit = try #require(fixes[0]["edits"]?.arrayValue?.first)
        #expect(edit["line"]?.intValue == diagnostic.range?.start.line)
        #expect(edit["column"]?.intValue == diagnostic.range?.start.column)
        #expect(edit["endColumn"]?.intValue == diagnostic.range?.end.column)
        #expect(edit["text"]?.stringValue == "heading")
    }
}
