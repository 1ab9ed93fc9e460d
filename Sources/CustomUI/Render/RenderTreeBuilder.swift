import CustomUICore

/// The state a UI is rendered in: props, variable values, slot contents, the run and the broker.
public struct RenderState: Sendable {
    /// The effective props (defaults merged with the caller's).
    public var props: Value
    /// Each variable's current value.
    public var variables: [String: String]
    /// Each slot's text so far.
    public var slots: [String: String]
    /// Slots that are still receiving text.
    public var streamingSlots: Set<String>
    /// The current run (the `run` scope).
    public var run: RunState
    /// Broker values.
    public var broker: Value
    /// Earlier turns, for `conversation`.
    public var conversation: [ConversationTurn]

    /// The state before any run: default props merged with `props`, variables from prompt
    /// defaults, bindings and `variables`, empty slots, run `idle`.
    public static func initial(
        _ template: CompiledTemplate, prompt: Prompt?, props: Value? = nil, variables: [String: String] = [:]
    ) -> (state: RenderState, diagnostics: [Diagnostic]) {
        let effective = Validator.effectiveProps(template.definition, caller: props)
        let (values, diagnostics) = VariableValues.initial(
            prompt: prompt, bindings: template.bindings, props: effective, caller: variables, file: template.file)
        var slots: [String: String] = [:]
        for slot in template.slots { slots[slot.name] = "" }
        let state = RenderState(
            props: effective, variables: values, slots: slots, streamingSlots: [],
            run: RunState(model: prompt?.modelID),
            broker: [:], conversation: [])
        return (state, diagnostics)
    }

    /// The expression scope for this state.
    public var scope: Scope {
        var vars = ValueObject()
        for (name, value) in variables.sorted(by: { $0.key < $1.key }) { vars[name] = .string(value) }
        var slotValues = ValueObject()
        for (name, value) in slots.sorted(by: { $0.key < $1.key }) { slotValues[name] = .string(value) }
        return Scope(props: props, vars: .object(vars), slots: .object(slotValues), run: run.value, broker: broker)
    }

    /// `run.status` as templates see it.
    public var runStatus: String { run.status.rawValue }
}

/// Evaluates a compiled template in a state, producing the render tree both renderers walk.
public struct RenderTreeBuilder {
    let template: CompiledTemplate
    let prompt: Prompt?
    let state: RenderState
    var budget: Budget
    private var sectionCounter = 0
    /// Elements evaluated so far: the clock is read at the first and then every 32nd (see `element`).
    private var elementCount = 0

    /// A builder; `build()` evaluates.
    public init(_ template: CompiledTemplate, prompt: Prompt?, state: RenderState, limits: ResourceLimits = .default) {
        self.template = template
        self.prompt = prompt
        self.state = state
        budget = Budget(limits)
    }

    /// The variables a `variable` element places somewhere in the view (`variables` shows the others);
    /// looked up only when a view has `variables`, not on every render.
    private var placedVariables: Set<String> {
        var placed = Set<String>()
        for node in template.view {
            node.forEachElement { e in
                if e.name == "variable", let name = e.literal("name") { placed.insert(name) }
            }
        }
        return placed
    }

    /// The whole view as a render tree; evaluation errors and spent budgets throw with a position.
    public mutating func build() throws(EvaluationError) -> RenderNode {
        var sink = TreeSink()
        try build(into: &sink)
        return sink.result
    }

    /// The whole view, streamed into a sink (the HTML renderer writes from it directly).
    public mutating func build<Sink: RenderSink>(into sink: inout Sink) throws(EvaluationError) {
        sink.open(.view)
        try emit(template.view, state.scope, into: &sink)
        sink.close(.view)
    }

    /// Convenience: build in one call.
    public static func build(
        _ template: CompiledTemplate, prompt: Prompt?, state: RenderState, limits: ResourceLimits = .default
    ) throws(EvaluationError) -> RenderNode {
        var builder = RenderTreeBuilder(template, prompt: prompt, state: state, limits: limits)
        return try builder.build()
    }

    private var mode: ExecutionMode { template.definition.executionMode }

    private mutating func emit<Sink: RenderSink>(_ list: [TemplateNode], _ scope: Scope, into sink: inout Sink)
        throws(EvaluationError)
    {
        for node in list {
            switch node {
            case .text(let interpolation):
                let text = try render(interpolation, scope)
                if !text.isEmpty { sink.leaf(.text(text)) }
            case .element(let element):
                try self.element(element, scope, into: &sink)
            case .conditional(let branches):
                for branch in branches {
                    if let test = branch.test, !(try evaluate(test, scope).isTruthy) { continue }
                    try emit(branch.children, scope, into: &sink)
                    break
                }
            case .loop(let loop):
                let elements = try loop.elements(of: try evaluate(loop.items, scope), limits: budget.limits)
                // One scope for the whole loop, its bindings replaced in place for each item (the same
                // scope `scope.entering` gives, without copying the bindings for every iteration).
                var inner = scope
                for (index, item) in elements.enumerated() {
                    inner.enter(loop: loop.binding, item: item, index: index, count: elements.count)
                    if let indexName = loop.indexBinding { inner.bind(indexName, .int(index)) }
                    try emit(loop.children, inner, into: &sink)
                }
            }
        }
    }

    private mutating func container<Sink: RenderSink>(
        _ container: RenderContainer, _ e: ElementNode, _ scope: Scope, into sink: inout Sink
    ) throws(EvaluationError) {
        sink.open(container)
        try emit(e.children, scope, into: &sink)
        sink.close(container)
    }

    private mutating func element<Sink: RenderSink>(_ e: ElementNode, _ scope: Scope, into sink: inout Sink)
        throws(EvaluationError)
    {
        do {
            // Elements are where the work of a render is (a loop's body, a slot's markdown): the
            // clock is read at the first element, at every 32nd, and before every slot and
            // conversation (whose text the renderers lay out), besides every 256 steps and every
            // bulk charge (`Budget.step`) and every 4 KiB of output; reading it for every element
            // and every interpolation was a tenth of a render.
            try budget.step()
            elementCount += 1
            if elementCount & 31 == 1 { try budget.checkDeadline() }
        } catch {
            throw EvaluationError(error, range: e.nameRange)
        }
        func literal(_ name: String, _ fallback: String) -> String { e.literal(name) ?? fallback }
        switch e.name {
        case "text":
            try container(
                .paragraph(tone: literal("tone", "default"), size: literal("size", "normal")), e, scope, into: &sink)
        case "card": try container(.card(title: try string(e, "title", scope)), e, scope, into: &sink)
        case "badge": try container(.badge(tone: literal("tone", "neutral")), e, scope, into: &sink)
        case "heading": try container(.heading(level: Int(literal("level", "2")) ?? 2), e, scope, into: &sink)
        case "strong": try container(.strong, e, scope, into: &sink)
        case "em": try container(.emphasis, e, scope, into: &sink)
        case "stack": try container(.stack(gap: literal("gap", "medium")), e, scope, into: &sink)
        case "row":
            try container(
                .row(
                    gap: literal("gap", "medium"), align: literal("align", "stretch"),
                    wrap: literal("wrap", "true") == "true"), e, scope, into: &sink)
        case "grid":
            try container(
                .grid(columns: Int(literal("columns", "2")) ?? 2, gap: literal("gap", "medium")), e, scope, into: &sink)
        case "section":
            try container(
                .section(title: try string(e, "title", scope) ?? "", level: Int(literal("level", "2")) ?? 2), e, scope,
                into: &sink)
        case "list": try container(.list(ordered: literal("ordered", "false") == "true"), e, scope, into: &sink)
        case "item": try container(.listItem, e, scope, into: &sink)
        case "divider": sink.leaf(.divider)
        case "image":
            let src = try string(e, "src", scope) ?? ""
            let allowed = URLPolicy.allows(src, image: true) && !src.isEmpty
            sink.leaf(
                .image(
                    src: allowed ? src : nil, alt: try string(e, "alt", scope),
                    width: e.literal("width").flatMap { Int($0) }, height: e.literal("height").flatMap { Int($0) }))
        case "code":
            var inner = TreeSink()
            try emit(e.children, scope, into: &inner)
            sink.leaf(.code(inner.plainText))
        case "link":
            let href = try string(e, "href", scope) ?? ""
            let allowed = URLPolicy.allows(href, image: false) && !href.isEmpty
            try container(.link(href: allowed ? href : nil), e, scope, into: &sink)
        case "br": sink.leaf(.lineBreak)
        case "variable":
            guard showsVariables, let name = e.literal("name") else { return }
            sink.leaf(.input(try input(name, e, scope)))
        case "variables":
            guard showsVariables else { return }
            let placed = placedVariables
            for variable in prompt?.variables ?? [] where !placed.contains(variable.name) {
                sink.leaf(.input(try input(variable.name, nil, scope)))
            }
        case "message-input":
            sink.leaf(
                .messageInput(
                    label: try string(e, "label", scope) ?? "Message", placeholder: try string(e, "placeholder", scope))
            )
        case "run":
            sink.leaf(.button(.run, label: try string(e, "label", scope) ?? "Run", enabled: !isRunning))
        case "cancel":
            sink.leaf(.button(.cancel, label: try string(e, "label", scope) ?? "Cancel", enabled: isRunning))
        case "reset":
            sink.leaf(.button(.reset, label: try string(e, "label", scope) ?? "Reset", enabled: !isRunning))
        case "follow-up":
            sink.leaf(
                .followUp(
                    label: try string(e, "label", scope) ?? "Follow-up",
                    placeholder: try string(e, "placeholder", scope)))
        case "slot":
            do {
                try budget.checkDeadline()
            } catch {
                throw EvaluationError(error, range: e.nameRange)
            }
            let name = literal("name", "response")
            sink.leaf(
                .slot(
                    name: name, format: SlotFormat(attribute: e.literal("format")),
                    label: try string(e, "label", scope),
                    placeholder: try string(e, "placeholder", scope), content: state.slots[name] ?? "",
                    streaming: state.streamingSlots.contains(name)))
        case "status":
            // A finished run shows its final state, not the last progress message; before the
            // first run, a UI that runs on mount is starting, not waiting for the user.
            let status = state.run.status
            let shown = status == .idle && mode.runsOnMount ? "starting" : status.rawValue
            sink.leaf(.status(status: shown, message: status.isFinished ? nil : state.run.statusMessage))
        case "tool-events":
            let events = state.run.toolEvents.map { event in
                ToolEventSummary(tool: event.toolName, event: event.event, message: event.message)
            }
            sink.leaf(.toolEvents(events))
        case "usage":
            let usage = state.run.usage
            let timing = state.run.timing
            sink.leaf(
                .usage(
                    UsageSummary(
                        inputTokens: usage?.inputTokens, outputTokens: usage?.outputTokens,
                        totalTokens: usage?.totalTokens, cost: usage?.cost,
                        timeToFirstTokenMs: timing?.timeToFirstTokenMs, totalMs: timing?.totalMs)))
        case "error":
            sink.leaf(.error(message: state.run.error?.message))
        case "conversation":
            do {
                try budget.checkDeadline()
            } catch {
                throw EvaluationError(error, range: e.nameRange)
            }
            sink.leaf(.conversation(shownTurns))
        default:
            try emit(e.children, scope, into: &sink)
        }
    }

    /// The turns `conversation` shows: all of them, except the last answer while the response
    /// slot (the first declared) still holds it; the slot shows that answer, so a chat never
    /// shows it twice, wherever `conversation` is placed.
    var shownTurns: [ConversationTurn] {
        var turns = state.conversation
        if let last = turns.last, last.role == "assistant", let slot = template.slots.first,
            let content = state.slots[slot.name], !content.isEmpty, content == last.text
        {
            turns.removeLast()
        }
        return turns
    }

    private var isRunning: Bool { state.run.status.isRunning }

    private var showsVariables: Bool {
        mode.allowsVariableInputs && template.definition.showVariables
    }

    private mutating func input(_ name: String, _ e: ElementNode?, _ scope: Scope) throws(EvaluationError) -> InputModel
    {
        let variable = prompt?.variable(name)
        let component = variable?.component
        var control: ControlKind
        switch component?.kind {
        case .textarea?: control = .textarea
        case .toggle?: control = .toggle
        case .radio?: control = .radio
        case .checkbox?: control = .checkbox
        case .select?: control = .select
        case .number?: control = .number
        case nil: control = .text
        }
        if let override = e?.literal("control").flatMap(ControlKind.init(rawValue:)) { control = override }
        return InputModel(
            name: name,
            label: try e.flatMap { e throws(EvaluationError) in try string(e, "label", scope) } ?? Self.humanize(name),
            help: try e.flatMap { e throws(EvaluationError) in try string(e, "help", scope) },
            placeholder: try e.flatMap { e throws(EvaluationError) in try string(e, "placeholder", scope) },
            control: control, options: component?.options ?? [], allowOther: component?.allowOther ?? false,
            toggleValues: component?.toggleValues ?? ComponentValues.defaultToggleValues, min: component?.min,
            max: component?.max,
            step: component?.step, value: state.variables[name] ?? variable?.defaultValue ?? "",
            readOnly: mode.runsOnMount)
    }

    /// `topic` → `Topic`, `max_tokens` → `Max tokens`, `userName` → `User name`.
    public static func humanize(_ name: String) -> String {
        var words: [String] = []
        var current = ""
        for c in name {
            if c == "_" || c == "-" || c == " " {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else if c.isUppercase, !current.isEmpty, current.last?.isLowercase == true {
                words.append(current)
                current = String(c)
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { words.append(current) }
        let sentence = words.map { $0.lowercased() }.joined(separator: " ")
        return sentence.prefix(1).uppercased() + sentence.dropFirst()
    }

    private mutating func string(_ e: ElementNode, _ name: String, _ scope: Scope) throws(EvaluationError) -> String? {
        switch e.attribute(name) {
        case .literal(let s)?: return s
        case .interpolated(let i)?: return try render(i, scope)
        case .expression(let expr)?: return Evaluator.stringify(try evaluate(expr, scope))
        case nil: return nil
        }
    }

    private mutating func render(_ interpolation: Interpolation, _ scope: Scope) throws(EvaluationError) -> String {
        try Evaluator.render(interpolation.segments, in: scope, budget: &budget)
    }

    private mutating func evaluate(_ expr: Expr, _ scope: Scope) throws(EvaluationError) -> Value {
        try Evaluator.evaluate(expr, in: scope, budget: &budget)
    }
}
