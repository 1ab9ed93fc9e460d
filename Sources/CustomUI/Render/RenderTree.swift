import CustomUICore
import Foundation

/// The kind of input a variable gets on screen.
public enum ControlKind: String, Sendable, Hashable, CaseIterable {
    case textarea, text, select, radio, checkbox, toggle, number
}

/// Everything a renderer needs to draw one variable's input.
public struct InputModel: Sendable, Hashable {
    /// The prompt variable.
    public var name: String
    /// The visible label.
    public var label: String
    /// A hint shown under the input.
    public var help: String?
    /// Shown while the input is empty.
    public var placeholder: String?
    /// The input type.
    public var control: ControlKind
    /// Choices for select, radio and checkbox.
    public var options: [String]
    /// Whether a select or radio accepts a value of the user's own.
    public var allowOther: Bool
    /// Off and on values of a toggle.
    public var toggleValues: [String]
    /// Number bounds.
    public var min: Number?
    public var max: Number?
    public var step: Number?
    /// The current value.
    public var value: String
    /// Whether the mode forbids editing (shown, not editable).
    public var readOnly: Bool
}

/// Which action a button performs.
public enum ActionKind: String, Sendable, Hashable {
    case run, cancel, reset
}

/// One turn of the conversation, for `conversation`.
public struct ConversationTurn: Sendable, Hashable {
    /// `user` or `assistant`.
    public var role: String
    /// What was said.
    public var text: String

    /// A turn from its parts.
    public init(role: String, text: String) {
        self.role = role
        self.text = text
    }
}

/// A node of the render tree: the template evaluated against a state, with every value computed
/// and every choice made. Renderers walk it; nothing in it is markup, so escaping happens in the
/// renderers alone.
public indirect enum RenderNode: Sendable, Hashable {
    // Layout
    case view([RenderNode])
    case stack(gap: String, [RenderNode])
    case row(gap: String, align: String, wrap: Bool, [RenderNode])
    case grid(columns: Int, gap: String, [RenderNode])
    case card(title: String?, [RenderNode])
    case section(title: String, level: Int, [RenderNode])
    case heading(level: Int, [RenderNode])
    case paragraph(tone: String, size: String, [RenderNode])
    case divider
    case list(ordered: Bool, items: [[RenderNode]])
    /// `src` is nil when the computed URL was not allowed.
    case image(src: String?, alt: String?, width: Int?, height: Int?)
    // Inline
    case text(String)
    case strong([RenderNode])
    case emphasis([RenderNode])
    case code(String)
    /// `href` is nil when the computed URL was not allowed (the text is kept, the link dropped).
    case link(href: String?, [RenderNode])
    case badge(tone: String, [RenderNode])
    case lineBreak
    // Inputs and actions
    case input(InputModel)
    case messageInput(label: String, placeholder: String?)
    case button(ActionKind, label: String, enabled: Bool)
    case followUp(label: String, placeholder: String?)
    // Outputs
    case slot(name: String, format: SlotFormat, label: String?, placeholder: String?, content: String, streaming: Bool)
    case status(status: String, message: String?)
    case toolEvents([ToolEventSummary])
    case usage(UsageSummary)
    case error(message: String?)
    case conversation([ConversationTurn])
}

/// A tool event as the `tool-events` element shows it.
public struct ToolEventSummary: Sendable, Hashable {
    public var tool: String
    public var event: String
    public var message: String?

    /// A summary from its parts.
    public init(tool: String, event: String, message: String?) {
        self.tool = tool
        self.event = event
        self.message = message
    }
}

/// Token usage, cost and timing of the last run, as `usage` shows it (all optional).
public struct UsageSummary: Sendable, Hashable {
    public var inputTokens: Int?
    public var outputTokens: Int?
    public var totalTokens: Int?
    public var cost: Double?
    public var timeToFirstTokenMs: Int?
    public var totalMs: Int?

    /// `Tokens: 120 in, 340 out`, `Cost: $0.0012`, `First token: 0.41 s`, `Total: 3.20 s`, as
    /// both renderers show them.
    public var lines: [(label: String, value: String)] {
        var out: [(label: String, value: String)] = []
        var tokens: [String] = []
        if let i = inputTokens { tokens.append("\(i) in") }
        if let o = outputTokens { tokens.append("\(o) out") }
        if tokens.isEmpty, let t = totalTokens { tokens.append("\(t)") }
        if !tokens.isEmpty { out.append(("Tokens", tokens.joined(separator: ", "))) }
        if let cost { out.append(("Cost", String(format: "$%.4f", cost))) }
        if let ttft = timeToFirstTokenMs { out.append(("First token", String(format: "%.2f s", Double(ttft) / 1000))) }
        if let total = totalMs { out.append(("Total", String(format: "%.2f s", Double(total) / 1000))) }
        return out
    }

    /// Whether there is anything to show.
    public var isEmpty: Bool {
        inputTokens == nil && outputTokens == nil && totalTokens == nil && cost == nil && timeToFirstTokenMs == nil
            && totalMs == nil
    }
}

/// A container of the render tree, as a sink sees it opened and closed.
public enum RenderContainer: Sendable, Hashable {
    case view
    case stack(gap: String)
    case row(gap: String, align: String, wrap: Bool)
    case grid(columns: Int, gap: String)
    case card(title: String?)
    case section(title: String, level: Int)
    case heading(level: Int)
    case paragraph(tone: String, size: String)
    case list(ordered: Bool)
    case listItem
    case strong
    case emphasis
    case link(href: String?)
    case badge(tone: String)
}

/// Receives the render tree as it is built, depth first: containers opened and closed, leaves
/// in between. `TreeSink` materialises the tree; the HTML renderer writes straight from the events.
public protocol RenderSink {
    /// A container starts; its children follow until `close`.
    mutating func open(_ container: RenderContainer)
    /// The most recently opened container ends.
    mutating func close(_ container: RenderContainer)
    /// A node without children from the template (text, inputs, outputs, …).
    mutating func leaf(_ node: RenderNode)
}

/// A sink that builds the `RenderNode` tree (for the terminal renderer and for tests).
public struct TreeSink: RenderSink {
    private var frames: [(container: RenderContainer, children: [RenderNode], items: [[RenderNode]])] = [
        (.view, [], [])
    ]

    /// An empty sink.
    public init() {}

    public mutating func open(_ container: RenderContainer) {
        frames.append((container, [], []))
    }

    public mutating func close(_ container: RenderContainer) {
        guard frames.count > 1, let frame = frames.popLast() else { return }
        let c = frame.children
        let node: RenderNode
        switch frame.container {
        case .listItem:
            frames[frames.count - 1].items.append(c)
            return
        case .view: node = .view(c)
        case .stack(let gap): node = .stack(gap: gap, c)
        case .row(let gap, let align, let wrap): node = .row(gap: gap, align: align, wrap: wrap, c)
        case .grid(let columns, let gap): node = .grid(columns: columns, gap: gap, c)
        case .card(let title): node = .card(title: title, c)
        case .section(let title, let level): node = .section(title: title, level: level, c)
        case .heading(let level): node = .heading(level: level, c)
        case .paragraph(let tone, let size): node = .paragraph(tone: tone, size: size, c)
        case .list(let ordered): node = .list(ordered: ordered, items: frame.items)
        case .strong: node = .strong(c)
        case .emphasis: node = .emphasis(c)
        case .link(let href): node = .link(href: href, c)
        case .badge(let tone): node = .badge(tone: tone, c)
        }
        frames[frames.count - 1].children.append(node)
    }

    public mutating func leaf(_ node: RenderNode) {
        frames[frames.count - 1].children.append(node)
    }

    /// The finished tree (the view).
    public var result: RenderNode {
        if case .view? = frames.first?.children.first { return frames[0].children[0] }
        return .view(frames.first?.children ?? [])
    }

    /// The text of the leaves so far, for `code`.
    var plainText: String {
        frames.flatMap(\.children).map { node in
            switch node {
            case .text(let s), .code(let s): s
            default: ""
            }
        }.joined()
    }
}
