import CustomUICore
import Foundation
import Markdown
import Streaming
import Testing

@testable import CustomUI

/// Issue 15 point 9: no untrusted text reaches a terminal with its control bytes. Every C0 and C1
/// control, CSI, OSC 8, OSC 52 and the bidi controls go through each terminal path of the render
/// API — template text and props, variable values and choices, streamed markdown and plain text,
/// status and tool events, server error messages, the conversation — and none comes out raw.
@Suite struct TerminalControlTests {
    static var hostile: String {
        var s = String.UnicodeScalarView()
        let controls =
            (0x00..<0x20).map { Unicode.Scalar(UInt8($0)) } + (0x7F..<0xA0).map { Unicode.Scalar(UInt8($0)) }
            + [0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069].map {
                Unicode.Scalar($0)!
            }
        for u in controls {
            s.append("x")
            s.append(u)
        }
        return String(s)
            + " \u{1B}[31mred\u{1B}[0m \u{1B}]8;;https://evil.example\u{1B}\\link\u{1B}]8;;\u{1B}\\ \u{1B}]52;c;ZXZpbA==\u{07} \u{9B}2J \u{202E}txt.exe"
    }

    /// What must show, proving the text was printed (visibly) rather than dropped.
    static let markers = ["␛[31mred", "␛]52;c;ZXZpbA==␇", "<U+009B>2J", "<U+202E>txt.exe"]

    static func ui(answerFormat: String = "markdown") -> String {
        """
        <custom-ui name="Hostile" execution-mode="manual">
          <props-schema>
            { "type": "object", "properties": { "title": { "type": "string" }, "items": { "type": "array", "items": { "type": "string" } } } }
          </props-schema>
          <view>
            <heading level="1">{{ props.title }}</heading>
            <card title="{{ props.title }}">
              <text>{{ props.title }} <strong>{{ props.title }}</strong> <code>{{ props.title }}</code> <badge>{{ props.title }}</badge></text>
              <variable name="topic" label="Topic"/>
              <variable name="choice" label="Choice"/>
              <run label="Go"/>
            </card>
            <list><each items="props.items" as="i"><item>{{ i }}</item></each></list>
            <section title="{{ props.title }}" level="2"><text tone="danger">{{ props.title }}</text></section>
            <status/>
            <tool-events/>
            <slot name="answer" format="\(answerFormat)" placeholder="{{ props.title }}"/>
            <slot name="plain" format="text"/>
            <error/>
            <usage/>
            <conversation/>
          </view>
        </custom-ui>
        """
    }

    static func prompt() -> String {
        let options: Value = .array([.string(hostile), "plain"])
        return """
            { "id": "p1", "name": "Hostile", "messages": [ { "role": "user", "content": "{{topic}} {{choice}}" } ],
              "variableDefaults": [
                { "name": "topic", "defaultValue": "", "customComponent": { "type": "textarea" } },
                { "name": "choice", "defaultValue": "plain", "customComponent": { "type": "select", "options": \(options.jsonText) } }
              ],
              "settings": { "model_id": "m" } }
            """
    }

    static func compiledHostile(answerFormat: String = "markdown") throws -> (CompiledTemplate, Prompt) {
        let report = Validator.validate(
            ui: SourceFile(path: "hostile.ui.xml", text: ui(answerFormat: answerFormat)),
            prompt: SourceFile(path: "hostile.prompt.json", text: prompt()))
        let problems = DiagnosticRenderer(sources: report.sources).render(report.diagnostics)
        #expect(!report.hasErrors, "\(problems)")
        return (try #require(report.template), try #require(report.prompt))
    }

    /// The problems in terminal output: raw controls other than newlines, once our own SGR styling
    /// (`ESC [ digits m`, which only the renderer writes) is set aside.
    static func rawControls(_ output: String) -> [String] {
        let unstyled = output.replacing(#/\u{1B}\[[0-9;]*m/#, with: "")
        return unstyled.unicodeScalars.filter { $0 != "\n" && TerminalText.isControl($0) }.map {
            "U+" + String($0.value, radix: 16)
        }
    }

    static func event(_ name: String, _ data: Value) -> String {
        JSONWriter().string(["event": .string(name), "data": data]) + "\n"
    }

    /// A stream whose every text field is hostile, the answer split across many chunks (and
    /// through markdown's code spans, code blocks, links, tables and HTML).
    static var stream: String {
        var s = event("status_update", ["status": "processing", "user_message": .string("status " + hostile)])
        s += event(
            "tool_event",
            [
                "event": "tool_started", "call_id": "c1", "tool_name": .string("tool" + hostile),
                "message": .string(hostile),
            ])
        let answer =
            "# " + hostile + "\n\n" + hostile + " `" + hostile + "` [" + hostile
            + "](https://a.example/\u{1B}]52;c;AA==\u{07})\n\n```"
            + hostile + "\n" + hostile + "\n```\n\n| a | b |\n|---|---|\n| " + hostile + " | <b>" + hostile
            + "</b> |\n\n<div>" + hostile
            + "</div>\n"
        let scalars = Array(answer.unicodeScalars)
        var i = 0
        while i < scalars.count {
            var chunk = String.UnicodeScalarView()
            chunk.append(contentsOf: scalars[i..<min(i + 7, scalars.count)])
            s += event("chunk", ["text": .string(String(chunk))])
            i += 7
        }
        s += event(
            "error",
            ["error_type": "bad", "message": .string("server " + hostile), "user_message": .string("user " + hostile)])
        s += event(
            "completion", ["status": "complete", "usage": ["input_tokens": 1, "output_tokens": 2, "total_tokens": 3]])
        s += event("end", [:])
        return s
    }

    static func styles() -> [TerminalStyle] {
        [
            TerminalStyle(width: 80, color: false), TerminalStyle(width: 80, color: true),
            TerminalStyle(width: 24, color: true),
        ]
    }

    @Test func templateTextPropsVariablesAndSlotsAreShownVisibly() throws {
        let (template, prompt) = try Self.compiledHostile()
        let props: Value = ["title": .string(Self.hostile), "items": [.string(Self.hostile), "ok"]]
        for style in Self.styles() {
            let (output, diagnostics) = RenderPipeline.render(
                template, prompt: prompt, props: props, variables: ["topic": Self.hostile, "choice": Self.hostile],
                slots: ["answer": "**" + Self.hostile + "**", "plain": Self.hostile + "\r\n" + Self.hostile],
                options: RenderOptions(format: .terminal, terminal: style))
            let text = try #require(output, "\(diagnostics)")
            #expect(Self.rawControls(text).isEmpty, "\(Self.rawControls(text))")
            if !style.color { #expect(!text.contains("\u{1B}")) }
            let flat = text.replacing(#/\u{1B}\[[0-9;]*m/#, with: "").replacingOccurrences(of: "\n", with: "")
            for marker in Self.markers where style.width >= 80 {
                #expect(flat.contains(marker), "\(marker) missing in \(flat)")
            }
        }
    }

    /// The stream into a markdown response slot and into a plain-text one.
    @Test(arguments: ["markdown", "text"])
    func streamedTextStatusToolAndErrorEventsAreShownVisibly(answerFormat: String) async throws {
        let (template, prompt) = try Self.compiledHostile(answerFormat: answerFormat)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "customui-hostile-\(UUID().uuidString).ndjson")
        try Self.stream.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let session = Session(
            template: template, prompt: prompt, props: ["title": "t", "items": []], variables: ["topic": Self.hostile],
            transport: ReplayTransport(file: file))
        // Every frame the live view would draw, as the stream arrives.
        let problems = Problems()
        let statusShown = Problems()
        let diagnostics = await session.run(message: "me " + Self.hostile) { _ in
            for style in Self.styles() {
                let frame =
                    RenderPipeline.render(
                        template, prompt: prompt, state: session.state,
                        options: RenderOptions(format: .terminal, terminal: style)
                    ).output ?? ""
                problems.add(Self.rawControls(frame))
                if frame.contains("status x␀") { statusShown.add(["status"]) }
            }
        }
        // The status message shows while the run streams; a finished run shows its final state.
        #expect(!statusShown.all.isEmpty, "the status message was never shown visibly while streaming")
        #expect(diagnostics.allSatisfy { $0.severity != .error }, "\(diagnostics)")
        #expect(problems.all.isEmpty, "\(problems.all.prefix(20))")
        #expect(session.state.slots["answer"]?.contains("\u{1B}]52;") == true, "the text is kept whole")
        let final = try #require(
            RenderPipeline.render(
                template, prompt: prompt, state: session.state,
                options: RenderOptions(format: .terminal, terminal: TerminalStyle(width: 200))
            ).output)
        #expect(Self.rawControls(final).isEmpty)
        for needle in ["toolx␀", "user x␀", "me x␀"] + Self.markers {
            #expect(final.contains(needle), "\(needle) missing in\n\(final)")
        }
    }

    @Test func markdownSlotsUseTheCoreFunction() {
        let document = MarkdownParser.parse("a \u{202E}b \u{1B}[31mc \u{9B}d\n\n```\n\u{202D}x\u{7}\n```\n")
        for style in Self.styles() {
            let out = MarkdownTerminalRenderer.render(
                document, style: TerminalStyle(width: style.width, color: style.color, hyperlinks: true))
            #expect(Self.rawControls(out.replacing(#/\u{1B}\]8;;[^\u{1B}]*\u{1B}\\/#, with: "")).isEmpty)
            #expect(out.contains("<U+202E>b"))
            #expect(out.contains("␛[31mc"))
            #expect(out.contains("<U+009B>d"))
            #expect(out.contains("<U+202D>x␇"))
        }
    }

    final class Problems: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [String] = []
        func add(_ items: [String]) { lock.withLock { list += items } }
        var all: [String] { lock.withLock { list } }
    }
}
