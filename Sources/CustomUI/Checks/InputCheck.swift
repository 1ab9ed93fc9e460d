import CustomUICore

extension DiagnosticCode {
    /// The same variable has two inputs that can be shown together.
    public static let inputDuplicateVariable: Self = "input.duplicate-variable"
    /// A `control=` override that cannot hold the values the variable's component accepts.
    public static let inputIncompatibleControl: Self = "input.incompatible-control"
}

/// Checks the view's variable inputs: each variable placed once (inputs in different branches of
/// one `if` chain are alternatives, not duplicates), and every `control=` able to hold the values
/// of the variable's component.
struct InputCheck {
    let file: SourceFile
    let prompt: Prompt?
    var diagnostics: [Diagnostic] = []

    init(file: SourceFile, prompt: Prompt?) {
        self.file = file
        self.prompt = prompt
    }

    /// An input as placed: the variable (nil for `variables`), where, and which branches lead to it.
    private struct Placement {
        var name: String?
        var range: SourceRange
        var branches: [(chain: ObjectIdentifier, index: Int)]
        var repeated: Bool
    }

    mutating func check(_ template: CompiledTemplate) {
        var placements: [Placement] = []
        collect(template.view, branches: [], repeated: false, into: &placements)
        checkDuplicates(placements)
        for node in template.view {
            node.forEachElement { element in
                guard element.name == "variable", let name = element.literal("name") else { return }
                checkControl(element, variable: name)
            }
        }
    }

    private func collect(
        _ nodes: [TemplateNode], branches: [(chain: ObjectIdentifier, index: Int)], repeated: Bool,
        into out: inout [Placement]
    ) {
        for node in nodes {
            switch node {
            case .element(let e):
                if e.name == "variable", let name = e.literal("name") {
                    out.append(
                        Placement(
                            name: name, range: e.attributeRanges["name"] ?? e.nameRange, branches: branches,
                            repeated: repeated))
                } else if e.name == "variables" {
                    out.append(Placement(name: nil, range: e.nameRange, branches: branches, repeated: repeated))
                }
                collect(e.children, branches: branches, repeated: repeated, into: &out)
            case .conditional(let chain):
                guard let first = chain.first else { continue }
                let id = ObjectIdentifier(first)
                for (index, branch) in chain.enumerated() {
                    collect(branch.children, branches: branches + [(id, index)], repeated: repeated, into: &out)
                }
            case .loop(let loop):
                collect(loop.children, branches: branches, repeated: true, into: &out)
            case .text:
                break
            }
        }
    }

    /// Whether two placements can be on screen together: not when they sit in different branches
    /// of the same `if` chain.
    private static func together(_ a: Placement, _ b: Placement) -> Bool {
        for x in a.branches {
            if let y = b.branches.first(where: { $0.chain == x.chain }), y.index != x.index { return false }
        }
        return true
    }

    private mutating func checkDuplicates(_ placements: [Placement]) {
        for (i, p) in placements.enumerated() {
            if p.repeated {
                diagnostics.append(
                    .error(
                        .inputDuplicateVariable,
                        p.name.map { "the input for `\($0)` is inside `each`, so it is repeated" }
                            ?? "`variables` is inside `each`, so every input is repeated",
                        file: file.path, range: p.range, hint: "place the input once, outside the `each`"))
                continue
            }
            // `variables` shows only the variables without an input of their own, so a `variable`
            // and `variables` never clash; two of either kind for the same variable do.
            guard
                let earlier = placements[..<i].first(where: {
                    !$0.repeated && $0.name == p.name && Self.together(p, $0)
                })
            else { continue }
            let message =
                p.name.map { "`\($0)` already has an input" }
                ?? "`variables` appears twice, so every variable would have two inputs"
            diagnostics.append(
                .error(
                    .inputDuplicateVariable, message, file: file.path, range: p.range,
                    hint:
                        "remove one; to show an input in different places, put them in different branches of one `if`",
                    notes: [DiagnosticNote("first placed here", range: earlier.range)]))
        }
    }

    /// Which controls can hold a component's values: text fields hold anything; otherwise the
    /// control must be the component's own, or select and radio for one another (same options).
    static func compatible(_ control: ControlKind, with kind: ComponentKind?) -> Bool {
        switch control {
        case .text, .textarea: return true
        case .select, .radio: return kind == .select || kind == .radio
        case .checkbox: return kind == .checkbox
        case .toggle: return kind == .toggle
        case .number: return kind == .number
        }
    }

    private mutating func checkControl(_ element: ElementNode, variable name: String) {
        guard let written = element.literal("control"), let control = ControlKind(rawValue: written),
            let variable = prompt?.variable(name)
        else { return }
        let kind = variable.component?.kind
        guard !Self.compatible(control, with: kind) else { return }
        let own = kind?.rawValue ?? "text"
        let why: String
        switch control {
        case .number: why = "a number input holds only numbers"
        case .toggle: why = "a toggle holds only its two values"
        case .select, .radio, .checkbox:
            why = "a \(control.rawValue) needs the variable's options, and a \(own) has none"
        case .text, .textarea: why = ""
        }
        let fits = ControlKind.allCases.filter { Self.compatible($0, with: kind) }.map { "`\($0.rawValue)`" }
        diagnostics.append(
            .error(
                .inputIncompatibleControl, "`\(name)` is a \(own), which `control=\"\(written)\"` cannot hold: \(why)",
                file: file.path,
                range: element.attributeRanges["control"] ?? element.nameRange,
                hint: "use one of " + fits.joined(separator: ", ")
                    + ", or change the variable's `customComponent` in the prompt"))
    }
}
