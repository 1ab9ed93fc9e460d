import Markdown
import Testing

/// The GitHub extensions: tables, strikethrough, task lists and extended autolinks (examples from
/// the GitHub Flavored Markdown spec).
@Suite struct ExtensionTests {
    static func html(_ markdown: String) -> String {
        MarkdownHTMLRenderer.render(MarkdownParser.parse(markdown))
    }

    @Test func tableWithAlignmentsAndBody() {
        let markdown = "| foo | bar |\n| :-- | --: |\n| baz | bim |\n"
        #expect(
            Self.html(markdown) == """
                <table>
                <thead>
                <tr>
                <th align="left">foo</th>
                <th align="right">bar</th>
                </tr>
                </thead>
                <tbody>
                <tr>
                <td align="left">baz</td>
                <td align="right">bim</td>
                </tr>
                </tbody>
                </table>

                """)
    }

    @Test func tableCellsEscapePipesAndPadMissingCells() {
        let markdown = "| a | b |\n|---|---|\n| `\\|` x |\n"
        let html = Self.html(markdown)
        #expect(html.contains("<td><code>|</code> x</td>\n<td></td>"))
    }

    @Test func tableNeedsMatchingDelimiterRow() {
        #expect(Self.html("| a | b |\n| --- |\n| c |\n").hasPrefix("<p>"))
    }

    @Test func tableEndsAtBlankLineOrOtherBlock() {
        let html = Self.html("| a |\n| - |\n| b |\n> quote\n")
        #expect(html.contains("</table>\n<blockquote>"))
    }

    @Test func tableInterruptsParagraphAfterFirstLines() {
        let html = Self.html("intro\n| a |\n| - |\n")
        #expect(html.hasPrefix("<p>intro</p>\n<table>"))
    }

    @Test func tablesAreOffInCommonMarkMode() {
        let html = MarkdownHTMLRenderer.render(MarkdownParser.parse("| a |\n| - |\n", options: .commonMark))
        #expect(!html.contains("<table>"))
    }

    @Test(arguments: [
        ("~~Hi~~ Hello, world!", "<p><del>Hi</del> Hello, world!</p>\n"),
        ("~one~ and ~~two~~", "<p><del>one</del> and <del>two</del></p>\n"),
        ("~~~three~~~ is not", "<pre><code class=\"language-three~~~\"></code></pre>\n"),
        ("a ~~mismatched~ b", "<p>a ~~mismatched~ b</p>\n"),
    ])
    func strikethrough(_ markdown: String, _ expected: String) {
        #expect(Self.html(markdown) == expected)
    }

    @Test func taskListItems() {
        let html = Self.html("- [ ] foo\n- [x] bar\n- [ ]\n- [y] baz\n")
        #expect(
            html == """
                <ul>
                <li><input type="checkbox" disabled="" /> foo</li>
                <li><input type="checkbox" checked="" disabled="" /> bar</li>
                <li>[ ]</li>
                <li>[y] baz</li>
                </ul>

                """)
    }

    @Test func taskListItemsInLooseLists() {
        let html = Self.html("- [x] foo\n\n- [ ] bar\n")
        #expect(html.contains("<li>\n<p><input type=\"checkbox\" checked=\"\" disabled=\"\" /> foo</p>"))
    }

    @Test(arguments: [
        ("www.commonmark.org", "<p><a href=\"http://www.commonmark.org\">www.commonmark.org</a></p>\n"),
        (
            "Visit www.commonmark.org/help for more information.",
            "<p>Visit <a href=\"http://www.commonmark.org/help\">www.commonmark.org/help</a> for more information.</p>\n"
        ),
        ("Visit www.commonmark.org.", "<p>Visit <a href=\"http://www.commonmark.org\">www.commonmark.org</a>.</p>\n"),
        (
            "Visit www.commonmark.org/a.b.",
            "<p>Visit <a href=\"http://www.commonmark.org/a.b\">www.commonmark.org/a.b</a>.</p>\n"
        ),
        (
            "www.google.com/search?q=Markup+(business)))",
            "<p><a href=\"http://www.google.com/search?q=Markup+(business)\">www.google.com/search?q=Markup+(business)</a>))</p>\n"
        ),
        (
            "(www.google.com/search?q=Markup+(business))",
            "<p>(<a href=\"http://www.google.com/search?q=Markup+(business)\">www.google.com/search?q=Markup+(business)</a>)</p>\n"
        ),
        (
            "www.google.com/search?q=commonmark&hl;",
            "<p><a href=\"http://www.google.com/search?q=commonmark\">www.google.com/search?q=commonmark</a>&amp;hl;</p>\n"
        ),
        (
            "www.commonmark.org/he<lp",
            "<p><a href=\"http://www.commonmark.org/he\">www.commonmark.org/he</a>&lt;lp</p>\n"
        ),
        (
            "https://www.commonmark.org/ and http://x.org",
            "<p><a href=\"https://www.commonmark.org/\">https://www.commonmark.org/</a> and <a href=\"http://x.org\">http://x.org</a></p>\n"
        ),
        ("foo@bar.baz", "<p><a href=\"mailto:foo@bar.baz\">foo@bar.baz</a></p>\n"),
        (
            "hello@mail+xyz.example isn't valid, but hello+xyz@mail.example is.",
            "<p>hello@mail+xyz.example isn't valid, but <a href=\"mailto:hello+xyz@mail.example\">hello+xyz@mail.example</a> is.</p>\n"
        ),
        ("a.b-c_d@a.b.", "<p><a href=\"mailto:a.b-c_d@a.b\">a.b-c_d@a.b</a>.</p>\n"),
        ("a.b-c_d@a.b-", "<p>a.b-c_d@a.b-</p>\n"),
        ("www.a_b.example_x", "<p>www.a_b.example_x</p>\n"),
        ("notawww.example.com", "<p>notawww.example.com</p>\n"),
        ("[www.example.com](/x)", "<p><a href=\"/x\">www.example.com</a></p>\n"),
    ])
    func extendedAutolinks(_ markdown: String, _ expected: String) {
        #expect(Self.html(markdown) == expected)
    }
}
