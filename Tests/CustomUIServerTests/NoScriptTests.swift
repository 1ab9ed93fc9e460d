import Foundation
import Markdown
import Testing

@testable import CustomUIServer

/// Pages without script: follow-ups continue the conversation (the form carries the session), an
/// auto-run UI runs, and the slot's HTML on a page comes from the run's stream, as the patches do.
@Suite struct NoScriptTests {
    /// The value of the form's hidden `session` field.
    static func sessionField(_ page: String) -> String? {
        guard let range = page.range(of: "<input type=\"hidden\" name=\"session\" value=\""),
            let end = page[range.upperBound...].firstIndex(of: "\"")
        else { return nil }
        return String(page[range.upperBound..<end])
    }

    @Test func followUpsContinueTheConversation() async throws {
        let f = try ServerFixture()
        let first = try await f.post("/ui/local/support-reply", "action=run&message=My+order+is+late")
        #expect(first.status == 200)
        let session = try #require(Self.sessionField(first.body), "the finished UI's form carries its session")
        let live = try #require(f.server.session(session))
        #expect(live.currentSession.state.runStatus == "completed")
        let second = try await f.post(
            "/ui/local/support-reply", "session=\(session)&action=follow-up&follow_up=Thanks+a+lot")
        #expect(second.status == 200)
        #expect(Self.sessionField(second.body) == session, "the same conversation")
        let users = live.currentSession.run.messages.filter { $0["role"]?.stringValue == "user" }.compactMap {
            $0["content"]?.stringValue
        }
        #expect(users.contains("Thanks a lot"))
        #expect(live.currentSession.state.conversation.count >= 3, "\(live.currentSession.state.conversation)")
        #expect(second.body.contains("Thanks a lot"), "the conversation shows the follow-up")
        // The session of another UI is not continued: that post starts its own session.
        let other = try await f.post(
            "/ui/local/story-writer",
            "session=\(session)&action=run&vars[topic]=a+dog&vars[style]=noir&vars[length]=200")
        #expect(other.status == 200)
        #expect(Self.sessionField(other.body) != session)
    }

    @Test func anAutoRunUIRunsWithoutScript() async throws {
        let f = try ServerFixture()
        let page = try await f.get("/ui/local/article-summary")
        #expect(page.status == 200)
        // Without script the browser follows the `<noscript>` refresh, which runs and streams.
        #expect(
            page.body.contains(
                "<noscript><meta http-equiv=\"refresh\" content=\"0; url=/ui/local/article-summary?run=noscript\"></noscript>"
            ))
        let run = try await f.get("/ui/local/article-summary?run=noscript", headers: ["Sec-Fetch-Site": "same-origin"])
        #expect(run.status == 200)
        #expect(run.body.contains("cui-live-preview") && run.body.contains("<div class=\"cui-final\">"))
        #expect(run.body.contains("cui-status-completed"))
        // One shot: neither a second run nor a follow-up, as on the script path.
        let oneShot = try #require(Self.sessionField(run.body))
        let again = try await f.post("/ui/local/article-summary", "session=\(oneShot)&action=run")
        #expect(again.status == 422)
        let followUp = try await f.post(
            "/ui/local/article-summary", "session=\(oneShot)&action=follow-up&follow_up=more")
        #expect(followUp.status == 422)
        #expect(followUp.body.contains("does not continue the conversation"))
        // Not for a manual UI, and not from another site.
        let manual = try await f.get("/ui/local/story-writer")
        #expect(!manual.body.contains("<noscript>"))
        let crossSite = try await f.get(
            "/ui/local/article-summary?run=noscript", headers: ["Sec-Fetch-Site": "cross-site"])
        #expect(crossSite.status == 403)
    }

    @Test func pagesTakeTheSlotFromTheStream() async throws {
        let f = try ServerFixture(pace: true, speed: 1)
        let (_, session) = try await f.open("/ui/local/story-writer")
        let events = try EventStreamReader(port: f.port, host: f.host, path: "/api/session/\(session)/events")
        #expect(await events.read { $0.count >= 3 })
        #expect(
            try await f.post(
                "/api/session/\(session)/action", "action=run&vars[topic]=a+cat&vars[style]=noir&vars[length]=200"
            ).status == 200)
        #expect(await events.read { list in list.filter { $0.event == "slot" }.count >= 6 })
        let live = try #require(f.server.session(session))
        // Mid-run, the page shows what the patches have shown so far: settled blocks and the open tail.
        let (fragment, patched) = live.pageAndPatchedSlot()
        #expect(!patched.isEmpty)
        #expect(fragment.contains(patched), "the page's slot is the stream's HTML")
        #expect(await events.read { list in list.contains { $0.event == "status" && $0.data.contains("completed") } })
        let (done, whole) = live.pageAndPatchedSlot()
        #expect(done.contains(whole))
        #expect(
            whole == MarkdownHTMLRenderer.render(MarkdownParser.parse(live.currentSession.state.slots["story"] ?? "")))
    }
}
