import CustomUICore
import Foundation
import JSONSchema
import TestSupport
import Testing

@testable import CustomUI

/// Every payload of the XSS corpora, inserted everywhere input can reach a page, must never yield
/// markup of its own: the renderer's tags and attributes only, no script, no event handler, no
/// `javascript:`/`vbscript:` URL, no style from the input.
@Suite(ConformanceData.enabled) struct XSSTests {
    static let payloads: [String] = {
        let folder = ConformanceData.url("xss")
        var all: [String] = []
        for file in ["payloadbox-xss-payload-list.txt", "patt-RSNAKE_XSS.txt"] {
            let text = (try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)) ?? ""
            all += text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        }
        return Array(Set(all)).sorted()
    }()

    /// Tags and attributes the renderers write; anything else came from input.
    static let allowedTags: Set<String> = [
        "!doctype", "html", "head", "meta", "title", "style", "body", "main", "form", "div", "p", "h1", "h2", "h3",
        "h4", "h5", "h6",
        "section", "hr", "ul", "ol", "li", "img", "strong", "em", "code", "a", "span", "br", "label", "textarea",
        "input", "select",
        "option", "fieldset", "legend", "button", "pre", "dl", "dt", "dd", "table", "thead", "tbody", "tr", "th", "td",
        "blockquote", "del",
    ]
    static let allowedAttributes: Set<String> = [
        "lang", "charset", "http-equiv", "content", "name", "class", "id", "role", "method", "action", "for", "type",
        "value", "rows",
        "placeholder", "min", "max", "step", "selected", "checked", "disabled", "aria-readonly", "aria-describedby",
        "aria-labelledby",
        "aria-label", "aria-live", "aria-busy", "href", "rel", "src", "alt", "width", "height", "start", "align",
        "title",
    ]

    struct Finding: CustomStringConvertible {
        var payload: String
        var place: String
        var problem: String
        var description: String { "\(place): \(problem) for payload \(payload.debugDescription)" }
    }

    static func problems(in html: String) -> [String] {
        var found: [String] = []
        var problems: [String] = []
        let tags = HTMLCheck.tokenize(html, problems: &problems)
        found += problems
        var styleElements = 0
        for tag in tags where !tag.closing && tag.name != "!doctype" {
            if !allowedTags.contains(tag.name) { found.append("tag <\(tag.name)>") }
            if tag.name == "style" { styleElements += 1 }
            for (name, value) in tag.attributes {
                if !allowedAttributes.contains(name) { found.append("attribute \(name) on <\(tag.name)>") }
                if name.hasPrefix("on") { found.append("event handler \(name)") }
                if name == "href" || name == "src" {
                    let url = decode(value).unicodeScalars.filter { $0.value > 0x20 }.map(String.init).joined()
                        .lowercased()
                    if url.hasPrefix("javascript:") || url.hasPrefix("vbscript:") { found.append("\(name)=\(value)") }
                    if url.hasPrefix("data:") && !(name == "src" && url.hasPrefix("data:image/")) {
                        found.append("\(name)=\(value)")
                    }
                }
            }
        }
        if styleElements > 1 { found.append("\(styleElements) style elements") }
        if html.lowercased().contains("<script") { found.append("<script") }
        return found
    }

    /// Decodes character references as a browser does in attribute values.
    static func decode(_ s: String) -> String {
        var out = ""
        var rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            rest = rest[amp...]
            guard let semi = rest.firstIndex(of: ";"), rest.distance(from: rest.startIndex, to: semi) <= 10 else {
                out += "&"
                rest = rest.dropFirst()
                continue
            }
            let body = rest[rest.index(after: rest.startIndex)..<semi]
            let named = [
                "lt": "<", "gt": ">", "amp": "&", "quot": "\"", "apos": "'", "colon": ":", "tab": "\t", "newline": "\n",
            ]
            if let v = named[String(body).lowercased()] {
                out += v
            } else if body.hasPrefix("#x") || body.hasPrefix("#X"), let code = UInt32(body.dropFirst(2), radix: 16),
                let scalar = Unicode.Scalar(code)
            {
                out.unicodeScalars.append(scalar)
            } else if body.hasPrefix("#"), let code = UInt32(body.dropFirst()), let scalar = Unicode.Scalar(code) {
                out.unicodeScalars.append(scalar)
            } else {
                out += "&" + body + ";"
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }

    @Test func checkerCatchesInjectedMarkup() {
        #expect(!Self.problems(in: "<p onclick=\"x\">a</p>").isEmpty)
        #expect(!Self.problems(in: "<a href=\"java&#9;script:alert(1)\">x</a>").isEmpty)
        #expect(!Self.problems(in: "<a href=\"&#x76;bscript:x\">x</a>").isEmpty)
        #expect(!Self.problems(in: "<SCRIPT>alert(1)</SCRIPT>").isEmpty)
        #expect(!Self.problems(in: "<img src=\"x.png\" style=\"background:red\">").isEmpty)
        #expect(!Self.problems(in: "<svg><a href=\"x\">y</a></svg>").isEmpty)
        #expect(Self.problems(in: "<p class=\"cui-text\">&lt;script&gt; is text</p>").isEmpty)
    }

    static let template = """
        <custom-ui name="XSS" execution-mode="manual">
          <view>
            <heading level="1">{{ props.p }}</heading>
            <card title="{{ props.p }}">
              <text>{{ props.p }} <link href="{{ props.p }}">{{ props.p }}</link> <badge>{{ props.p }}</badge></text>
              <image src="{{ props.p }}" alt="{{ props.p }}"/>
              <variable name="topic" label="{{ props.p }}" help="{{ props.p }}" placeholder="{{ props.p }}"/>
              <variable name="style"/>
              <run label="{{ props.p }}"/>
            </card>
            <slot name="md" format="markdown" placeholder="{{ props.p }}"/>
            <slot name="plain" format="text"/>
          </view>
        </custom-ui>
        """

    static func prompt(defaultValue: String) -> Prompt {
        Prompt(
            messages: [PromptMessage(role: .user, content: "{{topic}} {{style}}")],
            variables: [
                PromptVariable(name: "topic", defaultValue: defaultValue),
                PromptVariable(
                    name: "style", defaultValue: defaultValue,
                    component: CustomComponent(kind: .select, options: [defaultValue, "b"])),
            ], settings: ValueObject([("model_id", .string("m"))]))
    }

    @Test func noPayloadProducesMarkup() throws {
        #expect(Self.payloads.count > 6_000, "the XSS corpora were not found under \(ConformanceData.url("xss").path)")
        let report = Validator.validate(ui: SourceFile(path: "xss.ui.xml", text: Self.template))
        let template = try #require(report.template)
        var findings: [Finding] = []
        var renders = 0
        func check(_ html: String?, _ payload: String, _ place: String) {
            guard let html else { return }
            renders += 1
            for problem in Self.problems(in: html) {
                findings.append(Finding(payload: payload, place: place, problem: problem))
            }
        }
        for payload in Self.payloads {
            let prompt = Self.prompt(defaultValue: payload)
            // As a prop value in text and in every attribute that interpolates (labels, URLs, alt, placeholders).
            check(
                RenderPipeline.render(template, prompt: prompt, props: ["p": .string(payload)]).output, payload, "prop")
            // As a caller's variable value, as a prompt default (select option too), and as slot text.
            check(
                RenderPipeline.render(template, prompt: prompt, variables: ["topic": payload]).output, payload,
                "variable value")
            check(
                RenderPipeline.render(template, prompt: prompt, slots: ["md": payload, "plain": payload]).output,
                payload,
                "slot text (markdown and plain)")
            check(
                RenderPipeline.render(
                    template, prompt: prompt,
                    slots: ["md": "Look: [x](\(payload)) ![y](\(payload)) `\(payload)`\n\n> \(payload)"]
                ).output,
                payload, "markdown link, image, code and quote")
        }
        // As a literal attribute and text written into the template itself (XML-escaped so it parses).
        for payload in Self.payloads {
            let escaped = XMLText.escapeAttribute(payload)
            let source = """
                <custom-ui name="\(escaped)"><view><run label="\(escaped)"/><card title="\(escaped)"><text>\(XMLText.escapeText(payload).replacingOccurrences(of: "{{", with: ""))</text><text><link href="\(escaped)">x</link></text></card></view></custom-ui>
                """
            let report = Validator.validate(ui: SourceFile(path: "t.xml", text: source))
            if let template = report.template, !report.hasErrors {
                check(RenderPipeline.render(template, prompt: nil).output, payload, "template attribute")
            }
        }
        #expect(findings.isEmpty, "\(findings.count) findings, first: \(findings.prefix(5))")
        #expect(renders > 25_000)
        print("XSS: \(Self.payloads.count) payloads, \(renders) renders checked, \(findings.count) findings")
    }
}
