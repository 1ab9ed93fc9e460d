import CustomUICore
import Markdown
import Testing

/// The terminal renderer: widths, wrapping, plain output, boxes and hanging indents.
@Suite struct TerminalTests {
    static func render(_ markdown: String, width: Int = 40, color: Bool = false, hyperlinks: Bool = false) -> String {
        MarkdownTerminalRenderer.render(
            MarkdownParser.parse(markdown), style: TerminalStyle(width: width, color: color, hyperlinks: hyperlinks))
    }

    /// The text a terminal shows: SGR and OSC 8 sequences removed.
    static func visible(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        var scalars = Array(s.unicodeScalars)[...]
        while let u = scalars.popFirst() {
            if u == "\u{1B}" {
                if scalars.first == "[" {
                    while let v = scalars.popFirst(), v != "m" {}
                } else if scalars.first == "]" {
                    // OSC ... ESC \
                    while let v = scalars.popFirst() {
                        if v == "\u{1B}", scalars.first == "\\" {
                            scalars.removeFirst()
                            break
                        }
                    }
                }
                continue
            }
            out.append(u)
        }
        return String(out)
    }

    static let mixed = """
        # 标题 Heading with emoji 🎉🎉

        Text with 漢字かな混じり文 and combining e\u{301}e\u{301}e\u{301} marks, 👩‍👩‍👧 families and a \
        [link](https://example.com/a/very/long/path) plus `inline code` and **bold *nested*** words.

        - first item that is long enough to wrap onto a second line at this width
          - nested item with 中文字符中文字符中文字符中文字符 characters
        1. ordered
        2. second

        > quoted text that also wraps because it is rather long indeed

        ```swift
        let greeting = "こんにちは世界"
        ```

        | name | 値 |
        | :--- | ---: |
        | 猫 | 1 |
        | dog 🐶 | 22 |
        """

    @Test(arguments: [20, 33, 40, 80], [false, true])
    func noLineIsWiderThanTheWidth(_ width: Int, _ color: Bool) {
        let output = Self.render(Self.mixed, width: width, color: color, hyperlinks: color)
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            let w = DisplayWidth.of(Self.visible(String(line)))
            #expect(w <= width, "\(w) > \(width): \(line)")
        }
    }

    @Test func plainOutputHasNoEscapeSequences() {
        let output = Self.render(Self.mixed + "\n\ncontrol \u{1B}[31m red", width: 60)
        #expect(!output.contains("\u{1B}"))
        #expect(output.contains("# 标题 Heading"))
        #expect(output.contains("link (https://example.com/a/very/long/path)"))
        #expect(output.contains("`inline code`"))
    }

    @Test func colourOutputUsesStylesAndOSC8() {
        let output = Self.render("*em* **strong** [x](https://e.com)", width: 60, color: true, hyperlinks: true)
        #expect(output.contains("\u{1B}[3mem\u{1B}[0m"))
        #expect(output.contains("\u{1B}[1mstrong\u{1B}[0m"))
        #expect(output.contains("\u{1B}]8;;https://e.com\u{1B}\\"))
        #expect(!output.contains("(https://e.com)"))
    }

    @Test func unsafeLinksShowNoURL() {
        let output = Self.render("[x](javascript:alert(1))", color: true, hyperlinks: true)
        #expect(!output.contains("javascript"))
    }

    @Test func wideCharactersWrapByColumns() {
        // Ten CJK characters are twenty columns: at width 10 they take exactly two lines.
        let output = Self.render("漢字漢字漢字漢字漢字", width: 10)
        #expect(output == "漢字漢字漢\n字漢字漢字\n")
    }

    @Test func combiningMarksTakeNoColumns() {
        let word = String(repeating: "e\u{301}", count: 10)
        #expect(Self.render(word, width: 10) == word + "\n")
    }

    @Test func listItemsHaveHangingIndents() {
        let output = Self.render("- alpha beta gamma delta epsilon zeta\n", width: 16)
        #expect(output == "• alpha beta\n  gamma delta\n  epsilon zeta\n")
        let ordered = Self.render((1...10).map { "\($0). item" }.joined(separator: "\n"), width: 20)
        #expect(ordered.hasPrefix(" 1. item\n"))
        #expect(ordered.hasSuffix("10. item\n"))
    }

    @Test func tablesAreBoxDrawnWithEqualWidthRows() {
        let output = Self.render("| a | 値 |\n| :-: | --: |\n| 猫猫 | 1 |\n", width: 40)
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("┌") == true)
        #expect(lines.last?.hasPrefix("└") == true)
        #expect(lines.contains { $0.hasPrefix("├") })
        let widths = Set(lines.map { DisplayWidth.of($0) })
        #expect(widths.count == 1)
        #expect(lines.contains("│  a   │ 値 │"))
    }

    @Test func codeBlocksAreBoxedInColourAndIndentedInPlainText() {
        let markdown = "```py\nprint(1)\n```"
        #expect(Self.render(markdown) == "    print(1)\n")
        let boxed = Self.visible(Self.render(markdown, width: 20, color: true))
        #expect(boxed == "┌─ py ──────────────\n│ print(1)\n└───────────────────\n")
    }

    @Test func blockQuotesArePrefixed() {
        #expect(Self.render("> a\n> b\n\n> c") == "│ a b\n\n│ c\n")
    }

    @Test func streamTerminalMatchesOneShot() {
        let stream = MarkdownStream()
        let style = TerminalStyle(width: 30, color: false)
        for chunk in Self.mixed.split(separator: " ", omittingEmptySubsequences: false) {
            _ = stream.append(String(chunk) + " ")
            _ = stream.terminal(style: style)
        }
        _ = stream.finish()
        let whole = Self.mixed.split(separator: " ", omittingEmptySubsequences: false).map { $0 + " " }.joined()
        #expect(
            stream.terminal(style: style) == MarkdownTerminalRenderer.render(MarkdownParser.parse(whole), style: style))
    }
}
