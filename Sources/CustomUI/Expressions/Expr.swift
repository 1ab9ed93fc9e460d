import CustomUICore

/// A parsed expression: what it is and where it was written.
///
/// The range lives outside the enum so that no case can forget its position.
public struct Expr: Hashable, Sendable {
    /// What the expression is.
    public var kind: Kind
    /// Where it was written, in the original file.
    public var range: SourceRange

    /// An expression from its parts.
    public init(_ kind: Kind, range: SourceRange) {
        self.kind = kind
        self.range = range
    }

    /// The shapes an expression can take.
    public indirect enum Kind: Hashable, Sendable {
        /// A literal string, number, boolean or `null`.
        case literal(Value)
        /// An array literal such as `['a', props.b]`.
        case array([Expr])
        /// A bare identifier: a root (`props`, `vars`, …) or a loop variable.
        case variable(String)
        /// `base.name`; `nameRange` covers the member name.
        case member(Expr, name: String, nameRange: SourceRange)
        /// `base[index]`; the index is any expression.
        case index(Expr, Expr)
        /// `not operand`.
        case not(Expr)
        /// A binary operator: comparison, membership or boolean logic.
        case binary(BinaryOperator, Expr, Expr)
        /// `input | name: arguments…`; `nameRange` covers the filter name.
        case filter(Expr, name: String, nameRange: SourceRange, arguments: [Expr])
    }

    /// The root names every scope provides; a loop variable cannot shadow them.
    public static let rootNames: [String] = ["props", "vars", "slots", "run", "broker"]
}

/// The binary operators, from loosest to tightest binding: `or`, `and`, then the comparisons.
public enum BinaryOperator: String, Hashable, Sendable, CaseIterable {
    case or
    case and
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case `in` = "in"
    case notIn = "not in"

    /// Whether this operator compares two values (it is neither `and` nor `or`).
    public var isComparison: Bool { self != .and && self != .or }
}

/// One step of a path after its root.
public enum PathComponent: Hashable, Sendable {
    /// `.name` or `["name"]`.
    case member(String)
    /// `[3]` with a literal integer.
    case index(Int)
    /// `[expr]` with anything other than a literal; its value is only known at run time.
    case dynamic(Expr)
}

/// A path the expression reads, for the checker: `props.items[0].name` is the root `props` and three components.
public struct PathReference: Hashable, Sendable {
    /// The root identifier (`props`, `vars`, a loop variable, …).
    public var root: String
    /// Where the root identifier was written.
    public var rootRange: SourceRange
    /// The components after the root, each with the range of its name or subscript.
    public var components: [(component: PathComponent, range: SourceRange)]
    /// The whole path.
    public var range: SourceRange

    /// A path reference from its parts.
    public init(
        root: String, rootRange: SourceRange, components: [(component: PathComponent, range: SourceRange)],
        range: SourceRange
    ) {
        self.root = root
        self.rootRange = rootRange
        self.components = components
        self.range = range
    }

    /// Equal when root, components and every range agree (tuples cannot synthesize this).
    public static func == (lhs: PathReference, rhs: PathReference) -> Bool {
        lhs.root == rhs.root && lhs.rootRange == rhs.rootRange && lhs.range == rhs.range
            && lhs.components.map(\.component) == rhs.components.map(\.component)
            && lhs.components.map(\.range) == rhs.components.map(\.range)
    }

    /// Hashes the root, the whole range and the components, consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(root)
        hasher.combine(range)
        hasher.combine(components.map(\.component))
    }

    /// The path as written with static components, such as `props.items[0]` (dynamic subscripts print as `[…]`).
    public var description: String {
        var text = root
        for (component, _) in components {
            switch component {
            case .member(let name): text += "." + name
            case .index(let i): text += "[\(i)]"
            case .dynamic: text += "[…]"
            }
        }
        return text
    }
}

/// A use of a filter, for the checker and for documentation tooling.
public struct FilterUse: Hashable, Sendable {
    /// The filter's name as written.
    public var name: String
    /// Where the name was written.
    public var nameRange: SourceRange
    /// How many arguments were passed.
    public var argumentCount: Int
    /// The whole filter application, input included.
    public var range: SourceRange

    /// A filter use from its parts.
    public init(name: String, nameRange: SourceRange, argumentCount: Int, range: SourceRange) {
        self.name = name
        self.nameRange = nameRange
        self.argumentCount = argumentCount
        self.range = range
    }
}

extension Expr {
    /// The direct sub-expressions, in source order.
    public var children: [Expr] {
        switch kind {
        case .literal, .variable: []
        case .array(let items): items
        case .member(let base, _, _): [base]
        case .index(let base, let index): [base, index]
        case .not(let operand): [operand]
        case .binary(_, let lhs, let rhs): [lhs, rhs]
        case .filter(let input, _, _, let arguments): [input] + arguments
        }
    }

    /// Visits this expression and every sub-expression, parents before children, in source order.
    ///
    /// Iterative, so a hand-built tree of any depth cannot overflow the stack.
    public func walk(_ visit: (Expr) -> Void) {
        var stack: [Expr] = [self]
        while let next = stack.popLast() {
            visit(next)
            stack.append(contentsOf: next.children.reversed())
        }
    }

    /// Every path the expression reads, outermost first, in source order.
    ///
    /// A path is a root identifier followed by member and subscript steps; the expressions inside
    /// dynamic subscripts contribute their own paths too.
    public var paths: [PathReference] {
        var result: [PathReference] = []
        var stack: [Expr] = [self]
        while let next = stack.popLast() {
            if let (reference, subscripts) = next.pathReference() {
                result.append(reference)
                stack.append(contentsOf: subscripts.reversed())
            } else {
                stack.append(contentsOf: next.children.reversed())
            }
        }
        return result
    }

    /// Every filter application, in source order of the filter names.
    public var filterUses: [FilterUse] {
        var result: [FilterUse] = []
        walk { expr in
            if case .filter(_, let name, let nameRange, let arguments) = expr.kind {
                result.append(
                    FilterUse(name: name, nameRange: nameRange, argumentCount: arguments.count, range: expr.range))
            }
        }
        return result.sorted { $0.nameRange.start.offset < $1.nameRange.start.offset }
    }

    /// If this is a path (a variable followed by member/index steps), the reference and its dynamic subscripts.
    private func pathReference() -> (PathReference, [Expr])? {
        var components: [(component: PathComponent, range: SourceRange)] = []
        var subscripts: [Expr] = []
        var current = self
        while true {
            switch current.kind {
            case .variable(let name):
                return (
                    PathReference(
                        root: name, rootRange: current.range, components: components.reversed(), range: range),
                    subscripts.reversed()
                )
            case .member(let base, let name, let nameRange):
                components.append((.member(name), nameRange))
                current = base
            case .index(let base, let index):
                let subscriptRange = SourceRange(start: base.range.end, end: current.range.end)
                switch index.kind {
                case .literal(.string(let key)): components.append((.member(key), subscriptRange))
                case .literal(.number(let n)) where n.intValue != nil:
                    components.append((.index(n.intValue ?? 0), subscriptRange))
                default:
                    components.append((.dynamic(index), subscriptRange))
                    subscripts.append(index)
                }
                current = base
            default:
                return nil
            }
        }
    }
}

extension Expr: CustomStringConvertible {
    /// The expression as canonical source text, parenthesized only where precedence requires, so it parses back to the same tree.
    public var description: String { Expr.source(self, context: 0) }

    /// Binding strength: `or` 1, `and` 2, `not` 3, comparisons 4, filters 5, member and subscript 6, literals 7.
    private var precedence: Int {
        switch kind {
        case .literal, .array, .variable: 7
        case .member, .index: 6
        case .filter: 5
        case .binary(.or, _, _): 1
        case .binary(.and, _, _): 2
        case .binary: 4
        case .not: 3
        }
    }

    private static func source(_ expr: Expr, context: Int) -> String {
        let text: String
        switch expr.kind {
        case .literal(.string(let s)): text = quoted(s)
        case .literal(let value): text = Evaluator.stringify(value).isEmpty ? "null" : Evaluator.stringify(value)
        case .array(let items): text = "[" + items.map { source($0, context: 0) }.joined(separator: ", ") + "]"
        case .variable(let name): text = name
        case .member(let base, let name, _): text = source(base, context: 6) + "." + name
        case .index(let base, let index): text = source(base, context: 6) + "[" + source(index, context: 0) + "]"
        case .not(let operand): text = "not " + source(operand, context: 3)
        case .binary(.or, let lhs, let rhs): text = source(lhs, context: 1) + " or " + source(rhs, context: 2)
        case .binary(.and, let lhs, let rhs): text = source(lhs, context: 2) + " and " + source(rhs, context: 3)
        case .binary(let op, let lhs, let rhs):
            text = source(lhs, context: 5) + " \(op.rawValue) " + source(rhs, context: 5)
        case .filter(let input, let name, _, let arguments):
            let args = arguments.map { source($0, context: 6) }.joined(separator: ", ")
            text = source(input, context: 5) + " | " + name + (arguments.isEmpty ? "" : ": " + args)
        }
        return expr.precedence < context ? "(" + text + ")" : text
    }

    private static func quoted(_ s: String) -> String {
        var out = "'"
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "'"
    }
}
