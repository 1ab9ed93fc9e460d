import CustomUICore
import JSONSchema

extension DiagnosticCode {
    /// A comparison with a value the compared path can never hold (`run.status == 'complete'`).
    public static let bindingImpossibleValue: Self = "binding.impossible-value"
}

/// Checks comparisons against values the compiler knows all of: `run.status`, props whose schema
/// gives an `enum` or `const`, and variables whose component has fixed options (a select or radio
/// without `allowOther`, a toggle). `==`, `!=`, `in` and `not in` with a string literal that can
/// never match are errors at the literal, with a did-you-mean.
struct ValueCheck {
    let file: SourceFile
    let prompt: Prompt?
    let schema: SchemaNavigator?
    var diagnostics: [Diagnostic] = []

    /// The values `run.status` takes.
    static let runStatuses = RunState.Status.allCases.map(\.rawValue)

    init(file: SourceFile, prompt: Prompt?, propsSchema: Value?) {
        self.file = file
        self.prompt = prompt
        schema = propsSchema.map(SchemaNavigator.init(root:))
    }

    mutating func check(_ template: CompiledTemplate) {
        var expressions: [Expr] = []
        func collect(_ nodes: [TemplateNode]) {
            for node in nodes {
                switch node {
                case .text(let interpolation): expressions += interpolation.expressions
                case .element(let element):
                    for (_, value) in element.attributes.sorted(by: { $0.key < $1.key }) {
                        switch value {
                        case .literal: break
                        case .expression(let expr): expressions.append(expr)
                        case .interpolated(let i): expressions += i.expressions
                        }
                    }
                    collect(element.children)
                case .conditional(let branches):
                    for branch in branches {
                        if let test = branch.test { expressions.append(test) }
                        collect(branch.children)
                    }
                case .loop(let loop):
                    expressions.append(loop.items)
                    collect(loop.children)
                }
            }
        }
        collect(template.view)
        for expr in expressions {
            expr.walk { node in
                guard case .binary(let op, let lhs, let rhs) = node.kind else { return }
                switch op {
                case .equal, .notEqual:
                    compare(lhs, rhs)
                    compare(rhs, lhs)
                case .in, .notIn:
                    guard case .array(let items) = rhs.kind else { return }
                    for item in items { compare(lhs, item) }
                default:
                    break
                }
            }
        }
    }

    /// A path written as `root.a.b` (members only), or nil.
    static func path(_ expr: Expr) -> (root: String, members: [String])? {
        switch expr.kind {
        case .variable(let root): return (root, [])
        case .member(let base, let name, _):
            guard let (root, members) = path(base) else { return nil }
            return (root, members + [name])
        default: return nil
        }
    }

    private mutating func compare(_ pathExpr: Expr, _ literal: Expr) {
        guard case .literal(.string(let written)) = literal.kind, let (root, members) = Self.path(pathExpr),
            let (name, known) = values(root: root, members: members), !known.contains(written)
        else { return }
        let list = known.map { "`\($0)`" }.joined(separator: ", ")
        let guesses = Suggestions.nearest(to: written, in: known)
        // The literal keeps its quotes: the fix replaces what is between them when that is `written`.
        let source = file.text(in: literal.range)
        var fixes: [Fix] = []
        if let quote = source.first, quote == "'" || quote == "\"", source == "\(quote)\(written)\(quote)",
            literal.range.end.offset - literal.range.start.offset >= 2
        {
            let inner = file.range(literal.range.start.offset + 1, literal.range.end.offset - 1)
            fixes = Fix.replacing(inner, in: file, written: written, with: guesses.filter { !$0.contains(quote) })
        }
        diagnostics.append(
            .error(
                .bindingImpossibleValue, "`\(name)` is never `'\(written)'`", file: file.path, range: literal.range,
                hint: Suggestions.didYouMean(guesses).map { "\($0) (`\(name)` is one of \(list))" }
                    ?? "`\(name)` is one of \(list)",
                fixes: fixes))
    }

    /// The complete list of values a path can hold, when the compiler knows it.
    private func values(root: String, members: [String]) -> (String, [String])? {
        let name = ([root] + members).joined(separator: ".")
        switch root {
        case "run":
            return members == ["status"] ? (name, Self.runStatuses) : nil
        case "vars":
            guard members.count == 1, let variable = prompt?.variable(members[0]), let component = variable.component
            else { return nil }
            switch component.kind {
            case .select, .radio:
                guard !component.allowOther, let options = component.options, !options.isEmpty else { return nil }
                return (name, options)
            case .toggle:
                return (name, component.toggleValues ?? ComponentValues.defaultToggleValues)
            default:
                return nil
            }
        case "props":
            guard let schema, !members.isEmpty else { return nil }
            var current = [schema.root]
            for member in members {
                guard case .found(let next) = schema.member(current, member), !next.isEmpty else { return nil }
                current = next
            }
            return enumerated(current, in: schema).map { (name, $0) }
        default:
            return nil
        }
    }

    /// The string values the schemas allow, when every one of them lists them (`enum`, `const`).
    private func enumerated(_ schemas: [Value], in navigator: SchemaNavigator, depth: Int = 0) -> [String]? {
        guard !schemas.isEmpty, depth < 16 else { return nil }
        var all: [String] = []
        for schema in schemas {
            guard case .object(let object) = schema else { return nil }
            if let list = object["enum"]?.arrayValue {
                let strings = list.compactMap(\.stringValue)
                guard strings.count == list.count else { return nil }
                all += strings
            } else if let constant = object["const"] {
                guard let string = constant.stringValue else { return nil }
                all.append(string)
            } else if let alternatives = object["anyOf"]?.arrayValue ?? object["oneOf"]?.arrayValue {
                guard let inner = enumerated(alternatives, in: navigator, depth: depth + 1) else { return nil }
                all += inner
            } else if object["$ref"] != nil {
                let targets = Array(navigator.expand(schema).dropFirst())
                guard let inner = enumerated(targets, in: navigator, depth: depth + 1) else { return nil }
                all += inner
            } else {
                return nil
            }
        }
        var seen = Set<String>()
        return all.filter { seen.insert($0).inserted }
    }
}
