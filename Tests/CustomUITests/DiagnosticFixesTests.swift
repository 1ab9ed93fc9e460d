import CustomUICore
import Foundation
import Testing

@testable import CustomUI

/// Fixes derived from diagnostics whose hint names the replacement: each one applied removes its
/// diagnostic, and nothing is offered where the hint names nothing.
@Suite struct DiagnosticFixesTests {
    static func validate(_ text: String, prompt: SourceFile? = nil) -> (SourceFile, [Diagnostic]) {
        let file = SourceFile(path: "t.ui.xml", text: text)
        return (file, Validator.validate(ui: file, prompt: prompt).diagnostics)
    }

    @Test func everyDidYouMeanInTheBindingsExampleIsFixedByItsEdit() throws {
        let ui = try repositoryFile("Examples/invalid/bindings.ui.xml")
        let prompt = try repositoryFile("Examples/invalid/bindings.prompt.json")
        let report = Validator.validate(ui: ui, prompt: prompt)
        let named = report.diagnostics.filter { $0.hint?.contains("did you mean") == true }
        #expect(named.count >= 4)
        var edits: [TextEdit] = []
        for diagnostic in named {
            let fixes = DiagnosticFixes.fixes(for: diagnostic, in: ui)
            #expect(fixes.count == 1, "\(diagnostic)")
            edits += fixes.first?.edits ?? []
        }
        let fixed = SourceFile(path: ui.path, text: DiagnosticFixes.apply(edits, to: ui))
        let after = Validator.validate(ui: fixed, prompt: prompt).diagnostics
        for diagnostic in named {
            #expect(
                !after.contains { $0.code == diagnostic.code && $0.range?.start.line == diagnostic.range?.start.line },
                "\(diagnostic) is still there")
        }
        #expect(after.count == report.diagnostics.count - named.count)
        #expect(
            report.diagnostics.filter { $0.hint?.contains("did you mean") != true }.allSatisfy {
                DiagnosticFixes.fixes(for: $0, in: ui).isEmpty
            })
    }

    @Test func anUnknownElementIsRenamedInBothTags() throws {
        let (file, diagnostics) = Self.validate(
            #"<custom-ui name="x"><view><headng level="1">Hi</headng><run/><buton/></view></custom-ui>"#)
        let element = try #require(
            diagnostics.first { $0.code == .templateUnknownElement && file.text(in: $0.range!) == "headng" })
        let fix = try #require(DiagnosticFixes.fixes(for: element, in: file).first)
        #expect(fix.message == "change `headng` to `heading`")
        #expect(fix.edits.count == 2)
        let fixed = DiagnosticFixes.apply(fix.edits, to: file)
        #expect(fixed.contains("<heading level=\"1\">Hi</heading>"))
        #expect(TemplateParser.parse(SourceFile(path: "t", text: fixed)).document != nil)
        if let button = diagnostics.first(where: {
            $0.code == .templateUnknownElement && file.text(in: $0.range!) == "buton"
        }),
            let buttonFix = DiagnosticFixes.fixes(for: button, in: file).first
        {
            #expect(buttonFix.edits.count == 1, "a self-closing element has no end tag to rename")
        }
    }

    @Test func bracesInAnExpressionAttributeAreRemoved() throws {
        let (file, diagnostics) = Self.validate(
            #"<custom-ui name="x"><view><run/><if test="{{ props.a }}"><text>x</text></if></view></custom-ui>"#)
        let braces = try #require(diagnostics.first { $0.hint?.contains("remove the `{{ }}`") == true })
        let fix = try #require(DiagnosticFixes.fixes(for: braces, in: file).first)
        #expect(DiagnosticFixes.apply(fix.edits, to: file).contains(#"<if test="props.a">"#))
    }

    @Test func hintsThatNameNothingHaveNoFix() {
        let file = SourceFile(path: "t.ui.xml", text: "<custom-ui name=\"x\"/>")
        let plain = Diagnostic.error("x.y", "m", file: "t.ui.xml", range: file.range(1, 10), hint: "add a `view`")
        #expect(DiagnosticFixes.fixes(for: plain, in: file).isEmpty)
        let spaced = Diagnostic.error(
            "x.y", "m", file: "t.ui.xml", range: file.range(0, 16), hint: "did you mean `view`?")
        #expect(DiagnosticFixes.fixes(for: spaced, in: file).isEmpty, "the range holds more than a name")
        let elsewhere = Diagnostic.error(
            "x.y", "m", file: "other.json", range: file.range(1, 10), hint: "did you mean `view`?")
        #expect(DiagnosticFixes.fixes(for: elsewhere, in: file).isEmpty)
        #expect(DiagnosticFixes.suggestions(in: "did you mean `a` or `b`?") == ["a", "b"])
    }
}
