import Testing

@testable import CustomUICore

/// Every control a terminal acts on, and the escape sequences that matter most: CSI, OSC 8 (a
/// link), OSC 52 (writes the clipboard), and the bidi override that reorders what is shown.
enum Hostile {
    static let c0 = (0x00..<0x20).map { Unicode.Scalar(UInt8($0)) }
    static let c1 = (0x7F..<0xA0).map { Unicode.Scalar(UInt8($0)) }
    static let bidi: [Unicode.Scalar] = [
        0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069,
    ]
    .map { Unicode.Scalar($0)! }
    static let sequences =
        "\u{1B}[31mred\u{1B}[0m \u{1B}]8;;https://evil.example\u{1B}\\link\u{1B}]8;;\u{1B}\\ \u{1B}]52;c;ZXZpbA==\u{07} \u{9B}2J \u{202E}txt.exe"
    static var everything: String {
        var s = String.UnicodeScalarView()
        for u in c0 + c1 + bidi { s.append("x"); s.append(u) }
        return String(s) + sequences
    }
}

/// Scalars that must never reach a terminal raw, besides those the caller kept for layout.
func rawControls(_ text: String, keeping: Set<Unicode.Scalar> = []) -> [UInt32] {
    text.unicodeScalars.filter { TerminalText.isControl($0) && !keeping.contains($0) }.map(\.value)
}

@Suite struct TerminalTextTests {
    @Test func everyControlBecomesVisible() {
        let shown = TerminalText.visible(Hostile.everything)
        #expect(rawControls(shown).isEmpty)
        #expect(shown.contains("␛[31mred␛[0m"))
        #expect(shown.contains("␛]52;c;ZXZpbA==␇"))
        #expect(shown.contains("<U+009B>2J"))
        #expect(shown.contains("<U+202E>txt.exe"))
        // One visible form per control, in place: nothing is dropped.
        for u in Hostile.c0 + Hostile.c1 + Hostile.bidi {
            #expect(shown.contains("x" + TerminalText.picture(u)), "U+\(String(u.value, radix: 16))")
        }
    }

    @Test func visibleFormsAreControlPicturesOrCodePoints() {
        #expect(TerminalText.picture("\u{0}") == "␀")
        #expect(TerminalText.picture("\u{1B}") == "␛")
        #expect(TerminalText.picture("\u{7}") == "␇")
        #expect(TerminalText.picture("\u{8}") == "␈")
        #expect(TerminalText.picture("\u{7F}") == "␡")
        #expect(TerminalText.picture("\u{85}") == "<U+0085>")
        #expect(TerminalText.picture("\u{202E}") == "<U+202E>")
        #expect(TerminalText.picture("\u{200F}") == "<U+200F>")
    }

    @Test func layoutKeepsNewlinesAndTabsOnlyWhenAsked() {
        let text = "a\tb\nc\r\nd\re"
        #expect(TerminalText.visible(text) == "a␉b␊c␍␊d␍e")
        #expect(TerminalText.visible(text, newlines: true, tabs: .keep) == "a\tb\nc\nd␍e")
        #expect(TerminalText.visible(text, newlines: true, tabs: .spaces(4)) == "a    b\nc\nd␍e")
    }

    @Test func ordinaryTextIsUnchanged() {
        for text in ["", "plain", "日本語 👩‍👩‍👧 é e\u{301}", "عربي עברית", "┌─┐ ␛ <U+202E>", "\u{A0}\u{AD}\u{200B}"] {
            #expect(TerminalText.visible(text) == text)
        }
    }

    @Test func jsonEscapesTerminalControlsSoPrintedJSONIsSafe() {
        let json = JSONWriter().string(.string(Hostile.everything))
        #expect(rawControls(json).isEmpty)
        #expect(json.contains(#"\u001b[31m"#))
        #expect(json.contains(#"\u009b2J"#))
        #expect(json.contains(#"\u202etxt.exe"#))
    }
}

@Suite struct DiagnosticQuotingTests {
    @Test func quotedSourceAndMessagesShowControlsVisibly() {
        let text = "<view>\u{1B}]52;c;ZXZpbA==\u{07}<headng>\u{202E}\u{9B}2J</headng></view>"
        let file = SourceFile(path: "evil\u{1B}[2J.xml", text: text)
        let start = text.utf8.count - "<headng>\u{202E}\u{9B}2J</headng></view>".utf8.count
        let d = Diagnostic.error(
            "template.unknown-element", "unknown element `\u{1B}[31mheadng`", file: file.path,
            range: file.range(start, start + 8), hint: "did you mean `\u{202E}heading`?",
            notes: [DiagnosticNote("note \u{07}\u{8}", file: file.path, range: file.range(0, 1))])
        for color in [false, true] {
            let out = DiagnosticRenderer(sources: [file], color: color).render(d)
            // Only our own SGR styling may remain: every ESC starts `ESC [ digits m`.
            let withoutStyling = out.replacing(#/\u{1B}\[[0-9;]*m/#, with: "")
            #expect(rawControls(withoutStyling, keeping: ["\n"]).isEmpty, "\(out.debugDescription)")
            #expect(out.contains("evil␛[2J.xml"))
            #expect(out.contains("<view>␛]52;c;ZXZpbA==␇<headng><U+202E><U+009B>2J</headng></view>"))
            #expect(out.contains("`<U+202E>heading`"))
            #expect(out.contains("note ␇␈"))
        }
        // The caret stays under `<headng>`, counting each visible form's columns.
        let lines = DiagnosticRenderer(sources: [file]).render(d).split(separator: "\n")
        let quoted = lines[2].dropFirst(4)
        let caret = lines[3].dropFirst(4)
        let column = quoted.distance(from: quoted.startIndex, to: quoted.range(of: "<headng>")!.lowerBound)
        #expect(caret == String(repeating: " ", count: column) + "^" + String(repeating: "~", count: 7))
    }

    /// Issue 16 finding 5: a minified one-line template quoted whole made `validate` take minutes
    /// and gigabytes. Each excerpt is now a window of at most `excerptColumns` around the range.
    @Test func longLinesAreQuotedInABoundedWindow() throws {
        let unit = "<headng>a</headng>"
        let text = "<view>" + String(repeating: unit, count: 12_000) + "</view>"
        let file = SourceFile(path: "min.xml", text: text)
        let limit = DiagnosticRenderer.excerptColumns
        for index in [0, 5, 6_000, 11_999] {
            let start = 6 + index * unit.utf8.count
            let d = Diagnostic.error(
                "template.unknown-element", "unknown element `headng`", file: "min.xml",
                range: file.range(start, start + 7))
            let out = DiagnosticRenderer(sources: [file]).render(d)
            #expect(out.utf8.count < 600, "excerpt of \(out.utf8.count) bytes")
            let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
            let quoted = lines[2].drop { $0 != "|" }.dropFirst(2)
            let caretLine = lines[3].drop { $0 != "|" }.dropFirst(2)
            #expect(DisplayWidth.of(quoted) <= limit + 2)
            #expect(quoted.hasPrefix("…") == (index > 2), "\(quoted)")
            #expect(quoted.hasSuffix("…") == (index < 11_999), "\(quoted)")
            // The caret points at the range's text in the window.
            let pad = caretLine.prefix { $0 == " " }.count
            #expect(caretLine.dropFirst(pad) == "^~~~~~~")
            #expect(quoted.dropFirst(pad).hasPrefix("<headng"), "\(quoted) / \(caretLine)")
        }
        // Ten thousand diagnostics on that line print a bounded amount each.
        let many = (0..<10_000).map { i -> Diagnostic in
            let start = 6 + i * unit.utf8.count
            return Diagnostic.error(
                "template.unknown-element", "unknown element `headng`", file: "min.xml",
                range: file.range(start, start + 7))
        }
        let all = DiagnosticRenderer(sources: [file]).render(many)
        #expect(all.utf8.count < 10_000 * 400)
    }

    @Test func shortLinesAreQuotedWhole() {
        let line = String(repeating: "ab", count: 49)  // 98 columns
        let file = SourceFile(path: "t", text: line + "\n")
        let d = Diagnostic.error("c", "m", file: "t", range: file.range(90, 92))
        let out = DiagnosticRenderer(sources: [file]).render(d)
        #expect(out.contains("1 | " + line + "\n"))
        #expect(out.contains("  | " + String(repeating: " ", count: 90) + "^~\n"))
    }
}
