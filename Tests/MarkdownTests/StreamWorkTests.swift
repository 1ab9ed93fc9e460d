import Foundation
@testable import Markdown
import Testing

/// No chunking of any text makes the stream's work super-linear: past its work budget an open
/// tail that cannot be settled is rendered again only once the text has grown to pay for it, and
/// `finish()` still gives the one-shot render.
@Suite struct StreamWorkTests {
    /// Streams `text` in chunks of 1 to 16 bytes as the fuzz target picks them from `seed`; the
    /// stream and its final HTML.
    static func stream(_ text: String, seed: Int, options: MarkdownOptions = .default) -> MarkdownStream {
        let stream = MarkdownStream(options: options)
        var rest = Substring(text)
        var k = seed
        while !rest.isEmpty {
            let n = 1 + (k % 16)
            k = (k &* 31 &+ 7) & 0xFFFF
            _ = stream.append(String(rest.prefix(n)))
            _ = stream.html
            rest = rest.dropFirst(n)
        }
        _ = stream.finish()
        return stream
    }

    /// The fuzz finding (64 KB, a mutation of docs/diagnostics.md whose last line, 59 KB long, is
    /// in a fenced code block; the first byte picks the chunking) ran past 60 s, each chunk
    /// escaping the whole line again: its work is now linear in its length, and it still equals
    /// the one-shot render.
    @Test func fuzzFindingStreamsInLinearWork() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fuzz/findings/markdown-stream-slow.md")
        let data = try Data(contentsOf: url)
        let text = String(decoding: data.dropFirst(), as: UTF8.self)
        for options in [MarkdownOptions.default, .commonMark] {
            let stream = Self.stream(text, seed: Int(data[0]), options: options)
            #expect(stream.html == MarkdownHTMLRenderer.render(MarkdownParser.parse(text, options: options)))
            #expect(stream.workBytes < 256 * data.count, "\(stream.workBytes) work bytes")
        }
    }

    /// One open construct repeated on one line or in one block (a line of markers, openers that
    /// stay unmatched, a backtick run, a long code line): four times the text costs about four
    /// times the work, not sixteen, and the final HTML is the one-shot render.
    @Test(arguments: ["> ", "* ", "1. ", "*a ", "[", "| a ", "`", "- [", "a\n[", "> *a\n", "```\n", "<div "])
    func openConstructsCostLinearWork(_ unit: String) {
        func work(_ bytes: Int) -> Double {
            // "```\n": one long line in a fenced code block.
            let text =
                unit == "```\n"
                ? unit + String(repeating: "x < y ", count: bytes / 6)
                : String(repeating: unit, count: bytes / unit.utf8.count)
            let stream = Self.stream(text, seed: 11)
            #expect(stream.html == MarkdownHTMLRenderer.render(MarkdownParser.parse(text)), "\(unit.debugDescription)")
            return Double(stream.workBytes) / Double(text.utf8.count)
        }
        let small = work(40 << 10)
        let large = work(160 << 10)
        #expect(large < small * 1.5 + 2, "\(unit.debugDescription): \(small) -> \(large) work per byte")
    }

    /// Under the budget every tail is exact: a short paragraph with an unmatched opener, streamed
    /// a byte at a time, shows each byte as it arrives.
    @Test func underTheBudgetEveryTailIsExact() {
        let text = "[open *bracket and " + String(repeating: "words ", count: 200)
        let stream = MarkdownStream()
        var sofar = ""
        for character in text {
            sofar.append(character)
            _ = stream.append(String(character))
            #expect(stream.tailExact)
            #expect(stream.html == MarkdownHTMLRenderer.render(MarkdownParser.parse(sofar)))
            if stream.html != MarkdownHTMLRenderer.render(MarkdownParser.parse(sofar)) { break }
        }
    }
}
