import CustomUI
import CustomUICore
import CustomUIServer
import Foundation
import JSONSchema
import Testing

@testable import TemplateLibrary

/// `customui serve` on a shared library takes each request's identity from its verified token
/// (`Authorization: Bearer`, or the cookie `POST /auth/token` sets); no token is an anonymous
/// viewer; a bad token is refused with 401. Run on both stores, through `UIServer.handle`.
@Suite struct ServeIdentityTests {
    static let secret = Array("serve-identity-secret".utf8)

    static func token(_ subject: String, expiresIn: Int = 600, secret: [UInt8] = secret) -> String {
        VerifiedToken.sign(
            ["sub": .string(subject), "exp": .int(Int(Date().timeIntervalSince1970) + expiresIn)], secret: secret)
    }

    /// A server on `library` that takes identities from tokens (not started: requests go to `handle`).
    static func server(_ library: Library) -> UIServer {
        var options = ServerOptions(user: "unused", answers: .replay(file: nil, directory: nil, pace: false, speed: 1))
        options.tokenSecret = secret
        let templates = repositoryRoot.appendingPathComponent("Templates").path
        return UIServer(
            catalog: Catalog(files: [], library: library, promptDirectories: [templates]), options: options)
    }

    struct Answer {
        var status: Int
        var headers: [(name: String, value: String)]
        var text: String
        func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
    }

    static func post(
        _ server: UIServer, _ path: String, bearer: String? = nil, cookie: String? = nil,
        headers extra: [String: String] = [:], body: String = ""
    ) -> Answer {
        send(server, path, method: "POST", bearer: bearer, cookie: cookie, headers: extra, body: body)
    }

    static func send(
        _ server: UIServer, _ path: String, method: String = "GET", bearer: String? = nil, cookie: String? = nil,
        headers extra: [String: String] = [:], body: String = ""
    ) -> Answer {
        var headers = ["host": "127.0.0.1:0"]
        if method == "POST" {
            headers["origin"] = "http://127.0.0.1:0"
            headers["content-type"] = "application/x-www-form-urlencoded"
        }
        if let bearer { headers["authorization"] = "Bearer " + bearer }
        if let cookie { headers["cookie"] = "theme=dark; customui_token=" + cookie }
        headers.merge(extra) { _, new in new }
        let parts = path.split(separator: "?", maxSplits: 1).map(String.init)
        let query = (parts.count == 2 ? parts[1] : "").split(separator: "&").map { pair in
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            return (name: kv[0], value: kv.count == 2 ? kv[1] : "")
        }
        let response = server.handle(
            HTTPRequest(method: method, path: parts[0], query: query, headers: headers, body: Array(body.utf8)))
        var text = ""
        if case .bytes(let bytes) = response.body { text = String(decoding: bytes, as: UTF8.self) }
        return Answer(status: response.status, headers: response.headers, text: text)
    }

    /// alice: a public active UI and a private one; bob: a private one; the starters (public, by alice).
    static func populate(_ library: Library) throws -> (alicePrivate: String, bobPrivate: String, starter: String) {
        _ = try library.publish(
            ui: template("Shared board"), user: "alice", options: PublishOptions(isPublic: true, activate: true))
        let alicePrivate = try library.publish(
            ui: template("Alice secret"), user: "alice", options: PublishOptions(activate: true)
        ).entry.uiID
        let bobPrivate = try library.publish(
            ui: template("Bob secret"), user: "bob", options: PublishOptions(activate: true)
        ).entry.uiID
        let starters = try Library.loadStarters(directory: repositoryRoot.appendingPathComponent("Templates").path)
        let installed = try library.installStarters(Array(starters.prefix(1)), user: "alice")
        return (alicePrivate, bobPrivate, installed[0].entry.uiID)
    }

    @Test(arguments: LibraryStoreKind.allCases) func eachRequestSeesWhatItsTokenAllows(store: LibraryStoreKind)
        throws
    {
        guard let f = try Fixture(store) else { return }
        let ids = try Self.populate(f.library)
        let server = Self.server(f.library)
        let alice = Self.send(server, "/", bearer: Self.token("alice"))
        #expect(alice.status == 200)
        #expect(alice.text.contains("Alice secret") && alice.text.contains("Shared board"))
        #expect(!alice.text.contains("Bob secret"))
        #expect(alice.text.contains("Signed in as <strong>alice</strong>"))
        // The same server, another token: another user's private rows.
        let bob = Self.send(server, "/", bearer: Self.token("bob"))
        #expect(bob.text.contains("Bob secret") && bob.text.contains("Shared board"))
        #expect(!bob.text.contains("Alice secret"))
        // The cookie carries the identity as the header does.
        let bobByCookie = Self.send(server, "/", cookie: Self.token("bob"))
        #expect(bobByCookie.text.contains("Bob secret") && !bobByCookie.text.contains("Alice secret"))
        // No token: public, active UIs only, and the way to sign in.
        let anonymous = Self.send(server, "/")
        #expect(anonymous.status == 200)
        #expect(anonymous.text.contains("Shared board"))
        #expect(!anonymous.text.contains("Alice secret") && !anonymous.text.contains("Bob secret"))
        #expect(anonymous.text.contains("action=\"/auth/token\""))
        // The gallery's search as each viewer.
        #expect(!Self.send(server, "/?q=secret").text.contains("secret</a>"))
        let aliceSearch = Self.send(server, "/?q=secret", bearer: Self.token("alice")).text
        #expect(aliceSearch.contains("Alice secret") && !aliceSearch.contains("Bob secret"))
        #expect(Self.send(server, "/?q=board").text.contains("Shared board"))
        // A private UI's page: its owner's (it has no prompt here: 503), nobody else's (404, as unknown).
        #expect(Self.send(server, "/ui/\(ids.alicePrivate)", bearer: Self.token("alice")).status == 503)
        #expect(Self.send(server, "/ui/\(ids.alicePrivate)", bearer: Self.token("bob")).status == 404)
        #expect(Self.send(server, "/ui/\(ids.alicePrivate)").status == 404)
        #expect(Self.send(server, "/ui/\(ids.bobPrivate)", cookie: Self.token("bob")).status == 503)
        #expect(Self.send(server, "/ui/\(ids.starter)").status == 200)
    }

    @Test(arguments: LibraryStoreKind.allCases) func badTokensAreRefusedWithTheirCode(store: LibraryStoreKind) throws {
        guard let f = try Fixture(store) else { return }
        _ = try Self.populate(f.library)
        let server = Self.server(f.library)
        let good = Self.token("alice")
        let parts = good.split(separator: ".").map(String.init)
        // bob's claims under alice's signature.
        let tampered = [parts[0], Self.token("bob").split(separator: ".").map(String.init)[1], parts[2]].joined(
            separator: ".")
        let cases: [(String, DiagnosticCode)] = [
            (tampered, .authBadSignature),
            (Self.token("alice", secret: Array("another secret".utf8)), .authBadSignature),
            (Self.token("alice", expiresIn: -60), .authExpired),
            ("not-a-token", .authInvalidToken),
        ]
        for (token, code) in cases {
            for answer in [Self.send(server, "/", bearer: token), Self.send(server, "/", cookie: token)] {
                #expect(answer.status == 401, "\(code)")
                #expect(answer.text.contains(code.rawValue))
                #expect(!answer.text.contains(token), "the token is never echoed")
                #expect(!answer.text.contains("Shared board") && !answer.text.contains("Alice secret"))
                #expect(answer.header("WWW-Authenticate")?.contains("invalid_token") == true)
            }
            // The runtime's requests get the same refusal as JSON.
            let json = Self.send(server, "/", bearer: token, headers: ["accept": "application/json"])
            #expect(json.status == 401)
            let body = try JSONParser.parseValue(json.text)
            #expect(body["diagnostics"]?.arrayValue?.first?["code"]?.stringValue == code.rawValue)
            let hint = body["diagnostics"]?.arrayValue?.first?["hint"]?.stringValue ?? ""
            #expect(!hint.isEmpty && !hint.contains("CUSTOMUI_TOKEN"), "a hint for an HTTP client, not the CLI's")
        }
        // Another scheme is a malformed token, not an anonymous request.
        let basic = Self.send(server, "/", headers: ["authorization": "Basic YWxpY2U6cHc="])
        #expect(basic.status == 401 && basic.text.contains("auth.invalid-token"))
    }

    @Test(arguments: LibraryStoreKind.allCases) func anonymousViewersCannotWrite(store: LibraryStoreKind) throws {
        guard let f = try Fixture(store) else { return }
        let ids = try Self.populate(f.library)
        let server = Self.server(f.library)
        // Rating: refused without a token (nothing written), accepted as bob.
        let refused = Self.post(server, "/rate/\(ids.starter)", body: "rating=4")
        #expect(refused.status == 401 && refused.text.contains("auth.missing-token"))
        #expect(try f.library.entry(ids.starter, user: "alice").ratingCount == 0)
        let rated = Self.post(server, "/rate/\(ids.starter)", bearer: Self.token("bob"), body: "rating=4")
        #expect(rated.status == 303)
        #expect(try f.library.entry(ids.starter, user: "alice").ratingCount == 1)
        // A run: the anonymous viewer's page opens, its run is refused with 401 as JSON.
        let page = Self.send(server, "/ui/\(ids.starter)")
        let session = try #require(Self.session(in: page.text))
        let run = Self.post(server, "/api/session/\(session)/action", body: "action=run")
        #expect(run.status == 401)
        #expect(
            (try JSONParser.parseValue(run.text))["diagnostics"]?.arrayValue?.first?["code"]?.stringValue
                == "auth.missing-token")
        // Without script, the form post is refused the same way, as a page.
        let noScript = Self.post(server, "/ui/\(ids.starter)", body: "action=run&session=\(session)")
        #expect(noScript.status == 401 && noScript.text.contains("auth.missing-token"))
        // A session belongs to whoever opened it: to another viewer it does not exist.
        let bobPage = Self.send(server, "/ui/\(ids.starter)", bearer: Self.token("bob"))
        let bobSession = try #require(Self.session(in: bobPage.text))
        #expect(Self.send(server, "/api/session/\(bobSession)/events", bearer: Self.token("alice")).status == 404)
        #expect(Self.post(server, "/api/session/\(bobSession)/action", body: "action=cancel").status == 404)
        #expect(
            Self.post(server, "/api/session/\(bobSession)/action", bearer: Self.token("bob"), body: "action=cancel")
                .status == 200)
    }

    @Test func signingInSetsAnHttpOnlyStrictCookie() throws {
        let f = try Fixture()
        _ = try Self.populate(f.library)
        let server = Self.server(f.library)
        let token = Self.token("bob")
        let signedIn = Self.post(server, "/auth/token", body: "token=\(token)")
        #expect(signedIn.status == 303)
        let cookie = try #require(signedIn.header("Set-Cookie"))
        #expect(cookie.hasPrefix("customui_token=\(token);"))
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
        // A refused token sets nothing and is not echoed.
        let tampered = token.dropLast(2) + "xx"
        let refused = Self.post(server, "/auth/token", body: "token=\(tampered)")
        #expect(refused.status == 401 && refused.header("Set-Cookie") == nil)
        #expect(!refused.text.contains(String(tampered)))
        // Signing in from another site is refused by the server's gate.
        let crossSite = Self.post(
            server, "/auth/token", headers: ["origin": "http://evil.example"], body: "token=\(token)")
        #expect(crossSite.status == 403 && crossSite.header("Set-Cookie") == nil)
        let signedOut = Self.post(server, "/auth/sign-out", cookie: token)
        #expect(signedOut.header("Set-Cookie")?.contains("Max-Age=0") == true)
    }

    static func session(in page: String) -> String? {
        guard let range = page.range(of: "data-session=\"") else { return nil }
        let id = page[range.upperBound...].prefix(while: { $0 != "\"" })
        return id.isEmpty ? nil : String(id)
    }
}
