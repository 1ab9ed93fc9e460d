import CustomUICore

extension DiagnosticCode {
    /// A manual mode without a `run` the user can reach in the initial state.
    public static let modeMissingRunTrigger: Self = "mode.missing-run-trigger"
    /// An element the mode forbids (`run` in one-shot, inputs with hidden variables, …).
    public static let modeForbiddenElement: Self = "mode.forbidden-element"
    /// A variable the mode needs a value for has none (no default, no `bind`, no input).
    public static let modeMissingValue: Self = "mode.missing-value"
    /// A variable with no input in `manual-with-visible-variables`.
    public static let modeUnplacedVariable: Self = "mode.unplaced-variable"
    /// `show-variables` contradicts the mode (an error).
    public static let modeConflictingSetting: Self = "mode.conflicting-setting"
    /// `auto-submit` or `show-variables` written where it has no effect (a warning).
    public static let modeIneffectiveSetting: Self = "mode.ineffective-setting"
    /// A view with no `slot`: every mode runs the prompt, and the answer would have nowhere to go.
    public static let modeMissingSlot: Self = "mode.missing-slot"
    /// A slot after the first: the answer streams into the first slot only, so nothing fills it.
    public static let modeUnfedSlot: Self = "mode.unfed-slot"
}

/// Checks a compiled template against its execution mode, as docs/execution-modes.md defines them.
struct ModeCheck {
    let template: CompiledTemplate
    let document: CustomUIDocument
    let prompt: Prompt?
    let initialScope: Scope
    var diagnostics: [Diagnostic] = []

    private var mode: ExecutionMode { template.definition.executionMode }
    private var path: String? { template.file?.path }

    init(template: CompiledTemplate, document: CustomUIDocument, prompt: Prompt?, initialScope: Scope) {
        self.template = template
        self.document = document
        self.prompt = prompt
        self.initialScope = initialScope
    }

    /// Where the mode is written, for diagnostics about the mode as a whole.
    private var modeRange: SourceRange? {
        document.syntax?.root.attribute("execution-mode")?.valueRange ?? document.syntax?.root.nameRange
    }

    /// Whether the mode is known: not when the root spells a mode setting in a way the template
    /// does not take (`execution_mode=`, `executionMode=`) or names no mode. Then what the default
    /// mode would demand is not reported: one root cause, one error (the attribute's own).
    static func modeIsKnown(_ document: CustomUIDocument) -> Bool {
        guard let root = document.syntax?.root, !document.isDefinitionJSON else { return true }
        let settings = ["execution-mode", "auto-submit", "show-variables"]
        func normalized(_ name: String) -> String { name.lowercased().filter { $0 != "-" && $0 != "_" } }
        for attribute in root.attributes where !settings.contains(attribute.name) {
            if settings.map(normalized).contains(normalized(attribute.name)) { return false }
        }
        if let mode = root.attribute("execution-mode"), ExecutionMode(rawValue: mode.value) == nil { return false }
        return true
    }

    mutating func check() {
        var elements: [ElementNode] = []
        for node in template.view { node.forEachElement { elements.append($0) } }
        guard Self.modeIsKnown(document) else {
            checkSlots(elements)
            return
        }

        // Elements the mode forbids.
        let forbidden: [String: String]
        switch mode {
        case .autoRunOneShot:
            forbidden = [
                "run": "a one-shot UI runs exactly once, on mount",
                "follow-up": "a one-shot UI does not continue the conversation",
                "message-input": "a one-shot UI takes no message from the user",
                "conversation": "a one-shot UI has a single turn",
                "reset": "a one-shot UI cannot run again",
            ]
        case .manualWithHiddenVariables:
            forbidden = [
                "variable": "variables are hidden in this mode and cannot be edited",
                "variables": "variables are hidden in this mode and cannot be edited",
            ]
        default:
            forbidden = [:]
        }
        for element in elements {
            if let reason = forbidden[element.name] {
                diagnostics.append(
                    .error(
                        .modeForbiddenElement, "`\(element.name)` is not allowed in `\(mode.rawValue)`: \(reason)",
                        file: path,
                        range: element.nameRange, hint: hint(forbidding: element.name)))
            }
        }

        // A reachable run trigger.
        if mode.needsRunTrigger {
            let reachable = template.view.contains { reachesRun($0, scope: initialScope) }
            if !reachable {
                let anyRun = elements.contains { $0.name == "run" }
                diagnostics.append(
                    .error(
                        .modeMissingRunTrigger,
                        anyRun
                            ? "no `run` is reachable before the first run in `\(mode.rawValue)`"
                            : "`\(mode.rawValue)` needs a `run` the user can press",
                        file: path, range: modeRange,
                        hint: anyRun
                            ? "a `run` inside an `if` or `each` that is empty or false before the first run can never be pressed; move it out"
                            : "add `<run label=\"…\"/>` to the view, or use `auto-run` to run on mount"))
            }
        }

        // Values every variable needs.
        if let prompt {
            let bound = Set(template.bindings.map(\.variable))
            let placed = Set(elements.filter { $0.name == "variable" }.compactMap { $0.literal("name") })
            let allPlaced = elements.contains { $0.name == "variables" }
            for variable in prompt.variables {
                let hasInput =
                    (placed.contains(variable.name) || allPlaced) && mode.allowsVariableInputs && !mode.runsOnMount
                let hasValue =
                    bound.contains(variable.name) || !variable.defaultValue.isEmpty
                    || variable.component?.kind == .toggle || variable.component?.kind == .checkbox
                if !hasValue && !hasInput {
                    diagnostics.append(
                        .error(
                            .modeMissingValue, "`\(variable.name)` has no value in `\(mode.rawValue)`", file: path,
                            range: modeRange,
                            hint: mode.allowsVariableInputs && !mode.runsOnMount
                                ? "give it a default in the prompt, bind it with `<bind variable=\"\(variable.name)\" value=\"props.…\"/>`, or add `<variable name=\"\(variable.name)\"/>`"
                                : "give it a default in the prompt or bind it with `<bind variable=\"\(variable.name)\" value=\"props.…\"/>`",
                            notes: [DiagnosticNote("declared here", file: prompt.file?.path, range: variable.nameRange)]
                        ))
                }
            }
            let unplaced = prompt.variables.map(\.name).filter { !placed.contains($0) }
            if mode == .manualWithVisibleVariables, !allPlaced, !unplaced.isEmpty {
                let list = unplaced.map { "`\($0)`" }.joined(separator: ", ")
                diagnostics.append(
                    .warning(
                        .modeUnplacedVariable,
                        unplaced.count == 1
                            ? "\(list) has no input, so users cannot see or edit it"
                            : "\(list) have no inputs, so users cannot see or edit them",
                        file: path, range: modeRange,
                        hint: "add `<variable name=\"\(unplaced[0])\"/>` for each, or `<variables/>` for all of them"))
            }
        }

        checkSlots(elements)
        checkSettings(hasInputs: elements.contains { $0.name == "variable" || $0.name == "variables" })
    }

    /// Every mode runs the prompt, and `chunk` events stream into the first slot: a view needs
    /// one, and a second slot would stay empty (docs/language.md, "Where streamed events go").
    private mutating func checkSlots(_ elements: [ElementNode]) {
        guard let first = template.slots.first else {
            let view = document.syntax?.root.childElements.first { $0.name == "view" }
            diagnostics.append(
                .error(
                    .modeMissingSlot, "the view has no `slot`: the answer of a run would have nowhere to go",
                    file: path,
                    range: view?.nameRange ?? modeRange,
                    hint: "add `<slot name=\"answer\"/>` where the answer should appear"))
            return
        }
        for slot in template.slots.dropFirst() {
            let element = elements.first { $0.name == "slot" && $0.literal("name") == slot.name }
            diagnostics.append(
                .warning(
                    .modeUnfedSlot,
                    "slot `\(slot.name)` stays empty: the answer streams into the first slot, `\(first.name)`",
                    file: path,
                    range: element?.attributeRanges["name"] ?? slot.range,
                    hint:
                        "remove it; show other values of the run with `text` and `{{ run.data.… }}` or `{{ broker.… }}`"
                ))
        }
    }

    private mutating func checkSettings(hasInputs: Bool) {
        let root = document.syntax?.root
        let autoSubmit = root?.attribute("auto-submit")
        let showVariables = root?.attribute("show-variables")
        let definition = template.definition
        if mode.runsOnMount, let autoSubmit, !document.isDefinitionJSON {
            diagnostics.append(
                .warning(
                    .modeIneffectiveSetting,
                    "`auto-submit` has no effect in `\(mode.rawValue)`, which always runs on mount",
                    file: path, range: autoSubmit.nameRange, hint: "remove `auto-submit`"))
        }
        if mode == .manualWithVisibleVariables, !definition.showVariables {
            diagnostics.append(
                .error(
                    .modeConflictingSetting,
                    "`show-variables` is false, but `manual-with-visible-variables` shows every variable",
                    file: path, range: showVariables?.valueRange ?? modeRange,
                    hint: "remove `show-variables=\"false\"`, or use `manual-with-hidden-variables`"))
        }
        if mode == .manualWithHiddenVariables, let showVariables, showVariables.value == "true" {
            diagnostics.append(
                .warning(
                    .modeIneffectiveSetting, "`show-variables=\"true\"` has no effect: this mode hides variables",
                    file: path,
                    range: showVariables.valueRange, hint: "remove `show-variables`"))
        }
        if mode == .manual, !definition.showVariables, hasInputs {
            diagnostics.append(
                .warning(
                    .modeIneffectiveSetting,
                    "`show-variables` is false, so the `variable` inputs in the view are not shown",
                    file: path, range: showVariables?.valueRange ?? modeRange,
                    hint: "remove the inputs, or remove `show-variables=\"false\"`"))
        }
    }

    private func hint(forbidding name: String) -> String {
        switch (mode, name) {
        case (.autoRunOneShot, "run"), (.autoRunOneShot, "reset"):
            "remove it, or use `auto-run` to allow running again"
        case (.autoRunOneShot, _):
            "remove it, or use `auto-run`, which continues the conversation"
        default:
            "remove it, or use `manual-with-visible-variables` or `manual` to show inputs"
        }
    }

    /// Whether a `run` in this subtree can be pressed in the initial state (before any run).
    private func reachesRun(_ node: TemplateNode, scope: Scope) -> Bool {
        switch node {
        case .element(let e):
            return e.name == "run" || e.children.contains { reachesRun($0, scope: scope) }
        case .text:
            return false
        case .conditional(let branches):
            for branch in branches {
                let taken: Bool?
                if let test = branch.test {
                    var budget = Budget()
                    taken = (try? Evaluator.evaluate(test, in: scope, budget: &budget))?.isTruthy
                } else {
                    taken = true
                }
                // A test that cannot be decided statically counts as possibly true.
                if taken != false, branch.children.contains(where: { reachesRun($0, scope: scope) }) { return true }
                if taken == true { return false }
            }
            return false
        case .loop(let loop):
            var budget = Budget()
            guard let items = (try? Evaluator.evaluate(loop.items, in: scope, budget: &budget))?.arrayValue,
                let first = items.first
            else { return false }
            let inner = scope.entering(loop: loop.binding, item: first, index: 0, count: items.count)
            return loop.children.contains { reachesRun($0, scope: inner) }
        }
    }
}
