import CustomUICore
import Foundation
import Markdown
import Testing

@testable import CustomUI

/// One URL rule for every renderer: the same table through `URLPolicy`, the template's `link`
/// and `image`, and markdown links and images, so no URL refused in one place appears in another.
@Suite struct URLPolicyTests {
    /// (url, allowed as a link, allowed as an image)
    static let table: [(String, Bool, Bool)] = [
        ("https://example.com/a.png", true, true),
        ("http://example.com", true, true),
        ("HTTPS://EXAMPLE.COM", true, true),
        ("mailto:a@b.c", true, true),
        ("/relative/path", true, true),
        ("relative.png", true, true),
        ("?q=1", true, true),
        ("#top", true, true),
        ("a/b:c", true, true),
        ("javascript:alert(1)", false, false),
        ("JaVaScRiPt:alert(1)", false, false),
        ("java\tscript:alert(1)", false, false),
        ("\u{1}javascript:alert(1)", false, false),
        ("java\u{7F}script:alert(1)", false, false),
        ("vbscript:msgbox", false, false),
        ("file:///etc/passwd", false, false),
        ("ftp://example.com", false, false),
        (":nothing", false, false),
        ("data:image/png;base64,iVBORw0KGgo=", false, true),
        ("data:image/jpeg;base64,/9j/4AAQ", false, true),
        ("data:image/jpg;base64,/9j/4AAQ", false, true),
        ("data:image/webp;base64,UklGR", false, true),
        ("data:image/avif;base64,AAAA", false, true),
        ("data:image/bmp;base64,Qk0=", false, true),
        ("DATA:IMAGE/PNG;base64,iVBORw0KGgo=", false, true),
        ("data:image/svg+xml;base64,PHN2Zz4=", false, false),
        ("data:text/html,<script>alert(1)</script>", false, false),
        ("data:image/png", false, true),  // no payload: harmless, the browser shows nothing
    ]

    @Test func policyTable() {
        for (url, link, image) in Self.table {
            #expect(URLPolicy.allows(url, image: false) == link, "link \(url.debugDescription)")
            #expect(URLPolicy.allows(url, image: true) == image, "image \(url.debugDescription)")
            #expect((URLPolicy.disallowedScheme(url, image: false) == nil) == link, "scheme \(url.debugDescription)")
        }
        #expect(URLPolicy.disallowedScheme("java\tscript:x", image: false) == "javascript")
    }

    static let template = """
        <custom-ui name="urls">
          <view>
            <link href="{{ props.url }}">the link</link>
            <image src="{{ props.url }}" alt="the image"/>
          </view>
        </custom-ui>
        """

    @Test func templateRendererFollowsTheTable() throws {
        let report = Validator.validate(ui: SourceFile(path: "urls.ui.xml", text: Self.template))
        let compiled = try #require(report.template)
        for (url, link, image) in Self.table {
            let html = try #require(
                RenderPipeline.render(
                    compiled, prompt: nil, props: ["url": .string(url)], options: RenderOptions(fragment: true)
                ).output)
            #expect(html.contains("href=") == link, "template link \(url.debugDescription): \(html)")
            #expect(html.contains("src=") == image, "template image \(url.debugDescription): \(html)")
        }
    }

    @Test func markdownRendererFollowsTheTable() {
        // Markdown destinations cannot hold controls or spaces; the rest of the table applies.
        for (url, link, image) in Self.table
        where !url.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F }) {
            let destination =
                "<" + url.replacingOccurrences(of: "<", with: "%3C").replacingOccurrences(of: ">", with: "%3E") + ">"
            let linkHTML = MarkdownHTMLRenderer.render(MarkdownParser.parse("[the link](\(destination))"))
            #expect(linkHTML.contains("href=") == link, "markdown link \(url.debugDescription): \(linkHTML)")
            let imageHTML = MarkdownHTMLRenderer.render(MarkdownParser.parse("![the image](\(destination))"))
            #expect(imageHTML.contains("src=") == image, "markdown image \(url.debugDescription): \(imageHTML)")
        }
    }
}
