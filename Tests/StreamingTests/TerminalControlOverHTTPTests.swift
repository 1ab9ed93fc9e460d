import CustomUI
import CustomUICore
import Foundation
import Testing

@testable import Streaming

/// Issue 15 point 9 over the real transports: what a server sends (streamed text, tool names,
/// status messages, error events, an HTTP error body) reaches the terminal view and the printed
/// diagnostics with every control shown visibly.
@Suite("Terminal controls from a server", .timeLimit(.minutes(1)))
struct TerminalControlOverHTTPTests {
    static let template = """
        <custom-ui name="Chat" execution-mode="manual-with-hidden-variables">
          <view><message-input label="Message"/><run/><status/><tool-events/><slot name="answer" format="markdown"/><error/></view>
        </custom-ui>
        """
    static let promptText = #"{"id": "p-1", "messages": [], "settings": {"model_id": "m"}}"#

    static var hostile: String {
        var s = String.UnicodeScalarView()
        let bidi: [UInt32] = [
            0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069,
        ]
        for v in Array(0x00..<0x20) + Array(0x7F...0x9F) + bidi {
            s.append("x")
            s.append(Unicode.Scalar(v)!)
        }
        return String(s)
            + " \u{1B}[2J \u{1B}]8;;https://evil.example\u{1B}\\l\u{1B}]8;;\u{1B}\\ \u{1B}]52;c;ZXZpbA==\u{07}"
    }

    /// Raw controls left once our own SGR styling is set aside (newlines are layout).
    static func raw(_ text: String) -> [UInt32] {
        text.replacing(#/\u{1B}\[[0-9;]*m/#, with: "").unicodeScalars.filter {
            $0 != "\n" && TerminalText.isControl($0)
        }.map(\.value)
    }

    /// Runs a session against the transport and returns everything a terminal would show: each
    /// frame of the view in colour and plain, and the printed diagnostics.
    static func shown(_ transport: any StreamTransport) async throws -> String {
        let report = Validator.validate(
            ui: SourceFile(path: "chat.ui.xml", text: template), prompt: SourceFile(path: "p.json", text: promptText))
        let template = try #require(report.template, "\(report.diagnostics)")
        let prompt = try #require(report.prompt)
        let session = Session(template: template, prompt: prompt, transport: transport)
        let frames = Frames()
        let diagnostics = await session.run(message: "hi") { _ in
            for color in [false, true] {
                var options = RenderOptions(format: .terminal)
                options.terminal.width = 60
                options.terminal.color = color
                frames.add(
                    RenderPipeline.render(template, prompt: prompt, state: session.state, options: options).output ?? ""
                )
            }
        }
        var wide = RenderOptions(format: .terminal)
        wide.terminal.width = 400
        frames.add(RenderPipeline.render(template, prompt: prompt, state: session.state, options: wide).output ?? "")
        for color in [false, true] {
            frames.add(DiagnosticRenderer(color: color).render(diagnostics))
        }
        return frames.all
    }

    @Test("unified NDJSON: chunks, status, tool and error events")
    func unified() async throws {
        let lines = [
            wire(.statusUpdate(StatusUpdate(status: "processing", userMessage: "status " + Self.hostile))),
            wire(.toolEvent(ToolEvent(event: "tool_started", callID: "c1", toolName: "tool" + Self.hostile))),
            wire(.chunk(Self.hostile)), wire(.chunk("\n\n`" + Self.hostile + "`")),
            ##"{"event":"error","data":{"error_type":"x","message":"# error "## + Self.hostile.jsonEscaped + #""}}"#,
            wire(.end(reason: nil)),
        ]
        let server = try TestHTTPServer { _ in Reply.ndjson(lines) }
        defer { server.stop() }
        let shown = try await Self.shown(UnifiedChatTransport(configuration: configuration(server)))
        #expect(Self.raw(shown).isEmpty, "\(Self.raw(shown).prefix(10))")
        for needle in ["status x␀", "toolx␀", "error x␀", "␛]52;c;ZXZpbA==␇", "<U+202E>"] {
            #expect(shown.contains(needle), "\(needle) missing")
        }
    }

    @Test("OpenAI SSE: content deltas")
    func openAI() async throws {
        let delta = ["choices": [["delta": ["content": Value.string(Self.hostile)]]]] as Value
        let server = try TestHTTPServer { _ in
            var steps: [ResponseStep] = [Reply.head(contentType: "text/event-stream")]
            steps.append(Reply.chunk("data: \(delta.jsonText)\n\n"))
            steps.append(Reply.chunk("data: [DONE]\n\n"))
            return steps + [Reply.lastChunk]
        }
        defer { server.stop() }
        let shown = try await Self.shown(OpenAITransport(configuration: configuration(server)))
        #expect(Self.raw(shown).isEmpty, "\(Self.raw(shown).prefix(10))")
        #expect(shown.contains("␛]52;c;ZXZpbA==␇"))
    }

    @Test("an HTTP error body is quoted visibly")
    func httpError() async throws {
        let body = (["detail": .string("bad " + Self.hostile)] as Value).jsonText
        let server = try TestHTTPServer { _ in Reply.json(status: 500, body) }
        defer { server.stop() }
        let shown = try await Self.shown(UnifiedChatTransport(configuration: configuration(server)))
        #expect(Self.raw(shown).isEmpty, "\(Self.raw(shown).prefix(10))")
        #expect(shown.contains("HTTP 500"), "\(shown)")
    }

    final class Frames: @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        func add(_ frame: String) { lock.withLock { text += frame } }
        var all: String { lock.withLock { text } }
    }
}

extension String {
    /// The string as the inside of a JSON string literal.
    fileprivate var jsonEscaped: String { String(Value.string(self).jsonText.dropFirst().dropLast()) }
}
