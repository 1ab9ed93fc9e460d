import Foundation
@testable import Markdown
import TestSupport
import Testing

/// Server-side highlighting of fenced code blocks: each language's tokens, the text kept exactly,
/// hostile input through the safety checker, and the stream equal to the one-shot render.
@Suite struct HighlightTests {
    /// The HTML of one fenced block.
    static func html(_ language: String, _ code: String) -> String {
        MarkdownHTMLRenderer.render(MarkdownParser.parse("```\(language)\n\(code)\n```\n"))
    }

    /// The highlighted tokens of a block, as (class without `hl-`, text as written).
    static func tokens(_ language: String, _ code: String) -> [(String, String)] {
        let html = Self.html(language, code)
        var result: [(String, String)] = []
        var rest = html[...]
        while let open = rest.range(of: "<span class=\"hl-") {
            let afterClass = rest[open.upperBound...]
            guard let quote = afterClass.firstIndex(of: "\""), let close = afterClass.range(of: "</span>") else {
                break
            }
            let kind = String(afterClass[..<quote])
            let text = afterClass[afterClass.index(quote, offsetBy: 2)..<close.lowerBound]
            result.append((kind, unescape(String(text))))
            rest = afterClass[close.upperBound...]
        }
        return result
    }

    static func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
    }

    /// The text of the HTML: tags removed, the writer's four escapes undone.
    static func text(_ html: String) -> String {
        var out = ""
        var inTag = false
        for c in html {
            if c == "<" {
                inTag = true
            } else if c == ">" && inTag {
                inTag = false
            } else if !inTag {
                out.append(c)
            }
        }
        return unescape(out)
    }

    func expectTokens(_ language: String, _ code: String, _ expected: [(String, String)]) {
        let found = Self.tokens(language, code)
        for (kind, text) in expected {
            #expect(
                found.contains { $0 == (kind, text) },
                "\(language): \(text.debugDescription) is not a \(kind): \(found)")
        }
    }

    @Test func json() {
        expectTokens(
            "json", #"{"name": "Ada", "age": 36, "ratio": -1.5e-3, "ok": true, "none": null}"#,
            [
                ("property", #""name""#), ("string", #""Ada""#), ("number", "36"), ("number", "1.5e-3"),
                ("literal", "true"), ("literal", "null"),
            ])
    }

    @Test func javascriptAndTypeScript() {
        let js = """
            // greet someone
            const greet = async (name) => {
              /* a block
                 comment */
              return `Hello, ${name}!` + 'x' + "y";
            };
            console.log(greet(null), 0x1F, undefined);
            """
        expectTokens(
            "javascript", js,
            [
                ("comment", "// greet someone"), ("keyword", "const"), ("keyword", "async"),
                ("comment", "/* a block\n     comment */"), ("keyword", "return"), ("string", "`Hello, ${name}!`"),
                ("string", "'x'"), ("string", "\"y\""), ("function", "log"), ("literal", "null"), ("number", "0x1F"),
                ("literal", "undefined"),
            ])
        expectTokens(
            "ts", "interface User { id: number; name: string }\nlet u: User = load();",
            [("keyword", "interface"), ("type", "User"), ("type", "number"), ("type", "string"), ("function", "load")])
        expectTokens("jsx", "let a = 1", [("keyword", "let")])
    }

    @Test func python() {
        let py = #"""
            @dataclass
            class Point:
                """A point.
                Two lines."""
                def norm(self) -> float:  # length
                    return math.sqrt(self.x ** 2) if True else None
            print(f"{p!r}", rb'\x00', 'it\'s')
            """#
        expectTokens(
            "python", py,
            [
                ("meta", "@dataclass"), ("keyword", "class"), ("type", "Point"),
                ("string", "\"\"\"A point.\n    Two lines.\"\"\""), ("keyword", "def"), ("function", "norm"),
                ("type", "float"), ("comment", "# length"), ("function", "sqrt"), ("number", "2"),
                ("literal", "True"), ("literal", "None"), ("string", "f\"{p!r}\""), ("string", "rb'\\x00'"),
                ("string", "'it\\'s'"),
            ])
    }

    @Test func swift() {
        let swift = """
            @MainActor struct Box<T>: Sendable {
                /* outer /* nested */ still comment */
                let value: T
                func show() -> String { "value: \\(value)" }
            }
            #if DEBUG
            let x = Box(value: 1.5)  // done
            #endif
            """
        expectTokens(
            "swift", swift,
            [
                ("meta", "@MainActor"), ("keyword", "struct"), ("type", "Box"), ("type", "Sendable"),
                ("comment", "/* outer /* nested */ still comment */"), ("keyword", "let"), ("keyword", "func"),
                ("string", "\"value: \\(value)\""), ("meta", "#if"), ("number", "1.5"), ("comment", "// done"),
                ("meta", "#endif"),
            ])
    }

    @Test func sql() {
        let sql = """
            -- recent users
            select id, COUNT(*) AS n FROM users u
            WHERE name = 'O''Brien' AND deleted IS NULL /* soft */ LIMIT 10;
            CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT);
            """
        expectTokens(
            "sql", sql,
            [
                ("comment", "-- recent users"), ("keyword", "select"), ("function", "COUNT"), ("keyword", "AS"),
                ("keyword", "FROM"), ("string", "'O''Brien'"), ("literal", "NULL"), ("comment", "/* soft */"),
                ("number", "10"), ("type", "INTEGER"), ("type", "TEXT"),
            ])
    }

    @Test func shell() {
        let sh = """
            #!/bin/bash
            # install
            export PATH="$HOME/bin:${PATH}"
            for f in *.txt; do echo 'it''s' "$f" $1 $@; done  # loop
            curl -s https://example.com/a#b
            """
        expectTokens(
            "bash", sh,
            [
                ("comment", "#!/bin/bash"), ("comment", "# install"), ("keyword", "export"),
                ("string", "\"$HOME/bin:${PATH}\""), ("keyword", "for"), ("keyword", "do"), ("string", "'it'"),
                ("variable", "$1"), ("variable", "$@"), ("keyword", "done"), ("comment", "# loop"),
            ])
        // `#` inside a word is not a comment.
        #expect(!Self.tokens("sh", "curl https://example.com/a#b").contains { $0.0 == "comment" })
    }

    @Test func markup() {
        let html = """
            <!DOCTYPE html>
            <!-- a comment -->
            <a href="https://example.com" data-x='1' hidden>Fish &amp; chips &#x1F600;</a>
            <?xml version="1.0"?><![CDATA[ <raw> ]]>
            """
        expectTokens(
            "html", html,
            [
                ("meta", "<!DOCTYPE html>"), ("comment", "<!-- a comment -->"), ("tag", "a"), ("attribute", "href"),
                ("string", "\"https://example.com\""), ("attribute", "data-x"), ("string", "'1'"),
                ("attribute", "hidden"), ("entity", "&amp;"), ("entity", "&#x1F600;"),
                ("meta", "<?xml version=\"1.0\"?>"), ("string", "<![CDATA[ <raw> ]]>"),
            ])
        expectTokens("xml", "<root/>", [("tag", "root")])
    }

    /// A block still open when the text ends, an unknown language and indented code stay plain.
    @Test func onlyClosedBlocksOfKnownLanguagesAreHighlighted() {
        let unclosed = MarkdownHTMLRenderer.render(MarkdownParser.parse("```swift\nlet x = 1\n"))
        #expect(unclosed == "<pre><code class=\"language-swift\">let x = 1\n</code></pre>\n")
        let closedByContainer = MarkdownHTMLRenderer.render(MarkdownParser.parse("> ```swift\n> let x = 1\n\nafter"))
        #expect(!closedByContainer.contains("<span"))
        #expect(!Self.html("ruby", "def x; end").contains("<span"))
        #expect(!MarkdownHTMLRenderer.render(MarkdownParser.parse("    let x = 1\n")).contains("<span"))
        #expect(Self.html("Swift  title=x", "let x = 1").contains("<span class=\"hl-keyword\">let</span>"))
    }

    static let languages = ["json", "js", "ts", "python", "swift", "sql", "sh", "html", "xml"]

    /// Every byte of the code is kept, in order, whatever the language; no tag but the writer's own.
    @Test(ConformanceData.enabled) func hostileInputIsKeptAsTextInEveryLanguage() {
        var payloads = SafetyTests.payloads
        payloads += [
            "\"unterminated", "/* open", "'''", "\"\"\"", "`", "<!--", "<![CDATA[", "<a b='", "${", "$", "&#", "&x",
            "\\", "e+", ".5", "<", "</", "<a", "@", "#", "--", "-- x", "é漢👩‍👩‍👧 \"é\" /*é*/", "\u{0}\u{1B}",
        ]
        for language in Self.languages {
            for p in payloads {
                let html = Self.html(language, p)
                let plain = Self.html("text", p)
                #expect(Self.text(html) == Self.text(plain), "\(language): \(p.debugDescription)")
                #expect(SafetyTests.violations(html) == [], "\(language): \(p.debugDescription)")
            }
            // All payloads in one block: constructs left open run on without losing a byte.
            let all = payloads.joined(separator: "\n")
            #expect(Self.text(Self.html(language, all)) == Self.text(Self.html("text", all)), "\(language)")
        }
    }

    /// Long runs of openers finish (the scanners are total and linear; nothing is timed here).
    @Test func pathologicalRunsFinish() {
        for language in Self.languages {
            for unit in ["/*", "\"", "'", "`", "<!--", "<a ", "${", "\\", "#", "&", "1e", "\"\"\"", "@", "<"] {
                let code = String(repeating: unit, count: 5_000)
                #expect(Self.text(Self.html(language, code)) == Self.text(Self.html("text", code)))
            }
        }
    }

    static let codeAlphabet: [String] = [
        "```json\n", "```js\n", "```py\n", "```swift\n", "```sql\n", "```sh\n", "```html\n", "```\n", "~~~xml\n", "```",
        "\n", "\n\n", " ", "  ", "a", "let ", "x", "1.5", "\"", "'", "`", "\"\"\"", "/*", "*/", "//", "#", "--", "$x",
        "${y}", "<a b=\"c\">", "</a>", "<!--", "-->", "&amp;", "\\", "(", ")", ":", "- ", "> ", "    ", "é", "漢",
    ]

    /// Documents of code blocks in every language, streamed in random chunks: every tail and the end
    /// equal the one-shot render.
    @Test(arguments: 0..<8)
    func streamedCodeEqualsOneShot(_ shard: Int) {
        for k in 0..<60 {
            let seed = UInt64(9_000 + shard * 60 + k)
            var rng = SeededRandom(seed: seed)
            let length = Int.random(in: 1...80, using: &rng)
            let text = (0..<length).map { _ in
                Self.codeAlphabet[Int.random(in: 0..<Self.codeAlphabet.count, using: &rng)]
            }.joined()
            let expected = MarkdownHTMLRenderer.render(MarkdownParser.parse(text))
            let stream = MarkdownStream()
            stream.checkTails = true
            var shown = ""
            for chunk in randomChunks(text, maxChunk: 6, using: &rng) {
                let update = stream.append(chunk)
                shown = update.rewritesFinalized ? update.finalized : shown + update.finalized
                #expect(stream.html == shown + update.tail, "seed \(seed)")
            }
            let last = stream.finish()
            shown = last.rewritesFinalized ? last.finalized : shown + last.finalized
            #expect(stream.html == expected, "seed \(seed): \(text.debugDescription)")
            #expect(shown == expected, "seed \(seed): \(text.debugDescription)")
            #expect(
                stream.tailMismatches == 0,
                "seed \(seed): \(text.debugDescription) \(stream.firstMismatch.map { "\($0)" } ?? "")")
        }
    }
}
