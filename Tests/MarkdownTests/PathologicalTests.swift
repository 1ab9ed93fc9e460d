import Markdown
import Testing

/// Inputs that make naive markdown parsers quadratic or blow the stack (after cmark's
/// pathological tests). The tests check the output's shape; their timings are in the benchmark.
@Suite struct PathologicalTests {
    /// Each case: a name, the markdown and a fragment the HTML must contain.
    static let cases: [(String, String, String)] = [
        (
            "nested strong emphasis",
            String(repeating: "*a **a ", count: 10_000) + "b" + String(repeating: " a** a*", count: 10_000),
            "<em>a <strong>a"
        ),
        ("emphasis closers without openers", String(repeating: "a_ ", count: 30_000), "a_ a_"),
        ("emphasis openers without closers", String(repeating: "_a ", count: 30_000), "_a _a"),
        ("link closers without openers", String(repeating: "a]", count: 30_000), "a]a]"),
        ("link openers without closers", String(repeating: "[a", count: 30_000), "[a[a"),
        ("mismatched openers and closers", String(repeating: "*a_ ", count: 30_000), "*a_ *a_"),
        ("openers and closers multiple of 3", "a**b" + String(repeating: "c* ", count: 30_000), "a**bc* c*"),
        ("link openers and emphasis closers", String(repeating: "[ a_", count: 30_000), "[ a_[ a_"),
        ("repeated [ (](", String(repeating: "[ (](", count: 30_000), "[ (]("),
        ("repeated ![[]()", String(repeating: "![[]()", count: 30_000), "![<a href=\"\"></a>![<a"),
        (
            "nested brackets", String(repeating: "[", count: 10_000) + "a" + String(repeating: "]", count: 10_000),
            "[[[a]]]"
        ),
        (
            "nested images", String(repeating: "![", count: 10_000) + "a" + String(repeating: "](b)", count: 10_000),
            "<img"
        ),
        (
            "nested links", String(repeating: "[", count: 10_000) + "a" + String(repeating: "](b)", count: 10_000),
            "<a href=\"b\">a</a>"
        ),
        (
            "nested emphasis", String(repeating: "*", count: 10_000) + "a" + String(repeating: "*", count: 10_000),
            "<strong>"
        ),
        ("nested block quotes", String(repeating: "> ", count: 10_000) + "a\n", "<blockquote>"),
        ("nested lists", (0..<1_000).map { String(repeating: " ", count: $0 * 2) + "* a\n" }.joined(), "<li>a"),
        ("nested ordered lists", String(repeating: "1. ", count: 10_000) + "a\n", "<ol>"),
        ("nested bullet list on one line", String(repeating: "* ", count: 10_000) + "a\n", "<ul>"),
        ("backtick runs", (1..<3_000).map { "e" + String(repeating: "`", count: $0) }.joined(), "e`e``"),
        ("unclosed pointy links", String(repeating: "[a](<b", count: 30_000), "[a](&lt;b"),
        ("unclosed links", String(repeating: "[a](b", count: 30_000), "[a](b"),
        ("unclosed comments", String(repeating: "<!--", count: 30_000), "&lt;!--"),
        ("unclosed processing instructions", String(repeating: "a <?", count: 30_000), "&lt;?"),
        ("unclosed CDATA", String(repeating: "a <![CDATA[", count: 30_000), "CDATA"),
        (
            "many references",
            (0..<20_000).map { "[\($0)]: u\($0)\n" }.joined() + String(repeating: "[0] ", count: 20_000),
            "<a href=\"u0\">0</a>"
        ),
        (
            "wide table",
            String(repeating: "|a", count: 3_000) + "|\n" + String(repeating: "|-", count: 3_000) + "|\n"
                + String(repeating: "|b", count: 3_000) + "\n", "<td>b</td>"
        ),
        ("NUL characters", "a\u{0}b\n\n`\u{0}`", "a\u{FFFD}b"),
        ("long line of emphasis pairs", String(repeating: "*a* ", count: 30_000), "<em>a</em> <em>a</em>"),
        ("many entities", String(repeating: "&amp;&#35;&#x41;&bogus; ", count: 20_000), "&amp;#A&amp;bogus;"),
    ]

    @Test(arguments: 0..<cases.count)
    func pathologicalInputRendersAndKeepsItsShape(_ index: Int) {
        let (name, markdown, fragment) = Self.cases[index]
        let html = MarkdownHTMLRenderer.render(MarkdownParser.parse(markdown))
        let containsFragment = html.contains(fragment)
        #expect(containsFragment, "\(name)")
    }

    /// The same inputs (their first 20 KB) streamed in 200-byte chunks under both tail policies
    /// finish equal to the one-shot render.
    @Test(arguments: 0..<cases.count)
    func pathologicalInputStreamsExactly(_ index: Int) {
        let markdown = String(Self.cases[index].1.utf8.prefix(20_000))!
        let expected = MarkdownHTMLRenderer.render(MarkdownParser.parse(markdown))
        for policy in [MarkdownStream.TailPolicy.exact, .amortized(minimumBytes: 64)] {
            let stream = MarkdownStream(tailPolicy: policy)
            var rest = Substring(markdown)
            while !rest.isEmpty {
                _ = stream.append(String(rest.prefix(200)))
                _ = stream.html
                rest = rest.dropFirst(200)
            }
            _ = stream.finish()
            #expect(stream.html == expected, "\(Self.cases[index].0), \(policy)")
        }
    }

    @Test func deepNestingIsCappedNotDropped() {
        let markdown = String(repeating: "> ", count: 5_000) + "deep text\n"
        let html = MarkdownHTMLRenderer.render(MarkdownParser.parse(markdown))
        #expect(html.contains("deep text"))
        let depth = html.components(separatedBy: "<blockquote>").count - 1
        #expect(depth >= 50 && depth < 5_000)
    }
}
