import CustomUICore
import Markdown
import Testing

/// Source ranges on blocks and inline offsets point back into the markdown text.
@Suite struct SourceRangeTests {
    static let text = "# Title\n\nSome *text* here\nand `code`.\n\n- one\n- two\n\n> 漢字 quote\n"

    @Test func blockRangesCoverTheirLines() {
        let document = MarkdownParser.parse(Self.text)
        let ranges = document.blocks.map { "\($0.range)" }
        #expect(ranges == ["1:1-1:8", "3:1-4:12", "6:1-7:6", "9:1-9:11"])
    }

    @Test func listItemsAndQuotedParagraphsHaveRanges() {
        let document = MarkdownParser.parse(Self.text)
        guard case .list(_, _, let items) = document.blocks[2].kind,
            case .blockQuote(let quoted) = document.blocks[3].kind
        else {
            Issue.record("unexpected structure")
            return
        }
        #expect(items.map { "\($0.range)" } == ["6:1-6:6", "7:1-7:6"])
        // Columns count Unicode scalars: `漢字` is two columns of the source line.
        #expect(quoted.first.map { "\($0.range)" } == "9:3-9:11")
    }

    @Test func inlineOffsetsResolveToTheirText() {
        let document = MarkdownParser.parse(Self.text)
        guard case .paragraph(let inlines) = document.blocks[1].kind else {
            Issue.record("expected a paragraph")
            return
        }
        let texts = inlines.map { document.source.text(in: document.range(of: $0)) }
        #expect(texts == ["Some ", "*text*", " here", "\n", "and ", "`code`", "."])
    }
}
