@testable import Markdown
import TestSupport
import Testing

/// A small seeded generator (SplitMix64) so a failing chunking can be reproduced from its seed.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Splits text into chunks at random character boundaries (1 to `maxChunk` characters).
func randomChunks(_ text: String, maxChunk: Int, using rng: inout SeededRandom) -> [String] {
    var chunks: [String] = []
    var rest = Substring(text)
    while !rest.isEmpty {
        let n = Int.random(in: 1...maxChunk, using: &rng)
        chunks.append(String(rest.prefix(n)))
        rest = rest.dropFirst(n)
    }
    return chunks
}

/// The streaming renderer against the one-shot renderer.
@Suite struct StreamTests {
    static let chunkingsPerExample = 40

    /// Every spec example under many random chunkings, with the extensions on and off.
    @Test(ConformanceData.enabled, arguments: SpecExample.all)
    func streamingEqualsOneShotForEveryChunking(_ example: SpecExample) {
        for options in [MarkdownOptions.commonMark, .default] {
            let expected = MarkdownHTMLRenderer.render(MarkdownParser.parse(example.markdown, options: options))
            var rng = SeededRandom(seed: UInt64(example.number) &* 7919)
            for round in 0..<Self.chunkingsPerExample {
                let chunks = randomChunks(example.markdown, maxChunk: round < 10 ? 3 : 12, using: &rng)
                let stream = MarkdownStream(options: options)
                stream.checkTails = true
                var shown = ""
                var tail = ""
                for chunk in chunks {
                    let update = stream.append(chunk)
                    shown = update.rewritesFinalized ? update.finalized : shown + update.finalized
                    tail = update.tail
                    #expect(stream.html == shown + tail)
                }
                let last = stream.finish()
                shown = last.rewritesFinalized ? last.finalized : shown + last.finalized
                #expect(last.tail == "")
                #expect(
                    stream.tailMismatches == 0,
                    "\(example), round \(round): a fast-path tail differs from a full render")
                #expect(stream.html == expected, "\(example), round \(round), chunks \(chunks)")
                #expect(shown == expected, "\(example), round \(round), chunks \(chunks)")
                if stream.html != expected { return }
            }
        }
    }

    /// Long one-line paragraphs (as LLMs write them), lists, quotes and a long code block streamed in small
    /// chunks: every intermediate tail rendered in a frame equals a full render of the same text.
    @Test(arguments: 0..<40)
    func longParagraphTailsMatchFullRenders(_ seed: Int) {
        let pieces = [
            "word", "*em*", "**strong**", "`code`", "[link](https://x.y/z)", "a*b", "snake_case", "x_y_",
            "www.example.com", "mail@example.com", "&amp;", "&copy", "<b>", "</i>", "[ref]", "![img](i.png)",
            "~~del~~", "5 * 3", "***", "__init__", "[open", "close]", "`tick", "éè", "漢字", "  ", "\\*",
            "[x](", ")", "](y \"t\")", "![a]", "<http://a.b>", "<div",
        ]
        var rng = SeededRandom(seed: UInt64(seed) + 1000)
        var text = ""
        for paragraph in 0..<3 {
            for _ in 0..<(40 + Int.random(in: 0..<80, using: &rng)) {
                text += pieces[Int.random(in: 0..<pieces.count, using: &rng)] + " "
            }
            text += paragraph == 1 ? "\nsecond line of it " : ""
            text += "\n\n"
        }
        for item in 0..<(5 + Int.random(in: 0..<10, using: &rng)) {
            let marker = ["- ", "- ", "* ", "1. ", "2) ", "  - ", "    - "][Int.random(in: 0..<7, using: &rng)]
            text +=
                marker + pieces[Int.random(in: 0..<pieces.count, using: &rng)] + " item \(item) "
                + pieces[Int.random(in: 0..<pieces.count, using: &rng)] + "\n"
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: text += "\n"
            case 1: text += "  continued *text* [ref]\n"
            case 2: text += "lazy continuation\n"
            case 3: text += "\n  second paragraph\n"
            default: break
            }
        }
        text += "\n"
        for _ in 0..<(3 + Int.random(in: 0..<6, using: &rng)) {
            let prefix = ["> ", ">", "  > ", "", "    ", ">  "][Int.random(in: 0..<6, using: &rng)]
            text +=
                prefix + pieces[Int.random(in: 0..<pieces.count, using: &rng)] + " quoted "
                + pieces[Int.random(in: 0..<pieces.count, using: &rng)] + "\n"
        }
        text += "\n"
        text += "  ```swift\n"
        for _ in 0..<(10 + Int.random(in: 0..<30, using: &rng)) {
            let indent = String(repeating: " ", count: Int.random(in: 0..<5, using: &rng))
            text +=
                indent + pieces[Int.random(in: 0..<pieces.count, using: &rng)] + " <&> "
                + ["``", "```x", "~~~", "\t", ""][Int.random(in: 0..<5, using: &rng)] + "\n"
        }
        text += "  ```\n\n"
        text += "[ref]: /defined-late\n"
        let stream = MarkdownStream()
        stream.checkTails = true
        for chunk in randomChunks(text, maxChunk: 9, using: &rng) { _ = stream.append(chunk) }
        _ = stream.finish()
        #expect(stream.tailMismatches == 0, "\(stream.firstMismatch.map { "fast:\n\($0.0)\nfull:\n\($0.1)" } ?? "")")
        #expect(stream.html == MarkdownHTMLRenderer.render(MarkdownParser.parse(text)))
    }

    /// Prose streamed a few characters at a time in paragraphs, headings, list items and quotes,
    /// where inert text is shown without a parse and markup is parsed from the stable point: every
    /// tail equals a full render, and `html` read after every chunk equals the shown updates.
    @Test(arguments: 0..<24)
    func proseTailsMatchFullRenders(_ seed: Int) {
        let words = [
            "stream", "Answer", "42", "x1", "www", "w.x", "a.b", "é", "漢字", "end.", "then,", "wow.", "ww.w",
            "*em*", "**b**", "`c`", "[l](u)", "_u_", "a_b", "#", "##", "&amp", "<b>", "~~s~~", "1.", "-", "\\",
            "www.example.com", "x@y.z",
        ]
        let prefixes = [
            "", "", "# ", "## ", "> ", "- ", "* ", "1. ", "2) ", "  - ", "   ", "    ", "> - ", "- > ", "- [ ] ", "\t",
            "|", "[x]: ", "<div ", "```", "1.5 ", "#hash ", "-- ",
        ]
        var rng = SeededRandom(seed: UInt64(seed) &* 31 + 5)
        var text = ""
        for _ in 0..<(30 + Int.random(in: 0..<30, using: &rng)) {
            text += prefixes[Int.random(in: 0..<prefixes.count, using: &rng)]
            for k in 0..<(1 + Int.random(in: 0..<12, using: &rng)) {
                text += (k == 0 ? "" : [" ", " ", " ", "  ", "\t"][Int.random(in: 0..<5, using: &rng)])
                text += words[Int.random(in: 0..<words.count, using: &rng)]
            }
            text += [" ", "  ", "", "", " #", " ##"][Int.random(in: 0..<6, using: &rng)]
            text += ["\n", "\n", "\n\n", "\n", "\r\n"][Int.random(in: 0..<5, using: &rng)]
        }
        for options in [MarkdownOptions.default, .commonMark] {
            let stream = MarkdownStream(options: options)
            stream.checkTails = true
            var shown = ""
            for chunk in randomChunks(text, maxChunk: 4, using: &rng) {
                let update = stream.append(chunk)
                shown = update.rewritesFinalized ? update.finalized : shown + update.finalized
                #expect(stream.html == shown + update.tail)
            }
            _ = stream.finish()
            #expect(
                stream.tailMismatches == 0, "\(stream.firstMismatch.map { "fast:\n\($0.0)\nfull:\n\($0.1)" } ?? "")")
            #expect(stream.html == MarkdownHTMLRenderer.render(MarkdownParser.parse(text, options: options)))
        }
    }

    /// Plain words streamed into a paragraph, a heading, list items and a quote are rendered inside
    /// the line's frame (only the leaf's text is parsed), and each such tail equals a full render.
    @Test func plainWordsAreRenderedInFrames() {
        let text = """
            Some plain words, then more of them. And 42 more words here
            # A heading with words in it
            - an item with words
            - another item, longer than the first one
            > a quoted line of words
            > another quoted line

            last paragraph of plain words ending here
            """
        let stream = MarkdownStream()
        stream.checkTails = true
        var rng = SeededRandom(seed: 99)
        let chunks = randomChunks(text, maxChunk: 5, using: &rng)
        for chunk in chunks {
            let update = stream.append(chunk)
            #expect(stream.html.hasSuffix(update.tail))
        }
        #expect(stream.frameTails > chunks.count * 3 / 4)
        _ = stream.finish()
        #expect(stream.tailMismatches == 0, "\(stream.firstMismatch.map { "fast:\n\($0.0)\nfull:\n\($0.1)" } ?? "")")
        #expect(stream.html == MarkdownHTMLRenderer.render(MarkdownParser.parse(text)))
    }

    /// `*W*`, `**W**` and one-backtick code spans, and an opening run with only letters after it:
    /// every tail equals a full render, for those words and for near misses (longer or unequal
    /// runs, punctuation or spaces inside, intraword runs, text or punctuation right after the
    /// closing run, a closing run that grows).
    @Test(arguments: 0..<16)
    func wordSpansMatchFullRenders(_ seed: Int) {
        let words = [
            "*a1*", "**b2**", "`c3`", "plain", "words", "***d***", "**e*", "*f**", "``g``", "`h``", "x*y*", "*i*j",
            "*k*.", "**l**,", "*m n*", "*o.p*", "`q r`", "_s_", "__t__", "*", "**", "`", "*www*", "`x`*", "**u**v",
            "*w*`", "2*3*4",
        ]
        var rng = SeededRandom(seed: UInt64(seed) &* 977 + 1)
        var text = ""
        for _ in 0..<5 {
            for _ in 0..<(4 + Int.random(in: 0..<10, using: &rng)) {
                text += words.randomElement(using: &rng)! + (Int.random(in: 0..<9, using: &rng) == 0 ? "\n" : " ")
            }
            text += "\n\n"
        }
        for maxChunk in [1, 3, 6, 13] {
            let stream = MarkdownStream()
            stream.checkTails = true
            for chunk in randomChunks(text, maxChunk: maxChunk, using: &rng) {
                _ = stream.append(chunk)
                _ = stream.html
            }
            _ = stream.finish()
            #expect(
                stream.tailMismatches == 0,
                "\(text.debugDescription) \(stream.firstMismatch.map { "fast:\n\($0.0)\nfull:\n\($0.1)" } ?? "")")
            #expect(stream.html == MarkdownHTMLRenderer.render(MarkdownParser.parse(text)), "\(text.debugDescription)")
        }
        // Whole spans in one chunk after plain words, and a span split across chunks.
        let stream = MarkdownStream()
        for chunk in ["plain words", " **bold**", " and", " `code`", " *em*", " done"] { _ = stream.append(chunk) }
        _ = stream.finish()
        #expect(stream.html == "<p>plain words <strong>bold</strong> and <code>code</code> <em>em</em> done</p>\n")
        let split = MarkdownStream()
        _ = split.append("plain words **bo")
        #expect(split.html == "<p>plain words **bo</p>\n")
        _ = split.append("ld** and more")
        #expect(split.html == "<p>plain words <strong>bold</strong> and more</p>\n")
    }

    /// Lists whose new item lines close the open last item in the probe (its HTML kept for when the
    /// parser closes it): tight, loose, ordered, nested, with markup and lazy lines, every tail
    /// equals a full render.
    @Test(arguments: 0..<12)
    func newItemLinesMatchFullRenders(_ seed: Int) {
        let items = [
            "plain *em* and `code`", "[link](https://x.y) text", "a **b** c", "x_y_ z", "[ref] word", "www.a.bc d",
            "1. nested ordered", "- nested", "> quote", "# heading", "[ ] task", "text\n  continued", "text\nlazy",
            "text\n\n  second", "```\n  code\n  ```", "  - deeper item",
        ]
        let markers = ["- ", "- ", "* ", "1. ", "2. ", "3) ", " - ", "   - ", "-    "]
        var rng = SeededRandom(seed: UInt64(seed) &* 977 + 3)
        var text = ""
        for _ in 0..<6 {
            let marker = markers[Int.random(in: 0..<markers.count, using: &rng)]
            for _ in 0..<(2 + Int.random(in: 0..<5, using: &rng)) {
                text += marker + items[Int.random(in: 0..<items.count, using: &rng)] + "\n"
                if Int.random(in: 0..<5, using: &rng) == 0 { text += "\n" }
            }
            text += "\nbreak\n\n"
        }
        let stream = MarkdownStream()
        stream.checkTails = true
        for chunk in randomChunks(text, maxChunk: 6, using: &rng) { _ = stream.append(chunk) }
        _ = stream.finish()
        #expect(
            stream.tailMismatches == 0, "\(stream.firstMismatch.map { "fast:\n\($0.0)\nfull:\n\($0.1)" } ?? "")")
        #expect(stream.html == MarkdownHTMLRenderer.render(MarkdownParser.parse(text)))
    }

    /// The commonest lines (paragraphs starting at the top level or going on, lines of a
    /// top-level fenced code block, indented or not, headings, a list's items, a quote's lines):
    /// every tail equals a full render, for many chunkings.
    @Test(arguments: 0..<16)
    func commonLinesMatchFullRenders(_ seed: Int) {
        let lines = [
            "plain words and more", "**strong** start", "*em* start", "`code` start", "[link](https://a.b/c) here",
            "12 apples", "1a", "#hashtag", "__under__", "-dash", "+plus", "==x", "``two`` ticks", "!bang",
            "www.example.com", "a@b.cd mail", "é accents", "漢字 text",
        ]
        let code = [
            "    indented = code(1)", "flush = left", "        deeper", "  ", "", "``` not a fence", "x < y & z",
        ]
        var rng = SeededRandom(seed: UInt64(seed) &* 7919 + 11)
        var text = "a first line\nand a second\n\n```\nx = 1\n    y = 2\n```\n\n"
        for _ in 0..<8 {
            switch Int.random(in: 0..<7, using: &rng) {
            case 0:
                for _ in 0..<(1 + Int.random(in: 0..<4, using: &rng)) {
                    text += lines[Int.random(in: 0..<lines.count, using: &rng)] + "\n"
                }
            case 1:
                text += "```python\n"
                for _ in 0..<(1 + Int.random(in: 0..<5, using: &rng)) {
                    text += code[Int.random(in: 0..<code.count, using: &rng)] + "\n"
                }
                text += "```\n"
            case 2:
                text += "- item *one*\n- item two\n-\n- [link](https://a.b) three\n\n#\n\n>  \n\n10)  \n\n+\n\n"
                text += "**strong** after a list\n``code`` and *em*\n\n1234 digits\n\n--\n\n__x__\n\n~~~\n~~ x\n~~~\n"
            case 3:
                text += "## A heading with `code`\n"
            case 4:
                text += "> a quote\n> going on *here*\nlazily\n"
            case 5:
                text += "3. ordered\n4. items\n5) other\n"
            default:
                text += "* first\n  * nested\n* back\n"
            }
            text += "\n"
        }
        for maxChunk in [1, 4, 10] { expectFramesExact(text, maxChunk: maxChunk, using: &rng) }
    }

    /// Streams `text` in random chunks, reading `html` after each, and expects the path under test
    /// taken (`exercised`, frames by default), every tail equal to a full render and the
    /// final HTML equal to the one-shot render.
    func expectFramesExact(
        _ text: String, maxChunk: Int, using rng: inout SeededRandom,
        exercised: (MarkdownStream) -> Bool = { $0.frameTails > 0 }
    ) {
        let stream = MarkdownStream()
        stream.checkTails = true
        for chunk in randomChunks(text, maxChunk: maxChunk, using: &rng) {
            _ = stream.append(chunk)
            _ = stream.html
        }
        #expect(exercised(stream))
        _ = stream.finish()
        #expect(
            stream.tailMismatches == 0,
            "\(text.debugDescription) \(stream.firstMismatch.map { "fast:\n\($0.0)\nfull:\n\($0.1)" } ?? "")")
        #expect(stream.html == MarkdownHTMLRenderer.render(MarkdownParser.parse(text)), "\(text.debugDescription)")
    }

    /// Paragraphs and items whose text starts with `[`: held for the line once
    /// the bracket cannot begin a definition (or a task box, in an item), for one chunk while it
    /// may, and a probe or full render when it is a definition or a task box.
    @Test(arguments: 0..<8)
    func textStartingWithABracket(_ seed: Int) {
        let starts = [
            "[link](https://a.b/c) text", "[label] and more", "[x] not a task at the top", "[a]: /defined",
            "[b]: /url \"title\"", "[]", "[*em*](x) y", "[unclosed text",
        ]
        var rng = SeededRandom(seed: UInt64(seed) &* 104_729 + 3)
        var text = ""
        for _ in 0..<6 {
            let start = starts[Int.random(in: 0..<starts.count, using: &rng)]
            switch Int.random(in: 0..<3, using: &rng) {
            case 0:
                text += start + "\nand a second line [a] [b]\n\n"
            case 1:
                text += "- first item\n- " + start + "\n- [ ] a task\n- [x] done\n- " + start + " again\n\n"
            default:
                text += "1. " + start + "\n2. [zz](y) next\n3. " + start + "\n\n"
            }
        }
        for maxChunk in [1, 5, 12] {
            expectFramesExact(text, maxChunk: maxChunk, using: &rng)
        }
    }

    /// A line that opens a list inside the open item, and one that starts the next item after a
    /// nested list, and every other shape nearby (a marker alone, which may be a
    /// setext underline; a number other than 1; other indentation; a loose nested list; a task
    /// item) still matches a full render.
    @Test(arguments: 0..<8)
    func nestedListsMatchFullRenders(_ seed: Int) {
        let shapes = [
            "- a *x*\n  - b `y`\n- c\n", "1. a\n   1. b\n2. c\n", "- a\n  2. not a list\n- c\n",
            "- a\n  -\n- c\n", "- a\n   - three spaces\n- c\n", "- a\n  - b\n\n  - loose\n- c\n",
            "- [ ] task\n  - sub\n- [x] done\n", "* a\n  + b\n  + b2\n* c\n", "- a\n  - [link](https://x.y) b\n- c\n",
            "- a\n  - b\n    more b\nlazy\n- c\n", "1) a\n   - b\n2) c\n", "- a\n\n  b\n  - c\n- d\n",
        ]
        var rng = SeededRandom(seed: UInt64(seed) &* 6151 + 17)
        var text = ""
        for _ in 0..<6 {
            text += shapes[Int.random(in: 0..<shapes.count, using: &rng)] + "\n"
        }
        // Chunks that hold whole lines may leave no line for a frame: every chunking is checked
        // for exactness, one-byte chunks for the frames too.
        for maxChunk in [1, 4, 11] {
            expectFramesExact(text, maxChunk: maxChunk, using: &rng) { maxChunk > 1 || $0.frameTails > 0 }
        }
    }

    /// A definition that arrives inside an open list changes the links of the items before it:
    /// frames reuse the list's kept HTML only after it is dropped for the new definition,
    /// and keep what they write for the final list.
    @Test func framesSeeDefinitionsThatArriveInAList() {
        let text = "- [a] one *x*\n- two\n- [a]: /url\n- three [a]\n- four\n- five\n"
        for maxChunk in [1, 3, 7, 100] {
            var rng = SeededRandom(seed: UInt64(maxChunk))
            expectFramesExact(text, maxChunk: maxChunk, using: &rng)
        }
        // Items the frames wrote are not written again when the list becomes final.
        let long = String(repeating: "- item with *words*\n", count: 200)
        let stream = MarkdownStream()
        var rng = SeededRandom(seed: 5)
        for chunk in randomChunks(long, maxChunk: 10, using: &rng) { _ = stream.append(chunk) }
        _ = stream.finish()
        #expect(stream.treeWrites <= 200 + 4, "\(stream.treeWrites) tree writes")
        #expect(stream.html == MarkdownHTMLRenderer.render(MarkdownParser.parse(long)))
    }

    /// A link whose destination streams in is shown without parsing from its `[` again while only
    /// destination bytes arrive, and when its `)` closes it; every tail still equals a full render:
    /// destinations that are autolinks as text, with `_`, parentheses, a title, angle brackets,
    /// trailing punctuation, emphasis or a reference label in the brackets, an image, several
    /// links on a line, links right after a bracket or text, or followed by punctuation.
    @Test(arguments: 0..<12)
    func streamingLinkDestinationsMatchFullRenders(_ seed: Int) {
        let links = [
            "[model](https://example.com/model/1)", "[a b](http://x.io/p?q=1&r=2)", "[c](https://a.b/c_d_e)",
            "[d](https://a.b/(x)y)", "[e](https://a.b \"title\")", "[f](<https://a.b/c d>)", "[g](https://a.b/c.)",
            "[*h*](https://a.b)", "[defined](https://a.b/ignored)", "![i](https://a.b/i.png)", "[j](www.example.com)",
            "[k](mailto:a@b.cd)", "[l](/relative/path#frag)", "[m](https://a.b/x,y;z@w+v%20)",
            "[unclosed](https://a.b/p",
        ]
        let words = ["plain", "words", "*em*", "`code`", "and", "more", "[x]", "[defined]", "!", "x"]
        let separators = [" ", " ", " ", ". ", ") ", "", "*", ", "]
        var rng = SeededRandom(seed: UInt64(seed) &* 131 + 7)
        var text = "[defined]: /there\n\n"
        for _ in 0..<6 {
            for _ in 0..<(3 + Int.random(in: 0..<6, using: &rng)) {
                let pick = Int.random(in: 0..<3, using: &rng) == 0
                text += (pick ? words.randomElement(using: &rng)! : links.randomElement(using: &rng)!)
                text += separators.randomElement(using: &rng)!
                if Int.random(in: 0..<8, using: &rng) == 0 { text += "\n" }
            }
            text += Int.random(in: 0..<2, using: &rng) == 0 ? "\n\n" : "\n- "
        }
        for maxChunk in [2, 5, 11] {
            expectFramesExact(text, maxChunk: maxChunk, using: &rng) {
                $0.frameTails > 0
            }
        }
    }

    /// A label looked up in vain before a link on the same line is still noted: a definition
    /// that arrives later re-renders the final block that used it.
    @Test func lateDefinitionsAfterALink() {
        for late in [
            "[x] and [model](https://a.b/c) done\n\ntext\n\n[x]: /late\n",
            "w[x]w[model](https://a.b/c) done\n\ntext\n\n[x]: /late\n",
        ] {
            for maxChunk in [1, 3, 8] {
                var rng = SeededRandom(seed: UInt64(maxChunk))
                expectFramesExact(late, maxChunk: maxChunk, using: &rng) { _ in true }
            }
        }
    }

    /// A chain value keeps its length while the chain grows; one appended to after a longer value
    /// was made from it gets a buffer of its own, leaving the longer one as it was.
    @Test func chainValuesKeepTheirBytes() {
        var chain = HTMLChain()
        chain.append("<p>a")
        let short = chain
        chain.append(" b</p>")
        var fork = short
        fork.append("c")
        var strings = ["", "", ""]
        for (k, value) in [short, chain, fork].enumerated() { value.write(into: &strings[k]) }
        #expect(strings == ["<p>a", "<p>a b</p>", "<p>ac"])
        #expect(chain.extends(short) && !short.extends(chain) && !fork.extends(short) && chain.extends(HTMLChain()))
        var tail = ""
        chain.write(from: short.count, into: &tail)
        #expect(tail == " b</p>")
    }

    /// The open paragraph renders through the one-shot inline writer, its text not merged across
    /// the stable point: for every spec example read as one paragraph's text, at every word start,
    /// the HTML is the tree's, and plain words split at the point.
    @Test func inlineWriterSplitsAtTheStablePoint() {
        let deep =
            String(repeating: "*a **b [c ~~d ", count: 30) + "e" + String(repeating: "~~ c](u) b** a*", count: 30)
        let subjects = SpecExample.all.map(\.markdown) + [deep, "www.x.com a@b.cd http://e.f ![i *j*](k \"t\")"]
        for options in [MarkdownOptions.default, .commonMark] {
            let stream = MarkdownStream(options: options)
            for subject in subjects {
                let bytes = Array(subject.utf8)
                let parser = InlineParser(bytes, options: options, definitions: [:])
                parser.parse()
                var converter = InlineConverter(parser: parser, map: { $0 }, options: options)
                var tree = HTMLWriter()
                tree.inlines(converter.convert(parser.head, depth: 0, insideLink: false))
                for k in 1..<max(1, bytes.count) where bytes[k - 1] == 0x20 && bytes[k] != 0x20 {
                    var direct = HTMLWriter()
                    let split = stream.writeInlines(parser, into: &direct, splitAt: k)
                    #expect(direct.string == tree.string, "\(subject.debugDescription) at \(k)")
                    if let split { #expect(split <= direct.bytes.count) }
                }
            }
        }
        let words = Array("plain words & more".utf8)
        let parser = InlineParser(words, options: .default, definitions: [:])
        parser.parse()
        var writer = HTMLWriter()
        #expect(MarkdownStream().writeInlines(parser, into: &writer, splitAt: 14) == 18)  // "plain words &amp; "
        #expect(writer.string == "plain words &amp; more")
    }

    /// Reading `html` between appends, whether the caller keeps the strings or not, gives the text so far.
    @Test func htmlReadsTrackEveryChunk() {
        let text = "# T\n\nsome *words* here\n\n- a\n- b [x]\n\n[x]: /u\n\nlast words"
        let stream = MarkdownStream()
        var kept: [String] = []
        var shown = ""
        for character in text {
            let update = stream.append(String(character))
            shown = update.rewritesFinalized ? update.finalized : shown + update.finalized
            let html = stream.html
            kept.append(html)
            #expect(html == shown + update.tail)
        }
        _ = stream.finish()
        #expect(stream.html == MarkdownHTMLRenderer.render(MarkdownParser.parse(text)))
        #expect(kept.count == text.count)
    }

    /// The amortized policy: provisional tails between parses, yet `html` always equals the updates
    /// shown so far, exact tails equal full renders, and `finish()` gives the one-shot render.
    @Test(ConformanceData.enabled, arguments: SpecExample.all)
    func amortizedStreamsFinishExactly(_ example: SpecExample) {
        let expected = MarkdownHTMLRenderer.render(MarkdownParser.parse(example.markdown))
        var rng = SeededRandom(seed: UInt64(example.number) &* 104_729)
        for round in 0..<10 {
            let stream = MarkdownStream(tailPolicy: .amortized(minimumBytes: round % 2 == 0 ? 4 : 16))
            stream.checkTails = true
            var shown = ""
            for chunk in randomChunks(example.markdown, maxChunk: round < 5 ? 3 : 9, using: &rng) {
                let update = stream.append(chunk)
                shown = update.rewritesFinalized ? update.finalized : shown + update.finalized
                #expect(stream.html == shown + update.tail)
                if round == 0 { _ = stream.terminal(style: TerminalStyle(width: 30)) }
            }
            let last = stream.finish()
            shown = last.rewritesFinalized ? last.finalized : shown + last.finalized
            #expect(stream.tailExact)
            #expect(stream.tailMismatches == 0, "\(example), round \(round)")
            #expect(stream.html == expected, "\(example), round \(round)")
            #expect(shown == expected, "\(example), round \(round)")
            if stream.html != expected { return }
        }
    }

    /// Provisional text is escaped like any text: no tag from the input appears, and every chunk's
    /// letters are in `html` as soon as it is appended.
    @Test func amortizedProvisionalTextIsEscapedAndComplete() {
        let text =
            "Start of a line <script>alert(1)</script> and <img src=x onerror=y> **bold** end\n- item <b>x</b> zq"
        let stream = MarkdownStream(tailPolicy: .amortized(minimumBytes: 1_000))
        var provisional = 0
        for character in text {
            _ = stream.append(String(character))
            let html = stream.html
            #expect(!html.contains("<script") && !html.contains("<img") && !html.contains("<b>"))
            if !stream.tailExact { provisional += 1 }
        }
        #expect(provisional > 50)
        #expect(stream.html.contains("zq"))
        _ = stream.finish()
        #expect(stream.html == MarkdownHTMLRenderer.render(MarkdownParser.parse(text)))
    }

    @Test func everySplitOfAMixedDocument() {
        let text = """
            # Title

            Some *text* with [a link][ref] and `code`.

            - one
            - two

              more

            > quote
            lazy

            ```swift
            let x = 1
            ```

            | a | b |
            | - | - |
            | 1 | 2 |

            [ref]: https://example.com
            """
        let expected = MarkdownHTMLRenderer.render(MarkdownParser.parse(text))
        let characters = Array(text)
        for split in 0...characters.count {
            let stream = MarkdownStream()
            _ = stream.append(String(characters[..<split]))
            _ = stream.append(String(characters[split...]))
            _ = stream.finish()
            #expect(stream.html == expected, "split at \(split)")
            if stream.html != expected { break }
        }
    }

    @Test func finalisedHTMLOnlyGrowsUntilALateDefinition() {
        let stream = MarkdownStream()
        var update = stream.append("first paragraph\n\nsecond [x]\n\n")
        #expect(update.finalized == "<p>first paragraph</p>\n<p>second [x]</p>\n")
        #expect(!update.rewritesFinalized)
        update = stream.append("[x]: /u\n\nthird")
        #expect(update.rewritesFinalized)
        #expect(update.finalized == "<p>first paragraph</p>\n<p>second <a href=\"/u\">x</a></p>\n")
        #expect(update.tail == "<p>third</p>\n")
    }

    @Test func crlfSplitAcrossChunks() {
        let stream = MarkdownStream()
        _ = stream.append("a\r")
        _ = stream.append("\nb\r")
        _ = stream.append("\r\nc")
        _ = stream.finish()
        #expect(stream.html == MarkdownHTMLRenderer.render(MarkdownParser.parse("a\r\nb\r\r\nc")))
    }

    /// An unfinished line is settled once a byte no block start reads past has arrived: later
    /// bytes then only extend its text.
    @Test func settledLines() {
        let settled = [
            "foo", "- foo", "> - **x", "1. a", "``x", "# a", "#x", "--- a", "\\#", "[x", "&amp;", "|a", "    code",
            "~~s", "漢字", "* * x",
        ]
        let unsettled = [
            "", "   ", "- ", "---", "===", "```", "~~~", "<div", "\tfoo", "#", "1.", "|---|", ":--", "``", "> ",
            "* * *",
            "12.", "\r",
        ]
        for line in settled {
            #expect(BlockStart.lineIsSettled(Array(line.utf8), from: 0), "\(line.debugDescription)")
        }
        for line in unsettled {
            #expect(!BlockStart.lineIsSettled(Array(line.utf8), from: 0), "\(line.debugDescription)")
        }
        #expect(BlockStart.codeLineIsSettled(Array("   x".utf8), from: 0, fenceChar: 0x60))
        #expect(!BlockStart.codeLineIsSettled(Array("  ``".utf8), from: 0, fenceChar: 0x60))
        #expect(BlockStart.codeLineIsSettled(Array("  ~~".utf8), from: 0, fenceChar: 0x60))
        #expect(!BlockStart.codeLineIsSettled(Array("\tx".utf8), from: 0, fenceChar: nil))
    }

    /// A frame lasts its line: streamed one character at a time, a paragraph, a list and a quote
    /// lay out a frame for the empty line after each newline, one per character of the line's
    /// markers (not settled yet), then one for the rest of the line.
    @Test func framesLastALine() {
        let lines = (0..<40).map { "line \($0) with *some* words and [a link](https://example.com/\($0))" }
        for (prefix, separator) in [("", "\n"), ("- ", "\n"), ("> ", "\n")] {
            let text = lines.map { prefix + $0 }.joined(separator: separator) + "\n"
            let stream = MarkdownStream()
            stream.checkTails = true
            for character in text { _ = stream.append(String(character)) }
            let bound = (prefix.count + 2) * lines.count + 4
            #expect(stream.framesBuilt <= bound, "\(prefix.debugDescription): \(stream.framesBuilt) frames")
            #expect(stream.frameTails > text.count * 9 / 10)
            _ = stream.finish()
            #expect(stream.tailMismatches == 0)
            #expect(stream.html == MarkdownHTMLRenderer.render(MarkdownParser.parse(text)))
        }
    }

    /// Closed blocks are written once: the items of a long list go through the tree writer about
    /// once each (when they close), and the final list is put together from their HTML.
    @Test func closedBlocksAreWrittenOnce() {
        let text = (0..<30).map { "- item \($0) with `code` and\n  a second line\n" }.joined() + "\nafter\n"
        let stream = MarkdownStream()
        for character in text { _ = stream.append(String(character)) }
        _ = stream.finish()
        #expect(stream.html == MarkdownHTMLRenderer.render(MarkdownParser.parse(text)))
        #expect(stream.treeWrites <= 30 + 4, "\(stream.treeWrites) tree writes")
    }

    /// The work a stream does (bytes parsed, laid out and copied) grows linearly with its text, for
    /// long blocks of every shape: four times the text costs about four times the work, not sixteen.
    @Test(arguments: [
        "plain *words* and `code` ",  // one long line
        "plain *words* and [links](https://example.com)\n",  // a long paragraph
        "```\n",  // a long code block (its lines below)
        "- item with *words*\n",  // a long list
        "> quoted *words* here\n",  // a long quote
        "- a\n  - b *c*\n    > d e f\n",  // nested lists and quotes
        "1. item\n\n   para *x*\n",  // a loose list with paragraphs in items
        "| cell *x* | `y` z |\n",  // a long table (its header above)
        "- [ ] task with *words*\n- [x] done\n",  // a task list
        "    let x = f(y) + 1\n",  // indented code
        "<p>raw *line*</p>\n",  // an HTML block (its `<div>` above)
    ])
    func workIsLinearInTheText(_ unit: String) {
        func work(_ count: Int) -> (Int, Int) {
            let text =
                switch unit {
                case "```\n": "```\n" + String(repeating: "let x = f(y) + 1\n", count: count)
                case let row where row.hasPrefix("|"):
                    "| a | b |\n| --- | :-: |\n" + String(repeating: row, count: count)
                case let line where line.hasPrefix("<p>"): "<div>\n" + String(repeating: line, count: count)
                default: String(repeating: unit, count: count)
                }
            let bytes = Array(text.utf8)
            let stream = MarkdownStream()
            for start in stride(from: 0, to: bytes.count, by: 7) {
                _ = stream.append(String(decoding: bytes[start..<min(bytes.count, start + 7)], as: UTF8.self))
                _ = stream.html
            }
            _ = stream.finish()
            #expect(stream.html == MarkdownHTMLRenderer.render(MarkdownParser.parse(text)))
            return (stream.workBytes, bytes.count)
        }
        let (small, smallBytes) = work(150)
        let (large, largeBytes) = work(600)
        let perByteSmall = Double(small) / Double(smallBytes)
        let perByteLarge = Double(large) / Double(largeBytes)
        #expect(
            perByteLarge < perByteSmall * 1.25 + 1,
            "\(unit.debugDescription): \(perByteSmall) -> \(perByteLarge) per byte")
    }

    /// Paragraphs that may still become link reference definitions (task boxes, labels being
    /// typed) are rendered in frames, and one that becomes a definition takes its text back.
    @Test func mayBeDefinitionsStreamExactly() {
        let text = "- [ ] box\n- [x] done\n\n[foo]: /url\n'title'\nbar *x* [foo]\n\n[foo\nbar]: /u\n[foo\nbar]\n"
        let stream = MarkdownStream()
        stream.checkTails = true
        var shown = ""
        for character in text {
            let update = stream.append(String(character))
            shown = update.rewritesFinalized ? update.finalized : shown + update.finalized
            #expect(stream.html == shown + update.tail)
        }
        _ = stream.finish()
        #expect(stream.tailMismatches == 0, "\(String(describing: stream.firstMismatch))")
        #expect(stream.html == MarkdownHTMLRenderer.render(MarkdownParser.parse(text)))
        #expect(stream.frameTails > text.count / 2)
    }

    /// A probe reading an unfinished line that may still be blank does not mark the parser's own
    /// blocks: a closed code block in an item stays without a trailing blank line, the list tight.
    @Test func probeLeavesTheParsersBlocksAlone() {
        let text = "- a\n  ```\n  b\n  ```\n  c\n- d\n"
        let stream = MarkdownStream()
        for chunk in ["- a\n  ```\n  b\n  ```\n  ", "c\n- d\n"] { _ = stream.append(chunk) }
        _ = stream.finish()
        #expect(stream.html == MarkdownHTMLRenderer.render(MarkdownParser.parse(text)))
        #expect(stream.html.hasPrefix("<ul>\n<li>a\n"))
    }

    /// The amortized policy shows provisional text within a line and is exact again at every line start.
    @Test func amortizedIsExactAtLineStarts() {
        let text = "first line with **bold** words\nsecond line with *em* text\n- an item line here\n"
        let stream = MarkdownStream(tailPolicy: .amortized(minimumBytes: 1_000))
        var provisional = 0
        var sofar = ""
        for character in text {
            sofar.append(character)
            _ = stream.append(String(character))
            if character == "\n" {
                #expect(stream.tailExact)
                #expect(stream.html == MarkdownHTMLRenderer.render(MarkdownParser.parse(sofar)))
            }
            if !stream.tailExact { provisional += 1 }
        }
        #expect(provisional > 40)
        _ = stream.finish()
        #expect(stream.html == MarkdownHTMLRenderer.render(MarkdownParser.parse(text)))
    }
}
