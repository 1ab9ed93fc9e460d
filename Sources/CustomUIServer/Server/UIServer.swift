import CustomUI
import CustomUICore
import Foundation
import Streaming
import TemplateLibrary

/// Where a served UI's answers come from.
public enum AnswerSource: Sendable {
    /// Recorded NDJSON streams: `file` for every UI, else `DIRECTORY/NAME.stream.ndjson`, else the
    /// recording beside a UI file. `pace` replays at the recorded speed (times `speed`).
    case replay(file: String?, directory: String?, pace: Bool, speed: Double)
    /// A live backend speaking `unified`, `agent` or `openai`; the token stays on the server.
    case backend(TransportConfiguration, protocolName: String)
}

/// How `customui serve` runs.
public struct ServerOptions: Sendable {
    /// The address to bind (loopback by default: the runner is a local tool).
    public var host = "127.0.0.1"
    /// The port (0: any free port).
    public var port = 8080
    /// Who the viewer is, for the library's access rules, when `tokenSecret` is nil (a library
    /// file's `--user`).
    public var user: String
    /// The JWT secret of a shared library: each request then acts as the `sub` of its verified
    /// HS256 token (`Authorization: Bearer`, else the cookie `POST /auth/token` sets), or as an
    /// anonymous viewer without one; `user` is not used.
    public var tokenSecret: [UInt8]?
    /// Where answers come from.
    public var answers: AnswerSource
    /// Request limits.
    public var limits = HTTPLimits()
    /// Prices for the cost shown in `usage`.
    public var pricing = PricingTable.standard
    /// A page's session is dropped after this long without a connected page.
    public var sessionIdleSeconds: TimeInterval = 1800
    /// Files the author is editing (`--watch`): served at `/preview`, re-validated on every save.
    public var watch: [String] = []
    /// Runs in flight at most, over every page (`--max-runs`); one more is refused naming the limit.
    public var maxConcurrentRuns = 64
    /// The most `--max-runs` may be set to.
    public static let runsCeiling = 1024

    /// Options for a user and an answer source.
    public init(user: String, answers: AnswerSource) {
        self.user = user
        self.answers = answers
    }
}

/// `customui serve`: the gallery, the runner pages and their live sessions over HTTP.
///
/// Every request passes the same gate (docs/serve.md): the `Host` must name the bound address (DNS
/// rebinding), a POST must come from this origin (`Origin`, else `Sec-Fetch-Site`), bodies and
/// headers are bounded. Handlers run on libmicrohttpd's threads and never wait for a backend:
/// runs go to tasks, and their patches to the page's suspended event stream.
public final class UIServer: Sendable {
    public let catalog: Catalog
    public let options: ServerOptions

    /// What changes while the server runs, behind one lock.
    private struct State {
        var http: HTTPServer?
        var sessions: [String: LiveSession] = [:]
        var sweeper: Task<Void, Never>?
        var boundPort = 0
        var watcher: FileWatcher?
    }
    private let state = Locked(State())
    let runGate: RunGate

    /// A server for a catalog (not yet listening).
    public init(catalog: Catalog, options: ServerOptions) {
        self.catalog = catalog
        self.options = options
        runGate = RunGate(limit: min(max(1, options.maxConcurrentRuns), ServerOptions.runsCeiling))
    }

    /// Binds and starts serving.
    public func start() throws(HTTPServerError) {
        let server = HTTPServer(limits: options.limits) { [unowned self] request in self.handle(request) }
        try server.start(host: options.host, port: options.port)
        state.withLock {
            $0.http = server
            $0.boundPort = server.port
        }
        if !options.watch.isEmpty {
            let watcher = FileWatcher(files: options.watch)
            watcher.start()
            state.withLock { $0.watcher = watcher }
        }
        // Idle sessions are dropped once a minute (a sleeping task holds no thread).
        let sweeper = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(60))
                guard let self, !Task.isCancelled else { return }
                self.sweep()
            }
        }
        state.withLock { $0.sweeper = sweeper }
    }

    /// Stops serving; running runs are cancelled.
    public func stop() {
        let (sweeper, server, watching, open) = state.withLock { state in
            defer { state = State() }
            return (state.sweeper, state.http, state.watcher, Array(state.sessions.values))
        }
        sweeper?.cancel()
        for session in open { session.cancel() }
        watching?.stop()
        server?.stop()
    }

    /// The port bound.
    public var port: Int {
        state.withLock { $0.boundPort }
    }

    /// The server's address as a browser should use it.
    public var url: String {
        let host = options.host.contains(":") ? "[\(options.host)]" : options.host
        return "http://\(host):\(port)"
    }

    /// How many page sessions are open.
    public var sessionCount: Int {
        state.withLock { $0.sessions.count }
    }

    private func sweep() {
        let now = Date()
        let idle = options.sessionIdleSeconds
        state.withLock { $0.sessions = $0.sessions.filter { !$0.value.isIdle(for: idle, now: now) } }
    }

    // MARK: - The gate

    /// The `Host` values that name this server: the bound address, and `localhost` for loopback.
    func allowedHosts() -> Set<String> {
        let p = port
        var hosts: Set<String> = []
        let host = options.host.contains(":") ? "[\(options.host)]" : options.host
        hosts.insert("\(host):\(p)")
        if options.host == "127.0.0.1" || options.host == "::1" || options.host == "0.0.0.0" || options.host == "::" {
            hosts.formUnion(["127.0.0.1:\(p)", "localhost:\(p)", "[::1]:\(p)"])
        }
        if p == 80 { hosts.formUnion(hosts.map { String($0.dropLast(3)) }) }
        return hosts
    }

    /// Answers one request (called on a polling thread; tests call it directly too).
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        // DNS rebinding: a page on another name that resolves here must not reach us.
        guard let host = request.headers["host"]?.lowercased(), allowedHosts().contains(host) else {
            return Pages.plainError(421, "this server answers only to \(url) (the Host header named another server)")
        }
        if request.method == "POST" {
            let origin = request.headers["origin"]
            if let origin, origin != "http://\(host)" {
                return Pages.plainError(
                    403, "cross-site request refused (Origin \(TerminalSafe.clean(origin)) is not http://\(host))")
            }
            if origin == nil, let site = request.headers["sec-fetch-site"], site != "same-origin", site != "none" {
                return Pages.plainError(403, "cross-site request refused (Sec-Fetch-Site: \(TerminalSafe.clean(site)))")
            }
            if let type = request.headers["content-type"], !type.hasPrefix("application/x-www-form-urlencoded") {
                return Pages.plainError(415, "send the form as application/x-www-form-urlencoded")
            }
        } else if request.method != "GET" && request.method != "HEAD" {
            return HTTPResponse(
                status: 405, contentType: "text/plain; charset=utf-8", text: "method not allowed\n",
                headers: [("Allow", "GET, POST")])
        }
        return route(request)
    }

    private func route(_ request: HTTPRequest) -> HTTPResponse {
        let path = request.path
        let get = request.method == "GET" || request.method == "HEAD"
        switch path {
        case "/auth/token" where !get: return signIn(request)
        case "/auth/sign-out" where !get: return signOut()
        case "/assets/runtime.js" where get:
            return HTTPResponse(
                status: 200, contentType: "text/javascript; charset=utf-8", text: RuntimeScript.source,
                headers: [("X-Content-Type-Options", "nosniff"), ("Cache-Control", "no-cache")])
        case "/assets/customui.css" where get:
            return HTTPResponse(
                status: 200, contentType: "text/css; charset=utf-8", text: Stylesheet.css + "\n" + ServerStylesheet.css,
                headers: [("X-Content-Type-Options", "nosniff"), ("Cache-Control", "no-cache")])
        case "/favicon.ico": return HTTPResponse(status: 204)
        default: break
        }
        // Everything else acts as the request's viewer; a refused token is answered here.
        let viewer: Viewer
        switch self.viewer(for: request) {
        case .success(let found): viewer = found
        case .failure(let error): return Self.unauthorized(error, json: Self.wantsJSON(request))
        }
        switch path {
        case "/" where get: return gallery(request, viewer)
        case "/preview" where get: return preview(request, viewer)
        case "/api/watch" where get: return watch(request)
        default: break
        }
        if path.hasPrefix("/rate/"), request.method == "POST" {
            return rate(String(path.dropFirst("/rate/".count)), request, viewer)
        }
        if path.hasPrefix("/ui/") {
            let reference = String(path.dropFirst("/ui/".count))
            guard !reference.isEmpty else { return Pages.notFound() }
            return get ? runnerPage(reference, query: request, viewer) : formPost(reference, request, viewer)
        }
        if path.hasPrefix("/api/session/") {
            let rest = path.dropFirst("/api/session/".count).split(separator: "/", maxSplits: 1).map(String.init)
            // A session belongs to the viewer who opened it; to anyone else it does not exist.
            guard rest.count == 2, let live = session(rest[0]), live.user == viewer.user else {
                return HTTPResponse(
                    status: 404, contentType: "application/json",
                    text: #"{"error":"no such session (reload the page)"}"#)
            }
            switch (rest[1], get) {
            case ("events", true): return events(live)
            case ("theme.css", true):
                return HTTPResponse(
                    status: 200, contentType: "text/css; charset=utf-8", text: live.themeCSS,
                    headers: [("X-Content-Type-Options", "nosniff")])
            case ("action", false): return action(live, request, viewer)
            default: return Pages.plainError(404, "not found")
            }
        }
        return Pages.notFound()
    }

    func session(_ id: String) -> LiveSession? {
        state.withLock { $0.sessions[id] }
    }

    // MARK: - Pages

    private func gallery(_ request: HTTPRequest, _ viewer: Viewer) -> HTTPResponse {
        let query = request.queryValue("q") ?? ""
        let category = request.queryValue("category").flatMap { $0.isEmpty ? nil : $0 }
        let tag = request.queryValue("tag").flatMap { $0.isEmpty ? nil : $0.lowercased() }
        var entries: [LibraryEntry] = []
        var categories: [String] = []
        if let library = catalog.library {
            // What the viewer may see: their own UIs and others' public active ones (the library's rules).
            let all = (try? library.search(LibraryQuery(limit: 500), user: viewer.user)) ?? []
            categories = Array(Set(all.compactMap(\.category))).sorted()
            let visible = all.filter {
                $0.owner == viewer.user || ($0.definition.isPublic && $0.definition.status == .active)
            }
            let matching: [LibraryEntry]
            if query.isEmpty, category == nil, tag == nil {
                matching = visible
            } else {
                let ids = Set(
                    ((try? library.search(
                        LibraryQuery(text: query, category: category, tags: tag.map { [$0] } ?? [], limit: 500),
                        user: viewer.user)) ?? [])
                        .map(\.id))
                matching = visible.filter { ids.contains($0.id) }
            }
            entries = matching.enumerated().sorted { a, b in
                if a.element.definition.isFeatured != b.element.definition.isFeatured {
                    return a.element.definition.isFeatured
                }
                return a.offset < b.offset
            }.map(\.element)
        }
        let local = catalog.localFiles.keys.sorted().filter {
            query.isEmpty || $0.localizedCaseInsensitiveContains(query)
        }
        return Pages.html(
            200,
            Pages.gallery(
                local: local, entries: entries, query: query, category: category, tag: tag, categories: categories,
                user: viewer.user, banner: identityBar(viewer)))
    }

    private enum Loaded {
        case success(ServedUI)
        case failure(HTTPResponse)
    }

    private func load(_ reference: String, _ viewer: Viewer) -> Loaded {
        switch catalog.load(reference, user: viewer.user) {
        case .success(let ui): return .success(ui)
        case .failure(.notFound): return .failure(Pages.notFound())
        case .failure(.invalid(let diagnostics, let sources)):
            return .failure(Pages.invalid(reference, diagnostics, sources: sources))
        case .failure(.missingPrompt(let id)):
            return .failure(
                Pages.html(
                    503,
                    Pages.head(title: "No prompt")
                        + "<main class=\"cui\"><div class=\"cui-gallery\"><h1>This UI's prompt is not available</h1><p>The server has no prompt with id <code>\(Escape.text(id))</code>. Start it with <code>--prompts DIR</code> naming a directory of <code>*.prompt.json</code> files.</p></div></main>\n"
                        + Pages.foot))
        }
    }

    private func newSession(_ ui: ServedUI, _ viewer: Viewer, answers: AnswerSource? = nil) -> LiveSession {
        let id = Self.randomID()
        let live = LiveSession(
            id: id, ui: ui, user: viewer.user,
            makeTransport: { [answers = answers ?? options.answers] ui in Self.transport(for: ui, answers) },
            recorder: catalog.library, pricing: options.pricing, gate: runGate,
            onRunEnd: { [weak self] live, session in self?.runEnded(live, session) })
        state.withLock { $0.sessions[id] = live }
        return live
    }

    private func runnerPage(_ reference: String, query: HTTPRequest, _ viewer: Viewer) -> HTTPResponse {
        let ui: ServedUI
        switch load(reference, viewer) {
        case .success(let loaded): ui = loaded
        case .failure(let response): return response
        }
        let definition = ui.template.definition
        let autoRuns = definition.executionMode.runsOnMount || definition.autoSubmit
        if autoRuns, query.queryValue("run") == "noscript" {
            // The page without script came back (its `<noscript>` refresh): run, streamed as HTML.
            if let site = query.headers["sec-fetch-site"], site != "same-origin", site != "none" {
                return Pages.plainError(403, "cross-site request refused (Sec-Fetch-Site: \(TerminalSafe.clean(site)))")
            }
            if viewer.isAnonymous { return Self.unauthorized(Self.signInRequired("running a UI"), json: false) }
            let live = newSession(ui, viewer)
            let problems = live.start(message: nil, values: [:])
            return problems.hasErrors ? refusedForm(ui, live, problems) : streamedRun(ui, live)
        }
        let live = newSession(ui, viewer)
        var page = Pages.head(
            title: ui.template.definition.name, session: live.id, themed: !live.themeCSS.isEmpty,
            noScriptRefresh: autoRuns ? "/ui/\(Escape.path(reference))?run=noscript" : nil)
        page += "<div id=\"cui-root\" data-session=\"\(live.id)\">\n" + live.pageFragment() + "</div>\n"
        page += ratingBar(ui, viewer, rated: query.queryValue("rated").flatMap(Int.init)) + Pages.foot
        return Pages.html(200, page)
    }

    /// Under a library UI: its rating and use count, and a form to rate it (for viewers who do not own it).
    private func ratingBar(_ ui: ServedUI, _ viewer: Viewer, rated: Int?) -> String {
        guard let library = catalog.library, let uiID = ui.libraryUI,
            let entry = try? library.entry(uiID, user: viewer.user)
        else { return "" }
        var out = "<div class=\"cui-preview-bar cui-rating\">"
        if let average = entry.ratingAverage {
            out +=
                "<span>★ \(String(format: "%.1f", average)) from \(entry.ratingCount) rating\(entry.ratingCount == 1 ? "" : "s")</span>"
        } else {
            out += "<span>not rated yet</span>"
        }
        out += "<span>\(entry.uiUseCount) use\(entry.uiUseCount == 1 ? "" : "s")</span>"
        if let rated { out += "<span class=\"cui-preview-ok\" role=\"status\">You rated it \(rated)</span>" }
        if entry.owner != viewer.user && !viewer.isAnonymous {
            out +=
                "<form method=\"post\" action=\"/rate/\(Escape.path(uiID))\"><fieldset class=\"cui-stars\"><legend>Rate it</legend>"
            for n in 1...5 {
                out +=
                    "<input type=\"radio\" name=\"rating\" value=\"\(n)\" id=\"cui-rate-\(n)\"\(n == (rated ?? 5) ? " checked" : "")><label for=\"cui-rate-\(n)\">\(n)</label>"
            }
            out += "</fieldset><button type=\"submit\" class=\"cui-button\">Rate</button></form>"
        }
        return out + "</div>\n"
    }

    /// POST /rate/{ui}: the viewer's 1–5 rating, under the library's rules (not one's own UI, only what one can see).
    private func rate(_ reference: String, _ request: HTTPRequest, _ viewer: Viewer) -> HTTPResponse {
        guard let library = catalog.library else { return Pages.notFound() }
        if viewer.isAnonymous {
            return Self.unauthorized(Self.signInRequired("rating a UI"), json: Self.wantsJSON(request))
        }
        let form = FormData(request.body)
        guard let rating = form.value("rating").flatMap(Int.init) else {
            return Pages.plainError(422, "choose a rating from 1 to 5")
        }
        do {
            try library.rate(reference, rating: rating, user: viewer.user)
        } catch {
            if error.code.rawValue == "library.not-found" { return Pages.notFound() }
            return Pages.html(
                403,
                Pages.head(title: "Not rated")
                    + "<main class=\"cui\"><div class=\"cui-gallery\"><h1>Not rated</h1><p>\(Escape.text(error.message))</p>"
                    + (error.hint.map { "<p class=\"cui-text cui-tone-muted\">\(Escape.text($0))</p>" } ?? "")
                    + "<p><a href=\"/ui/\(Escape.path(reference))\">Back</a></p></div></main>\n" + Pages.foot)
        }
        return HTTPResponse(
            status: 303,
            headers: [("Location", "/ui/\(Escape.path(reference))?rated=\(rating)")] + Pages.securityHeaders)
    }

    private func events(_ live: LiveSession) -> HTTPResponse {
        let stream = ResponseStream()
        // A retry hint first: a dropped stream reconnects quickly and is brought up to date.
        stream.write("retry: 1000\n\n")
        live.subscribe(stream)
        return HTTPResponse(
            status: 200,
            headers: [
                ("Content-Type", "text/event-stream; charset=utf-8"), ("Cache-Control", "no-store"),
                ("X-Accel-Buffering", "no"),
            ]
                + Pages.securityHeaders.filter { $0.name != "Cache-Control" },
            body: .stream(stream))
    }

    // MARK: - The author's preview

    private var currentWatcher: FileWatcher? {
        state.withLock { $0.watcher }
    }

    /// Recordings a preview may replay: `*.stream.ndjson` beside the file and in `--replay-dir`.
    func recordings(for path: String) -> [String: String] {
        var directories = [(path as NSString).deletingLastPathComponent]
        if case .replay(_, let directory?, _, _) = options.answers { directories.append(directory) }
        var found: [String: String] = [:]
        for directory in directories {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory))
                ?? [] where name.hasSuffix(".stream.ndjson")
            {
                found[name] = found[name] ?? (directory as NSString).appendingPathComponent(name)
            }
        }
        return found
    }

    private func preview(_ request: HTTPRequest, _ viewer: Viewer) -> HTTPResponse {
        guard let watcher = currentWatcher else { return Pages.notFound() }
        let names = watcher.files.keys.sorted()
        guard let name = request.queryValue("file") ?? (names.count == 1 ? names.first : nil) else {
            var page =
                Pages.head(title: "Preview")
                + "<main class=\"cui\"><div class=\"cui-gallery\"><h1>Preview</h1><ul class=\"cui-gallery-list\">"
            for name in names {
                page +=
                    "<li class=\"cui-gallery-item\"><h2><a href=\"/preview?file=\(Escape.query(name))\">\(Escape.text(name))</a></h2></li>"
            }
            return Pages.html(200, page + "</ul></div></main>\n" + Pages.foot)
        }
        guard let path = watcher.files[name] else { return Pages.notFound() }
        let version = watcher.version(name)
        let watchAttributes = "data-watch=\"\(Escape.text(name))\" data-version=\"\(version)\""
        switch catalog.load("local/" + name, user: viewer.user, path: path) {
        case .failure(.invalid(let diagnostics, let sources)):
            var page = Pages.head(title: "Preview: \(name)", session: "", script: true)
            page += Pages.previewBar(
                name: name, valid: false, summary: DiagnosticRenderer.summary(diagnostics), recordings: [], chosen: nil)
            page += "<div id=\"cui-root\" \(watchAttributes)><main class=\"cui\"><div class=\"cui-gallery\">\n"
            page += Pages.diagnosticsFragment(diagnostics, sources: sources) + "</div></main></div>\n" + Pages.foot
            return Pages.html(200, page)
        case .failure:
            return Pages.notFound()
        case .success(var ui):
            let available = recordings(for: path)
            var answers: AnswerSource?
            var chosen = ui.recording.map { ($0 as NSString).lastPathComponent }
            if let pick = request.queryValue("replay"), let file = available[pick] {
                chosen = pick
                ui.recording = file
                answers = .replay(file: file, directory: nil, pace: true, speed: 1)
            }
            let live = newSession(ui, viewer, answers: answers)
            var page = Pages.head(title: "Preview: \(name)", session: live.id, themed: !live.themeCSS.isEmpty)
            page += Pages.previewBar(
                name: name, valid: true, summary: "no problems", recordings: available.keys.sorted(), chosen: chosen)
            page +=
                "<div id=\"cui-root\" data-session=\"\(live.id)\" \(watchAttributes)>\n" + live.pageFragment()
                + "</div>\n" + Pages.foot
            return Pages.html(200, page)
        }
    }

    private func watch(_ request: HTTPRequest) -> HTTPResponse {
        guard let watcher = currentWatcher, let name = request.queryValue("file"), watcher.files[name] != nil else {
            return Pages.plainError(404, "not watched")
        }
        let stream = ResponseStream()
        stream.write("retry: 500\n\n")
        watcher.subscribe(name, seen: request.queryValue("version").flatMap(Int.init), stream)
        return HTTPResponse(
            status: 200,
            headers: [("Content-Type", "text/event-stream; charset=utf-8"), ("Cache-Control", "no-store")],
            body: .stream(stream))
    }

    // MARK: - Actions

    /// Values the page sent for variables, checked: only variables with an editable input may be
    /// set (hidden variables and read-only ones are refused), and each value must suit its component.
    func variableValues(_ form: FormData, live: LiveSession) -> ([String: String], [Diagnostic]) {
        let editable = live.editableVariables()
        var values: [String: String] = [:]
        var checkbox: [String: [String]] = [:]
        var diagnostics: [Diagnostic] = []
        for (name, value) in form.pairs where name.hasPrefix("vars[") {
            // vars[name], vars[name][] (checkbox), vars[name][other] (a select's own value).
            let inner = name.dropFirst("vars[".count)
            guard let close = inner.firstIndex(of: "]") else { continue }
            let variable = String(inner[..<close])
            let suffix = inner[inner.index(after: close)...]
            guard editable.contains(variable) else {
                let known = live.ui.prompt.variable(variable) != nil
                diagnostics.append(
                    .error(
                        .serveRefusedVariable,
                        known
                            ? "`\(variable)` cannot be set from the page" : "the prompt has no variable `\(variable)`",
                        hint: known
                            ? "the UI fixes this variable (hidden or read-only in its execution mode)"
                            : "send only the form's fields"))
                continue
            }
            switch suffix {
            case "": if values[variable] == nil || values[variable] == "" { values[variable] = value }
            case "[]": checkbox[variable, default: []].append(value)
            case "[other]": if !value.isEmpty { values[variable] = value }
            default: continue
            }
        }
        for (variable, chosen) in checkbox { values[variable] = chosen.joined(separator: ", ") }
        // A checkbox group with nothing ticked, or a toggle switched off, sends nothing.
        for name in editable where values[name] == nil {
            guard let component = live.ui.prompt.variable(name)?.component else { continue }
            if component.kind == .checkbox { values[name] = "" }
            if component.kind == .toggle {
                values[name] = (component.toggleValues ?? ComponentValues.defaultToggleValues).first ?? ""
            }
        }
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            guard let variable = live.ui.prompt.variable(name),
                let problem = ComponentValues.problem(with: value, for: variable)
            else { continue }
            diagnostics.append(.error(.serveInvalidValue, "`\(name)`: \(problem.message)", hint: problem.hint))
        }
        return (values, diagnostics)
    }

    private func action(_ live: LiveSession, _ request: HTTPRequest, _ viewer: Viewer) -> HTTPResponse {
        let form = FormData(request.body)
        let diagnostics: [Diagnostic]
        let action = form.value("action") ?? "run"
        // A run is recorded (and counted as a use) under the viewer's name: not for an anonymous one.
        if viewer.isAnonymous, action == "run" || action == "follow-up" {
            return Self.unauthorized(Self.signInRequired("running a UI"), json: true)
        }
        switch action {
        case "run":
            let (values, problems) = variableValues(form, live: live)
            if problems.hasErrors {
                diagnostics = problems
            } else {
                let message = form.value("message").flatMap { $0.isEmpty ? nil : $0 }
                diagnostics = live.start(message: message, values: values)
            }
        case "follow-up":
            let text = form.value("follow_up") ?? ""
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                diagnostics = [.error(.serveInvalidValue, "the follow-up is empty", hint: "type a message first")]
            } else if !live.ui.template.definition.executionMode.continuesConversation {
                diagnostics = [.error(.runRefused, "this mode does not continue the conversation")]
            } else {
                diagnostics = live.start(message: text, values: [:])
            }
        case "cancel":
            live.cancel()
            diagnostics = []
        case "reset":
            diagnostics = live.reset()
        case let other:
            diagnostics = [
                .error(
                    .serveInvalidValue, "unknown action `\(TerminalSafe.clean(other))`",
                    hint: "run, follow-up, cancel or reset")
            ]
        }
        return Self.json(diagnostics)
    }

    static func json(_ diagnostics: [Diagnostic]) -> HTTPResponse {
        let list: [Value] = diagnostics.map { d in
            var object = ValueObject()
            object["code"] = .string(d.code.rawValue)
            object["message"] = .string(d.message)
            object["hint"] = d.hint.map(Value.string) ?? .null
            // The variable a diagnostic is about, for the runtime to show it next to its input.
            if d.message.hasPrefix("`"), let end = d.message.dropFirst().firstIndex(of: "`") {
                object["variable"] = .string(String(d.message[d.message.index(after: d.message.startIndex)..<end]))
            }
            return .object(object)
        }
        let ok = !diagnostics.hasErrors
        return HTTPResponse(
            status: ok ? 200 : 422, contentType: "application/json; charset=utf-8",
            text: JSONWriter().string(["ok": .bool(ok), "diagnostics": .array(list)]),
            headers: [("Cache-Control", "no-store")])
    }

    /// Without script: the form posts to the page, and the answer streams into the page as chunked
    /// HTML (settled blocks as they settle), followed by the finished UI.
    private func formPost(_ reference: String, _ request: HTTPRequest, _ viewer: Viewer) -> HTTPResponse {
        let ui: ServedUI
        switch load(reference, viewer) {
        case .success(let loaded): ui = loaded
        case .failure(let response): return response
        }
        let form = FormData(request.body)
        // The page's session, carried in the form (the same capability the script path uses in its
        // URLs): a follow-up continues that conversation. Another UI's session, or one that is gone,
        // starts afresh.
        let action = form.value("action") ?? "run"
        if viewer.isAnonymous, action != "cancel", action != "reset" {
            return Self.unauthorized(Self.signInRequired("running a UI"), json: false)
        }
        let live: LiveSession
        if let id = form.value("session"), let existing = session(id), existing.ui.reference == ui.reference,
            existing.user == viewer.user
        {
            live = existing
        } else {
            live = newSession(ui, viewer)
        }
        var problems: [Diagnostic]
        switch action {
        case "follow-up":
            let text = form.value("follow_up") ?? ""
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                problems = [.error(.serveInvalidValue, "the follow-up is empty", hint: "type a message first")]
            } else if !ui.template.definition.executionMode.continuesConversation {
                problems = [.error(.runRefused, "this mode does not continue the conversation")]
            } else {
                problems = live.start(message: text, values: [:])
            }
        case "cancel":
            live.cancel()
            return Pages.html(200, noScriptPage(ui, live))
        case "reset":
            problems = live.reset()
            if !problems.hasErrors { return Pages.html(200, noScriptPage(ui, live)) }
        default:
            let values: [String: String]
            (values, problems) = variableValues(form, live: live)
            let message = form.value("message").flatMap { $0.isEmpty ? nil : $0 }
            if !problems.hasErrors { problems = live.start(message: message, values: values) }
        }
        if problems.hasErrors { return refusedForm(ui, live, problems) }
        return streamedRun(ui, live)
    }

    /// A page without script showing the UI as it stands (its form carries the session).
    private func noScriptPage(_ ui: ServedUI, _ live: LiveSession, errors: [Diagnostic] = []) -> String {
        var page = Pages.head(
            title: ui.template.definition.name, session: live.id, themed: !live.themeCSS.isEmpty, script: false)
        page += "<div id=\"cui-root\">\n"
        if !errors.isEmpty {
            page += "<div class=\"cui-form-errors\" role=\"alert\">"
            for d in errors {
                page +=
                    "<p class=\"cui-field-error\">\(Escape.text(d.message))\(d.hint.map { " (" + Escape.text($0) + ")" } ?? "")</p>"
            }
            page += "</div>\n"
        }
        return page + live.pageFragment(noScript: true) + "</div>\n" + Pages.foot
    }

    /// The form again with the diagnostics that refused it (HTTP 422).
    private func refusedForm(_ ui: ServedUI, _ live: LiveSession, _ problems: [Diagnostic]) -> HTTPResponse {
        Pages.html(422, noScriptPage(ui, live, errors: problems))
    }

    /// The run just started, streamed into the page as chunked HTML: settled blocks as they settle,
    /// then the finished UI.
    private func streamedRun(_ ui: ServedUI, _ live: LiveSession) -> HTTPResponse {
        let stream = ResponseStream(heartbeat: "")
        let head = Pages.head(
            title: ui.template.definition.name, session: live.id, themed: !live.themeCSS.isEmpty, script: false)
        stream.write(
            head
                + "<div id=\"cui-root\">\n<main class=\"cui cui-live-preview\"><div class=\"cui-view\"><p class=\"cui-status cui-status-running\" role=\"status\">Running…</p>\n<div class=\"cui-slot\">"
        )
        live.subscribeHTML(stream)
        return HTTPResponse(
            status: 200, headers: [("Content-Type", "text/html; charset=utf-8")] + Pages.securityHeaders,
            body: .stream(stream))
    }

    // MARK: - Runs

    private func runEnded(_ live: LiveSession, _ session: Session) {
        // Each run of a library UI counts as a use, under the library's rules.
        guard let library = catalog.library, let uiID = live.ui.libraryUI else { return }
        _ = try? library.recordUsage(
            uiID: uiID, user: live.user, runID: session.run.id, variables: session.state.variables,
            success: session.state.runStatus == "completed", error: session.state.run["error"]?["message"]?.stringValue,
            durationMs: session.task?.totalTimeMs)
    }

    static func transport(for ui: ServedUI, _ answers: AnswerSource) -> any StreamTransport {
        switch answers {
        case .backend(let configuration, let name):
            switch name {
            case "agent": return AgentTransport(configuration: configuration)
            case "openai": return OpenAITransport(configuration: configuration)
            default: return UnifiedChatTransport(configuration: configuration)
            }
        case .replay(let file, let directory, let pace, let speed):
            let short =
                ui.reference.hasPrefix("local/")
                ? String(ui.reference.dropFirst(6)) : Catalog.shortName(ui.template.definition.name)
            let slug = ui.template.definition.name.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }
                .joined()
            var candidates: [String] = []
            if let file { candidates.append(file) }
            if let directory {
                candidates += [short, slug, "default"].map {
                    (directory as NSString).appendingPathComponent("\($0).stream.ndjson")
                }
            }
            if let recording = ui.recording { candidates.append(recording) }
            guard let found = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0) }) else {
                return UnavailableTransport(
                    reason:
                        "no recorded answer for this UI (start the server with --replay FILE, --replay-dir DIR or --backend URL)"
                )
            }
            return ReplayTransport(file: URL(fileURLWithPath: found), pace: pace, speed: speed)
        }
    }

    static func randomID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(generator.next() as UInt32, radix: 16).leftPadded(8) }.joined()
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// A transport for a UI with no answer source: every run fails with the reason.
struct UnavailableTransport: StreamTransport {
    let reason: String
    var service: String { "none" }
    func requestData(for request: ExecutionRequest) -> Value { request.recordValue }
    func events(for request: ExecutionRequest) -> AsyncThrowingStream<StreamEvent, Error> {
        AsyncThrowingStream { $0.finish(throwing: StreamFailure(.transport, reason)) }
    }
    func cancel() async {}
}

extension DiagnosticCode {
    /// A page sent a value for a variable it may not set (hidden, read-only or unknown).
    public static let serveRefusedVariable: Self = "serve.refused-variable"
    /// A page sent a value its input would not accept, or an action that does not exist.
    public static let serveInvalidValue: Self = "serve.invalid-value"
}
