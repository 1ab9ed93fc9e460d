import CustomUI
import CustomUICore
import Foundation
import Markdown
import Streaming

/// How many runs the server has in flight, against its limit (`--max-runs`).
final class RunGate: Sendable {
    let limit: Int
    private let running = Locked(0)

    init(limit: Int) { self.limit = limit }

    /// Takes a place for a run; false when `limit` runs are in flight.
    func enter() -> Bool {
        running.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    /// Gives a run's place back.
    func leave() { running.withLock { $0 = max(0, $0 - 1) } }

    var count: Int { running.withLock { $0 } }
}

/// One open runner page: a `Session` with its conversation, the browser streams subscribed to it,
/// and what the page shows, kept here so a (re)connecting page is brought up to date.
///
/// Patches (docs/serve.md): `view` replaces the UI except the slots' content; `slot` appends the
/// settled HTML once and replaces the open tail, both straight from the session's incremental
/// `MarkdownStream`. A patch never carries the whole slot again (a late link reference
/// definition, which rewrites settled blocks, is the one exception the stream itself makes).
final class LiveSession: Sendable {
    let id: String
    let ui: ServedUI
    private let makeTransport: @Sendable (ServedUI) -> any StreamTransport
    private let onRunEnd: @Sendable (LiveSession, Session) -> Void
    let user: String
    private let theme: Theme
    private let recorder: (any RunRecorder)?
    private let pricing: PricingTable
    private let gate: RunGate?

    /// What changes while the page lives, reached only through `live.withLock`. The session is
    /// replaced on reset (between runs only).
    private struct Live: Sendable {
        var session: Session
        var subscribers: [ResponseStream] = []
        /// Pages without script: the answer's settled HTML is written as it settles, then the finished UI.
        var htmlSubscribers: [ResponseStream] = []
        var running = false
        var started = false
        var view = ""
        var settled = ""
        var tail = ""
        var plainText = ""
        var lastStatus = "idle"
        var lastSeen = Date()
        /// Patches sent and their bytes, for the benchmark and the tests.
        var patchesSent = 0
        var patchBytes = 0
    }
    private let live: Locked<Live>

    init(
        id: String, ui: ServedUI, user: String, makeTransport: @escaping @Sendable (ServedUI) -> any StreamTransport,
        recorder: (any RunRecorder)? = nil, pricing: PricingTable = .standard, gate: RunGate? = nil,
        onRunEnd: @escaping @Sendable (LiveSession, Session) -> Void
    ) {
        self.gate = gate
        self.recorder = recorder
        self.pricing = pricing
        self.id = id
        self.ui = ui
        self.user = user
        self.makeTransport = makeTransport
        self.onRunEnd = onRunEnd
        theme = Theme.from(ui.template.definition, file: nil).0
        let session = Session(
            template: ui.template, prompt: ui.prompt, props: ui.props, transport: makeTransport(ui), recorder: recorder,
            pricing: pricing, user: user)
        live = Locked(Live(session: session))
        live.withLock { $0.view = render($0, slotBodies: false) }
    }

    /// Patches sent to pages so far (the benchmark).
    var patchesSent: Int { live.withLock { $0.patchesSent } }

    /// The slot's element id, as the HTML renderer writes it for the first slot of that name.
    var slotElementID: String? {
        guard let name = ui.template.slots.first?.name else { return nil }
        return "cui-slot-"
            + String(
                name.unicodeScalars.map { c -> Character in
                    let v = c.value
                    let keep =
                        (0x61...0x7A).contains(v) || (0x41...0x5A).contains(v) || (0x30...0x39).contains(v) || v == 0x2D
                        || v == 0x5F
                    return keep ? Character(c) : "-"
                })
    }

    var isTextSlot: Bool { ui.template.slots.first?.format == .text }

    /// The theme's custom properties as a stylesheet (served as a file: the CSP allows no inline style).
    var themeCSS: String {
        guard !theme.properties.isEmpty else { return "" }
        var css = ".cui {"
        for (name, value) in theme.properties { css += " \(name): \(value);" }
        return css + " }\n"
    }

    var layout: String { theme.layout }

    /// The whole page body for a first load: the view with the slots' content (a markdown slot's
    /// from the run's `MarkdownStream`, as the patches sent it).
    /// `noScript`: the form carries the session (a page without script posts its follow-ups with it).
    func pageFragment(noScript: Bool = false) -> String {
        live.withLock { ImagePolicy.rewrite(render($0, slotBodies: true, noScript: noScript)) }
    }

    /// The page fragment and the slot's HTML as the patches built it, read together (tests).
    func pageAndPatchedSlot() -> (page: String, slot: String) {
        live.withLock { (ImagePolicy.rewrite(render($0, slotBodies: true)), $0.settled + $0.tail) }
    }

    /// Whether nothing happened for `interval` and no page is connected.
    func isIdle(for interval: TimeInterval, now: Date) -> Bool {
        live.withLock { $0.subscribers.isEmpty && !$0.running && now.timeIntervalSince($0.lastSeen) > interval }
    }

    /// Variables the page may set: those with an editable input in the view as it is now.
    func editableVariables() -> Set<String> {
        let state = live.withLock { $0.session.state }
        var builder = RenderTreeBuilder(ui.template, prompt: ui.prompt, state: state)
        guard let tree = try? builder.build() else { return [] }
        var names: Set<String> = []
        Self.collectInputs(tree, into: &names)
        return names
    }

    private static func collectInputs(_ node: RenderNode, into names: inout Set<String>) {
        switch node {
        case .input(let model): if !model.readOnly { names.insert(model.name) }
        case .view(let c), .stack(_, let c), .row(_, _, _, let c), .grid(_, _, let c), .card(_, let c),
            .section(_, _, let c),
            .heading(_, let c), .paragraph(_, _, let c), .strong(let c), .emphasis(let c), .link(_, let c),
            .badge(_, let c):
            for child in c { collectInputs(child, into: &names) }
        case .list(_, let items):
            for item in items { for child in item { collectInputs(child, into: &names) } }
        default: break
        }
    }

    /// Adds a browser stream: it gets the current view and slot at once, then every patch. An
    /// auto-run UI (or a manual one with `auto_submit`) starts its first run when its page connects.
    func subscribe(_ stream: ResponseStream) {
        let definition = ui.template.definition
        let autoStart = live.withLock { s in
            s.subscribers.append(stream)
            s.lastSeen = Date()
            send(&s, to: [stream], "view", ["html": .string(ImagePolicy.rewrite(s.view))])
            send(&s, to: [stream], "status", ["status": .string(s.lastStatus)])
            if let slotID = slotElementID {
                if isTextSlot {
                    send(
                        &s, to: [stream], "slot", ["id": .string(slotID), "reset": true, "text": .string(s.plainText)])
                } else {
                    send(
                        &s, to: [stream], "slot",
                        ["id": .string(slotID), "reset": true, "settled": .string(s.settled), "tail": .string(s.tail)])
                }
            }
            return !s.started && (definition.executionMode.runsOnMount || definition.autoSubmit)
        }
        stream.onDisconnect { [weak self, weak stream] in
            guard let self, let stream else { return }
            self.unsubscribe(stream)
        }
        if autoStart { _ = start(message: nil, values: [:], auto: true) }
    }

    /// Adds a page without script (the run has started): it gets the settled HTML so far and then
    /// as it settles, and the whole finished UI at the end.
    func subscribeHTML(_ stream: ResponseStream) {
        live.withLock { s in
            stream.write(isTextSlot ? "<pre class=\"cui-plain\">" + Escape.text(s.plainText) : s.settled)
            if s.running {
                s.htmlSubscribers.append(stream)
            } else {
                finishHTML(s, [stream])
            }
        }
        stream.onDisconnect { [weak self, weak stream] in
            guard let self, let stream else { return }
            self.unsubscribe(stream)
        }
    }

    /// Ends no-script pages: the preview closes, the finished UI follows (the stylesheet hides the preview).
    private func finishHTML(_ s: Live, _ streams: [ResponseStream]) {
        guard !streams.isEmpty else { return }
        let final =
            (isTextSlot ? "</pre>" : "") + "</div></div></main>\n<div class=\"cui-final\">\n"
            + ImagePolicy.rewrite(render(s, slotBodies: true, noScript: true)) + "</div>\n</div>\n" + Pages.foot
        for stream in streams {
            stream.write(final)
            stream.close()
        }
    }

    private func unsubscribe(_ stream: ResponseStream) {
        let (orphaned, session) = live.withLock { s in
            s.subscribers.removeAll { $0 === stream }
            s.htmlSubscribers.removeAll { $0 === stream }
            s.lastSeen = Date()
            return (s.subscribers.isEmpty && s.htmlSubscribers.isEmpty && s.running, s.session)
        }
        // The tab was closed (or navigated away) during a run: cancel it at the backend.
        if orphaned { Task { await session.cancel() } }
    }

    /// Starts a run with the page's values; the diagnostics that refused it, if any.
    func start(message: String?, values: [String: String], auto: Bool = false) -> [Diagnostic] {
        let (session, refused) = prepare(message: message, values: values, auto: auto)
        guard let session else { return refused }
        Task { await self.perform(session, message: message) }
        return []
    }

    /// Runs with the page's values and returns when the run has ended (tests and benchmarks).
    func run(message: String?, values: [String: String]) async -> [Diagnostic] {
        let (session, refused) = prepare(message: message, values: values, auto: false)
        guard let session else { return refused }
        await perform(session, message: message)
        return []
    }

    /// Checks and claims the session for a run: the session to run, or the refusal.
    private func prepare(message: String?, values: [String: String], auto: Bool) -> (Session?, [Diagnostic]) {
        live.withLock { s in prepare(&s, message: message, values: values, auto: auto) }
    }

    private func prepare(_ s: inout Live, message: String?, values: [String: String], auto: Bool) -> (
        Session?, [Diagnostic]
    ) {
        s.lastSeen = Date()
        guard !s.running else {
            return (
                nil, [.error(.runRefused, "a run is already in progress", hint: "wait for it to finish, or cancel it")]
            )
        }
        if auto, s.started { return (nil, []) }
        let session = s.session
        for (name, value) in values { session.setVariable(name, value) }
        let refused = session.preflight(message: message)
        if refused.hasErrors { return (nil, refused) }
        if let gate, !gate.enter() {
            return (
                nil,
                [
                    .error(
                        .runRefused, "the server is already running \(gate.limit) runs, its limit (--max-runs)",
                        hint: "try again when one has finished, or start `customui serve` with a higher --max-runs")
                ]
            )
        }
        s.running = true
        s.started = true
        return (session, [])
    }

    private func perform(_ session: Session, message: String?) async {
        _ = await session.run(message: message) { [weak self] update in self?.handle(update, session) }
        onRunEnd(self, session)
        runStopped()
    }

    private func runStopped() {
        live.withLock { $0.running = false }
        gate?.leave()
    }

    /// Cancels the run in progress (the transport tells the backend).
    func cancel() {
        let (session, active) = live.withLock { s in
            s.lastSeen = Date()
            return (s.session, s.running)
        }
        if active { Task { await session.cancel() } }
    }

    /// Clears the slots and the conversation and restores the variables (a new session); refused
    /// during a run and in `auto-run-one-shot`.
    func reset() -> [Diagnostic] {
        live.withLock { s in
            guard !s.running else {
                return [.error(.runRefused, "cannot reset during a run", hint: "cancel it first")]
            }
            guard ui.template.definition.executionMode != .autoRunOneShot else {
                return [.error(.runRefused, "`auto-run-one-shot` cannot be reset")]
            }
            s.session = Session(
                template: ui.template, prompt: ui.prompt, props: ui.props, transport: makeTransport(ui),
                recorder: recorder, pricing: pricing, user: user)
            s.settled = ""
            s.tail = ""
            s.plainText = ""
            s.view = render(s, slotBodies: false)
            s.lastStatus = "idle"
            let subscribers = s.subscribers
            send(&s, to: subscribers, "view", ["html": .string(ImagePolicy.rewrite(s.view)), "fresh": true])
            send(&s, to: subscribers, "status", ["status": "idle"])
            if let slotID = slotElementID {
                send(&s, to: subscribers, "slot", ["id": .string(slotID), "reset": true, "settled": "", "tail": ""])
            }
            return []
        }
    }

    /// The session's state as the page last showed it (tests and the no-script path read it).
    var currentSession: Session { live.withLock { $0.session } }

    // MARK: - Updates to patches (on the run's task)

    private func handle(_ update: SessionUpdate, _ session: Session) {
        live.withLock { s in
            guard session === s.session else { return }
            switch update {
            case .started:
                s.settled = ""
                s.tail = ""
                s.plainText = ""
                if let slotID = slotElementID {
                    send(
                        &s, to: s.subscribers, "slot",
                        ["id": .string(slotID), "reset": true, "settled": "", "tail": ""])
                }
                refreshView(&s)
            case .text(_, let appended):
                let first = s.settled.isEmpty && s.tail.isEmpty && s.plainText.isEmpty
                slotPatch(&s, appended: appended)
                // The first chunk changes the status (and any test on the slot's text).
                if first { refreshView(&s) }
            case .changed:
                refreshView(&s)
            case .finished:
                slotPatch(&s, appended: nil)
                refreshView(&s)
                s.running = false
                finishHTML(s, s.htmlSubscribers)
                s.htmlSubscribers = []
            }
        }
    }

    private func slotPatch(_ s: inout Live, appended: String?) {
        guard let slotID = slotElementID else { return }
        if isTextSlot {
            guard let appended, !appended.isEmpty else { return }
            s.plainText += appended
            send(&s, to: s.subscribers, SlotPatch(id: slotID, text: appended))
            for stream in s.htmlSubscribers { stream.write(Escape.text(appended)) }
            return
        }
        guard let update = s.session.lastMarkdownUpdate else { return }
        var patch = SlotPatch(id: slotID)
        let finalized = ImagePolicy.rewrite(update.finalized)
        if update.rewritesFinalized {
            s.settled = finalized
            patch.settled = finalized
            patch.replace = true
        } else if !finalized.isEmpty {
            s.settled += finalized
            patch.settled = finalized
            for stream in s.htmlSubscribers { stream.write(finalized) }
        }
        let newTail = ImagePolicy.rewrite(update.tail)
        if newTail != s.tail || patch.settled != nil {
            // A growing tail shares its start with the last one: send what follows the shared part
            // (`keep` counts UTF-16 code units, as the page's strings do).
            let keep = patch.settled == nil ? Self.sharedPrefixUTF16(s.tail, newTail) : 0
            if keep >= 32, let rest = String(newTail.utf16.dropFirst(keep)) {
                patch.keep = keep
                patch.tail = rest
            } else {
                patch.tail = newTail
            }
            s.tail = newTail
        }
        guard patch.settled != nil || patch.tail != nil else { return }
        send(&s, to: s.subscribers, patch)
    }

    /// The length of the common start of two strings in UTF-16 code units, not splitting a pair.
    static func sharedPrefixUTF16(_ a: String, _ b: String) -> Int {
        var count = 0
        var ia = a.utf16.makeIterator()
        var ib = b.utf16.makeIterator()
        while let x = ia.next(), let y = ib.next(), x == y { count += 1 }
        // Do not end between the halves of a surrogate pair.
        if count > 0, count < b.utf16.count {
            let unit = b.utf16[b.utf16.index(b.utf16.startIndex, offsetBy: count - 1)]
            if UTF16.isLeadSurrogate(unit) { count -= 1 }
        }
        return count
    }

    /// Sends the view if it changed, then the status if it changed (a page that sees the status
    /// has the view that goes with it).
    private func refreshView(_ s: inout Live) {
        let html = render(s, slotBodies: false)
        if html != s.view {
            s.view = html
            send(&s, to: s.subscribers, "view", ["html": .string(ImagePolicy.rewrite(html))])
        }
        let status = s.session.state.runStatus
        if status != s.lastStatus {
            s.lastStatus = status
            send(&s, to: s.subscribers, "status", ["status": .string(status)])
        }
    }

    /// The UI as HTML; with `slotBodies`, the first slot (the one the patches fill) holds the
    /// stream's settled HTML and open tail, not a second parse of its text (lock held).
    private func render(_ s: Live, slotBodies: Bool, noScript: Bool = false) -> String {
        var builder = RenderTreeBuilder(ui.template, prompt: ui.prompt, state: s.session.state)
        var renderer = HTMLRenderer(fragment: true, title: ui.template.definition.name, theme: theme)
        renderer.slotBodies = slotBodies
        if noScript { renderer.hiddenFields = [("session", id)] }
        if slotBodies, !isTextSlot, let name = ui.template.slots.first?.name {
            renderer.markdownSlotHTML[name] = s.settled + s.tail
        }
        do {
            return try renderer.render(&builder)
        } catch {
            let diagnostic = error.diagnostic(file: ui.template.file?.path)
            return Pages.diagnosticsFragment([diagnostic], sources: ui.template.file.map { [$0] } ?? [])
        }
    }

    /// Writes a slot patch to streams, merged with the one before it where that one still waits
    /// (a client slower than the stream gets one patch for several; lock held).
    private func send(_ s: inout Live, to streams: [ResponseStream], _ patch: SlotPatch) {
        guard !streams.isEmpty else { return }
        s.patchesSent += 1
        s.patchBytes += patch.encoded().count
        for stream in streams { stream.write(coalescing: patch) }
    }

    /// Writes one SSE event to streams (lock held).
    private func send(_ s: inout Live, to streams: [ResponseStream], _ event: String, _ data: Value) {
        guard !streams.isEmpty else { return }
        let text = "event: \(event)\ndata: \(JSONWriter().string(data))\n\n"
        s.patchesSent += 1
        s.patchBytes += text.utf8.count
        for stream in streams { stream.write(text) }
    }
}

/// A `slot` event (docs/serve.md): what the page does with it is, in order, empty the slot
/// (`reset`), append (or with `replace`, set) the settled HTML, set the open tail (or with `keep`,
/// keep that many UTF-16 code units of the last one and append `tail`); a text slot appends `text`.
struct SlotPatch: CoalescingWrite, Equatable {
    var id: String
    var reset = false
    var settled: String?
    var replace = false
    var tail: String?
    var keep: Int?
    var text: String?

    /// The patch the page would end with after `earlier` then this one, if one patch can say it.
    func merged(after earlier: any CoalescingWrite) -> (any CoalescingWrite)? {
        guard let e = earlier as? SlotPatch, e.id == id, (e.text == nil) == (text == nil) else { return nil }
        if reset { return self }  // the slot starts again: what came before does not matter
        var m = e
        if let text {
            m.text = (e.text ?? "") + text
            return m
        }
        if let settled {
            if replace {
                m.settled = settled
                m.replace = true
            } else {
                m.settled = (e.settled ?? "") + settled
            }
        }
        if let tail {
            if let keep, let earlierTail = e.tail {
                // `keep` counts the tail the earlier patch left: its own kept part, then its text.
                let base = e.keep ?? 0
                if keep >= base {
                    guard let kept = String(earlierTail.utf16.prefix(keep - base)) else { return nil }
                    m.tail = kept + tail
                    m.keep = e.keep
                } else {
                    m.tail = tail
                    m.keep = keep
                }
            } else {
                m.tail = tail
                m.keep = keep
            }
        }
        return m
    }

    func encoded() -> [UInt8] {
        var object = ValueObject()
        object["id"] = .string(id)
        if reset { object["reset"] = true }
        if let text { object["text"] = .string(text) }
        if let settled { object["settled"] = .string(settled) }
        if replace { object["replace"] = true }
        if let keep { object["keep"] = .int(keep) }
        if let tail { object["tail"] = .string(tail) }
        return Array("event: slot\ndata: \(JSONWriter().string(.object(object)))\n\n".utf8)
    }
}

/// Images in streamed answers are shown only when they are inline `data:image/` URLs: any other
/// image the markdown renderer writes (another host, or a path on this server) becomes a link the
/// viewer may follow, so a prompt-injected answer cannot leak data through an image URL, nothing
/// loads on its own, and the page raises no CSP violation.
enum ImagePolicy {
    /// `html` with every `<img src="…">` not holding a `data:image/` URL turned into a link.
    static func rewrite(_ html: String) -> String {
        guard html.contains("<img ") else { return html }
        var out = ""
        var rest = Substring(html)
        while let open = rest.range(of: "<img ") {
            out += rest[..<open.lowerBound]
            let afterOpen = rest[open.lowerBound...]
            guard let close = afterOpen.firstIndex(of: ">") else {
                out += afterOpen
                return out
            }
            let tag = afterOpen[...close]
            rest = afterOpen[afterOpen.index(after: close)...]
            // Attribute values were escaped by our renderers: no `"` or `>` inside them.
            let src = attribute("src", in: tag)
            if let src, src.hasPrefix("data:image/") {
                out += tag
                continue
            }
            let alt = attribute("alt", in: tag) ?? ""
            let label = "Image: " + (alt.isEmpty ? "(no description)" : alt)
            if let src {
                out += "<a class=\"cui-image-link\" href=\"\(src)\" rel=\"noopener noreferrer nofollow\">\(label)</a>"
            } else {
                out += "<span class=\"cui-image-missing\">\(label)</span>"
            }
        }
        out += rest
        return out
    }

    private static func attribute(_ name: String, in tag: Substring) -> String? {
        guard let start = tag.range(of: " \(name)=\"") else { return nil }
        let value = tag[start.upperBound...]
        return String(value[..<(value.firstIndex(of: "\"") ?? value.endIndex)])
    }
}
