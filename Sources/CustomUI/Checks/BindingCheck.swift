import CustomUICore

extension DiagnosticCode {
    /// A path starts with a name that is neither a scope root nor a loop variable.
    public static let bindingUnknownName: Self = "binding.unknown-name"
    /// `props.x` where the props schema has no `x`.
    public static let bindingUnknownProp: Self = "binding.unknown-prop"
    /// A prop used where its schema type cannot work (`each` over a string).
    public static let bindingTypeMismatch: Self = "binding.type-mismatch"
    /// `vars.x`, `<variable name="x">` or `<bind variable="x">` where the prompt has no `x`.
    public static let bindingUnknownVariable: Self = "binding.unknown-variable"
    /// `slots.x` where no slot is named `x`.
    public static let bindingUnknownSlot: Self = "binding.unknown-slot"
    /// `run.x` where `x` is not a run field.
    public static let bindingUnknownRunField: Self = "binding.unknown-run-field"
    /// A `bind` value that reads something other than props.
    public static let bindingBindScope: Self = "binding.bind-scope"
    /// A loop variable that hides a scope root or an enclosing loop variable.
    public static let bindingShadowing: Self = "binding.shadowing"
}

/// The fields of the `run` scope (`RunState.Field`), documented in docs/language.md.
public enum RunScope {
    /// Field names and what each holds.
    public static let fields: [(name: String, summary: String)] = RunState.Field.allCases.map {
        ($0.rawValue, $0.summary)
    }

    static let names = fields.map(\.name)
}

/// Checks every path in every expression against what the scopes hold: the props schema, the
/// prompt's variables, the declared slots, the run fields and the loop variables in scope.
struct BindingCheck {
    let file: SourceFile
    let prompt: Prompt?
    let schema: SchemaNavigator?
    let slots: Set<String>
    var diagnostics: [Diagnostic] = []

    /// What a loop variable stands for: the schemas of its values when it ranges over props.
    enum Local {
        case schemas([Value])
        case unknown
    }

    init(file: SourceFile, prompt: Prompt?, propsSchema: Value?, slots: Set<String>) {
        self.file = file
        self.prompt = prompt
        schema = propsSchema.map(SchemaNavigator.init(root:))
        self.slots = slots
    }

    mutating func check(_ template: CompiledTemplate) {
        for binding in template.bindings {
            checkVariableName(binding.variable, range: binding.variableRange, element: "bind")
            for path in binding.value.paths where path.root != "props" {
                diagnostics.append(
                    .error(
                        .bindingBindScope, "`bind` can only read `props`, not `\(path.root)`", file: file.path,
                        range: path.rootRange,
                        hint: "variables are bound before the prompt runs, when only props are known"))
            }
            check(binding.value, locals: [:])
        }
        check(template.view, locals: [:])
    }

    private mutating func check(_ nodes: [TemplateNode], locals: [String: Local]) {
        for node in nodes {
            switch node {
            case .text(let interpolation):
                for expr in interpolation.expressions { check(expr, locals: locals) }
            case .element(let element):
                for (_, value) in element.attributes.sorted(by: { $0.key < $1.key }) {
                    switch value {
                    case .literal: break
                    case .expression(let expr): check(expr, locals: locals)
                    case .interpolated(let i): for expr in i.expressions { check(expr, locals: locals) }
                    }
                }
                if element.name == "variable", let name = element.literal("name") {
                    checkVariableName(
                        name, range: element.attributeRanges["name"] ?? element.nameRange, element: "variable")
                }
                check(element.children, locals: locals)
            case .conditional(let branches):
                for branch in branches {
                    if let test = branch.test { check(test, locals: locals) }
                    check(branch.children, locals: locals)
                }
            case .loop(let loop):
                check(loop.items, locals: locals)
                let itemType = loopItems(loop.items, locals: locals)
                var inner = locals
                for name in [loop.binding] + (loop.indexBinding.map { [$0] } ?? []) {
                    if Expr.rootNames.contains(name) || locals[name] != nil || name == "loop" {
                        diagnostics.append(
                            .error(
                                .bindingShadowing, "loop variable `\(name)` hides another name in scope",
                                file: file.path,
                                range: loop.bindingRange, hint: "choose another name for `as`/`index`"))
                    }
                }
                inner[loop.binding] = itemType
                if let index = loop.indexBinding { inner[index] = .unknown }
                inner["loop"] = .unknown
                check(loop.children, locals: inner)
            }
        }
    }

    /// What the items of an `each` are, reporting `each` over a prop that is not an array.
    private mutating func loopItems(_ items: Expr, locals: [String: Local]) -> Local {
        guard case .member = items.kind, let path = items.paths.first, path.range == items.range,
            let (schemas, _) = resolve(path, locals: locals, report: false)
        else { return .unknown }
        if let types = schema?.types(schemas), !types.contains("array") {
            diagnostics.append(
                .error(
                    .bindingTypeMismatch,
                    "`each` needs an array, but `\(path.description)` is \(types.sorted().joined(separator: " or "))",
                    file: file.path, range: items.range, hint: "repeat over an array prop, or change the props schema"))
            return .unknown
        }
        return .schemas(schema?.element(schemas, index: nil) ?? [])
    }

    private mutating func check(_ expr: Expr, locals: [String: Local]) {
        for path in expr.paths { _ = resolve(path, locals: locals, report: true) }
    }

    /// Resolves a path to the schemas describing it (for props and loop variables over props).
    private mutating func resolve(_ path: PathReference, locals: [String: Local], report: Bool) -> ([Value], Bool)? {
        if let local = locals[path.root] {
            guard case .schemas(let schemas) = local else { return nil }
            return walk(path, from: schemas, components: path.components[...], report: report, label: path.root)
        }
        switch path.root {
        case "props":
            guard let schema else { return nil }
            return walk(path, from: [schema.root], components: path.components[...], report: report, label: "props")
        case "vars":
            if report, let (component, range) = path.components.first, case .member(let name) = component {
                checkVariableName(name, range: range, element: nil)
            }
        case "slots":
            if report, let (component, range) = path.components.first, case .member(let name) = component,
                !slots.contains(name)
            {
                diagnostics.append(
                    .error(
                        .bindingUnknownSlot, "no slot is named `\(name)`", file: file.path, range: range,
                        hint: Suggestions.didYouMean(name, in: slots)
                            ?? (slots.isEmpty
                                ? "declare one with `<slot name=\"\(name)\"/>`"
                                : "declared slots: " + slots.sorted().map { "`\($0)`" }.joined(separator: ", ")),
                        fixes: fixes(range, name, Suggestions.nearest(to: name, in: slots))))
            }
        case "run":
            if report, let (component, range) = path.components.first, case .member(let name) = component,
                !RunScope.names.contains(name)
            {
                diagnostics.append(
                    .error(
                        .bindingUnknownRunField, "`run` has no field `\(name)`", file: file.path, range: range,
                        hint: Suggestions.didYouMean(name, in: RunScope.names)
                            ?? "run fields: " + RunScope.names.map { "`\($0)`" }.joined(separator: ", "),
                        fixes: fixes(range, name, Suggestions.nearest(to: name, in: RunScope.names))))
            }
        case "broker":
            break
        default:
            if report {
                let known = Expr.rootNames + locals.keys.sorted()
                diagnostics.append(
                    .error(
                        .bindingUnknownName, "unknown name `\(path.root)`", file: file.path, range: path.rootRange,
                        hint: Suggestions.didYouMean(path.root, in: known)
                            ?? "paths start with " + known.map { "`\($0)`" }.joined(separator: ", "),
                        fixes: fixes(path.rootRange, path.root, Suggestions.nearest(to: path.root, in: known))))
            }
        }
        return nil
    }

    private mutating func walk(
        _ path: PathReference, from start: [Value],
        components: ArraySlice<(component: PathComponent, range: SourceRange)>,
        report: Bool, label: String
    ) -> ([Value], Bool)? {
        guard let schema else { return nil }
        var current = start
        var written = label
        for (component, range) in components {
            if current.isEmpty { return ([], true) }
            switch component {
            case .member(let name):
                switch schema.member(current, name) {
                case .found(let next):
                    current = next
                case .unknown(let declared):
                    if report {
                        diagnostics.append(
                            .error(
                                .bindingUnknownProp, "`\(written)` has no property `\(name)` in the props schema",
                                file: file.path,
                                range: range,
                                hint: Suggestions.didYouMean(name, in: declared)
                                    ?? (declared.isEmpty
                                        ? "declare it under `properties` in `props-schema`"
                                        : "declared: " + declared.map { "`\($0)`" }.joined(separator: ", ")),
                                fixes: fixes(range, name, Suggestions.nearest(to: name, in: declared))))
                    }
                    return nil
                }
                written += "." + name
            case .index(let i):
                current = schema.element(current, index: i)
                written += "[\(i)]"
            case .dynamic:
                current = schema.element(current, index: nil)
                written += "[…]"
            }
        }
        return (current, true)
    }

    private mutating func checkVariableName(_ name: String, range: SourceRange, element: String?) {
        guard let prompt, prompt.variable(name) == nil else { return }
        let names = prompt.variables.map(\.name)
        let guesses = Suggestions.nearest(to: name, in: names)
        let what = element.map { "`\($0)` names" } ?? "`vars.\(name)` reads"
        diagnostics.append(
            .error(
                .bindingUnknownVariable, "\(what) a variable the prompt does not declare: `\(name)`", file: file.path,
                range: range,
                hint: Suggestions.didYouMean(name, in: names)
                    ?? (names.isEmpty
                        ? "the prompt declares no variables"
                        : "prompt variables: " + names.map { "`\($0)`" }.joined(separator: ", ")),
                notes: guesses.compactMap { guess in
                    prompt.variable(guess).map {
                        DiagnosticNote("`\(guess)` is declared here", file: prompt.file?.path, range: $0.nameRange)
                    }
                },
                fixes: fixes(range, name, guesses)))
    }

    /// Did-you-mean fixes for a name at `range`, when the source there reads exactly `name`.
    private func fixes(_ range: SourceRange, _ name: String, _ suggestions: [String]) -> [Fix] {
        Fix.replacing(range, in: file, written: name, with: suggestions)
    }
}
