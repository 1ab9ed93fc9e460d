import CustomUICore
import Foundation
import Testing

@testable import CustomUI

@Suite struct GrammarTests {
    @Test func checkedInGrammarIsTheGeneratedOne() throws {
        try expectGeneratedFile("Schemas/customui.rng", equals: Grammar.relaxNG)
    }

    @Test func checkedInDiagnosticsReferenceIsTheGeneratedOne() throws {
        try expectGeneratedFile("docs/diagnostics.md", equals: DiagnosticCatalog.markdown())
    }

    @Test func languageReferenceListsTheVocabulary() throws {
        try expectGeneratedSection(
            "docs/language.md", generated: VocabularyReference.markdown(), begin: VocabularyReference.begin,
            end: VocabularyReference.end)
    }

    @Test func grammarCompilesAndNamesEveryElement() throws {
        #expect(GrammarValidator.shared != nil)
        for spec in Vocabulary.elements {
            #expect(
                Grammar.relaxNG.contains("<element name=\"\(spec.name)\">"), "\(spec.name) is missing from the grammar")
        }
    }

    @Test(arguments: ["story-writer", "article-summary", "support-reply"])
    func examplesMatchTheGrammar(name: String) throws {
        let file = try repositoryFile("Examples/\(name)/\(name).ui.xml")
        let root = try #require(TemplateParser.parse(file).document?.root)
        #expect(try #require(GrammarValidator.shared).validate(root, file: file).isEmpty)
    }

    /// The grammar is a safety net behind the vocabulary checks: given a tree the checks were
    /// skipped for, it still refuses what the vocabulary refuses, at the element it names.
    @Test func grammarRejectsWhatChecksWouldMiss() throws {
        let text = "<custom-ui name=\"x\">\n  <view>\n    <text>ok</text>\n    <bogus/>\n  </view>\n</custom-ui>"
        let file = SourceFile(path: "t.xml", text: text)
        let root = try #require(TemplateParser.parse(file).document?.root)
        let diagnostics = try #require(GrammarValidator.shared).validate(root, file: file)
        #expect(diagnostics.map(\.code).contains(.templateGrammar))
        #expect(
            diagnostics.contains {
                $0.range?.start.line == 4 && $0.range?.start.column == 6 && $0.message.contains("bogus")
            })
    }
}
