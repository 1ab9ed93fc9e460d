import CustomUICore
import Foundation
import Markdown
import Streaming
import TestSupport
import Testing

@testable import CustomUI
@testable import CustomUIServer

/// The XSS corpora through the live page's paths (`customui serve`): every payload as props, as a
/// variable value the page sent, as the user's message, and as answer text streamed in chunks
/// (plain and inside markdown links, images and code). Every `view` and `slot` patch, and the slot
/// the patches add up to, goes through the checker `XSSTests` uses for the renderer.
@Suite struct ServeXSSTests {
    /// Answers with the given events.
    struct ScriptedTransport: StreamTransport {
        let script: [StreamEvent]
        var service: String { "scripted" }
        func requestData(for request: ExecutionRequest) -> Value { .null }
        func events(for request: ExecutionRequest) -> AsyncThrowingStream<StreamEvent, Error> {
            AsyncThrowingStream { continuation in
                for event in script { continuation.yield(event) }
                continuation.finish()
            }
        }
        func cancel() async {}
    }

    /// Splits text in three chunks (on character boundaries), as a stream would.
    static func chunks(_ text: String) -> [String] {
        let characters = Array(text)
        let third = max(1, characters.count / 3)
        return stride(from: 0, to: characters.count, by: third).map {
            String(characters[$0..<min($0 + third, characters.count)])
        }
    }

    @Test(ConformanceData.enabled) func noPayloadProducesMarkupThroughThePatches() async throws {
        let payloads = XSSTests.payloads
        #expect(payloads.count > 6_000, "the XSS corpora were not found under \(ConformanceData.url("xss").path)")
        let report = Validator.validate(ui: SourceFile(path: "xss.ui.xml", text: XSSTests.template))
        let template = try #require(report.template)
        var findings: [String] = []
        var patches = 0
        for payload in payloads {
            let answer = payload + "\n\nLook: [x](\(payload)) ![y](\(payload)) `\(payload)`\n\n> \(payload)"
            let script = Self.chunks(answer).map(StreamEvent.chunk) + [.end(reason: nil)]
            let ui = ServedUI(
                reference: "local/xss", template: template, prompt: XSSTests.prompt(defaultValue: "plain"),
                props: ["p": .string(payload)],
                recording: nil)
            let live = LiveSession(
                id: "x", ui: ui, user: "u", makeTransport: { _ in ScriptedTransport(script: script) },
                onRunEnd: { _, _ in })
            let stream = ResponseStream(heartbeat: "")
            live.subscribe(stream)
            // The page as first loaded: the props everywhere the template puts them.
            for problem in XSSTests.problems(in: live.pageFragment()) {
                findings.append("first page: \(problem) for \(payload.debugDescription)")
            }
            _ = await live.run(message: payload, values: ["topic": payload])
            // A page loaded after the run: the props, the value, the message and the answer.
            for problem in XSSTests.problems(in: live.pageFragment()) {
                findings.append("page after the run: \(problem) for \(payload.debugDescription)")
            }
            var settled = ""
            var tail = ""
            for block in stream.drain().components(separatedBy: "\n\n") where block.hasPrefix("event: ") {
                let lines = block.split(separator: "\n", maxSplits: 1)
                guard lines.count == 2,
                    let data = try? JSONSerialization.jsonObject(with: Data(lines[1].dropFirst("data: ".count).utf8))
                        as? [String: Any]
                else {
                    findings.append("unreadable event for \(payload.debugDescription)")
                    continue
                }
                patches += 1
                for key in ["html", "settled", "tail"] {
                    guard let html = data[key] as? String else { continue }
                    for problem in XSSTests.problems(in: html) {
                        findings.append("\(lines[0]) \(key): \(problem) for \(payload.debugDescription)")
                    }
                }
                if data["reset"] as? Bool == true { settled = "" }
                if let s = data["settled"] as? String { settled = data["replace"] as? Bool == true ? s : settled + s }
                if let t = data["tail"] as? String {
                    tail = (data["keep"] as? Int).map { String(tail.utf16.prefix($0))! + t } ?? t
                }
            }
            for problem in XSSTests.problems(in: settled + tail) {
                findings.append("whole slot: \(problem) for \(payload.debugDescription)")
            }
            if ImagePolicy.rewrite(MarkdownHTMLRenderer.render(MarkdownParser.parse(answer))) != settled + tail {
                findings.append("the patches do not add up to the answer for \(payload.debugDescription)")
            }
        }
        #expect(findings.isEmpty, "\(findings.count) findings, first: \(findings.prefix(5))")
        #expect(patches > payloads.count * 5)
        print("serve XSS: \(payloads.count) payloads, \(patches) patches checked, \(findings.count) findings")
    }

    /// The preview shows diagnostics with the source excerpt: every payload as a template's text, an
    /// attribute and an element name, validated, and the preview's fragment checked.
    @Test(ConformanceData.enabled) func previewDiagnosticsShowPayloadsAsText() {
        var findings: [String] = []
        var pages = 0
        for payload in XSSTests.payloads {
            for source in [
                payload, "<custom-ui name=\"\(payload)\"><view><\(payload)/></view></custom-ui>",
                "<custom-ui><view><run/><text>\(payload)</text></view></custom-ui>",
            ] {
                let report = Validator.validate(ui: SourceFile(path: "draft.ui.xml", text: source))
                guard !report.diagnostics.isEmpty else { continue }
                pages += 1
                let html = Pages.diagnosticsFragment(report.diagnostics, sources: report.sources)
                for problem in XSSTests.problems(in: html) {
                    findings.append("\(problem) for \(payload.debugDescription)")
                }
            }
        }
        #expect(findings.isEmpty, "\(findings.count) findings, first: \(findings.prefix(5))")
        #expect(pages > XSSTests.payloads.count)
    }
}
