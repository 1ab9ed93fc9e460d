import Foundation
@testable import Markdown
import Testing

/// Random markdown-ish input never crashes the parser or the renderers, and streaming it in random
/// chunks still gives the one-shot result (seeded, so a failure reproduces from its seed).
@Suite struct FuzzTests {
    /// Shards of 100 documents each: 40 in the suite; `CUSTOMUI_FUZZ_SHARDS=200` for the long run.
    static let shards = ProcessInfo.processInfo.environment["CUSTOMUI_FUZZ_SHARDS"].flatMap { Int($0) } ?? 40

    static let alphabet: [String] = [
        "a", "b", " ", " ", "  ", "\t", "\n", "\n", "\n\n", "\r\n", "\r", "*", "**", "_", "__", "~", "~~", "`", "```",
        "~~~",
        "[", "]", "(", ")", "<", ">", "!", "#", "##", "-", "+", "1.", "2)", "|", ":", "\\", "&", "&amp;", "&#x41;",
        "&#0;",
        "=", "===", "---", "\"", "'", "    ", "- ", "> ", "* ", "1. ", "[x]: /u", "[x]", "<div>", "</div>", "<!--",
        "-->",
        "\n  - ", "\n   > ", "\n- ", "\n  ", "\n\n  ", "\n1) ",
        "http://a.b", "www.c.d", "e@f.gh", "漢", "é", "e\u{301}", "👩‍👩‍👧", "\u{0}", "\u{1B}", "| a | b |\n|---|:-:|",
    ]

    static func document(seed: UInt64) -> String {
        var rng = SeededRandom(seed: seed)
        let length = Int.random(in: 1...120, using: &rng)
        return (0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }.joined()
    }

    @Test(arguments: 0..<shards)
    func randomInputRendersEverywhereAndStreamsExactly(_ shard: Int) {
        for k in 0..<100 {
            let seed = UInt64(shard * 100 + k)
            let text = Self.document(seed: seed)
            for options in [MarkdownOptions.default, .commonMark] {
                let document = MarkdownParser.parse(text, options: options)
                let html = MarkdownHTMLRenderer.render(document)
                _ = MarkdownTerminalRenderer.render(
                    document, style: TerminalStyle(width: 12, color: true, hyperlinks: true))
                _ = MarkdownTerminalRenderer.render(document, style: TerminalStyle(width: 40, color: false))
                var rng = SeededRandom(seed: seed ^ 0xABCDEF)
                let stream = MarkdownStream(options: options)
                stream.checkTails = true
                var shown = ""
                for chunk in randomChunks(text, maxChunk: 5, using: &rng) {
                    let update = stream.append(chunk)
                    shown = update.rewritesFinalized ? update.finalized : shown + update.finalized
                    // `html` (spliced after every chunk) is what the updates say.
                    #expect(stream.html == shown + update.tail, "seed \(seed): \(text.debugDescription)")
                    _ = stream.terminal(style: TerminalStyle(width: 20))
                }
                _ = stream.finish()
                #expect(stream.html == html, "seed \(seed): \(text.debugDescription)")
                #expect(
                    stream.tailMismatches == 0,
                    "seed \(seed): \(text.debugDescription) \(stream.firstMismatch.map { "\($0)" } ?? "")")
                #expect(!html.contains("<div") && !html.contains("<!--"), "seed \(seed)")
            }
        }
    }
}
