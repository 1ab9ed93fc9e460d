import Foundation
import CustomUICore
import Markdown
import TestSupport
import Testing

/// The CommonMark 0.31.2 examples: exact output for everything but raw HTML, and no tag from the
/// input in the output for raw-HTML examples.
@Suite(ConformanceData.enabled) struct ConformanceTests {
    static let examples = SpecExample.all

    @Test func specExamplesAreLoaded() {
        #expect(Self.examples.count == 652)
    }

    @Test(arguments: examples.filter { $0.rawHTMLTags.isEmpty })
    func nonRawHTMLExampleMatchesExactly(_ example: SpecExample) {
        let html = MarkdownHTMLRenderer.render(MarkdownParser.parse(example.markdown, options: .commonMark))
        #expect(html == example.htmlUnderURLPolicy, "\(example)\n\(example.markdown)")
    }

    @Test(arguments: examples.filter { !$0.rawHTMLTags.isEmpty })
    func rawHTMLExampleEmitsNoTagFromTheInput(_ example: SpecExample) {
        let html = MarkdownHTMLRenderer.render(MarkdownParser.parse(example.markdown, options: .commonMark))
        for tag in example.rawHTMLTags {
            #expect(!html.contains(tag), "\(example): \(tag)")
        }
    }

    @Test func classificationCounts() {
        let raw = Self.examples.filter { !$0.rawHTMLTags.isEmpty }
        let policy = Self.examples.filter { $0.rawHTMLTags.isEmpty && $0.htmlUnderURLPolicy != $0.html }
        print(
            "conformance: \(Self.examples.count) examples, \(raw.count) raw HTML, \(policy.count) with URLs the allowlist refuses"
        )
        #expect(raw.count > 60 && raw.count < 100)
    }
}
