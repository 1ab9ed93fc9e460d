import CustomUICore
import Foundation
import Testing

@testable import CustomUI

@Suite struct TemplateParserTests {
    func parse(_ text: String, limits: ResourceLimits = .default) -> (SyntaxDocument?, [Diagnostic]) {
        let result = TemplateParser.parse(SourceFile(path: "t.xml", text: text), limits: limits)
        return (result.document, result.diagnostics)
    }

    @Test func keepsExactRanges() throws {
        let text =
            "<?xml version=\"1.0\"?>\n<!-- c -->\n<root a=\"1\">\n  <child  b='x &amp; y'/>\n  hi &lt; there\n</root>\n"
        let (document, diagnostics) = parse(text)
        #expect(diagnostics.isEmpty)
        let root = try #require(document?.root)
        #expect(root.name == "root")
        #expect(root.nameRange.start == SourceLocation(offset: 34, line: 3, column: 2))
        #expect(root.range.start.line == 3 && root.range.end.line == 6 && root.range.end.column == 8)
        let child = try #require(root.childElements.first)
        #expect(child.nameRange.start.line == 4 && child.nameRange.start.column == 4)
        let b = try #require(child.attribute("b"))
        #expect(b.value == "x & y")
        #expect(b.valueRange.start.column == 14)
        // `y` is at text offset 4; in the source it follows `&amp; ` at column 22.
        #expect(b.valueOrigin.range(4, 5).start.column == 22)
        let texts = root.children.compactMap { if case .text(let t) = $0 { t } else { nil } }
        let hi = try #require(texts.first { $0.text.contains("hi") })
        #expect(hi.text == "\n  hi < there\n")
        let t = try #require(hi.text.utf8.firstIndex(of: UInt8(ascii: "t")))
        let offset = hi.text.utf8.distance(from: hi.text.utf8.startIndex, to: t)
        #expect(hi.origin.range(offset, offset + 1).start == document!.file.location(line: 5, column: 11))
    }

    @Test func refusesDoctypeBeforeAnyEntityIsDeclared() throws {
        let laughs = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [
              <!ENTITY lol "lol">
              <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
              <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
            ]>
            <lolz>&lol3;</lolz>
            """
        let (document, diagnostics) = parse(laughs)
        #expect(document == nil)
        #expect(diagnostics.map(\.code) == [.xmlDoctype])
        #expect(diagnostics.first?.range?.start.line == 2)
    }

    @Test(arguments: [
        "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>",
        "<!DOCTYPE r [<!ENTITY x SYSTEM \"http://127.0.0.1:9/x\">]><r>&x;</r>",
        "<!DOCTYPE r SYSTEM \"http://127.0.0.1:9/evil.dtd\"><r/>",
        "<!DOCTYPE r [<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]><r/>",
    ])
    func refusesExternalEntitiesAndDTDs(text: String) {
        let (document, diagnostics) = parse(text)
        #expect(document == nil)
        #expect(diagnostics.map(\.code) == [.xmlDoctype])
    }

    @Test func undefinedEntityIsOneError() {
        let (_, diagnostics) = parse("<r>\n  &nbsp;</r>")
        #expect(diagnostics.map(\.code) == [.xmlUndefinedEntity])
        #expect(diagnostics.first?.range?.start.line == 2)
    }

    @Test func deepNestingStopsAtTheLimit() {
        let depth = 10_000
        let text = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        let (document, diagnostics) = parse(text)
        #expect(document == nil)
        #expect(diagnostics.map(\.code) == [Limit.depth.code])
        #expect(diagnostics.first?.range?.start.column == 3 * 128 + 2)
    }

    @Test func hugeAttributeIsRefused() {
        let big = String(repeating: "x", count: 1 << 20)
        let (_, diagnostics) = parse("<r a=\"\(big)\"/>")
        #expect(diagnostics.map(\.code) == [Limit.attributeBytes.code])
        let tenMB = String(repeating: "x", count: 10 << 20)
        let (_, tooLarge) = parse("<r a=\"\(tenMB)\"/>")
        #expect(tooLarge.map(\.code) == [Limit.documentBytes.code])
    }

    @Test func tooManyElements() {
        let text = "<r>" + String(repeating: "<a/>", count: 200) + "</r>"
        let (_, diagnostics) = parse(text, limits: ResourceLimits(maxNodes: 100))
        #expect(diagnostics.map(\.code) == [Limit.nodes.code])
    }

    @Test(arguments: [
        ("<r><a></b></r>", DiagnosticCode.xmlTagMismatch, 1),
        ("<r>\n<a b=1/></r>", .xmlMalformed, 2),
        ("", .xmlEmpty, 1),
        ("<r>\n", .xmlMalformed, 2),
    ])
    func malformedDocumentsGiveOnePositionedError(text: String, code: DiagnosticCode, line: Int) {
        let (document, diagnostics) = parse(text)
        #expect(document == nil)
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.code == code)
        #expect(diagnostics.first?.range?.start.line == line)
    }
}
