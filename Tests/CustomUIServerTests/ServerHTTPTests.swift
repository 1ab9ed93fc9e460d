import CustomUI
import CustomUICore
import TemplateLibrary
import Foundation
import Markdown
import Testing

@testable import CustomUIServer

/// Every page and every refusal, over loopback with a real libmicrohttpd server.
@Suite(.serialized) struct ServerHTTPTests {
    @Test func imagesFromElsewhereBecomeLinks() {
        let markdown = ImagePolicy.rewrite(
            "<p><img src=\"https://evil.example/?q=secret\" alt=\"a &quot;cat&quot;\" /></p>")
        #expect(
            markdown
                == "<p><a class=\"cui-image-link\" href=\"https://evil.example/?q=secret\" rel=\"noopener noreferrer nofollow\">Image: a &quot;cat&quot;</a></p>"
        )
        let template = ImagePolicy.rewrite("<img class=\"cui-image\" src=\"/local.png\" alt=\"\">\n")
        #expect(template.hasPrefix("<a class=\"cui-image-link\" href=\"/local.png\""))
        let inline = "<img class=\"cui-image\" src=\"data:image/png;base64,AAAA\" alt=\"dot\">"
        #expect(ImagePolicy.rewrite(inline) == inline)
        #expect(
            ImagePolicy.rewrite("<p><img alt=\"refused\" /></p>")
                == "<p><span class=\"cui-image-missing\">Image: refused</span></p>")
    }

    @Test func galleryListsWhatTheViewerMaySee() async throws {
        let f = try ServerFixture()
        let page = try await f.get("/")
        #expect(page.status == 200)
        #expect(page.headers["content-security-policy"] == Pages.contentSecurityPolicy)
        #expect(page.headers["x-frame-options"] == "DENY")
        #expect(page.body.contains("Email drafter"))
        #expect(page.body.contains("/ui/local/story-writer"))
        #expect(!page.body.contains("Bob secret"), "another user's private UI is not listed")
        #expect(!page.body.contains("← Gallery"), "the gallery does not link to itself")
        let filtered = try await f.get("/?q=translat")
        #expect(filtered.body.contains("Translator"))
        #expect(!filtered.body.contains("Email drafter"))
        let byCategory = try await f.get("/?category=chat")
        #expect(byCategory.body.contains("Chat assistant"))
        #expect(!byCategory.body.contains("Translator"))
    }

    @Test func runnerPageHasNoInlineScriptOrStyle() async throws {
        let f = try ServerFixture()
        let id = try f.uiID("Email drafter")
        let (page, session) = try await f.open("/ui/\(id)")
        #expect(page.status == 200)
        #expect(!session.isEmpty)
        #expect(page.headers["content-security-policy"]?.contains("script-src 'self'") == true)
        #expect(page.body.contains("<script src=\"/assets/runtime.js\" defer></script>"))
        #expect(!page.body.contains("<script>"))
        #expect(!page.body.contains("<style"))
        #expect(!page.body.contains(" style=\""))
        #expect(!page.body.contains("http-equiv"))
        #expect(page.body.contains("<a href=\"/\">← Gallery</a>"), "a runner page leads back to the gallery")
        let byName = try await f.get("/ui/customui/Email%20drafter")
        #expect(byName.status == 200)
        let local = try await f.get("/ui/local/story-writer")
        #expect(local.status == 200 && local.body.contains("name=\"vars[topic]\""))
        let script = try await f.get("/assets/runtime.js")
        #expect(script.status == 200 && script.headers["content-type"]?.hasPrefix("text/javascript") == true)
        #expect(!script.body.contains("eval(") && !script.body.contains("new Function"))
        let css = try await f.get("/assets/customui.css")
        #expect(css.status == 200 && css.body.contains(".cui-slot"))
    }

    @Test func unknownAndPrivateUIsAreTheSame404() async throws {
        let f = try ServerFixture()
        let unknown = try await f.get("/ui/nobody/nothing")
        let secret = try await f.get("/ui/\(try f.uiID("Bob secret", user: "bob"))")
        let secretByName = try await f.get("/ui/bob/Bob%20secret")
        let local = try await f.get("/ui/local/missing")
        #expect(unknown.status == 404)
        #expect(secret.status == 404)
        #expect(secretByName.status == 404)
        #expect(local.status == 404)
        #expect(unknown.body == secret.body && secret.body == secretByName.body)
    }

    @Test func foreignHostAndCrossSitePostsAreRefused() async throws {
        let f = try ServerFixture()
        let rebound = try await f.get("/", headers: ["Host": "evil.example:\(f.port)"])
        #expect(rebound.status == 421)
        let (_, session) = try await f.open("/ui/local/story-writer")
        let crossSite = try await f.post(
            "/api/session/\(session)/action", "action=run", headers: ["Origin": "http://evil.example"])
        #expect(crossSite.status == 403)
        let fetchSite = try await RawHTTP.request(
            port: f.port, "POST", "/api/session/\(session)/action",
            headers: [
                "Host": f.host, "Sec-Fetch-Site": "cross-site", "Content-Type": "application/x-www-form-urlencoded",
            ], body: "action=run")
        #expect(fetchSite.status == 403)
        let formPost = try await f.post("/ui/local/story-writer", "action=run", headers: ["Origin": "null"])
        #expect(formPost.status == 403)
        let localhost = try await f.get("/", headers: ["Host": "localhost:\(f.port)"])
        #expect(localhost.status == 200)
    }

    @Test func oversizedBodiesAndHeadersAreRefused() async throws {
        let f = try ServerFixture()
        let (_, session) = try await f.open("/ui/local/story-writer")
        let big = "vars[topic]=" + String(repeating: "a", count: 300 << 10)
        let response = try await f.post("/api/session/\(session)/action", big)
        #expect(response.status == 413)
        let header = try await f.get("/", headers: ["X-Padding": String(repeating: "b", count: 80 << 10)])
        #expect(header.status == 431 || header.status == 413, "status \(header.status)")
    }

    @Test func hiddenVariableIsRefused() async throws {
        let f = try ServerFixture()
        let (_, session) = try await f.open("/ui/local/support-reply")
        let response = try await f.post(
            "/api/session/\(session)/action", "action=run&message=hi&vars[product]=Evil+Corp")
        #expect(response.status == 422)
        let body = json(response.body)
        let diagnostics = body["diagnostics"] as? [[String: Any]] ?? []
        #expect(diagnostics.contains { $0["code"] as? String == "serve.refused-variable" })
        #expect(f.server.session(session)?.currentSession.state.runStatus == "idle", "nothing ran")
    }

    @Test func badValueComesBackWithItsVariable() async throws {
        let f = try ServerFixture()
        let (_, session) = try await f.open("/ui/local/story-writer")
        let response = try await f.post(
            "/api/session/\(session)/action", "action=run&vars[topic]=cats&vars[style]=noir&vars[length]=5000")
        #expect(response.status == 422)
        let diagnostics = json(response.body)["diagnostics"] as? [[String: Any]] ?? []
        #expect(diagnostics.first?["code"] as? String == "serve.invalid-value")
        #expect(diagnostics.first?["variable"] as? String == "length")
        // Without script, the form comes back with the diagnostics.
        let page = try await f.post(
            "/ui/local/story-writer", "action=run&vars[topic]=cats&vars[style]=noir&vars[length]=abc")
        #expect(page.status == 422)
        #expect(page.body.contains("cui-field-error") && page.body.contains("is not a number"))
        #expect(page.body.contains("name=\"vars[topic]\""))
    }

    @Test func aRunStreamsPatchesThatAddUpToTheAnswer() async throws {
        let f = try ServerFixture()
        let (_, session) = try await f.open("/ui/local/story-writer")
        let events = try EventStreamReader(port: f.port, host: f.host, path: "/api/session/\(session)/events")
        #expect(await events.read { $0.count >= 3 })
        let response = try await f.post(
            "/api/session/\(session)/action", "action=run&vars[topic]=a+cat&vars[style]=noir&vars[length]=200")
        #expect(response.status == 200, "\(response.body)")
        let finished = await events.read { list in
            list.contains { $0.event == "status" && $0.data.contains("completed") }
        }
        #expect(finished)
        var settled = ""
        var tail = ""
        var slotPatches = 0
        var settledPieces = 0
        for (event, data) in events.events where event == "slot" {
            let patch = json(data)
            if patch["reset"] as? Bool == true { settled = "" }
            if let s = patch["settled"] as? String {
                settled = patch["replace"] as? Bool == true ? s : settled + s
                if !s.isEmpty { settledPieces += 1 }
            }
            if let t = patch["tail"] as? String {
                tail = (patch["keep"] as? Int).map { String(tail.utf16.prefix($0))! + t } ?? t
            }
            slotPatches += 1
        }
        let live = try #require(f.server.session(session))
        let answer = live.currentSession.state.slots["story"] ?? ""
        #expect(!answer.isEmpty)
        #expect(slotPatches > 10, "the answer came in many patches")
        #expect(settledPieces > 1, "settled blocks were sent one by one")
        #expect(
            settled + tail == MarkdownHTMLRenderer.render(MarkdownParser.parse(answer)),
            "the patches add up to the whole answer rendered at once")
        let usage = events.events.last { $0.event == "view" }?.data ?? ""
        #expect(usage.contains("cui-usage"), "the final view shows usage")
    }

    @Test func withoutScriptTheAnswerStreamsIntoThePage() async throws {
        let f = try ServerFixture()
        let page = try await f.post(
            "/ui/local/story-writer", "action=run&vars[topic]=a+dog&vars[style]=noir&vars[length]=200")
        #expect(page.status == 200)
        #expect(page.body.contains("cui-live-preview"))
        #expect(page.body.contains("<div class=\"cui-final\">"))
        #expect(page.body.contains("cui-status-completed"))
        #expect(page.body.hasSuffix("</html>\n"))
    }

    @Test func autoRunStartsWhenThePageConnects() async throws {
        let f = try ServerFixture()
        let (_, session) = try await f.open("/ui/local/article-summary")
        let events = try EventStreamReader(port: f.port, host: f.host, path: "/api/session/\(session)/events")
        #expect(await events.read { list in list.contains { $0.event == "status" && $0.data.contains("completed") } })
        // One shot: a second run is refused.
        let again = try await f.post("/api/session/\(session)/action", "action=run")
        #expect(again.status == 422)
    }

    @Test func closingThePageCancelsItsRun() async throws {
        let f = try ServerFixture(pace: true, speed: 0.5)
        let (_, session) = try await f.open("/ui/local/story-writer")
        let events = try EventStreamReader(port: f.port, host: f.host, path: "/api/session/\(session)/events")
        #expect(await events.read { $0.count >= 3 })
        _ = try await f.post(
            "/api/session/\(session)/action", "action=run&vars[topic]=a+cat&vars[style]=noir&vars[length]=200")
        #expect(await events.read { list in list.filter { $0.event == "slot" }.count >= 3 })
        events.close()
        let live = try #require(f.server.session(session))
        var status = ""
        for _ in 0..<600 {
            status = live.currentSession.state.runStatus
            if status == "cancelled" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(status == "cancelled")
    }

    @Test func followUpContinuesAndResetClears() async throws {
        let f = try ServerFixture()
        let (_, session) = try await f.open("/ui/local/support-reply")
        let events = try EventStreamReader(port: f.port, host: f.host, path: "/api/session/\(session)/events")
        #expect(await events.read { $0.count >= 3 })
        #expect(try await f.post("/api/session/\(session)/action", "action=run&message=My+order+is+late").status == 200)
        #expect(await events.read { list in list.contains { $0.event == "status" && $0.data.contains("completed") } })
        let live0 = try #require(f.server.session(session))
        let page = live0.pageFragment()
        #expect(
            page.components(separatedBy: "moving again").count == 2,
            "the answer is shown once (in the slot, not also in the conversation)")
        let before = events.events.count
        #expect(try await f.post("/api/session/\(session)/action", "action=follow-up&follow_up=Thanks").status == 200)
        #expect(
            await events.read { list in
                list.dropFirst(before).contains { $0.event == "status" && $0.data.contains("completed") }
            })
        let live = try #require(f.server.session(session))
        #expect(
            live.currentSession.run.messages.filter { $0["role"]?.stringValue == "user" }.contains {
                $0["content"]?.stringValue == "Thanks"
            })
        #expect(try await f.post("/api/session/\(session)/action", "action=reset").status == 200)
        #expect(live.currentSession.state.runStatus == "idle")
    }

    @Test func previewRevalidatesWhenTheFileIsSaved() async throws {
        let directory = NSTemporaryDirectory() + "customui-watch-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = try draft(of: "story-writer", as: "draft", in: directory) { $0 }
        let f = try ServerFixture(files: [], watch: [file])
        let page = try await f.get("/preview")
        #expect(page.status == 200)
        #expect(page.body.contains("data-watch=\"draft\" data-version=\"0\""))
        #expect(page.body.contains("data-session=") && page.body.contains("no problems"))
        #expect(page.body.contains("<option value=\"draft.stream.ndjson\" selected>"))
        let watch = try EventStreamReader(port: f.port, host: f.host, path: "/api/watch?file=draft&version=0")
        let original = try String(contentsOfFile: file, encoding: .utf8)
        try original.replacingOccurrences(of: "<card", with: "<crad").replacingOccurrences(
            of: "</card>", with: "</crad>"
        )
        .write(toFile: file, atomically: true, encoding: .utf8)
        #expect(await watch.read(timeout: 10) { $0.contains { $0.event == "changed" } })
        let broken = try await f.get("/preview?file=draft")
        #expect(broken.body.contains("cui-diagnostics") && broken.body.contains("template.unknown-element"))
        #expect(broken.body.contains("data-version=\"1\""))
        #expect(!broken.body.contains("data-session=\""), "nothing to run")
        // A page that loaded an older version is told at once.
        let stale = try EventStreamReader(port: f.port, host: f.host, path: "/api/watch?file=draft&version=0")
        #expect(await stale.read(timeout: 10) { $0.contains { $0.event == "changed" } })
        #expect(try await f.get("/preview?file=nothing").status == 404)
    }

    @Test func ratingsAndUsesFollowTheLibrarysRules() async throws {
        let f = try ServerFixture()
        let id = try f.uiID("Quick answer")
        let rated = try await f.post("/rate/\(id)", "rating=4")
        #expect(rated.status == 303)
        #expect(rated.headers["location"] == "/ui/\(id)?rated=4")
        #expect(try f.library.entry(id, user: "alice").ratingCount == 1)
        let page = try await f.get("/ui/\(id)?rated=4")
        #expect(page.body.contains("★ 4.0 from 1 rating") && page.body.contains("You rated it 4"))
        // Not one's own UI, and not what one cannot see.
        let own = try ServerFixture()
        _ = try own.library.publish(
            ui: SourceFile(
                path: "mine.ui.xml",
                text: try String(contentsOfFile: repositoryRoot + "/Templates/quick-answer.ui.xml", encoding: .utf8)
                    .replacingOccurrences(of: "name=\"Quick answer\"", with: "name=\"Mine\"")),
            prompt: SourceFile(
                path: "p.prompt.json",
                text: try String(
                    contentsOfFile: repositoryRoot + "/Templates/quick-answer.prompt.json", encoding: .utf8)),
            user: "alice", options: PublishOptions(isPublic: true, activate: true))
        let mine = try own.uiID("Mine")
        #expect(try await own.post("/rate/\(mine)", "rating=5").status == 403)
        #expect(!(try await own.get("/ui/\(mine)")).body.contains("Rate it"), "no rating form on one's own UI")
        #expect(try await f.post("/rate/\(try f.uiID("Bob secret", user: "bob"))", "rating=1").status == 404)
        #expect(try await f.post("/rate/\(id)", "rating=9").status == 403)
        // Each run of a library UI counts as a use.
        let (_, session) = try await f.open("/ui/\(id)")
        let events = try EventStreamReader(port: f.port, host: f.host, path: "/api/session/\(session)/events")
        #expect(await events.read { $0.count >= 3 })
        let run = try await f.post(
            "/api/session/\(session)/action", "action=run&vars%5Bquestion%5D=Why+is+the+sky+blue%3F")
        #expect(run.status == 200, "\(run.body)")
        #expect(
            await events.read { list in
                list.contains { $0.event == "status" && ($0.data.contains("completed") || $0.data.contains("failed")) }
            })
        var uses = 0
        for _ in 0..<100 {
            uses = try f.library.entry(id, user: "alice").uiUseCount
            if uses == 1 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(uses == 1)
    }
}
