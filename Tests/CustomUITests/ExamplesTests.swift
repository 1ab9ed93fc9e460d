import CustomUICore
import Foundation
import JSONSchema
import Testing

@testable import CustomUI

/// The bundled examples: the valid ones validate clean, the invalid ones report exactly what they say.
@Suite struct ExamplesTests {
    static let valid = ["story-writer", "article-summary", "support-reply"]

    @Test(arguments: valid)
    func validExamplesHaveNoDiagnostics(name: String) throws {
        let report = Validator.validate(
            ui: try repositoryFile("Examples/\(name)/\(name).ui.xml"),
            prompt: try repositoryFile("Examples/\(name)/\(name).prompt.json"),
            props: try repositoryFile("Examples/\(name)/\(name).props.json"))
        #expect(report.diagnostics.isEmpty, "\(DiagnosticRenderer(sources: report.sources).render(report.diagnostics))")
        #expect(report.template != nil)
    }

    static var invalid: [String] {
        (try? FileManager.default.contentsOfDirectory(
            atPath: packageRoot.appendingPathComponent("Examples/invalid").path))?
            .filter { $0.hasSuffix(".ui.xml") }.sorted() ?? []
    }

    @Test(arguments: invalid)
    func invalidExamplesReportExactlyWhatTheyExpect(file: String) throws {
        let ui = try repositoryFile("Examples/invalid/\(file)")
        let promptPath = "Examples/invalid/" + file.replacingOccurrences(of: ".ui.xml", with: ".prompt.json")
        let prompt =
            FileManager.default.fileExists(atPath: packageRoot.appendingPathComponent(promptPath).path)
            ? try repositoryFile(promptPath) : nil
        let report = Validator.validate(ui: ui, prompt: prompt)
        let expected = try #require(Self.expectations(in: ui.text), "\(file) has no `expect:` comment")
        let actual = report.diagnostics.map { d in
            let other = d.file == ui.path ? "" : " (\((d.file ?? "").split(separator: "/").last ?? ""))"
            return "\(d.code)\(other) \(d.range?.start.line ?? 0):\(d.range?.start.column ?? 0)"
        }
        #expect(
            actual.sorted() == expected.sorted(),
            "\(DiagnosticRenderer(sources: report.sources).render(report.diagnostics))")
    }

    @Test func reactDefinitionIsRefusedWithAnExplanation() throws {
        let report = Validator.validate(ui: try repositoryFile("Examples/invalid/react.definition.json"))
        let d = try #require(report.diagnostics.first { $0.code == .definitionReact })
        #expect(d.range?.start.line == 4 && d.range?.start.column == 21)
        #expect(d.hint?.contains("template") == true)
        #expect(report.hasErrors)
    }

    /// `<!-- expect: code line:col, code (file) line:col -->` from the template's first comment.
    static func expectations(in text: String) -> [String]? {
        guard let start = text.range(of: "<!-- expect:"),
            let end = text.range(of: "-->", range: start.upperBound..<text.endIndex)
        else {
            return nil
        }
        return text[start.upperBound..<end.lowerBound].split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
    }
}
