import CustomUI
import Foundation
import Streaming
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
                stream.write(#"{"event": "status_update", "data": {"status": "processing", "metadata": {"request_id": "req-test-1"}}}"# + "\n")
                for i in 0..<words {
                    if stream.isEnded { return }
                    stream.write(#"{"event": "chunk", "data": {"text": "word\#(i) "}}"# + (i % 40 == 39 ? #"\n{"event": "chunk", "data": {"text": "\n\n"}}"# : "") + "\n")
                    try? await Task.sleep(nanoseconds: interval)
                }
                stream.write(#"{"event": "completion", "data": {"status": "success", "total_usage": {"input_tokens": 5, "output_tokens": 600, "total_tokens": 605}}}"# + "\n")
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
        let literal = String(data: try JSONSerialization.data(withJSONObject: [value]), encoding: .utf8)!.dropFirst().dropLast()
        _ = try page.value(
            "(function(){var c=document.querySelector('[name=\"\(name)\"]'); c.value=\(literal); c.dispatchEvent(new Event('input',{bubbles:true})); c.dispatchEvent(new Event('change',{bubbles:true})); return c.value;})()")
    }

    @Test func manualRunStreamsIntoTheSlotWhileRunning() async throws {
        guard let browser = try launchBrowser() else { return }
        let f = try ServerFixture(pace: true, speed: 1.5)
        let page = try await open(browser, "http://\(f.host)/ui/local/story-writer")
        try set(page, "vars[style]", "noir")
        try set(page, "vars[length]", "250")
        try set(page, "vars[topic]", "a cat who runs a bakery")
        _ = try page.value("document.querySelector('button[value=\"run\"]').click()")
        try await page.wait("\(Self.root).dataset.status === 'streaming' && document.querySelector('#cui-slot-story .cui-settled') !== null")
        let first = try page.number("document.getElementById('cui-slot-story').textContent.length")
        #expect(first > 0)
        // Seen in one look: the slot is longer and the run is still streaming.
        try await page.wait(
            "document.getElementById('cui-slot-story').textContent.length > \(first) + 200 && \(Self.root).dataset.status === 'streaming'")
        try await page.wait("\(Self.root).dataset.status === 'completed'")
        #expect(try page.value("document.querySelector('.cui-usage') !== null") as? Bool == true, "usage is shown at the end")
        let sessionID = try page.string("\(Self.root).dataset.session")
        let state = try #require(f.server.session(sessionID)).currentSession.state
        #expect(state.variables["style"] == "noir")
        #expect(state.variables["length"] == "250")
        #expect(state.variables["topic"] == "a cat who runs a bakery")
        // The page shows what the server rendered: the whole answer, once.
        let shown = try page.string("document.querySelector('#cui-slot-story .cui-settled').innerHTML + document.querySelector('#cui-slot-story .cui-tail').innerHTML")
        #expect(shown.contains("<h1>") && !shown.isEmpty)
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
        let f = try ServerFixture(answers: .backend(TransportConfiguration(baseURL: backend.url), protocolName: "unified"))
        let page = try await open(browser, "http://\(f.host)/ui/local/story-writer")
        _ = try page.value("document.querySelector('button[value=\"run\"]').click()")
        try await page.wait("\(Self.root).dataset.status === 'streaming' && document.getElementById('cui-slot-story').textContent.indexOf('word3') >= 0")
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
        #expect(try page.number("document.querySelectorAll('[name^=\"vars[\"]').length") == 0, "no input for hidden variables")
        let status = try page.number(
            "fetch('/api/session/' + \(Self.root).dataset.session + '/action', {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'action=run&message=hi&vars%5Bproduct%5D=Evil'}).then(function (r) { return r.status; })")
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
        try await page.wait("\(Self.root).dataset.status === 'streaming' || document.querySelectorAll('.cui-turn').length >= 3")
        try await page.wait("\(Self.root).dataset.status === 'completed'")
        let sessionID = try page.string("\(Self.root).dataset.session")
        let run = try #require(f.server.session(sessionID)).currentSession.run
        let userTurns = run.messages.filter { $0["role"]?.stringValue == "user" }.compactMap { $0["content"]?.stringValue }
        #expect(userTurns.contains("My files do not sync") && userTurns.contains("Thanks, and on my phone?"))
        #expect(try page.problems() == [])
    }

    /// The detector the other tests rely on sees a CSP violation when there is one.
    @Test func violationDetectorSeesAViolation() async throws {
        guard let browser = try launchBrowser() else { return }
        let f = try ServerFixture()
        let page = try await open(browser, "http://\(f.host)/ui/local/story-writer")
        #expect(try page.problems() == [])
        _ = try page.value("document.body.insertAdjacentHTML('beforeend', '<img src=\"https://example.invalid/leak.png\">'); 1")
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
            let runner = try await open(browser, "http://\(f.host)/ui/local/story-writer", width: width, mobile: width < 500)
            _ = try runner.value("document.querySelector('button[value=\"run\"]').click()")
            try await runner.wait("document.getElementById('cui-slot-story').textContent.length > 600")
            try runner.screenshot(to: "\(folder)/runner-midstream-\(label).png")
            let chat = try await open(browser, "http://\(f.host)/ui/local/support-reply", width: width, mobile: width < 500)
            try set(chat, "message", "My files do not sync")
            _ = try chat.value("document.querySelector('button[value=\"run\"]').click()")
            try await chat.wait("\(Self.root).dataset.status === 'completed'")
            try chat.screenshot(to: "\(folder)/chat-finished-\(label).png")
            #expect(try runner.problems() == [] && chat.problems() == [] && gallery.problems() == [])
        }
    }
}
