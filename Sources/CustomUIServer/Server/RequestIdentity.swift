import CustomUI
import CustomUICore
import Foundation
import TemplateLibrary

/// Who a request acts as, for the library's access rules.
struct Viewer: Sendable, Equatable {
    /// The acting user's id; empty for an anonymous viewer of a shared library (who matches no
    /// owner, so sees only public, active UIs, and may not write).
    var user: String

    /// Whether no token came with the request (only on a server that takes identities from tokens).
    var isAnonymous: Bool { user.isEmpty }
}

/// Identity per request (docs/decisions/serve-request-identity.md): on a server with a JWT secret
/// (a shared library), each request acts as the `sub` of its verified HS256 token, taken from
/// `Authorization: Bearer …`, else from the `customui_token` cookie that `POST /auth/token` sets
/// (HttpOnly, SameSite=Strict), so the page's own fetches and event stream carry it. No token is
/// an anonymous viewer; a bad one is refused with 401. Without a secret every request is
/// `options.user` (a library file's `--user`).
extension UIServer {
    /// The cookie a browser carries its token in.
    static let tokenCookie = "customui_token"

    /// The request's viewer, or why its token was refused.
    func viewer(for request: HTTPRequest, now: Date = Date()) -> Result<Viewer, LibraryError> {
        guard let secret = options.tokenSecret else { return .success(Viewer(user: options.user)) }
        guard let token = Self.token(in: request) else { return .success(Viewer(user: "")) }
        do {
            return .success(Viewer(user: try VerifiedToken.verify(token, secret: secret, now: now).subject))
        } catch {
            return .failure(Self.forBrowser(error))
        }
    }

    /// The verifier's error with a hint for someone at a browser or an HTTP client, not the CLI's
    /// (`CUSTOMUI_TOKEN` means nothing to them).
    static func forBrowser(_ error: LibraryError) -> LibraryError {
        var error = error
        switch error.code {
        case .authInvalidToken:
            error.hint = "send the JWT your team's issuer gave you as `Authorization: Bearer …`, or sign in with it"
        case .authExpired:
            error.hint = "get a new token and sign in again (or send it as `Authorization: Bearer …`)"
        default: break
        }
        return error
    }

    /// The token a request carries: the `Authorization` header's (any scheme but Bearer is a
    /// malformed token, not an anonymous request), else the cookie's; nil when neither is there.
    static func token(in request: HTTPRequest) -> String? {
        if let authorization = request.headers["authorization"] {
            let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else { return "" }
            return String(parts[1]).trimmingCharacters(in: .whitespaces)
        }
        for pair in (request.headers["cookie"] ?? "").split(separator: ";") {
            let cookie = pair.trimmingCharacters(in: .whitespaces)
            if cookie.hasPrefix(tokenCookie + "=") { return String(cookie.dropFirst(tokenCookie.count + 1)) }
        }
        return nil
    }

    /// Whether `request` wants JSON back (the runtime's fetches and event streams) rather than a page.
    static func wantsJSON(_ request: HTTPRequest) -> Bool {
        request.path.hasPrefix("/api/") || (request.headers["accept"] ?? "").contains("application/json")
    }

    /// 401 for a refused token (or an anonymous viewer's write): the error's code, message and
    /// hint as JSON or as a page with the sign-in form; never the token itself.
    static func unauthorized(_ error: LibraryError, json: Bool) -> HTTPResponse {
        let challenge = (
            "WWW-Authenticate",
            error.code == .authMissingToken
                ? "Bearer realm=\"customui\"" : "Bearer realm=\"customui\", error=\"invalid_token\""
        )
        if json {
            var response = UIServer.json([Diagnostic.error(error.code, error.message, hint: error.hint)])
            response.status = 401
            response.headers.append(challenge)
            return response
        }
        var response = Pages.html(
            401,
            Pages.head(title: "Sign in")
                + "<main class=\"cui\"><div class=\"cui-gallery\"><h1>Sign in</h1>"
                + "<p role=\"alert\"><code>\(Escape.text(error.code.rawValue))</code> \(Escape.text(error.message))</p>"
                + (error.hint.map { "<p class=\"cui-text cui-tone-muted\">\(Escape.text($0))</p>" } ?? "")
                + signInForm() + "<p><a href=\"/\">Back to the gallery</a></p></div></main>\n" + Pages.foot)
        response.headers.append(challenge)
        return response
    }

    /// The form that hands a token to `POST /auth/token`.
    static func signInForm() -> String {
        "<form class=\"cui-sign-in\" method=\"post\" action=\"/auth/token\"><label>Token <input type=\"password\" name=\"token\" autocomplete=\"off\" required></label> <button type=\"submit\" class=\"cui-button\">Sign in</button></form>"
    }

    /// The error an anonymous viewer gets for an action that writes (a run, a rating).
    static func signInRequired(_ what: String) -> LibraryError {
        LibraryError(
            .authMissingToken, "\(what) needs a signed-in user; this request carried no token",
            hint: "sign in with your JWT (send `Authorization: Bearer …`, or POST it to /auth/token)")
    }

    /// Above the gallery on a server that takes tokens: who is signed in, and the way in or out.
    func identityBar(_ viewer: Viewer) -> String {
        guard options.tokenSecret != nil else { return "" }
        if viewer.isAnonymous {
            return "<div class=\"cui-preview-bar cui-identity\"><span>Not signed in: public UIs only.</span>"
                + Self.signInForm() + "</div>\n"
        }
        return
            "<div class=\"cui-preview-bar cui-identity\"><span>Signed in as <strong>\(Escape.text(viewer.user))</strong></span>"
            + "<form method=\"post\" action=\"/auth/sign-out\"><button type=\"submit\" class=\"cui-button\">Sign out</button></form></div>\n"
    }

    /// `POST /auth/token`: checks the token and keeps it in an HttpOnly, SameSite=Strict cookie
    /// that lives as long as the token; a refused token sets nothing.
    func signIn(_ request: HTTPRequest) -> HTTPResponse {
        guard let secret = options.tokenSecret else { return Pages.notFound() }
        let token = FormData(request.body).value("token")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !token.isEmpty else {
            return Self.unauthorized(
                LibraryError(
                    .authMissingToken, "no token was given", hint: "paste the JWT your team's issuer gave you"),
                json: Self.wantsJSON(request))
        }
        let verified: VerifiedToken
        do {
            verified = try VerifiedToken.verify(token, secret: secret)
        } catch {
            return Self.unauthorized(Self.forBrowser(error), json: Self.wantsJSON(request))
        }
        let seconds = max(0, Int(verified.expires.timeIntervalSinceNow.rounded(.down)))
        return HTTPResponse(
            status: 303,
            headers: [
                ("Location", "/"),
                ("Set-Cookie", "\(Self.tokenCookie)=\(token); Path=/; Max-Age=\(seconds); HttpOnly; SameSite=Strict"),
            ] + Pages.securityHeaders)
    }

    /// `POST /auth/sign-out`: the cookie cleared.
    func signOut() -> HTTPResponse {
        HTTPResponse(
            status: 303,
            headers: [
                ("Location", "/"), ("Set-Cookie", "\(Self.tokenCookie)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"),
            ] + Pages.securityHeaders)
    }
}
