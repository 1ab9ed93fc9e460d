import CustomUICore
import Foundation
import JSONSchema
import Markdown
import Testing

@testable import CustomUI

/// Regression tests for the findings of issue 16: inputs that crashed, hung or blew up.
@Suite struct HardeningTests {
    /// A UI whose view is `depth` cards, one inside the other, with `inner` in the deepest.
    static func nestedCards(_ depth: Int, inner: String = "") -> String {
        var view = inner
        for level in (0..<depth).reversed() { view = "<card title=\"Level \(level)\">\(view)</card>" }
        return
            "<custom-ui name=\"nested\" execution-mode=\"auto-run\"><view>\(view)<slot name=\"answer\"/></view></custom-ui>"
    }

    static func terminalLines(_ ui: String, width: Int) throws -> [Substring] {
        let report = Validator.validate(ui: SourceFile(path: "t.xml", text: ui))
        #expect(!report.diagnostics.hasErrors, "\(report.diagnostics.map(\.message))")
        let template = try #require(report.template)
        let (text, diagnostics) = RenderPipeline.render(
            template, prompt: nil, options: RenderOptions(format: .terminal, terminal: TerminalStyle(width: width)))
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.message))")
        return try #require(text).split(separator: "\n")
    }

    // MARK: Finding 1: nested cards in the terminal layout

    @Test(arguments: [
        (25, 80, ""), (20, 80, "<text>some words that need wrapping at every level</text>"),
        (6, 20, "<text>a few words</text>"),
        (120, 20, "<text>word</text><text>averyveryverylongwordthatmustbebroken</text>"),
    ])
    func nestedCardsLayOutWithinTheWidth(depth: Int, width: Int, inner: String) throws {
        let lines = try Self.terminalLines(Self.nestedCards(depth, inner: inner), width: width)
        for line in lines { #expect(DisplayWidth.of(line) <= width, "wider than \(width): \(line)") }
        // Every card's title is shown, the deepest too, and the text is all there.
        #expect(lines.contains { $0.contains("Level \(depth - 1)") })
        for word in inner.replacingOccurrences(of: "<text>", with: " ").replacingOccurrences(of: "</text>", with: " ")
            .split(separator: " ")
        where word.count < 12 {
            #expect(lines.contains { $0.contains(word) }, "\(word) missing")
        }
    }

    @Test func cardsDeeperThanTheMinimumWidthAreDrawnOpen() throws {
        let lines = try Self.terminalLines(Self.nestedCards(3, inner: "<text>x</text>"), width: 20)
        // 20 → 16 → 12 boxed; the third card would leave 8 columns, so it is a titled rule.
        #expect(lines.filter { $0.contains("┌") }.count == 2)
        #expect(lines.contains { $0.contains("─ Level 2 ─") && !$0.contains("┌") })
    }

    @Test func cardsIndentByAtMostTheMaximumInAll() throws {
        // At width 200 the minimum content width would allow 47 boxes; the indent stops at 40
        // columns (10 boxes), so a line passes through at most 10 frames and deeper cards are open.
        let lines = try Self.terminalLines(Self.nestedCards(30, inner: "<text>deep text</text>"), width: 200)
        let boxes = TerminalRenderer.maximumIndent / 4
        #expect(lines.filter { $0.contains("┌") }.count == boxes)
        #expect(lines.contains { $0.contains("─ Level \(boxes) ─") && !$0.contains("┌") })
        #expect(lines.contains { $0.contains("─ Level 29 ─") })
        for line in lines { #expect(DisplayWidth.of(line) == 200 || !line.hasPrefix("│"), "\(line)") }
        let text = try #require(lines.first { $0.contains("deep text") })
        #expect(text.prefix(2 * boxes).allSatisfy { $0 == "│" || $0 == " " })
        #expect(text.dropFirst(2 * boxes).hasPrefix("deep text"))
    }

    @Test func framedLineWidthsAgreeWithDisplayWidth() {
        // The byte-wise fast path of the box padding measures what DisplayWidth does, or declines.
        let alphabet = ["a", " ", "│", "─", "┐", "\u{1B}[1m", "\u{1B}[0m", "\u{301}", "é", "漢", "\t", "\r\n", "…", "🙂"]
        var generator = SystemRandomNumberGenerator()
        var measured = 0
        for _ in 0..<3000 {
            let line = (0..<Int.random(in: 0...10, using: &generator)).map { _ in
                alphabet.randomElement(using: &generator)!
            }.joined()
            guard let fast = TerminalRenderer.simpleWidth(line) else { continue }
            measured += 1
            let plain = line.replacingOccurrences(of: "\u{1B}[1m", with: "").replacingOccurrences(
                of: "\u{1B}[0m", with: "")
            #expect(fast == DisplayWidth.of(plain), "\(line.debugDescription)")
        }
        #expect(measured > 100)
    }

    @Test func wideCharactersWrapAtTheNarrowestWidth() {
        // A word of wide characters in a one-column wrap still places one character per line.
        let renderer = TerminalRenderer(style: TerminalStyle(width: 20))
        let lines = renderer.wrap([TerminalRenderer.Span(text: "漢字漢字", sgr: "")], width: 1)
        #expect(lines == ["漢", "字", "漢", "字"])
        #expect(renderer.wrap([TerminalRenderer.Span(text: "abc", sgr: "")], width: 0) == ["a", "b", "c"])
    }

    @Test func listsInsideDeepCardsStayWithinTheWidth() throws {
        let inner = "<list><item>one two three four</item><item>five</item></list>"
        let lines = try Self.terminalLines(Self.nestedCards(10, inner: inner), width: 20)
        for line in lines { #expect(DisplayWidth.of(line) <= 20, "wider than 20: \(line)") }
        #expect(lines.contains { $0.contains("five") })
    }

    // MARK: Finding 3: `in` and `contains` cost the work they do

    @Test func substringSearchAgreesWithStringContains() {
        // Small alphabets with combining marks and CR LF, where byte and character search differ.
        let alphabet = ["a", "b", "e", "\u{301}", "é", "\r", "\n", "\r\n", "漢"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let text = (0..<Int.random(in: 0...12, using: &generator)).map { _ in
                alphabet.randomElement(using: &generator)!
            }.joined()
            let part = (0..<Int.random(in: 0...4, using: &generator)).map { _ in
                alphabet.randomElement(using: &generator)!
            }.joined()
            // The meaning `in` had: whole characters compared with `==` (canonical equivalence).
            let t = Array(text), p = Array(part)
            let expected =
                p.isEmpty
                || (p.count <= t.count && (0...(t.count - p.count)).contains { Array(t[$0..<($0 + p.count)]) == p })
            #expect(
                LinearSearch.contains(text, part) == expected,
                "\(Array(text.unicodeScalars)) contains \(Array(part.unicodeScalars))")
        }
    }

    @Test(arguments: ["a", "é"])
    func worstCaseSubstringSearchIsLinear(letter: String) {
        // A naive search compares the pattern at every position: 10^10 comparisons here.
        let text = String(repeating: letter, count: 200_000)
        let part = String(repeating: letter, count: 50_000) + "b"
        #expect(!LinearSearch.contains(text, part))
        #expect(LinearSearch.contains(text + part, part))
        let scope = Scope(
            props: ["text": .string(text), "part": .string(part)], vars: [:], slots: [:], run: [:], broker: [:])
        #expect(ExpressionTesting.value("props.part in props.text", scope: scope) == false)
        #expect(ExpressionTesting.value("props.text | contains: props.part", scope: scope) == false)
    }

    @Test func membershipAndEqualityAreChargedByTheSizeOfWhatTheyCompare() throws {
        let row: Value = .array((0..<1000).map { .int($0) })
        let scope = Scope(
            props: ["row": row, "rows": .array(Array(repeating: row, count: 1000))], vars: [:], slots: [:], run: [:],
            broker: [:])
        let limits = ResourceLimits(maxSteps: 100_000)
        for text in [
            "props.row in props.rows", "props.rows | contains: props.row", "props.rows == props.rows",
            "props.rows | uniq", "props.rows | where: 'x', props.row",
        ] {
            let error = try #require(
                ExpressionTesting.error(text, scope: scope, limits: limits), "\(text) was not charged")
            #expect(error.code == Limit.steps.code, "\(text): \(error.code)")
        }
        // Small values stay cheap: one step per item.
        #expect(ExpressionTesting.value("3 in props.row", scope: scope) == true)
        #expect(ExpressionTesting.value("props.row == props.row", scope: scope) == true)
    }

    // MARK: Finding 4: the deadline is checked where the work is

    @Test func aPassedDeadlineStopsARenderAtItsFirstElement() throws {
        let report = Validator.validate(
            ui: SourceFile(path: "t.xml", text: "<custom-ui name=\"d\"><view><text>hi</text></view></custom-ui>"))
        let template = try #require(report.template)
        let limits = ResourceLimits(deadline: .seconds(-1))
        for format in RenderFormat.allCases {
            let (output, diagnostics) = RenderPipeline.render(
                template, prompt: nil, options: RenderOptions(format: format, limits: limits))
            #expect(output == nil)
            #expect(diagnostics.map(\.code) == [Limit.deadline.code])
        }
    }

    @Test func bulkWorkLooksAtTheClock() throws {
        let scope = Scope(
            props: ["s": .string(String(repeating: "x", count: 10_000))], vars: [:], slots: [:], run: [:], broker: [:])
        let limits = ResourceLimits(deadline: .seconds(-1))
        for text in ["props.s | upper", "'y' in props.s", "props.s | json"] {
            let error = try #require(ExpressionTesting.error(text, scope: scope, limits: limits), "\(text)")
            #expect(error.code == Limit.deadline.code, "\(text): \(error.code)")
        }
    }

    // MARK: Fuzz findings

    @Test(arguments: [
        "7770000000000132552719e13255271955", "-1.5e-99999999999", "1e1000000000", "12.5e999999990",
        "0.000e99999999999",
    ])
    func hugeExponentsRoundTrip(text: String) throws {
        // Found by the `json` fuzz target: a clamped exponent wrote a number that read back as another.
        let value = try JSONParser.parseValue(text)
        let written = JSONWriter().string(value)
        #expect(try JSONParser.parseValue(written) == value, "\(text) → \(written)")
    }
}
