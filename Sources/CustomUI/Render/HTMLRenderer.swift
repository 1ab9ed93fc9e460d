import CustomUICore
import Markdown

/// Renders a render tree to HTML5. This is the only place template output is escaped: every text
/// and attribute value passes through `HTMLBuffer`, element and attribute names are fixed strings
/// in this file, URLs were allowlisted when the tree was built, and there is no raw-HTML node.
public struct HTMLRenderer: Sendable {
    /// Whether to write a whole document (with stylesheet and CSP) or only the UI's fragment.
    public var fragment: Bool
    /// The page title of a whole document.
    public var title: String
    /// Validated theme values and layout.
    public var theme: Theme
    /// Whether slots are written with their content. The live server writes them empty (its
    /// runtime keeps each slot's content, streamed as patches) when it re-renders the view.
    public var slotBodies = true
    /// Markdown slots' HTML, by slot name, as the caller's `MarkdownStream` wrote it (the live
    /// server: the run's settled blocks and open tail), written instead of parsing the slot again.
    public var markdownSlotHTML: [String: String] = [:]
    /// Hidden fields written first in the view's form (the live server's page without script
    /// carries its session this way, so a follow-up continues the conversation).
    public var hiddenFields: [(name: String, value: String)] = []

    /// The Content-Security-Policy of whole documents: no script of any kind, styles only inline
    /// (ours), images from the web or data: URLs, forms posting back to the page only.
    public static let contentSecurityPolicy =
        "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    /// A renderer.
    public init(fragment: Bool = false, title: String = "Custom UI", theme: Theme = Theme()) {
        self.fragment = fragment
        self.title = title
        self.theme = theme
    }

    /// The HTML of a render tree.
    public func render(_ node: RenderNode) -> String {
        document { writer in writer.node(node) }
    }

    /// The HTML of a template evaluated in a state, written straight from the builder's events
    /// (the same bytes as building the tree and rendering it, without the tree).
    public func render(_ builder: inout RenderTreeBuilder) throws(EvaluationError) -> String {
        var failure: EvaluationError?
        let html = document { writer in
            do throws(EvaluationError) {
                try builder.build(into: &writer)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return html
    }

    private func document(_ body: (inout Writer) -> Void) -> String {
        var out = HTMLBuffer()
        if !fragment {
            out.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            out.raw("<meta http-equiv=\"Content-Security-Policy\" content=\"")
            out.attribute(Self.contentSecurityPolicy)
            out.raw("\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
            out.text(title)
            out.raw("</title>\n<style>\n")
            out.raw(Stylesheet.css)
            if !theme.properties.isEmpty {
                // Values passed Theme's closed grammar: hex colours, bounded lengths, plain font names.
                out.raw(".cui {")
                for (name, value) in theme.properties {
                    out.raw(" \(name): ")
                    out.text(value)
                    out.raw(";")
                }
                out.raw(" }\n")
            }
            out.raw("</style>\n</head>\n<body>\n")
        }
        out.raw("<main class=\"cui cui-layout-")
        out.attribute(theme.layout)
        out.raw("\">\n")
        var writer = Writer(out: out)
        writer.slotBodies = slotBodies
        writer.markdownSlotHTML = markdownSlotHTML
        writer.hiddenFields = hiddenFields
        body(&writer)
        out = writer.out
        out.raw("</main>\n")
        if !fragment { out.raw("</body>\n</html>\n") }
        return out.string
    }

    /// Walks the tree, writing elements; ids are deterministic (derived from names and order).
    struct Writer: RenderSink {
        var out: HTMLBuffer
        var sectionCount = 0
        var cardCount = 0
        var idsUsed: [String: Int] = [:]
        var slotBodies = true
        var markdownSlotHTML: [String: String] = [:]
        var hiddenFields: [(name: String, value: String)] = []

        /// A unique, deterministic id from a prefix and a name (names may repeat: `variables` and `variable`).
        mutating func id(_ prefix: String, _ name: String) -> String {
            var base = prefix + "-"
            for byte in name.utf8 {
                let keep =
                    (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                    || byte == 0x2D || byte == 0x5F
                base.unicodeScalars.append(Unicode.Scalar(keep ? byte : 0x2D))
            }
            let n = idsUsed[base, default: 0]
            idsUsed[base] = n + 1
            return n == 0 ? base : "\(base)-\(n + 1)"
        }

        mutating func nodes(_ list: [RenderNode]) {
            for item in list { node(item) }
        }

        /// `<tag class="base prefix-value">` written piece by piece (no string building on the hot path).
        mutating func open(_ tag: StaticString, _ base: StaticString, _ p1: StaticString, _ v1: String) {
            openStart(tag, base)
            classPair(p1, v1)
            out.raw("\">")
        }

        mutating func open(
            _ tag: StaticString, _ base: StaticString, _ p1: StaticString, _ v1: String, _ p2: StaticString,
            _ v2: String
        ) {
            openStart(tag, base)
            classPair(p1, v1)
            classPair(p2, v2)
            out.raw("\">")
        }

        mutating func open(
            _ tag: StaticString, _ base: StaticString, _ p1: StaticString, _ v1: String, _ p2: StaticString,
            _ v2: String,
            _ p3: StaticString, _ v3: String
        ) {
            openStart(tag, base)
            classPair(p1, v1)
            classPair(p2, v2)
            classPair(p3, v3)
            out.raw("\">")
        }

        private mutating func openStart(_ tag: StaticString, _ base: StaticString) {
            out.raw("<")
            out.raw(tag)
            out.raw(" class=\"")
            out.raw(base)
        }

        private mutating func classPair(_ prefix: StaticString, _ value: String) {
            out.raw(" ")
            out.raw(prefix)
            out.attribute(value)
        }

        mutating func node(_ node: RenderNode) {
            switch node {
            case .view(let children):
                wrap(.view, children)
            case .stack(let gap, let children):
                wrap(.stack(gap: gap), children)
            case .row(let gap, let align, let wrap, let children):
                self.wrap(.row(gap: gap, align: align, wrap: wrap), children)
            case .grid(let columns, let gap, let children):
                wrap(.grid(columns: columns, gap: gap), children)
            case .card(let title, let children):
                wrap(.card(title: title), children)
            case .section(let title, let level, let children):
                wrap(.section(title: title, level: level), children)
            case .heading(let level, let children):
                wrap(.heading(level: level), children)
            case .paragraph(let tone, let size, let children):
                wrap(.paragraph(tone: tone, size: size), children)
            case .divider:
                out.raw("<hr class=\"cui-divider\">\n")
            case .list(let ordered, let items):
                open(.list(ordered: ordered))
                for item in items {
                    open(.listItem)
                    nodes(item)
                    close(.listItem)
                }
                close(.list(ordered: ordered))
            case .image(let src, let alt, let width, let height):
                guard let src else {
                    // The URL was refused; keep the text alternative so nothing silently vanishes.
                    out.raw("<span class=\"cui-image-missing\">")
                    out.text(alt ?? "")
                    out.raw("</span>\n")
                    return
                }
                out.raw("<img class=\"cui-image\" src=\"")
                out.attribute(src)
                out.raw("\" alt=\"")
                out.attribute(alt ?? "")
                out.raw("\"")
                if let width { out.raw(" width=\"\(width)\"") }
                if let height { out.raw(" height=\"\(height)\"") }
                out.raw(">\n")
            case .text(let text):
                out.text(text)
            case .strong(let children):
                wrap(.strong, children)
            case .emphasis(let children):
                wrap(.emphasis, children)
            case .code(let text):
                out.raw("<code>")
                out.text(text)
                out.raw("</code>")
            case .link(let href, let children):
                wrap(.link(href: href), children)
            case .badge(let tone, let children):
                wrap(.badge(tone: tone), children)
            case .lineBreak:
                out.raw("<br>")
            case .input(let model):
                input(model)
            case .messageInput(let label, let placeholder):
                field(id: "cui-message", label: label) { w in
                    w.out.raw("<textarea id=\"cui-message\" name=\"message\" rows=\"3\"")
                    w.placeholder(placeholder)
                    w.out.raw("></textarea>")
                }
            case .button(let kind, let label, let enabled):
                out.raw(
                    "<button type=\"submit\" name=\"action\" value=\"\(kind.rawValue)\" class=\"cui-button cui-\(kind.rawValue)\""
                )
                if !enabled { out.raw(" disabled") }
                out.raw(">")
                out.text(label)
                out.raw("</button>\n")
            case .followUp(let label, let placeholder):
                out.raw("<div class=\"cui-follow-up\">\n")
                field(id: "cui-follow-up", label: label) { w in
                    w.out.raw("<input type=\"text\" id=\"cui-follow-up\" name=\"follow_up\"")
                    w.placeholder(placeholder)
                    w.out.raw(">")
                }
                out.raw(
                    "<button type=\"submit\" name=\"action\" value=\"follow-up\" class=\"cui-button cui-run\">Send</button>\n</div>\n"
                )
            case .slot(let name, let format, let label, let placeholder, let content, let streaming):
                let slotID = id("cui-slot", name)
                out.raw("<div class=\"cui-slot cui-slot-\(format.rawValue)\" id=\"")
                out.attribute(slotID)
                out.raw("\" role=\"region\" aria-live=\"polite\" aria-busy=\"\(streaming)\" aria-label=\"")
                out.attribute(label ?? RenderTreeBuilder.humanize(name))
                out.raw("\">\n")
                if !content.isEmpty, !slotBodies {
                    // Kept by the page: the runtime moves the slot's streamed content in.
                } else if content.isEmpty {
                    out.raw("<p class=\"cui-placeholder\">")
                    out.text(placeholder ?? "")
                    out.raw("</p>\n")
                } else if format == .text {
                    out.raw("<pre class=\"cui-plain\">")
                    out.text(content)
                    out.raw("</pre>\n")
                } else if let html = markdownSlotHTML[name], !html.isEmpty {
                    // The stream's output for this slot: the same renderer's, block by block.
                    out.raw(html)
                } else {
                    // The markdown module's renderer is safe by construction (raw HTML shown as text,
                    // URLs allowlisted); its output is markup we trust, not input.
                    out.raw(MarkdownHTMLRenderer.render(MarkdownParser.parse(content)))
                }
                out.raw("</div>\n")
            case .status(let status, let message):
                out.raw("<p class=\"cui-status cui-status-\(Self.token(status))\" role=\"status\">")
                out.text(Self.statusText(status))
                if let message, !message.isEmpty {
                    out.raw(" — ")
                    out.text(message)
                }
                out.raw("</p>\n")
            case .toolEvents(let events):
                guard !events.isEmpty else { return }
                out.raw("<ul class=\"cui-tool-events\" aria-label=\"Tool calls\">\n")
                for event in events {
                    out.raw("<li><code>")
                    out.text(event.tool)
                    out.raw("</code> ")
                    out.text(event.event)
                    if let message = event.message, !message.isEmpty {
                        out.raw(": ")
                        out.text(message)
                    }
                    out.raw("</li>\n")
                }
                out.raw("</ul>\n")
            case .usage(let usage):
                guard !usage.isEmpty else { return }
                out.raw("<dl class=\"cui-usage\">\n")
                for (term, value) in usage.lines {
                    out.raw("<dt>")
                    out.text(term)
                    out.raw("</dt><dd>")
                    out.text(value)
                    out.raw("</dd>\n")
                }
                out.raw("</dl>\n")
            case .error(let message):
                guard let message else { return }
                out.raw("<div class=\"cui-error\" role=\"alert\">")
                out.text(message)
                out.raw("</div>\n")
            case .conversation(let turns):
                guard !turns.isEmpty else { return }
                out.raw("<ol class=\"cui-conversation\" aria-label=\"Conversation\">\n")
                for turn in turns {
                    let assistant = turn.role == "assistant"
                    out.raw(
                        assistant
                            ? "<li class=\"cui-turn cui-assistant\"><p class=\"cui-role\">Assistant</p>\n"
                            : "<li class=\"cui-turn cui-user\"><p class=\"cui-role\">You</p>\n")
                    if assistant {
                        out.raw(MarkdownHTMLRenderer.render(MarkdownParser.parse(turn.text)))
                    } else {
                        out.raw("<p>")
                        out.text(turn.text)
                        out.raw("</p>\n")
                    }
                    out.raw("</li>\n")
                }
                out.raw("</ol>\n")
            }
        }

        mutating func wrap(_ container: RenderContainer, _ children: [RenderNode]) {
            open(container)
            nodes(children)
            close(container)
        }

        mutating func leaf(_ node: RenderNode) { self.node(node) }

        mutating func open(_ container: RenderContainer) {
            switch container {
            case .view:
                out.raw("<form class=\"cui-view\" method=\"post\" action=\"\">\n")
                for field in hiddenFields {
                    out.raw("<input type=\"hidden\" name=\"")
                    out.attribute(field.name)
                    out.raw("\" value=\"")
                    out.attribute(field.value)
                    out.raw("\">\n")
                }
            case .stack(let gap):
                open("div", "cui-stack", "cui-gap-", gap)
                out.raw("\n")
            case .row(let gap, let align, let wrap):
                open("div", "cui-row", "cui-gap-", gap, "cui-align-", align, "cui-", wrap ? "wrap" : "nowrap")
                out.raw("\n")
            case .grid(let columns, let gap):
                open("div", "cui-grid", "cui-cols-", String(columns), "cui-gap-", gap)
                out.raw("\n")
            case .card(let title):
                if let title, !title.isEmpty {
                    cardCount += 1
                    out.raw("<div class=\"cui-card\" role=\"group\" aria-labelledby=\"cui-card-")
                    out.number(cardCount)
                    out.raw("\">\n<p class=\"cui-card-title\" id=\"cui-card-")
                    out.number(cardCount)
                    out.raw("\">")
                    out.text(title)
                    out.raw("</p>\n")
                } else {
                    out.raw("<div class=\"cui-card\">\n")
                }
            case .section(let title, let level):
                sectionCount += 1
                let headingID = "cui-section-\(sectionCount)"
                out.raw(
                    "<section class=\"cui-section\" aria-labelledby=\"\(headingID)\">\n<h\(level) id=\"\(headingID)\">")
                out.text(title)
                out.raw("</h\(level)>\n")
            case .heading(let level):
                out.raw("<h")
                out.number(level)
                out.raw(" class=\"cui-heading\">")
            case .paragraph(let tone, let size):
                open("p", "cui-text", "cui-tone-", tone, "cui-size-", size)
            case .list(let ordered):
                out.raw(ordered ? "<ol class=\"cui-list\">\n" : "<ul class=\"cui-list\">\n")
            case .listItem:
                out.raw("<li>")
            case .strong:
                out.raw("<strong>")
            case .emphasis:
                out.raw("<em>")
            case .link(let href):
                if let href {
                    out.raw("<a class=\"cui-link\" href=\"")
                    out.attribute(href)
                    out.raw("\" rel=\"noopener noreferrer nofollow\">")
                } else {
                    out.raw("<span class=\"cui-link-refused\">")
                }
            case .badge(let tone):
                open("span", "cui-badge", "cui-tone-", tone)
            }
        }

        mutating func close(_ container: RenderContainer) {
            switch container {
            case .view: out.raw("</form>\n")
            case .stack, .row, .grid, .card: out.raw("</div>\n")
            case .section: out.raw("</section>\n")
            case .heading(let level):
                out.raw("</h")
                out.number(level)
                out.raw(">\n")
            case .paragraph: out.raw("</p>\n")
            case .list(let ordered): out.raw(ordered ? "</ol>\n" : "</ul>\n")
            case .listItem: out.raw("</li>\n")
            case .strong: out.raw("</strong>")
            case .emphasis: out.raw("</em>")
            case .link(let href): out.raw(href == nil ? "</span>" : "</a>")
            case .badge: out.raw("</span>")
            }
        }

        mutating func placeholder(_ text: String?) {
            guard let text, !text.isEmpty else { return }
            out.raw(" placeholder=\"")
            out.attribute(text)
            out.raw("\"")
        }

        /// A labelled field: `<label for=id>` then the control.
        mutating func field(id: String, label: String, help: String? = nil, control: (inout Writer) -> Void) {
            out.raw("<div class=\"cui-field\">\n<label for=\"")
            out.attribute(id)
            out.raw("\">")
            out.text(label)
            out.raw("</label>\n")
            control(&self)
            out.raw("\n")
            if let help, !help.isEmpty {
                out.raw("<p class=\"cui-help\" id=\"")
                out.attribute(id + "-help")
                out.raw("\">")
                out.text(help)
                out.raw("</p>\n")
            }
            out.raw("</div>\n")
        }

        mutating func common(_ model: InputModel, id: String) {
            out.raw(" id=\"")
            out.attribute(id)
            out.raw("\" name=\"")
            out.attribute("vars[\(model.name)]")
            out.raw("\"")
            if let help = model.help, !help.isEmpty {
                out.raw(" aria-describedby=\"")
                out.attribute(id + "-help")
                out.raw("\"")
            }
            if model.readOnly { out.raw(" disabled aria-readonly=\"true\"") }
        }

        mutating func input(_ model: InputModel) {
            let inputID = id("cui-var", model.name)
            switch model.control {
            case .textarea:
                field(id: inputID, label: model.label, help: model.help) { w in
                    w.out.raw("<textarea rows=\"4\"")
                    w.common(model, id: inputID)
                    w.placeholder(model.placeholder)
                    w.out.raw(">")
                    w.out.text(model.value)
                    w.out.raw("</textarea>")
                }
            case .text, .number:
                field(id: inputID, label: model.label, help: model.help) { w in
                    w.out.raw(model.control == .number ? "<input type=\"number\"" : "<input type=\"text\"")
                    w.common(model, id: inputID)
                    if model.control == .number {
                        if let min = model.min { w.out.raw(" min=\"\(min.description)\"") }
                        if let max = model.max { w.out.raw(" max=\"\(max.description)\"") }
                        if let step = model.step { w.out.raw(" step=\"\(step.description)\"") }
                    }
                    w.out.raw(" value=\"")
                    w.out.attribute(model.value)
                    w.out.raw("\"")
                    w.placeholder(model.placeholder)
                    w.out.raw(">")
                }
            case .select:
                field(id: inputID, label: model.label, help: model.help) { w in
                    w.out.raw("<select")
                    w.common(model, id: inputID)
                    w.out.raw(">\n")
                    let isOther = !model.value.isEmpty && !model.options.contains(model.value)
                    for option in model.options {
                        w.out.raw("<option value=\"")
                        w.out.attribute(option)
                        w.out.raw(option == model.value ? "\" selected>" : "\">")
                        w.out.text(option)
                        w.out.raw("</option>\n")
                    }
                    if model.allowOther {
                        w.out.raw(
                            isOther
                                ? "<option value=\"\" selected>Other…</option>\n"
                                : "<option value=\"\">Other…</option>\n")
                    }
                    w.out.raw("</select>")
                    if model.allowOther {
                        w.out.raw("\n<label for=\"")
                        w.out.attribute(inputID + "-other")
                        w.out.raw("\" class=\"cui-other-label\">Other ")
                        w.out.text(model.label.lowercased())
                        w.out.raw("</label>\n<input type=\"text\" id=\"")
                        w.out.attribute(inputID + "-other")
                        w.out.raw("\" name=\"")
                        w.out.attribute("vars[\(model.name)][other]")
                        w.out.raw("\" value=\"")
                        w.out.attribute(isOther ? model.value : "")
                        w.out.raw("\"")
                        if model.readOnly { w.out.raw(" disabled") }
                        w.out.raw(">")
                    }
                }
            case .radio, .checkbox:
                let selected =
                    model.control == .checkbox ? Set(ComponentValues.checkboxSelection(model.value)) : [model.value]
                out.raw("<fieldset class=\"cui-field cui-choices\"")
                if model.readOnly { out.raw(" disabled") }
                out.raw(">\n<legend>")
                out.text(model.label)
                out.raw("</legend>\n")
                for (index, option) in model.options.enumerated() {
                    let optionID = "\(inputID)-\(index + 1)"
                    out.raw(
                        model.control == .radio
                            ? "<div class=\"cui-choice\"><input type=\"radio\" id=\""
                            : "<div class=\"cui-choice\"><input type=\"checkbox\" id=\"")
                    out.attribute(optionID)
                    out.raw("\" name=\"")
                    out.attribute(model.control == .radio ? "vars[\(model.name)]" : "vars[\(model.name)][]")
                    out.raw("\" value=\"")
                    out.attribute(option)
                    out.raw(selected.contains(option) ? "\" checked> <label for=\"" : "\"> <label for=\"")
                    out.attribute(optionID)
                    out.raw("\">")
                    out.text(option)
                    out.raw("</label></div>\n")
                }
                if let help = model.help, !help.isEmpty {
                    out.raw("<p class=\"cui-help\">")
                    out.text(help)
                    out.raw("</p>\n")
                }
                out.raw("</fieldset>\n")
            case .toggle:
                let on = model.toggleValues.count == 2 ? model.toggleValues[1] : "true"
                out.raw("<div class=\"cui-field cui-toggle\">\n<input type=\"checkbox\" role=\"switch\"")
                common(model, id: inputID)
                out.raw(" value=\"")
                out.attribute(on)
                out.raw(model.value == on ? "\" checked>\n<label for=\"" : "\">\n<label for=\"")
                out.attribute(inputID)
                out.raw("\">")
                out.text(model.label)
                out.raw("</label>\n")
                if let help = model.help, !help.isEmpty {
                    out.raw("<p class=\"cui-help\" id=\"")
                    out.attribute(inputID + "-help")
                    out.raw("\">")
                    out.text(help)
                    out.raw("</p>\n")
                }
                out.raw("</div>\n")
            }
        }

        static func token(_ s: String) -> String {
            String(
                s.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || $0 == "-") }.map(Character.init))
        }

        static func statusText(_ status: String) -> String {
            switch status {
            case "idle": "Ready"
            case "starting": "Starting…"
            case "running": "Running…"
            case "streaming": "Writing…"
            case "completed": "Done"
            case "failed": "Failed"
            case "cancelled": "Cancelled"
            default: status
            }
        }
    }
}

/// The renderers' escaping for the few strings of markup that are not a render tree (the pages
/// `customui serve` writes around a UI): the bytes `HTMLBuffer` writes for a double-quoted attribute
/// value, safe in text content and in attributes alike.
public enum HTMLEscaping {
    /// `&`, `<`, `>`, `"` and `'` escaped, NUL replaced.
    public static func escape(_ s: String) -> String {
        var buffer = HTMLBuffer(capacity: s.utf8.count + 16)
        buffer.attribute(s)
        return buffer.string
    }
}

/// A UTF-8 output buffer that escapes text and attribute values; the renderers' one escaping point.
///
/// The bytes live in memory the buffer manages itself: a page is written as thousands of pieces of
/// a few bytes each, and `Array.append(contentsOf:)` cost more per piece than copying the piece.
/// Copies share the storage until one of them writes (checked before every write).
struct HTMLBuffer {
    private final class Storage {
        var base: UnsafeMutablePointer<UInt8>
        var count = 0
        var capacity: Int

        init(capacity: Int) {
            self.capacity = max(capacity, 16)
            base = .allocate(capacity: self.capacity)
        }

        func copy(reserving extra: Int) -> Storage {
            let copy = Storage(capacity: max(capacity, count + extra))
            copy.base.initialize(from: base, count: count)
            copy.count = count
            return copy
        }

        deinit { base.deallocate() }
    }

    private var storage: Storage

    init(capacity: Int = 64 << 10) { storage = Storage(capacity: capacity) }

    /// The bytes written so far.
    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: storage.base, count: storage.count) }

    var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Room for `extra` more bytes in storage this buffer alone holds.
    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if !isKnownUniquelyReferenced(&storage) {
            storage = storage.copy(reserving: extra)
        } else if storage.count + extra > storage.capacity {
            let capacity = max(storage.capacity * 2, storage.count + extra)
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            grown.initialize(from: storage.base, count: storage.count)
            storage.base.deallocate()
            storage.base = grown
            storage.capacity = capacity
        }
    }

    @inline(__always)
    private mutating func append(_ start: UnsafePointer<UInt8>, _ count: Int) {
        guard count > 0 else { return }
        reserve(count)
        (storage.base + storage.count).initialize(from: start, count: count)
        storage.count += count
    }

    @inline(__always)
    private mutating func append(_ s: StaticString) {
        // One-scalar literals (`"<"`) are stored as a scalar, not as bytes: withUTF8Buffer serves both.
        s.withUTF8Buffer { if let start = $0.baseAddress { append(start, $0.count) } }
    }

    /// Markup written by the renderer itself (never input).
    mutating func raw(_ s: StaticString) {
        append(s)
    }

    /// Markup written by the renderer itself, built from fixed strings and numbers.
    @_disfavoredOverload
    mutating func raw(_ s: String) {
        var s = s
        s.withUTF8 { if let start = $0.baseAddress { append(start, $0.count) } }
    }

    /// A non-negative integer in decimal, without building a string.
    mutating func number(_ n: Int) {
        if n >= 10 { number(n / 10) }
        reserve(1)
        storage.base[storage.count] = UInt8(48 + n % 10)
        storage.count += 1
    }

    /// Text content: `&`, `<`, `>` escaped, so nothing can open a tag.
    mutating func text(_ s: String) {
        var s = s
        s.withUTF8 { append(escaping: $0, quotes: false) }
    }

    /// An attribute value inside double quotes: also `"` and `'` escaped.
    mutating func attribute(_ s: String) {
        var s = s
        s.withUTF8 { append(escaping: $0, quotes: true) }
    }

    private mutating func append(escaping input: UnsafeBufferPointer<UInt8>, quotes: Bool) {
        guard let base = input.baseAddress else { return }
        var start = 0
        for i in 0..<input.count {
            let replacement: StaticString
            switch base[i] {
            case UInt8(ascii: "&"): replacement = "&amp;"
            case UInt8(ascii: "<"): replacement = "&lt;"
            case UInt8(ascii: ">"): replacement = "&gt;"
            case UInt8(ascii: "\"") where quotes: replacement = "&quot;"
            case UInt8(ascii: "'") where quotes: replacement = "&#39;"
            case 0: replacement = "\u{FFFD}"
            default: continue
            }
            append(base + start, i - start)
            append(replacement)
            start = i + 1
        }
        append(base + start, input.count - start)
    }
}
