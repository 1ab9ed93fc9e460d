import CustomUI
import Foundation
import Markdown
import Streaming
import TestSupport
import Testing

@testable import CustomUIServer

/// Starts chromium, or says why the browser tests are skipped (required when `CI` is set).
func launchBrowser(_ test: String = #function) throws -> Chromium? {
    if let reason = Chromium.unavailable {
        if ProcessInfo.processInfo.environment["CI"] != nil {
            Issue.record("\(test) needs chromium when CI is set: \(reason)")
        } else {
            print("skipped \(test): \(reason)")
        }
        return nil
    }
    return try Chromium()
}

/// A fake unified-protocol backend on loopback: streams words slowly, records cancel calls.
final class FakeBackend: @unchecked Sendable {
    let server: HTTPServer
    private let lock = NSLock()
    private var cancels: [String] = []

    var url: URL { URL(string: "http://127.0.0.1:\(server.port)")! }

    var cancelCalls: [String] {
        lock.lock()
        defer { lock.unlock() }
        return cancels
    }

    init(words: Int = 600, interval: UInt64 = 30_000_000) throws {
        let box = Box()
        server = HTTPServer { request in
            if request.path.hasPrefix("/api/ai/cancel/") {
                box.backend?.recordCancel(String(request.path.dropFirst("/api/ai/cancel/".count)))
                return HTTPResponse(status: 200, contentType: "application/json", text: #"{"status":"cancelled"}"#)
            }
            guard request.path == "/api/ai/chat/unified" else { return HTTPResponse(status: 404) }
            let stream = ResponseStream(heartbeat: "")
            Task {
                stream.write(
                    #"{"event": "status_update", "data": {"status": "processing", "metadata": {"request_id": "req-test-1"}}}"#
                        + "\n")
                for i in 0..<words {
                    if stream.isEnded { return }
                    stream.write(
                        #"{"event": "chunk", "data": {"text": "word\#(i) "}}"#
                            + (i % 40 == 39 ? #"\n{"event": "chunk", "data": {"text": "\n\n"}}"# : "") + "\n")
                    try? await Task.sleep(nanoseconds: interval)
                }
                stream.write(
                    #"{"event": "completion", "data": {"status": "success", "total_usage": {"input_tokens": 5, "output_tokens": 600, "total_tokens": 605}}}"#
                        + "\n")
                stream.write(#"{"event": "end", "data": {"reason": "completed"}}"# + "\n")
                stream.close()
            }
            return HTTPResponse(status: 200, headers: [("Content-Type", "application/x-ndjson")], body: .stream(stream))
        }
        try server.start(host: "127.0.0.1", port: 0)
        box.backend = self
    }

    final class Box: @unchecked Sendable { weak var backend: FakeBackend? }

    func recordCancel(_ id: String) {
        lock.lock()
        cancels.append(id)
        lock.unlock()
    }

    deinit { server.stop() }
}

/// The runner pages in a real headless Chromium over the DevTools protocol.
@Suite(.serialized) struct BrowserTests {
    static let root = "document.getElementById('cui-root')"

    /// Opens a page and waits for its event stream.
    func open(_ browser: Chromium, _ url: String, width: Int = 1280, mobile: Bool = false) async throws -> BrowserPage {
        let page = try browser.newPage(width: width, mobile: mobile)
        try await page.navigate(url)
        try await page.wait("\(Self.root) && \(Self.root).dataset.connected === '1'")
        return page
    }

    func set(_ page: BrowserPage, _ name: String, _ value: String) throws {
        let literal = String(data: try JSONSerialization.data(withJSONObject: [value]), encoding: .utf8)!.dropFirst()
            .dropLast()
        _ = try page.value(
            "(function(){var c=document.querySelector('[name=\"\(name)\"]'); c.value=\(literal); c.dispatchEvent(new Event('input',{bubbles:true})); c.dispatchEvent(new Event('change',{bubbles:true})); return c.value;})()"
        )
    }

    @Test func manualRunStreamsIntoTheSlotWhileRunning() async throws {
        guard let browser = try launchBrowser() else { return }
        let f = try ServerFixture(pace: true, speed: 1.5)
        let page = try await open(browser, "http://\(f.host)/ui/local/story-writer")
        try set(page, "vars[style]", "noir")
        try set(page, "vars[length]", "250")
        try set(page, "vars[topic]", "a cat who runs a bakery")
        _ = try page.value("document.querySelector('button[value=\"run\"]').click()")
        try await page.wait(
            "\(Self.root).dataset.status === 'streaming' && document.querySelector('#cui-slot-story .cui-settled') !== null"
        )
        let first = try page.number("document.getElementById('cui-slot-story').textContent.length")
        #expect(first > 0)
        // Seen in one look: the slot is longer and the run is still streaming.
        try await page.wait(
            "document.getElementById('cui-slot-story').textContent.length > \(first) + 200 && \(Self.root).dataset.status === 'streaming'"
        )
        try await page.wait("\(Self.root).dataset.status === 'completed'")
        #expect(
            try page.value("document.querySelector('.cui-usage') !== null") as? Bool == true,
            "usage is shown at the end")
        let sessionID = try page.string("\(Self.root).dataset.session")
        let state = try #require(f.server.session(sessionID)).currentSession.state
        #expect(state.variables["style"] == "noir")
        #expect(state.variables["length"] == "250")
        #expect(state.variables["topic"] == "a cat who runs a bakery")
        // The page shows what the server renders for the whole answer at once, built from patches.
        let whole = ImagePolicy.rewrite(MarkdownHTMLRenderer.render(MarkdownParser.parse(state.slots["story"] ?? "")))
        let literal = String(decoding: try JSONSerialization.data(withJSONObject: [whole]), as: UTF8.self).dropFirst()
            .dropLast()
        let detail = try page.string(
            "(function () { var t = document.createElement('template'); t.innerHTML = \(literal); var slot = document.getElementById('cui-slot-story'); return t.content.textContent.length + ' ' + slot.textContent.length + ' ' + t.content.querySelectorAll('*').length + ' ' + slot.querySelectorAll('.cui-settled *, .cui-tail *').length ; })()"
        )
        #expect(
            try page.value(
                "(function () { var t = document.createElement('template'); t.innerHTML = \(literal); var slot = document.getElementById('cui-slot-story'); return t.content.textContent === slot.textContent && t.content.querySelectorAll('*').length === slot.querySelectorAll('.cui-settled *, .cui-tail *').length; })()"
            ) as? Bool == true, "\(detail)")
        #expect(try page.problems() == [])
    }

    @Test func autoRunStartsByItself() async throws {
        guard let browser = try launchBrowser() else { return }
        let f = try ServerFixture(pace: true, speed: 20)
        let page = try await open(browser, "http://\(f.host)/ui/local/article-summary")
        try await page.wait("\(Self.root).dataset.status === 'completed'")
        let text = try page.string("document.querySelector('.cui-slot').textContent")
        #expect(text.count > 20)
        #expect(try page.problems() == [])
    }

    @Test func cancelStopsTheRunAndTellsTheBackend() async throws {
        guard let browser = try launchBrowser() else { return }
        let backend = try FakeBackend()
        let f = try ServerFixture(
            answers: .backend(TransportConfiguration(baseURL: backend.url), protocolName: "unified"))
        let page = try await open(browser, "http://\(f.host)/ui/local/story-writer")
        _ = try page.value("document.querySelector('button[value=\"run\"]').click()")
        try await page.wait(
            "\(Self.root).dataset.status === 'streaming' && document.getElementById('cui-slot-story').textContent.indexOf('word3') >= 0"
        )
        try await page.wait("!document.querySelector('button[value=\"cancel\"]').disabled")
        _ = try page.value("document.querySelector('button[value=\"cancel\"]').click()")
        try await page.wait("\(Self.root).dataset.status === 'cancelled'")
        let kept = try page.string("document.getElementById('cui-slot-story').textContent")
        #expect(kept.contains("word1"), "what streamed before the cancel is kept")
        let deadline = Date().addingTimeInterval(30)
        while backend.cancelCalls.isEmpty, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(backend.cancelCalls == ["req-test-1"])
        #expect(try page.problems() == [])
    }

    @Test func hiddenVariableCannotBeSetFromThePage() async throws {
        guard let browser = try launchBrowser() else { return }
        let f = try ServerFixture()
        let page = try await open(browser, "http://\(f.host)/ui/local/support-reply")
        #expect(
            try page.number("document.querySelectorAll('[name^=\"vars[\"]').length") == 0,
            "no input for hidden variables")
        let status = try page.number(
            "fetch('/api/session/' + \(Self.root).dataset.session + '/action', {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'action=run&message=hi&vars%5Bproduct%5D=Evil'}).then(function (r) { return r.status; })"
        )
        #expect(status == 422)
        let sessionID = try page.string("\(Self.root).dataset.session")
        let session = try #require(f.server.session(sessionID)).currentSession
        #expect(session.state.variables["product"] != "Evil")
        #expect(session.state.runStatus == "idle")
    }

    @Test func followUpContinuesTheConversation() async throws {
        guard let browser = try launchBrowser() else { return }
        let f = try ServerFixture(pace: true, speed: 20)
        let page = try await open(browser, "http://\(f.host)/ui/local/support-reply")
        try set(page, "message", "My files do not sync")
        _ = try page.value("document.querySelector('button[value=\"run\"]').click()")
        try await page.wait("\(Self.root).dataset.status === 'completed'")
        try await page.wait("document.querySelector('[name=\"follow_up\"]') !== null")
        try set(page, "follow_up", "Thanks, and on my phone?")
        _ = try page.value("document.querySelector('button[value=\"follow-up\"]').click()")
        try await page.wait(
            "\(Self.root).dataset.status === 'streaming' || document.querySelectorAll('.cui-turn').length >= 3")
        try await page.wait("\(Self.root).dataset.status === 'completed'")
        let sessionID = try page.string("\(Self.root).dataset.session")
        let run = try #require(f.server.session(sessionID)).currentSession.run
        let userTurns = run.messages.filter { $0["role"]?.stringValue == "user" }.compactMap {
            $0["content"]?.stringValue
        }
        #expect(userTurns.contains("My files do not sync") && userTurns.contains("Thanks, and on my phone?"))
        #expect(try page.problems() == [])
    }

    @Test func previewReloadsWithDiagnosticsWhenTheFileIsSaved() async throws {
        guard let browser = try launchBrowser() else { return }
        let directory = NSTemporaryDirectory() + "customui-watch-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = try draft(of: "story-writer", as: "draft", in: directory) { $0 }
        let f = try ServerFixture(files: [], watch: [file])
        let page = try await open(browser, "http://\(f.host)/preview")
        try await page.wait("document.querySelector('.cui-preview-ok') !== null")
        let original = try String(contentsOfFile: file, encoding: .utf8)
        try original.replacingOccurrences(of: "label=\"Topic\"", with: "label=\"{{ props.nope.deeper | upcase }}\"")
            .replacingOccurrences(of: "<card", with: "<crad").replacingOccurrences(of: "</card>", with: "</crad>")
            .write(toFile: file, atomically: true, encoding: .utf8)
        try await page.wait(
            "document.querySelector('.cui-diagnostics') !== null && document.querySelector('.cui-preview-failed') !== null"
        )
        #expect(
            try page.string("document.querySelector('.cui-diagnostics').textContent").contains(
                "template.unknown-element"))
        if let folder = ProcessInfo.processInfo.environment["CUSTOMUI_SCREENSHOTS"] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try page.screenshot(to: "\(folder)/preview-diagnostics-desktop.png")
        }
        // Fixed again: the UI is back.
        try original.write(toFile: file, atomically: true, encoding: .utf8)
        try await page.wait(
            "document.querySelector('.cui-preview-ok') !== null && document.querySelector('form.cui-view') !== null")
        #expect(try page.problems() == [])
    }

    /// The detector the other tests rely on sees a CSP violation when there is one.
    @Test func violationDetectorSeesAViolation() async throws {
        guard let browser = try launchBrowser() else { return }
        let f = try ServerFixture()
        let page = try await open(browser, "http://\(f.host)/ui/local/story-writer")
        #expect(try page.problems() == [])
        _ = try page.value(
            "document.body.insertAdjacentHTML('beforeend', '<img src=\"https://example.invalid/leak.png\">'); 1")
        try await page.wait("window.__violations.length > 0")
        #expect(try page.problems().contains { $0.contains("img-src") })
    }

    /// Screenshots for a person to look at: written only when CUSTOMUI_SCREENSHOTS names a folder.
    @Test func screenshots() async throws {
        guard let folder = ProcessInfo.processInfo.environment["CUSTOMUI_SCREENSHOTS"] else { return }
        guard let browser = try launchBrowser() else { return }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let f = try ServerFixture(pace: true, speed: 3)
        for (width, label) in [(1280, "desktop"), (390, "phone")] {
            let gallery = try browser.newPage(width: width, height: 900, mobile: width < 500)
            try await gallery.navigate("http://\(f.host)/")
            try gallery.screenshot(to: "\(folder)/gallery-\(label).png")
            let runner = try await open(
                browser, "http://\(f.host)/ui/local/story-writer", width: width, mobile: width < 500)
            _ = try runner.value("document.querySelector('button[value=\"run\"]').click()")
            try await runner.wait("document.getElementById('cui-slot-story').textContent.length > 600")
            try runner.screenshot(to: "\(folder)/runner-midstream-\(label).png")
            let chat = try await open(
                browser, "http://\(f.host)/ui/local/support-reply", width: width, mobile: width < 500)
            try set(chat, "message", "My files do not sync")
            _ = try chat.value("document.querySelector('button[value=\"run\"]').click()")
            try await chat.wait("\(Self.root).dataset.status === 'completed'")
            try chat.screenshot(to: "\(folder)/chat-finished-\(label).png")
            #expect(try runner.problems() == [] && chat.problems() == [] && gallery.problems() == [])
        }
    }
}

/// XSS payloads through the live page in the browser: as streamed answer text, as a variable value
/// the page sends and gets back, and as the user's message shown in the conversation. No script
/// may run (no dialog opens, no handler attribute exists), nothing loads from elsewhere, and no CSP
/// violation or console error is reported.
@Suite(.serialized, ConformanceData.enabled) struct BrowserXSSTests {
    static let root = BrowserTests.root

    /// 500 payloads spread over the corpora (every k-th, so every kind is represented).
    static func payloads() throws -> [String] {
        let folder = ConformanceData.url("xss")
        var all: [String] = []
        for file in ["payloadbox-xss-payload-list.txt", "patt-RSNAKE_XSS.txt"] {
            all += try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8).split(separator: "\n")
                .map(String.init)
        }
        all = Array(Set(all)).sorted()
        let step = max(1, all.count / 500)
        return Array(stride(from: 0, to: all.count, by: step).map { all[$0] }.prefix(500))
    }

    /// A recording that streams every payload (in two chunks each), then inside a link, an image and code.
    static func recording(_ payloads: [String], in directory: String) throws -> String {
        var lines: [String] = []
        func chunk(_ text: String) throws {
            let data = try JSONSerialization.data(withJSONObject: ["event": "chunk", "data": ["text": text]])
            lines.append(String(decoding: data, as: UTF8.self))
        }
        for p in payloads {
            let half = p.index(p.startIndex, offsetBy: p.count / 2)
            try chunk(String(p[..<half]))
            try chunk(String(p[half...]) + "\n\n")
            try chunk("[x](\(p)) ![y](\(p)) `\(p)`\n\n")
        }
        lines.append(#"{"event": "end", "data": {"reason": "completed"}}"#)
        let path = directory + "/xss.stream.ndjson"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func check(_ page: BrowserPage, _ browser: Chromium) throws {
        let dialogs = browser.events(for: page.session).filter {
            $0["method"] as? String == "Page.javascriptDialogOpening"
        }
        #expect(dialogs.isEmpty, "a payload ran script: \(dialogs.prefix(1))")
        #expect(try page.number("document.scripts.length") == 1, "only the runtime")
        #expect(
            try page.value(
                "Array.from(document.querySelectorAll('*')).some(function (e) { return Array.from(e.attributes).some(function (a) { return a.name.indexOf('on') === 0; }); })"
            ) as? Bool == false)
        #expect(
            try page.number(
                "document.querySelectorAll('img:not([src^=\"data:image/\"]), iframe, object, embed, svg, math, style, link[rel=import]').length"
            ) == 0)
        let problems = try page.problems()
        #expect(problems == [], "\(problems.count) problems, first: \(problems.prefix(3))")
    }

    /// The preview's diagnostics quote the template's source: 500 payloads, each raw in a CDATA
    /// section on a line with an unknown attribute, all shown as text with their excerpts.
    @Test func previewDiagnosticsShowPayloadsAsText() async throws {
        guard let browser = try launchBrowser() else { return }
        let payloads = try Self.payloads().map { $0.replacingOccurrences(of: "]]>", with: "]] >") }
        let directory = NSTemporaryDirectory() + "customui-xss-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let lines = payloads.enumerated().map { "<text bogus\($0)=\"x\"><![CDATA[\($1)]]></text>" }
        let file = try draft(of: "story-writer", as: "draft", in: directory) { $0 }
        let f = try ServerFixture(files: [], watch: [file])
        let page = try await BrowserTests().open(browser, "http://\(f.host)/preview")
        try await page.wait("document.querySelector('.cui-preview-ok') !== null")
        let slot = "placeholder=\"Your story appears here\" label=\"Story\"/>\n"
        try String(contentsOfFile: file, encoding: .utf8)
            .replacingOccurrences(of: slot, with: slot + lines.joined(separator: "\n") + "\n")
            .write(toFile: file, atomically: true, encoding: .utf8)
        try await page.wait("document.querySelector('.cui-diagnostics') !== null")
        let shown = try page.string("document.querySelector('.cui-diagnostics').textContent")
        #expect(shown.components(separatedBy: "error[template.unknown-attribute]").count - 1 == payloads.count)
        #expect(shown.contains("<![CDATA[\(payloads[0])"), "the excerpt shows the payload as written")
        try check(page, browser)
    }

    /// A plain-text slot: the streamed payloads are text, never markup.
    @Test func payloadsStreamIntoAPlainTextSlotAsText() async throws {
        guard let browser = try launchBrowser() else { return }
        let payloads = try Self.payloads()
        let directory = NSTemporaryDirectory() + "customui-xss-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = try draft(of: "story-writer", as: "plain-story", in: directory) {
            $0.replacingOccurrences(
                of: "<slot name=\"story\" format=\"markdown\"", with: "<slot name=\"story\" format=\"text\"")
        }
        let f = try ServerFixture(
            answers: .replay(file: try Self.recording(payloads, in: directory), directory: nil, pace: false, speed: 1),
            files: [file])
        let page = try await BrowserTests().open(browser, "http://\(f.host)/ui/local/plain-story")
        _ = try page.value("document.querySelector('button[value=\"run\"]').click()")
        try await page.wait("\(Self.root).dataset.status === 'completed'")
        let slot = try page.string("document.querySelector('#cui-slot-story').textContent")
        #expect(payloads.allSatisfy { slot.contains($0) }, "every payload shown as written")
        try check(page, browser)
    }

    @Test func payloadsStreamIntoThePageAsText() async throws {
        guard let browser = try launchBrowser() else { return }
        let payloads = try Self.payloads()
        #expect(payloads.count == 500)
        let directory = NSTemporaryDirectory() + "customui-xss-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let f = try ServerFixture(
            answers: .replay(file: try Self.recording(payloads, in: directory), directory: nil, pace: false, speed: 1))
        let joined = payloads.joined(separator: "\n")

        // A variable value the page sends and gets back in every view patch; the answer streamed.
        let story = try await BrowserTests().open(browser, "http://\(f.host)/ui/local/story-writer")
        try BrowserTests().set(story, "vars[topic]", joined)
        _ = try story.value("document.querySelector('button[value=\"run\"]').click()")
        try await story.wait("\(Self.root).dataset.status === 'completed'")
        #expect(try story.number("document.querySelectorAll('#cui-slot-story p').length") >= 500)
        try check(story, browser)

        // The user's message, shown in the conversation after a follow-up (with the first answer).
        let chat = try await BrowserTests().open(browser, "http://\(f.host)/ui/local/support-reply")
        try BrowserTests().set(chat, "message", joined)
        _ = try chat.value("document.querySelector('button[value=\"run\"]').click()")
        try await chat.wait(
            "\(Self.root).dataset.status === 'completed' && document.querySelector('[name=\"follow_up\"]') !== null")
        try BrowserTests().set(chat, "follow_up", payloads[0])
        _ = try chat.value("document.querySelector('button[value=\"follow-up\"]').click()")
        try await chat.wait(
            "document.querySelectorAll('.cui-turn').length >= 3 && \(Self.root).dataset.status === 'completed'")
        let conversation = try chat.string("document.querySelector('.cui-conversation').textContent")
        #expect(
            conversation.contains(payloads[1].trimmingCharacters(in: .whitespaces)), "the message is shown, as text")
        try check(chat, browser)
    }
}
