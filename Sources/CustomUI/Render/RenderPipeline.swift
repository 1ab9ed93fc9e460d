import CustomUICore
import Foundation
import Markdown

extension DiagnosticCode {
    /// A caller value for a variable its component would not accept.
    public static let renderInvalidVariable: Self = "render.invalid-variable"
    /// A caller value for a variable the prompt does not declare.
    public static let renderUnknownVariable: Self = "render.unknown-variable"
    /// Slot text for a slot the template does not declare.
    public static let renderUnknownSlot: Self = "render.unknown-slot"
}

/// The output format of a render.
public enum RenderFormat: String, Sendable, CaseIterable {
    case html, terminal
}

/// How to render.
public struct RenderOptions: Sendable {
    public var format: RenderFormat
    /// HTML only: the UI's fragment instead of a whole page.
    public var fragment: Bool
    /// Terminal only: width, colour, hyperlinks.
    public var terminal: TerminalStyle
    /// Evaluation budgets.
    public var limits: ResourceLimits

    /// Options from their parts.
    public init(
        format: RenderFormat = .html, fragment: Bool = false, terminal: TerminalStyle = TerminalStyle(),
        limits: ResourceLimits = .default
    ) {
        self.format = format
        self.fragment = fragment
        self.terminal = terminal
        self.limits = limits
    }
}

/// From a validated UI to output: compiles (generating the UI for `json-schema` definitions),
/// checks caller values, builds the render tree and writes HTML or terminal text.
public enum RenderPipeline {
    /// The compiled template of a validated UI; for `json-schema` definitions, the generated one.
    public static func template(for report: ValidationReport, props: Value? = nil, limits: ResourceLimits = .default)
        -> (CompiledTemplate?, [Diagnostic])
    {
        if let template = report.template { return (template, []) }
        guard let document = report.document, document.definition.componentType == .jsonSchema else { return (nil, []) }
        let text = GeneratedUI.templateText(for: document.definition, prompt: report.prompt)
        let file = SourceFile(path: "\(document.file.path) (generated)", text: text)
        guard var generated = CustomUILoader.loadTemplate(file, limits: limits).document else { return (nil, []) }
        generated.definition.propsSchema = document.definition.propsSchema
        generated.definition.defaultProps = document.definition.defaultProps
        generated.propsSchemaDocument = document.propsSchemaDocument
        generated.defaultPropsDocument = document.defaultPropsDocument
        let again = Validator.validate(generated, prompt: report.prompt, props: props, limits: limits)
        // The look is the definition's (validated with it, with positions): the page gets its theme.
        var template = again.template
        template?.definition.layoutConfig = document.definition.layoutConfig
        template?.definition.stylingConfig = document.definition.stylingConfig
        template?.definition.componentType = .jsonSchema
        return (template, again.diagnostics)
    }

    /// Checks values given for variables against their components; the rendering uses only valid ones.
    public static func checkVariables(_ values: [String: String], prompt: Prompt?) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            guard let prompt else { continue }
            guard let variable = prompt.variable(name) else {
                diagnostics.append(
                    .error(
                        .renderUnknownVariable, "the prompt has no variable `\(name)`",
                        hint: Suggestions.didYouMean(name, in: prompt.variables.map(\.name))
                            ?? "variables: " + prompt.variables.map { "`\($0.name)`" }.joined(separator: ", ")))
                continue
            }
            if let problem = ComponentValues.problem(with: value, for: variable) {
                diagnostics.append(.error(.renderInvalidVariable, "`\(name)`: \(problem.message)", hint: problem.hint))
            }
        }
        return diagnostics
    }

    /// Renders a compiled template in the state given by props, variable values and slot texts.
    public static func render(
        _ template: CompiledTemplate, prompt: Prompt?, props: Value? = nil, variables: [String: String] = [:],
        slots: [String: String] = [:], options: RenderOptions = RenderOptions()
    ) -> (output: String?, diagnostics: [Diagnostic]) {
        var diagnostics = checkVariables(variables, prompt: prompt)
        for name in slots.keys.sorted() where !template.slots.contains(where: { $0.name == name }) {
            diagnostics.append(
                .error(
                    .renderUnknownSlot, "the template has no slot `\(name)`",
                    hint: Suggestions.didYouMean(name, in: template.slots.map(\.name))
                        ?? (template.slots.isEmpty
                            ? "it declares no slots"
                            : "slots: " + template.slots.map { "`\($0.name)`" }.joined(separator: ", "))))
        }
        guard !diagnostics.hasErrors else { return (nil, diagnostics) }
        var (state, stateDiagnostics) = RenderState.initial(
            template, prompt: prompt, props: props, variables: variables)
        diagnostics += stateDiagnostics
        for (name, text) in slots { state.slots[name] = text }
        if !slots.isEmpty { state.run.status = .completed }
        return render(template, prompt: prompt, state: state, options: options, diagnostics: diagnostics)
    }

    /// Renders a compiled template in a given state (sessions call this as events arrive).
    public static func render(
        _ template: CompiledTemplate, prompt: Prompt?, state: RenderState, options: RenderOptions,
        diagnostics: [Diagnostic] = []
    ) -> (output: String?, diagnostics: [Diagnostic]) {
        var builder = RenderTreeBuilder(template, prompt: prompt, state: state, limits: options.limits)
        do {
            switch options.format {
            case .html:
                // Written straight from the builder's events: the same bytes as rendering the tree.
                // Validation reports the theme's problems with their positions (`Theme.check`);
                // a refused value is left out of the page.
                let (theme, _) = Theme.from(template.definition, file: template.file?.path)
                let html = try HTMLRenderer(fragment: options.fragment, title: template.definition.name, theme: theme)
                    .render(&builder)
                return (html, diagnostics)
            case .terminal:
                return (TerminalRenderer(style: options.terminal).render(try builder.build()), diagnostics)
            }
        } catch {
            return (nil, diagnostics + [error.diagnostic(file: template.file?.path)])
        }
    }
}

extension ComponentValues {
    /// Why `value` is not acceptable for `variable`'s component, or nil when it is.
    public static func problem(with value: String, for variable: PromptVariable) -> (message: String, hint: String?)? {
        guard let c = variable.component else { return nil }
        let options = c.options ?? []
        func list(_ values: [String]) -> String { values.map { "`\($0)`" }.joined(separator: ", ") }
        switch c.kind {
        case .select, .radio:
            if !options.contains(value), !c.allowOther {
                return (
                    "`\(value)` is not one of its options",
                    Suggestions.didYouMean(value, in: options) ?? "options: \(list(options))"
                )
            }
        case .checkbox:
            for choice in checkboxSelection(value) where !options.contains(choice) && !c.allowOther {
                return (
                    "`\(choice)` is not one of its options",
                    Suggestions.didYouMean(choice, in: options) ?? "options: \(list(options)), separated by commas"
                )
            }
        case .toggle:
            let values = c.toggleValues ?? defaultToggleValues
            if !values.contains(value) { return ("`\(value)` is not one of its values", "use \(list(values))") }
        case .number:
            guard let n = Number(lexeme: value.trimmingCharacters(in: .whitespaces)) else {
                return ("`\(value)` is not a number", "write a plain number such as `42` or `0.5`")
            }
            if let min = c.min, n < min { return ("\(n) is below the minimum \(min)", nil) }
            if let max = c.max, max < n { return ("\(n) is above the maximum \(max)", nil) }
            if let (below, above) = offStep(n, c) { return (offStepMessage(n, c), "use `\(below)` or `\(above)`") }
        case .textarea:
            break
        }
        return nil
    }

    /// The nearest values either side of `n` when it is not `min` (or 0) plus a whole number of
    /// `step`s; nil when it is, or when there is no step. Exact: `0.3` is three steps of `0.1`.
    static func offStep(_ n: Number, _ c: CustomComponent) -> (below: Number, above: Number)? {
        guard let step = c.step, !step.isZero, !step.isNegative else { return nil }
        let base = c.min ?? Number(0)
        let places = [n, base, step].map(NumberMath.decimals).max() ?? 0
        // Each value times 10^places, as an integer (nil when too large to check exactly).
        func scaled(_ x: Number) -> Int? {
            let e = x.exactDecimal
            let shift = e.exponent + places
            guard shift >= 0, e.digits.count + shift <= 17,
                let digits = Int(
                    String(decoding: e.digits, as: UTF8.self).isEmpty ? "0" : String(decoding: e.digits, as: UTF8.self))
            else { return nil }
            var value = digits
            for _ in 0..<shift { value *= 10 }
            return e.negative ? -value : value
        }
        func number(_ v: Int) -> Number {
            Number(exact: ExactDecimal(negative: v < 0, digits: Array(String(v.magnitude).utf8), exponent: -places))
        }
        guard let x = scaled(n), let b = scaled(base), let s = scaled(step), s > 0 else { return nil }
        let r = (x - b) % s
        guard r != 0 else { return nil }
        let below = x - r - (r < 0 ? s : 0)
        return (number(below), number(below + s))
    }

    static func offStepMessage(_ n: Number, _ c: CustomComponent) -> String {
        "\(n) is not a whole number of steps of \(c.step ?? Number(1)) from \(c.min ?? Number(0))"
    }
}

/// The UI generated for `component_type: json-schema`: every prompt can be rendered with no authoring.
public enum GeneratedUI {
    /// A template for the definition: its name and description, its top-level props, inputs for
    /// the variables where the mode allows them, the actions the mode needs, and a response slot.
    public static func templateText(for definition: CustomUIDefinition, prompt: Prompt?) -> String {
        let mode = definition.executionMode
        var view = "    <heading level=\"1\">\(literal(definition.name))</heading>\n"
        if let description = definition.description, !description.isEmpty {
            view += "    <text tone=\"muted\">\(literal(description))</text>\n"
        }
        // Tuning (docs/rendering.md, "Tuning the generated UI"): `layout_config.ui` and the props
        // schema's `title` and `description`.
        let options = GeneratedUIOptions(definition)
        let properties = definition.propsSchema?["properties"]?.objectValue ?? ValueObject()
        let shownProps = options.ordered(properties.keys.map { $0 }).filter {
            !options.hidden.contains($0) && StructureCheck.isIdentifier($0) && !$0.contains("-")
        }
        if !shownProps.isEmpty {
            view += "    <card title=\"Details\">\n"
            for key in shownProps {
                let schema = properties[key] ?? .null
                let label =
                    options.fields[key]?.label ?? schema["title"]?.stringValue ?? RenderTreeBuilder.humanize(key)
                let type = schema["type"]?.stringValue
                let value =
                    type == "array"
                    ? "{{ props.\(key) | join: ', ' }}"
                    : type == "object" ? "{{ props.\(key) | json }}" : "{{ props.\(key) }}"
                var help = ""
                if let text = options.fields[key]?.help ?? schema["description"]?.stringValue, !text.isEmpty {
                    help = "<text tone=\"muted\" size=\"small\">\(literal(text))</text>"
                }
                view +=
                    "      <if test=\"props.\(key) != null\"><text><strong>\(literal(label)):</strong> \(value)</text>\(help)</if>\n"
            }
            view += "    </card>\n"
        }
        var controls = ""
        let variableNames = prompt?.variables.map(\.name) ?? []
        let tuned = variableNames.contains {
            options.order.contains($0) || options.hidden.contains($0) || options.fields[$0] != nil
        }
        if mode.allowsVariableInputs, definition.showVariables, !variableNames.isEmpty {
            if tuned {
                for name in options.ordered(variableNames) where !options.hidden.contains(name) {
                    var attributes = "name=\"\(name)\""
                    let field = options.fields[name]
                    if let label = field?.label { attributes += " label=\"\(attribute(label))\"" }
                    if let help = field?.help { attributes += " help=\"\(attribute(help))\"" }
                    if let placeholder = field?.placeholder {
                        attributes += " placeholder=\"\(attribute(placeholder))\""
                    }
                    if let widget = field?.widget { attributes += " control=\"\(widget.rawValue)\"" }
                    controls += "      <variable \(attributes)/>\n"
                }
            } else {
                controls += "      <variables/>\n"
            }
        }
        if mode == .manualWithHiddenVariables || mode == .manual {
            controls += "      <message-input label=\"Message\" placeholder=\"Anything to add?\"/>\n"
        }
        if mode.needsRunTrigger || mode == .autoRun {
            controls += "      <row>\n        <run label=\"Run\"/>\n        <cancel/>\n      </row>\n"
        }
        if !controls.isEmpty { view += "    <card>\n" + controls + "    </card>\n" }
        view += "    <status/>\n"
        if mode.continuesConversation { view += "    <conversation/>\n" }
        view +=
            "    <slot name=\"response\" format=\"markdown\" label=\"Response\" placeholder=\"The response appears here\"/>\n"
        view += "    <tool-events/>\n    <error/>\n"
        if mode.continuesConversation {
            view +=
                "    <if test=\"run.status == 'completed'\">\n      <follow-up label=\"Follow-up\" placeholder=\"Ask a follow-up question\"/>\n    </if>\n"
        }
        view += "    <usage/>\n"
        var attributes = "name=\"\(XMLText.escapeAttribute(definition.name))\" execution-mode=\"\(mode.rawValue)\""
        if !definition.showVariables { attributes += " show-variables=\"false\"" }
        return "<custom-ui \(attributes)>\n  <view>\n\(view)  </view>\n</custom-ui>\n"
    }

    /// An attribute value that stays literal: XML-escaped, and `{{` written as an expression.
    static func attribute(_ text: String) -> String {
        XMLText.escapeAttribute(text).replacingOccurrences(of: "{{", with: "{{ '{{' }}")
    }

    /// Text that stays literal in a template: XML-escaped, and `{{` written as an expression.
    static func literal(_ text: String) -> String {
        XMLText.escapeText(text).replacingOccurrences(of: "{{", with: "{{ '{{' }}")
    }
}
