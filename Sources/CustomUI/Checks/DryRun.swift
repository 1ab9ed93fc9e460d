import CustomUICore
import Markdown

/// Evaluates the view once in its initial state (default props merged with the caller's, variable
/// defaults, no run yet), so that expressions that fail with the UI's own data are reported at
/// validation time rather than when a user opens the UI.
struct DryRun {
    let file: SourceFile
    var budget: Budget
    var diagnostics: [Diagnostic] = []
    private var stopped = false

    init(file: SourceFile, limits: ResourceLimits) {
        self.file = file
        budget = Budget(limits)
    }

    mutating func run(_ nodes: [TemplateNode], scope: Scope) {
        for node in nodes where !stopped {
            switch node {
            case .text(let interpolation):
                render(interpolation, scope)
            case .element(let element):
                for name in element.attributes.keys.sorted() {
                    switch element.attributes[name] {
                    case .expression(let expr)?: _ = evaluate(expr, scope)
                    case .interpolated(let i)?: render(i, scope)
                    default: break
                    }
                }
                run(element.children, scope: scope)
            case .conditional(let branches):
                for branch in branches {
                    guard let test = branch.test else {
                        run(branch.children, scope: scope)
                        break
                    }
                    if evaluate(test, scope)?.isTruthy == true {
                        run(branch.children, scope: scope)
                        break
                    }
                }
            case .loop(let loop):
                guard let items = evaluate(loop.items, scope) else { continue }
                let elements: [Value]
                do {
                    elements = try loop.elements(of: items, limits: budget.limits)
                } catch {
                    report(error)
                    continue
                }
                for (index, item) in elements.enumerated() where !stopped {
                    var inner = scope.entering(loop: loop.binding, item: item, index: index, count: elements.count)
                    if let indexName = loop.indexBinding { inner.bind(indexName, .int(index)) }
                    run(loop.children, scope: inner)
                }
            }
        }
    }

    /// Lays the initial state out for a terminal at its narrowest width, as `render --format
    /// terminal` and `run` would, so a view the layout cannot draw is reported here, not when a
    /// user opens the UI. Only a failure is reported (the expressions were checked by `run`).
    mutating func layOut(_ template: CompiledTemplate, prompt: Prompt?, props: Value?) {
        guard !stopped, !diagnostics.hasErrors else { return }
        let (state, _) = RenderState.initial(template, prompt: prompt, props: props)
        var builder = RenderTreeBuilder(template, prompt: prompt, state: state, limits: budget.limits)
        do {
            let tree = try builder.build()
            _ = TerminalRenderer(style: TerminalStyle(width: TerminalRenderer.minimumWidth, color: false)).render(tree)
        } catch {
            var d = error.diagnostic(file: file.path)
            d.message = "with the default props, laying out the view: " + d.message
            diagnostics.append(d)
        }
    }

    private mutating func evaluate(_ expr: Expr, _ scope: Scope) -> Value? {
        do {
            return try Evaluator.evaluate(expr, in: scope, budget: &budget)
        } catch {
            report(error)
            return nil
        }
    }

    private mutating func render(_ interpolation: Interpolation, _ scope: Scope) {
        guard !interpolation.isLiteral else { return }
        do {
            _ = try Evaluator.render(interpolation.segments, in: scope, budget: &budget)
        } catch {
            report(error)
        }
    }

    private mutating func report(_ error: EvaluationError) {
        var d = error.diagnostic(file: file.path)
        d.message = "with the default props, " + d.message
        diagnostics.append(d)
        // A spent budget or a hundred errors say enough; stop rather than repeat.
        if error.code.rawValue.hasPrefix("limit.") || diagnostics.count >= 100 { stopped = true }
    }
}
