import CustomUICore
import Foundation
import Testing

@testable import CustomUI

/// `TemplateFormatter`: one canonical layout, idempotent, and the parsed tree's meaning unchanged.
@Suite struct FormatterTests {
    // MARK: Meaning: the parsed tree without positions or ignorable whitespace

    /// An expression's shape with no source ranges.
    static func shape(_ expr: Expr) -> String {
        switch expr.kind {
        case .literal(let value): return JSONWriter().string(value)
        case .array(let items): return "[" + items.map(shape).joined(separator: ",") + "]"
        case .variable(let name): return "$" + name
        case .member(let base, let name, _): return shape(base) + "." + name
        case .index(let base, let index): return shape(base) + "[" + shape(index) + "]"
        case .not(let operand): return "not(" + shape(operand) + ")"
        case .binary(let op, let l, let r): return "(" + shape(l) + " " + op.rawValue + " " + shape(r) + ")"
        case .filter(let input, let name, _, let args):
            return "(" + shape(input) + "|" + name + ":" + args.map(shape).joined(separator: ",") + ")"
        }
    }

    /// Text with interpolations as shapes and whitespace runs collapsed, as the compiler reads it.
    static func textMeaning(_ text: String, _ origin: TextOrigin) -> String {
        ExpressionParser.parseInterpolated(text, origin: origin).segments.map { segment -> String in
            switch segment {
            case .text(let literal, _):
                literal.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(
                    separator: " ")
                    + (literal.last.map { $0.isWhitespace } == true ? " " : "")
            case .expr(let expr): "{" + shape(expr) + "}"
            }
        }.joined()
    }

    static func meaning(_ element: SyntaxElement) -> String {
        let attributes = element.attributes.map { "\($0.name)=\(textMeaning($0.value, $0.valueOrigin))" }
        let content = Vocabulary.byName[element.name]?.content
        let keepsText = content == nil || content == .inline || content == .text || content == .json
        var children: [String] = []
        for child in element.children {
            switch child {
            case .element(let e): children.append(meaning(e))
            case .text(let t):
                if content == .json {
                    children.append("json:" + t.text.trimmingCharacters(in: .whitespacesAndNewlines))
                } else if keepsText || !t.isWhitespace {
                    children.append("'" + textMeaning(t.text, t.origin) + "'")
                }
            }
        }
        return element.name + "(" + attributes.joined(separator: ",") + ")[" + children.joined(separator: ";") + "]"
    }

    static func meaning(of text: String) throws -> String {
        let parsed = TemplateParser.parse(SourceFile(path: "t.ui.xml", text: text))
        let document = try #require(parsed.document, "\(parsed.diagnostics)")
        return meaning(document.root)
    }

    static func comments(_ text: String) -> [String] {
        var result: [String] = []
        var rest = Substring(text)
        while let start = rest.range(of: "<!--"), let end = rest[start.upperBound...].range(of: "-->") {
            result.append(String(rest[start.lowerBound..<end.upperBound]))
            rest = rest[end.upperBound...]
        }
        return result
    }

    /// Formats `text` and checks everything a format must keep: meaning, comments, idempotence.
    @discardableResult
    static func formatKeepingMeaning(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws
        -> String
    {
        let formatted = try #require(
            TemplateFormatter.format(SourceFile(path: "t.ui.xml", text: text)).text, sourceLocation: sourceLocation)
        #expect(
            try meaning(of: formatted) == meaning(of: text), "meaning changed:\n\(formatted)",
            sourceLocation: sourceLocation)
        #expect(comments(formatted) == comments(text), "comments changed", sourceLocation: sourceLocation)
        let again = TemplateFormatter.format(SourceFile(path: "t.ui.xml", text: formatted)).text
        #expect(again == formatted, "a second pass changed the text", sourceLocation: sourceLocation)
        return formatted
    }

    // MARK: The examples and starters

    static var templates: [String] {
        let fm = FileManager.default
        var paths: [String] = []
        for directory in ["Examples", "Templates"] {
            let root = packageRoot.appendingPathComponent(directory)
            let walker = fm.enumerator(atPath: root.path)
            while let path = walker?.nextObject() as? String {
                if path.hasSuffix(".ui.xml") { paths.append(directory + "/" + path) }
            }
        }
        return paths.sorted()
    }

    @Test func thereAreTemplatesToFormat() {
        #expect(Self.templates.count >= 10)
    }

    @Test(arguments: templates)
    func everyExampleAndStarterIsFormatted(path: String) throws {
        let file = try repositoryFile(path)
        let formatted = try Self.formatKeepingMeaning(file.text)
        #expect(formatted == file.text, "\(path) is not formatted: run `customui format \(path)`")
    }

    /// The line break and indentation before every block element replaced with other whitespace
    /// (the engine ignores it between blocks) formats back to the checked-in text.
    @Test(arguments: templates)
    func rescrambledTemplatesFormatBack(path: String) throws {
        let file = try repositoryFile(path)
        var scrambled = ""
        var k = 0
        var index = file.text.startIndex
        let text = file.text
        while let gap = text[index...].range(of: #">[ \t]*\n\s*<"#, options: .regularExpression) {
            scrambled += text[index..<gap.lowerBound]
            // Only before a block or document element's start tag, which is never inside inline content.
            let next = text[gap.upperBound...].prefix { $0 != " " && $0 != ">" && $0 != "/" && $0 != "\n" }
            guard let spec = Vocabulary.byName[String(next)], spec.category != .control, !spec.isInline else {
                scrambled += text[gap]
                index = gap.upperBound
                continue
            }
            k += 1
            scrambled += [">\n" + String(repeating: " ", count: k % 7) + "<", "> <", ">\n\n\t<"][k % 3]
            index = gap.upperBound
        }
        scrambled += text[index...]
        #expect(scrambled != text)
        let formatted = try Self.formatKeepingMeaning(scrambled)
        #expect(formatted == text)
    }

    // MARK: Layout

    @Test func blockContentIsIndentedAndCommentsKept() throws {
        let source = """
            <?xml version="1.0"?>
            <!-- top -->
            <custom-ui name="x"><view><!-- inside --><card title="a">
                    <heading level="2">Hi   <strong>there</strong> {{props.name}}</heading>
            </card><conversation></conversation></view></custom-ui>
            """
        let formatted = try Self.formatKeepingMeaning(source)
        #expect(
            formatted == """
                <?xml version="1.0"?>
                <!-- top -->
                <custom-ui name="x">
                  <view>
                    <!-- inside -->
                    <card title="a">
                      <heading level="2">Hi   <strong>there</strong> {{ props.name }}</heading>
                    </card>
                    <conversation/>
                  </view>
                </custom-ui>

                """)
    }

    @Test func longStartTagsWrapOneAttributePerLineAligned() throws {
        let source = """
            <custom-ui name="x"><view><slot name="reply" format="markdown" placeholder="The assistant's reply appears here soon" label="Reply"/></view></custom-ui>
            """
        let formatted = try Self.formatKeepingMeaning(source)
        #expect(
            formatted.contains(
                """
                    <slot name="reply"
                          format="markdown"
                          placeholder="The assistant's reply appears here soon"
                          label="Reply"/>
                """))
    }

    @Test(arguments: [
        ("{{props.a|default:'b'}}", "{{ props.a | default: 'b' }}"),
        ("{{   vars.x   }}", "{{ vars.x }}"),
        ("{{not(props.a and props.b)}}", "{{ not (props.a and props.b) }}"),
        ("{{props.items[0].name|truncate:10,'…'}}", "{{ props.items[0].name | truncate: 10, '…' }}"),
        ("{{props.x in ['a','b']}}", "{{ props.x in ['a', 'b'] }}"),
        ("{{ '}}' }}", "{{ '}}' }}"),
        ("{{ 1 == == }}", "{{ 1 == == }}"),
    ])
    func expressionSpacingIsCanonical(input: String, expected: String) throws {
        let formatted = TemplateFormatter.normalizeInterpolations(input)
        #expect(formatted == expected)
        #expect(TemplateFormatter.normalizeInterpolations(formatted) == formatted)
    }

    @Test func inlineAndJSONContentIsCopiedVerbatim() throws {
        let source = """
            <custom-ui name="x">
            <props-schema>
                 { "type": "object",
              "properties": {} }
            </props-schema>
            <view><text tone="muted">a
                 b <em>c</em>    d</text><list><item>one <strong>two</strong></item></list></view></custom-ui>
            """
        let formatted = try Self.formatKeepingMeaning(source)
        #expect(
            formatted.contains(
                """
                  <props-schema>
                     { "type": "object",
                  "properties": {} }
                </props-schema>
                """))
        #expect(formatted.contains("<text tone=\"muted\">a\n     b <em>c</em>    d</text>"))
        #expect(formatted.contains("      <item>one <strong>two</strong></item>"))
    }

    @Test func attributeQuotingAndReferencesAreKept() throws {
        let source =
            #"<custom-ui name='it&apos;s "x"'><view><if test="props.a &lt; 3"><text>&amp;{{props.a}}</text></if></view></custom-ui>"#
        let formatted = try Self.formatKeepingMeaning(source)
        #expect(formatted.contains(#"<custom-ui name='it&apos;s "x"'>"#))
        #expect(formatted.contains(#"<if test="props.a &lt; 3">"#))
        #expect(formatted.contains("<text>&amp;{{ props.a }}</text>"))
    }

    @Test func malformedTemplatesAreNotFormatted() {
        let result = TemplateFormatter.format(SourceFile(path: "bad.ui.xml", text: "<custom-ui name=\"x\"><view>"))
        #expect(result.text == nil)
        #expect(result.diagnostics.first?.code == .xmlMalformed)
        let doctype = TemplateFormatter.format(SourceFile(path: "bad.ui.xml", text: "<!DOCTYPE x><custom-ui/>"))
        #expect(doctype.text == nil)
        #expect(doctype.diagnostics.first?.code == .xmlDoctype)
    }
}
