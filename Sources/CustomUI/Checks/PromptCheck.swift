import CustomUICore

extension DiagnosticCode {
    /// A variable is declared but no message uses it.
    public static let promptUnusedVariable: Self = "prompt.unused-variable"
    /// Two variables share a name.
    public static let promptDuplicateVariable: Self = "prompt.duplicate-variable"
    /// A select, radio or checkbox without options.
    public static let promptMissingOptions: Self = "prompt.missing-options"
    /// A number component whose `min` is above its `max`, or whose `step` is not positive.
    public static let promptInvalidRange: Self = "prompt.invalid-range"
    /// A default value the variable's component would not accept.
    public static let promptInvalidDefault: Self = "prompt.invalid-default"
    /// `toggleValues` without exactly two entries.
    public static let promptToggleValues: Self = "prompt.toggle-values"
}

/// Checks a prompt on its own: placeholders against declared variables, and each variable's
/// `customComponent` for consistency with itself and with its default value.
struct PromptCheck {
    let prompt: Prompt
    var diagnostics: [Diagnostic] = []

    private var path: String? { prompt.file?.path }

    init(prompt: Prompt) { self.prompt = prompt }

    mutating func check() {
        var declared: [String: PromptVariable] = [:]
        for variable in prompt.variables {
            if declared[variable.name] != nil {
                diagnostics.append(
                    .error(
                        .promptDuplicateVariable, "variable `\(variable.name)` is declared twice", file: path,
                        range: variable.nameRange, hint: "remove one of the declarations",
                        notes: [DiagnosticNote("first declared here", range: declared[variable.name]?.nameRange)]))
            } else {
                declared[variable.name] = variable
            }
        }
        var used = Set<String>()
        for message in prompt.messages {
            let template = MessageTemplate(message.content, origin: message.contentOrigin)
            diagnostics += template.diagnostics
            diagnostics += template.check(declared: prompt.variables.map(\.name))
            used.formUnion(template.variableNames)
        }
        for variable in prompt.variables
        where !used.contains(variable.name) && declared[variable.name]?.nameRange == variable.nameRange {
            diagnostics.append(
                .warning(
                    .promptUnusedVariable, "variable `\(variable.name)` is declared but no message uses it", file: path,
                    range: variable.nameRange, hint: "use `{{\(variable.name)}}` in a message, or remove the variable"))
        }
        for variable in prompt.variables { checkComponent(variable) }
    }

    private mutating func checkComponent(_ variable: PromptVariable) {
        guard let c = variable.component else { return }
        let range = variable.range
        switch c.kind {
        case .select, .radio, .checkbox:
            guard let options = c.options, !options.isEmpty else {
                diagnostics.append(
                    .error(
                        .promptMissingOptions, "`\(variable.name)` is a \(c.kind.rawValue) without options", file: path,
                        range: range,
                        hint: "add \"options\": [\"…\", \"…\"] to its customComponent"))
                return
            }
            let value = variable.defaultValue
            guard !value.isEmpty else { return }
            let chosen = c.kind == .checkbox ? ComponentValues.checkboxSelection(value) : [value]
            for choice in chosen where !options.contains(choice) && !c.allowOther {
                diagnostics.append(
                    .error(
                        .promptInvalidDefault, "default `\(choice)` of `\(variable.name)` is not one of its options",
                        file: path,
                        range: range,
                        hint: Suggestions.didYouMean(choice, in: options)
                            ?? "options: " + options.map { "`\($0)`" }.joined(separator: ", ")
                            + " (or set \"allowOther\": true)"))
            }
        case .toggle:
            if let values = c.toggleValues, values.count != 2 {
                diagnostics.append(
                    .error(
                        .promptToggleValues, "`toggleValues` of `\(variable.name)` has \(values.count) entries, not 2",
                        file: path,
                        range: range, hint: "give the off value and the on value: [\"off\", \"on\"]"))
                return
            }
            let values = c.toggleValues ?? ComponentValues.defaultToggleValues
            if !variable.defaultValue.isEmpty || c.toggleValues != nil, !values.contains(variable.defaultValue) {
                diagnostics.append(
                    .error(
                        .promptInvalidDefault,
                        "default `\(variable.defaultValue)` of toggle `\(variable.name)` is neither of its values",
                        file: path, range: range, hint: "use " + values.map { "`\($0)`" }.joined(separator: " or ")))
            }
        case .number:
            if let min = c.min, let max = c.max, max < min {
                diagnostics.append(
                    .error(
                        .promptInvalidRange, "`\(variable.name)` has min \(min) above max \(max)", file: path,
                        range: range,
                        hint: "swap them, or fix the one that is wrong"))
            }
            if let step = c.step, step.isNegative || step.isZero {
                diagnostics.append(
                    .error(
                        .promptInvalidRange, "`\(variable.name)` has step \(step), which is not positive", file: path,
                        range: range,
                        hint: "use a step above 0, or leave it out"))
            }
            let value = variable.defaultValue.trimmingCharacters(in: .whitespaces)
            guard !value.isEmpty else { return }
            guard let n = Number(lexeme: value) else {
                diagnostics.append(
                    .error(
                        .promptInvalidDefault, "default `\(value)` of number `\(variable.name)` is not a number",
                        file: path, range: range,
                        hint: "write a plain number such as `42` or `0.5`"))
                return
            }
            if let min = c.min, n < min {
                diagnostics.append(
                    .error(
                        .promptInvalidDefault, "default \(n) of `\(variable.name)` is below its min \(min)", file: path,
                        range: range))
            } else if let max = c.max, max < n {
                diagnostics.append(
                    .error(
                        .promptInvalidDefault, "default \(n) of `\(variable.name)` is above its max \(max)", file: path,
                        range: range))
            } else if let (below, above) = ComponentValues.offStep(n, c) {
                diagnostics.append(
                    .error(
                        .promptInvalidDefault, "default of `\(variable.name)`: " + ComponentValues.offStepMessage(n, c),
                        file: path,
                        range: range, hint: "use `\(below)` or `\(above)`"))
            }
        case .textarea:
            break
        }
    }
}

/// How component values are written as the strings prompt variables hold.
public enum ComponentValues {
    /// A toggle without `toggleValues` is off or on.
    public static let defaultToggleValues = ["false", "true"]

    /// The options a checkbox value selects: the value lists them separated by commas.
    public static func checkboxSelection(_ value: String) -> [String] {
        value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
