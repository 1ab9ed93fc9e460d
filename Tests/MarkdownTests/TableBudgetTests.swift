import CustomUICore
@testable import Markdown
import Testing

/// Issue 16, finding 6: a wide header over many short rows made output quadratic in the input
/// (36 KB of markdown became 360 MB of HTML). Short rows are completed with empty cells only
/// while the cells added stay within the table's bytes; the output stays linear.
@Suite struct TableBudgetTests {
    /// A header of `columns` cells, its delimiter row, then `rows` rows of one cell.
    static func wideTable(columns: Int, rows: Int) -> String {
        "|" + String(repeating: "h|", count: columns) + "\n|" + String(repeating: "-|", count: columns) + "\n"
            + String(repeating: "a\n", count: rows)
    }

    @Test func aWideHeaderOverShortRowsStaysLinear() {
        let text = Self.wideTable(columns: 1000, rows: 5000)  // 14 KB; 50 MB of HTML before
        let document = MarkdownParser.parse(text)
        let html = MarkdownHTMLRenderer.render(document)
        #expect(html.utf8.count < 30 * text.utf8.count, "\(html.utf8.count) bytes of HTML from \(text.utf8.count)")
        #expect(html.components(separatedBy: "<td>a</td>").count - 1 == 5000)
        let terminal = MarkdownTerminalRenderer.render(document, style: TerminalStyle(width: 80, color: true))
        #expect(
            terminal.utf8.count < 30 * text.utf8.count, "\(terminal.utf8.count) terminal bytes from \(text.utf8.count)")
        let plain = MarkdownTerminalRenderer.render(document, style: TerminalStyle(width: 80))
        for line in plain.split(separator: "\n") { #expect(DisplayWidth.of(line) <= 80) }
    }

    @Test func shortRowsAreCompletedWhileTheBudgetLasts() {
        // The spec's case: a missing cell is an empty cell.
        let html = MarkdownHTMLRenderer.render(
            MarkdownParser.parse("| abc | def |\n| --- | --- |\n| bar |\n| bar | baz | boo |"))
        #expect(html.contains("<tr>\n<td>bar</td>\n<td></td>\n</tr>"))
        #expect(html.contains("<td>bar</td>\n<td>baz</td>\n</tr>") && !html.contains("boo"))
        // Past the budget a row keeps its cells: no row has more cells than the header, none is lost.
        let document = MarkdownParser.parse(Self.wideTable(columns: 50, rows: 200))
        guard case .table(_, let header, let rows) = document.blocks.first?.kind else {
            Issue.record("not a table")
            return
        }
        #expect(header.count == 50 && rows.count == 200)
        #expect(rows.allSatisfy { $0.count == 50 || $0.count == 1 })
        #expect(rows.first?.count == 50 && rows.last?.count == 1)
    }

    @Test func wideTablesStreamExactly() {
        let text = Self.wideTable(columns: 40, rows: 300)
        let oneShot = MarkdownHTMLRenderer.render(MarkdownParser.parse(text))
        var rng = SeededRandom(seed: 16)
        let stream = MarkdownStream()
        for chunk in randomChunks(text, maxChunk: 50, using: &rng) { _ = stream.append(chunk) }
        _ = stream.finish()
        #expect(stream.html == oneShot)
    }

    @Test func tooManyColumnsForTheWidthRenderAsRows() {
        let text = "| one | two | three | four | five | six |\n|---|---|---|---|---|---|\n| 1 | 2 | 3 | 4 | 5 | 6 |"
        let lines = MarkdownTerminalRenderer.render(MarkdownParser.parse(text), style: TerminalStyle(width: 20)).split(
            separator: "\n")
        for line in lines { #expect(DisplayWidth.of(line) <= 20, "\(line)") }
        #expect(lines.joined(separator: " ").contains("six") && lines.contains { $0.contains("1 │ 2") })
    }

    @Test func shrinkingColumnsMatchesTakingFromTheWidestOneAtATime() {
        var rng = SeededRandom(seed: 6)
        for _ in 0..<2000 {
            let widths = (0..<Int.random(in: 1...8, using: &rng)).map { _ in Int.random(in: 1...20, using: &rng) }
            let available = Int.random(in: widths.count...(widths.count * 20), using: &rng)
            var expected = widths
            while expected.reduce(0, +) > available {
                guard let widest = expected.indices.max(by: { expected[$0] < expected[$1] }), expected[widest] > 1
                else { break }
                expected[widest] -= 1
            }
            #expect(TerminalWriter.shrink(widths, to: available) == expected, "\(widths) to \(available)")
        }
    }
}
