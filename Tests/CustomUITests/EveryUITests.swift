import CustomUICore
import Foundation
import Markdown
import Streaming
import Testing

@testable import CustomUI

/// Every UI the project ships or generates — the bundled examples, the starters and the UI
/// generated for `json-schema` definitions in each execution mode — rendered after real turns:
/// no answer shown twice, no whitespace the author wrote lost.
@Suite struct EveryUITests {
    /// A UI to check, by name, with its compiled template and prompt.
    struct Subject: CustomStringConvertible, Sendable {
        var name: String
        var ui: String
        var prompt: String
        var definition: String?
        var description: String { name }
    }

    static var subjects: [Subject] {
        var out: [Subject] = []
        for name in ExamplesTests.valid {
            out.append(
                Subject(
                    name: "example \(name)", ui: "Examples/\(name)/\(name).ui.xml",
                    prompt: "Examples/\(name)/\(name).prompt.json"))
        }
        let starters =
            ((try? FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("Templates").path))
            ?? [])
            .filter { $0.hasSuffix(".ui.xml") }.sorted()
        for file in starters {
            let name = String(file.dropLast(".ui.xml".count))
            out.append(
                Subject(name: "starter \(name)", ui: "Templates/\(file)", prompt: "Templates/\(name).prompt.json"))
        }
        out.append(
            Subject(
                name: "example story-form", ui: "Examples/story-form/story-form.definition.json",
                prompt: "Examples/story-form/story-form.prompt.json"))
        for mode in ExecutionMode.allCases {
            let definition = """
                { "name": "Generated", "component_type": "json-schema", "execution_mode": "\(mode.rawValue)",
                  "props_schema": { "type": "object", "properties": { "customer": { "type": "string" } } },
                  "default_props": { "customer": "Ada" } }
                """
            out.append(
                Subject(
                    name: "generated \(mode.rawValue)", ui: "generated.definition.json",
                    prompt: "Examples/story-writer/story-writer.prompt.json",
                    definition: definition))
        }
        return out
    }

    static func compile(_ subject: Subject) throws -> (CompiledTemplate, Prompt) {
        let ui = try subject.definition.map { SourceFile(path: subject.ui, text: $0) } ?? repositoryFile(subject.ui)
        let report = Validator.validate(ui: ui, prompt: try repositoryFile(subject.prompt))
        #expect(!report.hasErrors, "\(DiagnosticRenderer(sources: report.sources).render(report.diagnostics))")
        let (template, diagnostics) = RenderPipeline.template(for: report)
        #expect(!diagnostics.hasErrors, "\(diagnostics)")
        return (try #require(template), try #require(report.prompt))
    }

    /// One turn through the session's embedder interface: the answer streams in, the run ends.
    static func turn(_ session: Session, message: String?, answer: String) throws {
        let (request, refused) = session.begin(message: message)
        #expect(request != nil, "\(refused)")
        for piece in answer.split(separator: " ", omittingEmptySubsequences: false).enumerated().map({
            ($0.offset == 0 ? "" : " ") + $0.element
        }) {
            session.apply(.chunk(piece))
        }
        session.apply(.end(reason: nil))
        #expect(session.finish(failure: nil).isEmpty)
    }

    static func occurrences(of needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    @Test(arguments: subjects)
    func theLastAnswerIsShownOnce(subject: Subject) throws {
        let (template, prompt) = try Self.compile(subject)
        let session = Session(
            template: template, prompt: prompt, transport: ReplayTransport(file: URL(fileURLWithPath: "/dev/null")))
        let mode = template.definition.executionMode
        let hasConversation = template.view.contains { node in
            var found = false
            node.forEachElement { if $0.name == "conversation" { found = true } }
            return found
        }
        try Self.turn(
            session, message: mode.continuesConversation ? "first question" : nil,
            answer: "## Plan\n\nFIRSTANSWER with **bold** text.")
        if mode.continuesConversation {
            try Self.turn(session, message: "second question", answer: "## Next\n\nSECONDANSWER with *emphasis*.")
        }
        let last = mode.continuesConversation ? "SECONDANSWER" : "FIRSTANSWER"
        for format in [RenderFormat.html, .terminal] {
            let options = RenderOptions(format: format, fragment: true, terminal: TerminalStyle(width: 200))
            let output = try #require(
                RenderPipeline.render(template, prompt: prompt, state: session.state, options: options).output)
            #expect(
                Self.occurrences(of: last, in: output) == 1,
                "\(subject) \(format): the last answer is shown \(Self.occurrences(of: last, in: output)) times")
            if mode.continuesConversation {
                // The earlier answer stays in the conversation where the UI shows one.
                #expect(
                    Self.occurrences(of: "FIRSTANSWER", in: output) == (hasConversation ? 1 : 0), "\(subject) \(format)"
                )
            }
        }
    }

    /// Whether whitespace the author wrote between two inline nodes was dropped: in inline content,
    /// two neighbouring non-text nodes whose source is separated by whitespace alone.
    static func lostWhitespace(in nodes: [TemplateNode], inline: Bool, source: [UInt8], into problems: inout [String]) {
        func range(_ node: TemplateNode) -> SourceRange? {
            switch node {
            case .element(let e): e.range
            case .conditional(let branches):
                branches.first.flatMap { first in
                    branches.last.map { SourceRange(start: first.range.start, end: $0.range.end) }
                }
            case .loop(let loop): loop.range
            case .text: nil
            }
        }
        if inline {
            for (a, b) in zip(nodes, nodes.dropFirst()) {
                guard let ra = range(a), let rb = range(b), ra.end.offset < rb.start.offset,
                    rb.start.offset <= source.count
                else { continue }
                let gap = source[ra.end.offset..<rb.start.offset]
                if gap.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D }) {
                    problems.append("whitespace lost at \(ra.end)")
                }
            }
        }
        for node in nodes {
            switch node {
            case .element(let e):
                let content = Vocabulary.byName[e.name]?.content
                lostWhitespace(
                    in: e.children, inline: content == .inline || content == .text, source: source, into: &problems)
            case .conditional(let branches):
                for branch in branches {
                    lostWhitespace(in: branch.children, inline: inline, source: source, into: &problems)
                }
            case .loop(let loop):
                lostWhitespace(in: loop.children, inline: inline, source: source, into: &problems)
            case .text: break
            }
        }
    }

    @Test(arguments: subjects)
    func noWhitespaceIsLost(subject: Subject) throws {
        let (template, _) = try Self.compile(subject)
        let source = Array((template.file?.text ?? "").utf8)
        var problems: [String] = []
        Self.lostWhitespace(in: template.view, inline: false, source: source, into: &problems)
        #expect(problems.isEmpty, "\(subject): \(problems)")
    }

    @Test func whitespaceAroundConditionalsIsKept() throws {
        let ui = """
            <custom-ui name="ws" execution-mode="manual">
              <view>
                <text><strong>one</strong> <if test="true"><em>two</em></if> <em>three</em></text>
                <text><strong>a</strong> <if test="false"><em>b</em></if>
                  <else-if test="false"><em>x</em></else-if>
                  <else><em>c</em></else> <em>d</em></text>
                <text><em>e</em> <each items="[1, 2]" as="n"><code>{{ n }}</code></each> <em>f</em></text>
                <slot name="response"/>
                <run/>
              </view>
            </custom-ui>
            """
        let report = Validator.validate(ui: SourceFile(path: "ws.ui.xml", text: ui))
        #expect(report.diagnostics.isEmpty, "\(report.diagnostics)")
        let template = try #require(report.template)
        var problems: [String] = []
        Self.lostWhitespace(in: template.view, inline: false, source: Array(ui.utf8), into: &problems)
        #expect(problems.isEmpty, "\(problems)")
        let html = try #require(
            RenderPipeline.render(template, prompt: nil, options: RenderOptions(fragment: true)).output)
        #expect(html.contains("<strong>one</strong> <em>two</em> <em>three</em>"))
        #expect(html.contains("<strong>a</strong> <em>c</em> <em>d</em>"))
        #expect(html.contains("<em>e</em> <code>1</code><code>2</code> <em>f</em>"))
        let text = try #require(
            RenderPipeline.render(template, prompt: nil, options: RenderOptions(format: .terminal)).output)
        #expect(text.hasPrefix("one two three\n\na c d\n\ne 12 f\n"), "\(text)")
    }

    @Test func conversationShowsMarkdownAsASlotDoes() throws {
        let answer = "## Steps\n\n1. Boil **water**\n2. See [the guide](https://example.com/guide)\n\n```\ncode\n```"
        for color in [false, true] {
            let renderer = TerminalRenderer(style: TerminalStyle(width: 60, color: color, hyperlinks: color))
            let turn = renderer.render(.view([.conversation([ConversationTurn(role: "assistant", text: answer)])]))
            var turnLines = turn.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            #expect(turnLines.removeFirst().contains("Assistant:"))
            let unindented = turnLines.map { $0.hasPrefix("  ") ? String($0.dropFirst(2)) : $0 }.joined(separator: "\n")
            // Two columns narrower for the indent: the slot at 58 columns is the turn's body.
            let narrowSlot = TerminalRenderer(style: TerminalStyle(width: 58, color: color, hyperlinks: color))
                .render(
                    .view([
                        .slot(
                            name: "reply", format: .markdown, label: nil, placeholder: nil, content: answer,
                            streaming: false)
                    ]))
            #expect(unindented == narrowSlot, "color \(color):\n\(turn)\n---\n\(narrowSlot)")
            if color {
                #expect(
                    turn.contains("\u{1B}]8;;https://example.com/guide"), "a link in a turn is a hyperlink as in a slot"
                )
            } else {
                #expect(turn.contains("## Steps") && turn.contains("(https://example.com/guide)"))
            }
        }
    }
}
