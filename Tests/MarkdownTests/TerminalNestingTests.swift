import CustomUICore
import Markdown
import Testing

/// Deep block quotes and lists in the terminal: each level indented its content by two columns
/// down to a width of one, so a line carried a hundred-odd bars for one character of text (14 KB
/// of quotes became 1.1 MB; the 1 MB worst case ran past 9 s and 370 MB). Levels indent only while
/// `minimumContentWidth` columns remain; the output stays linear in the input.
@Suite struct TerminalNestingTests {
    static func render(_ markdown: String, width: Int) -> String {
        MarkdownTerminalRenderer.render(MarkdownParser.parse(markdown), style: TerminalStyle(width: width))
    }

    @Test(arguments: ["> ", "* ", "1. ", "> * ", "- > "], [20, 60, 80])
    func deepNestingStaysLinear(unit: String, width: Int) {
        let markdown = String(repeating: unit, count: 600) + String(repeating: "word ", count: 600)
        let output = Self.render(markdown, width: width)
        let input = markdown.utf8.count
        #expect(output.utf8.count <= 50 * input + 4096, "\(output.utf8.count) bytes from \(input)")
        #expect(output.components(separatedBy: "word").count - 1 == 600, "every word is shown")
        for line in output.split(separator: "\n") {
            #expect(DisplayWidth.of(line) <= width, "wider than \(width): \(line.prefix(80))")
        }
    }

    @Test func quotesKeepTheirBarWhileThereIsRoom() {
        let lines = Self.render("> > quoted text", width: 40).split(separator: "\n")
        #expect(lines.first?.hasPrefix("│ │ ") == true, "\(lines)")
        // At 60 columns, (60 - 12) / 2 levels have a bar; deeper ones are drawn without.
        let deep = Self.render(String(repeating: "> ", count: 40) + "text", width: 60)
        let bars = deep.split(separator: "\n").first?.filter { $0 == "│" }.count
        #expect(bars == (60 - MarkdownTerminalRenderer.minimumContentWidth) / 2, "\(deep)")
        #expect(deep.contains("text"))
    }
}
