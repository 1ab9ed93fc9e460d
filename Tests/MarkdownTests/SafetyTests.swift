import Foundation
import Markdown
import TestSupport
import Testing

/// No markdown input produces script: every XSS payload, as text, link destination, image
/// source, code and raw HTML, through the parser and the HTML renderer (one-shot and streamed).
@Suite(ConformanceData.enabled) struct SafetyTests {
    static let payloads: [String] = {
        let dir = ConformanceData.url("xss")
        var result: [String] = []
        for name in ["payloadbox-xss-payload-list.txt", "patt-RSNAKE_XSS.txt"] {
            guard let text = try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8) else {
                continue
            }
            result += text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        }
        return result
    }()

    /// The shapes each payload is placed in.
    static func documents(_ p: String) -> [String] {
        [
            p,
            "[click](\(p))",
            "[click](<\(p)>)",
            "![img](\(p))",
            "[ref]\n\n[ref]: \(p)",
            "<\(p)>",
            "`\(p)`",
            "```\(p)\n\(p)\n```",
            "    \(p)",
            "> \(p)",
            "- \(p)",
            "| \(p) |\n| - |\n| \(p) |",
            "*\(p)*",
        ]
    }

    /// What must never appear in the output (lowercased): tags and attributes that run script or style.
    static func violations(_ html: String) -> [String] {
        let lower = html.lowercased()
        var found: [String] = []
        for bad in [
            "<script", "<iframe", "<svg", "<object", "<embed", "<style", "<meta", "<link", "<base", "<form", "<body",
            "<math",
        ] where lower.contains(bad) {
            found.append(bad)
        }
        // Every `<` in the output starts one of the renderer's own tags.
        let allowed = [
            "p", "/p", "em", "/em", "strong", "/strong", "del", "/del", "code", "/code", "pre", "/pre", "a", "/a",
            "img", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "/h1", "/h2", "/h3", "/h4", "/h5", "/h6",
            "ul", "/ul", "ol", "/ol", "li", "/li", "blockquote", "/blockquote", "table", "/table", "thead",
            "/thead", "tbody", "/tbody", "tr", "/tr", "th", "/th", "td", "/td", "input", "span", "/span",
        ]
        var rest = lower[...]
        while let open = rest.firstIndex(of: "<") {
            let after = rest[rest.index(after: open)...]
            let name = after.prefix { $0.isLetter || $0.isNumber || $0 == "/" }
            if !allowed.contains(String(name)) { found.append("<" + name) }
            // Attributes of the renderer's tags: only these names.
            let tagEnd = after.firstIndex(of: ">") ?? after.endIndex
            let tag = after[..<tagEnd]
            for attribute in tag.split(separator: " ").dropFirst() {
                let attrName = attribute.prefix { $0 != "=" }
                if !["href", "src", "alt", "title", "class", "start", "align", "type", "checked", "disabled", "/"]
                    .contains(String(attrName))
                {
                    // Attribute values may contain spaces ("alt" text): only flag names that look like handlers.
                    if attrName.hasPrefix("on") || attrName == "style" { found.append(String(attrName)) }
                }
            }
            for url in urls(in: String(tag)) {
                // A browser reads a scheme only as a letter then letters, digits, `+`, `-`, `.` before `:`
                // (after dropping tabs and newlines); anything else is a relative URL.
                let cleaned = url.filter { $0 != "\t" && $0 != "\n" && $0 != "\r" }.drop {
                    $0.asciiValue.map { $0 <= 0x20 } ?? false
                }
                let scheme = cleaned.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }
                let hasScheme = scheme.first?.isLetter == true && cleaned.dropFirst(scheme.count).first == ":"
                if hasScheme, !["http", "https", "mailto"].contains(String(scheme)), !cleaned.hasPrefix("data:image/") {
                    found.append("url " + url)
                }
            }
            rest = after
        }
        return found
    }

    static func urls(in tag: String) -> [String] {
        var result: [String] = []
        for attribute in [" href=\"", " src=\""] {
            var rest = tag[...]
            while let r = rest.range(of: attribute) {
                let value = rest[r.upperBound...].prefix { $0 != "\"" }
                result.append(
                    String(value).replacingOccurrences(of: "&amp;", with: "&").removingPercentEncoding ?? String(value))
                rest = rest[r.upperBound...]
            }
        }
        return result
    }

    @Test func payloadsAreLoaded() {
        #expect(Self.payloads.count > 6_000)
    }

    @Test(arguments: 0..<8)
    func noPayloadProducesScript(_ shard: Int) {
        var failures = 0
        for (index, payload) in Self.payloads.enumerated() where index % 8 == shard {
            for document in Self.documents(payload) {
                let html = MarkdownHTMLRenderer.render(MarkdownParser.parse(document))
                let bad = Self.violations(html)
                if !bad.isEmpty, failures < 5 {
                    failures += 1
                    Issue.record("payload \(index): \(bad) in \(html)")
                }
            }
        }
        #expect(failures == 0)
    }

    @Test func streamedPayloadsAreSafeToo() {
        var rng = SeededRandom(seed: 42)
        for payload in Self.payloads.prefix(500) {
            let document = "[x](\(payload)) \(payload)\n\n<div>\(payload)</div>"
            let stream = MarkdownStream()
            var tailViolations: [String] = []
            for chunk in randomChunks(document, maxChunk: 7, using: &rng) {
                tailViolations += Self.violations(stream.append(chunk).tail)
            }
            #expect(tailViolations.isEmpty)
            _ = stream.finish()
            #expect(Self.violations(stream.html).isEmpty)
        }
    }

    @Test(arguments: [
        ("[a](javascript:alert(1))", "<p><a>a</a></p>\n"),
        ("[a](JaVaScRiPt:alert(1))", "<p><a>a</a></p>\n"),
        ("[a](java\tscript:alert(1))", "<p>[a](java\tscript:alert(1))</p>\n"),
        ("[a](<java\tscript:alert(1)>)", "<p><a>a</a></p>\n"),
        ("[a](vbscript:msgbox)", "<p><a>a</a></p>\n"),
        ("[a](data:text/html,<script>)", "<p><a>a</a></p>\n"),
        ("![a](data:image/png;base64,AAAA)", "<p><img src=\"data:image/png;base64,AAAA\" alt=\"a\" /></p>\n"),
        ("![a](data:image/svg+xml;base64,AAAA)", "<p><img alt=\"a\" /></p>\n"),
        ("[a](data:image/png;base64,AAAA)", "<p><a>a</a></p>\n"),
        ("[a](https://ok.example/x?y=1&z=2)", "<p><a href=\"https://ok.example/x?y=1&amp;z=2\">a</a></p>\n"),
        ("[a](mailto:me@example.com)", "<p><a href=\"mailto:me@example.com\">a</a></p>\n"),
        ("[a](/relative/path)", "<p><a href=\"/relative/path\">a</a></p>\n"),
        ("[a](&#106;avascript:alert(1))", "<p><a>a</a></p>\n"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;\n"),
        ("a <img src=x onerror=alert(1)> b", "<p>a &lt;img src=x onerror=alert(1)&gt; b</p>\n"),
        ("[a](\"onmouseover=alert(1))", "<p><a href=\"%22onmouseover=alert(1)\">a</a></p>\n"),
        ("```js\" onclick=\"x\ncode\n```", "<pre><code class=\"language-js&quot;\">code\n</code></pre>\n"),
    ])
    func urlAllowlistAndEscaping(_ markdown: String, _ expected: String) {
        #expect(MarkdownHTMLRenderer.render(MarkdownParser.parse(markdown)) == expected)
    }
}
