import CustomUICore
import Foundation
import Testing

@testable import CustomUI

/// Holes the checker closes (issue 17): what would fail or mislead at run time is reported by
/// `validate`, at the place to fix.
@Suite struct CheckerHolesTests {
    static func validate(_ text: String, prompt: String? = nil) -> ValidationReport {
        Validator.validate(
            ui: SourceFile(path: "t.ui.xml", text: text),
            prompt: prompt.map { SourceFile(path: "t.prompt.json", text: $0) })
    }

    static func located(_ report: ValidationReport) -> [String] {
        report.diagnostics.map { "\($0.code) \($0.range?.start.line ?? 0):\($0.range?.start.column ?? 0)" }
    }

    @Test(arguments: ExecutionMode.allCases)
    func aViewWithoutASlotIsAnErrorInEveryMode(mode: ExecutionMode) {
        let trigger = mode.needsRunTrigger ? "<run/>" : ""
        let report = Self.validate(
            """
            <custom-ui name="x" execution-mode="\(mode.rawValue)">
              <view>\(trigger)<text>Hello</text></view>
            </custom-ui>
            """)
        #expect(Self.located(report) == ["mode.missing-slot 2:4"], "\(report.diagnostics)")
        #expect(report.hasErrors)
        #expect(report.diagnostics.first?.hint == "add `<slot name=\"answer\"/>` where the answer should appear")
    }

    @Test func aSecondSlotNothingFeedsIsAWarningAtItsName() {
        let report = Self.validate(
            """
            <custom-ui name="x">
              <view><run/><slot name="answer"/>
                <if test="run.status == 'completed'"><slot name="extra"/></if></view>
            </custom-ui>
            """)
        #expect(Self.located(report) == ["mode.unfed-slot 3:54"], "\(report.diagnostics)")
        #expect(!report.hasErrors)
        #expect(
            report.diagnostics.first?.message
                == "slot `extra` stays empty: the answer streams into the first slot, `answer`")
    }

    static let inputsPrompt = """
        {
          "messages": [{ "role": "user", "content": "{{topic}} {{style}} {{count}}" }],
          "variableDefaults": [
            { "name": "topic", "defaultValue": "tides" },
            { "name": "style", "defaultValue": "haiku", "customComponent": { "type": "select", "options": ["haiku", "limerick"] } },
            { "name": "count", "defaultValue": "3", "customComponent": { "type": "number" } }
          ],
          "settings": { "model_id": "gpt-4o-mini" }
        }
        """

    static func inputs(_ view: String) -> ValidationReport {
        validate(
            "<custom-ui name=\"x\">\n  <view><run/><slot name=\"a\"/>\n\(view)\n  </view>\n</custom-ui>",
            prompt: inputsPrompt)
    }

    @Test func aVariablePlacedTwiceIsAnErrorAtTheSecondWithTheFirstNoted() throws {
        let report = Self.inputs("    <variable name=\"topic\"/>\n    <card><variable name=\"topic\"/></card>")
        #expect(Self.located(report) == ["input.duplicate-variable 4:27"], "\(report.diagnostics)")
        let d = try #require(report.diagnostics.first)
        #expect(d.notes.first?.range?.start.line == 3 && d.notes.first?.range?.start.column == 21)
    }

    @Test func alternativesInOneIfChainAreNotDuplicates() {
        let report = Self.inputs(
            """
                <if test="run.status == 'idle'"><variable name="topic"/></if>
                <else-if test="run.status == 'running'"><text>…</text></else-if>
                <else><variable name="topic" label="Again"/></else>
                <variables/>
            """)
        #expect(report.diagnostics.isEmpty, "\(report.diagnostics)")
    }

    @Test func repeatedOrDoubledInputsAreErrors() {
        let each = Self.inputs("    <each items=\"[1, 2]\" as=\"n\"><variable name=\"topic\"/></each>")
        #expect(Self.located(each) == ["input.duplicate-variable 3:49"], "\(each.diagnostics)")
        let twice = Self.inputs("    <variables/>\n    <variables/>")
        #expect(Self.located(twice) == ["input.duplicate-variable 4:6"], "\(twice.diagnostics)")
        // Separate `if`s can both be true: not alternatives.
        let ifs = Self.inputs(
            "    <if test=\"true\"><variable name=\"topic\"/></if>\n    <if test=\"true\"><variable name=\"topic\"/></if>"
        )
        #expect(Self.located(ifs) == ["input.duplicate-variable 4:37"], "\(ifs.diagnostics)")
    }

    @Test func aControlThatCannotHoldTheValuesIsAnErrorAtTheControl() throws {
        let number = Self.inputs("    <variable name=\"style\" control=\"number\"/>")
        #expect(Self.located(number) == ["input.incompatible-control 3:37"], "\(number.diagnostics)")
        #expect(
            number.diagnostics.first?.hint
                == "use one of `textarea`, `text`, `select`, `radio`, or change the variable's `customComponent` in the prompt"
        )
        let checkbox = Self.inputs("    <variable name=\"topic\" control=\"checkbox\"/>")
        #expect(
            checkbox.diagnostics.first?.message
                == "`topic` is a text, which `control=\"checkbox\"` cannot hold: a checkbox needs the variable's options, and a text has none"
        )
        // What can hold the values is fine.
        for (name, control) in [("style", "radio"), ("style", "text"), ("count", "text"), ("topic", "textarea")] {
            let ok = Self.inputs("    <variable name=\"\(name)\" control=\"\(control)\"/>")
            #expect(ok.diagnostics.isEmpty, "\(name) as \(control): \(ok.diagnostics)")
        }
    }

    static let valuesPrompt = """
        {
          "messages": [{ "role": "user", "content": "{{style}} {{free}} {{flag}}" }],
          "variableDefaults": [
            { "name": "style", "defaultValue": "haiku", "customComponent": { "type": "select", "options": ["haiku", "limerick"] } },
            { "name": "free", "defaultValue": "haiku", "customComponent": { "type": "select", "options": ["haiku"], "allowOther": true } },
            { "name": "flag", "defaultValue": "true", "customComponent": { "type": "toggle", "toggleValues": ["false", "true"] } }
          ],
          "settings": { "model_id": "gpt-4o-mini" }
        }
        """

    static func values(_ test: String) -> ValidationReport {
        validate(
            """
            <custom-ui name="x">
              <props-schema>{ "type": "object", "properties": { "plan": { "$ref": "#/$defs/plan" }, "name": { "type": "string" },
                "tier": { "anyOf": [{ "const": "gold" }, { "enum": ["silver"] }] } }, "$defs": { "plan": { "enum": ["free", "pro"] } } }</props-schema>
              <view><run/><slot name="a"/>
                <if test="\(test)"><text>x</text></if></view>
            </custom-ui>
            """, prompt: valuesPrompt)
    }

    @Test func comparingWithAValueThatCannotOccurIsAnErrorAtTheLiteral() throws {
        let report = Self.values("run.status == 'complete'")
        #expect(Self.located(report) == ["binding.impossible-value 5:29"], "\(report.diagnostics)")
        let d = try #require(report.diagnostics.first)
        #expect(d.message == "`run.status` is never `'complete'`")
        #expect(d.hint?.hasPrefix("did you mean `completed`?") == true)
        // Either side, `!=`, `in` and `not in`, props through `$ref` and `anyOf`, options and toggles.
        for (test, literal) in [
            ("'complete' == run.status", "complete"), ("run.status != 'done'", "done"),
            ("run.status not in ['idle', 'canceled']", "canceled"),
            ("props.plan == 'team'", "team"), ("props.tier == 'bronze'", "bronze"),
            ("vars.style == 'sonnet'", "sonnet"),
            ("vars.flag == 'yes'", "yes"),
        ] {
            let r = Self.values(test)
            #expect(r.diagnostics.map(\.code) == [.bindingImpossibleValue], "\(test): \(r.diagnostics)")
            #expect(r.diagnostics.first?.message.hasSuffix("`'\(literal)'`") == true, "\(test)")
        }
    }

    @Test func valuesThatCanOccurOrAreNotKnownAreFine() {
        for test in [
            "run.status == 'completed'", "run.status in ['failed', 'cancelled']", "props.plan == 'pro'",
            "props.tier == 'gold'",
            "props.tier == 'silver'", "props.name == 'anything'", "vars.free == 'sonnet'", "vars.style == 'limerick'",
            "vars.flag == 'false'",
            "run.model == 'x'",
        ] {
            let r = Self.values(test)
            #expect(r.diagnostics.isEmpty, "\(test): \(r.diagnostics)")
        }
    }

    @Test(arguments: ["execution_mode=\"auto-run\"", "executionMode=\"auto-run\"", "execution-mode=\"auto\""])
    func aMisspeltModeIsOneErrorWithoutFollowOns(attribute: String) throws {
        // No `run`: in the default `manual` mode this would also be `mode.missing-run-trigger`.
        let report = Self.validate(
            "<custom-ui name=\"x\" \(attribute)>\n  <view><slot name=\"a\"/></view>\n</custom-ui>")
        #expect(report.diagnostics.count == 1, "\(report.diagnostics)")
        let d = try #require(report.diagnostics.first)
        #expect(d.code == .templateUnknownAttribute || d.code == .templateInvalidValue)
        #expect(d.range?.start.line == 1 && (d.range?.start.column == 21 || d.range?.start.column == 37))
        #expect(d.hint?.contains("execution-mode") == true || d.hint?.contains("auto-run") == true, "\(d.hint ?? "")")
    }

    @Test func theModeChecksStillRunWhenTheModeIsWrittenRight() {
        let report = Self.validate(
            "<custom-ui name=\"x\" execution-mode=\"manual\">\n  <view><slot name=\"a\"/></view>\n</custom-ui>")
        #expect(report.diagnostics.map(\.code) == [.modeMissingRunTrigger])
    }

    @Test func anUnclosedElementIsShownWhereItOpens() throws {
        let report = Self.validate(
            "<custom-ui name=\"x\">\n  <view>\n    <card>\n      <run/><slot name=\"a\"/>\n  </view>\n</custom-ui>")
        #expect(Self.located(report) == ["xml.tag-mismatch 5:5"])
        let d = try #require(report.diagnostics.first)
        let note = try #require(d.notes.first)
        #expect(note.message == "`<card>` is opened here and never closed")
        #expect(note.range?.start.line == 3 && note.range?.start.column == 6)
        #expect(d.hint == "close `<card>` with `</card>` before this end tag")
    }

    @Test func schemaErrorsInAPromptDoNotHideItsPlaceholderErrors() {
        let prompt = """
            {
              "messages": [{ "role": "user", "content": "About {{topik}}" }],
              "variableDefaults": [{ "name": "topic", "defaultValue": "x" }],
              "settings": { "model_id": 5 }
            }
            """
        let report = Self.validate(
            "<custom-ui name=\"x\"><view><run/><slot name=\"a\"/></view></custom-ui>", prompt: prompt)
        let located = report.diagnostics.map {
            "\($0.code) \($0.file ?? "") \($0.range?.start.line ?? 0):\($0.range?.start.column ?? 0)"
        }
        #expect(located.contains("prompt.unknown-variable t.prompt.json 2:52"), "\(located)")
        #expect(report.diagnostics.contains { $0.code == .promptInvalid && $0.range?.start.line == 4 })
        #expect(report.prompt == nil)
        #expect(report.diagnostics.first { $0.code == .promptUnknownVariable }?.hint == "did you mean `topic`?")
    }
}
