import CustomUICore

/// The values an expression can read: the five roots and the loop variables in effect.
public struct Scope: Sendable {
    /// The five roots in one immutable box: a loop copies its scope for every iteration, and
    /// copying one reference is cheaper than retaining five values.
    private final class Roots: Sendable {
        let props, vars, slots, run, broker: Value
        init(props: Value, vars: Value, slots: Value, run: Value, broker: Value) {
            self.props = props
            self.vars = vars
            self.slots = slots
            self.run = run
            self.broker = broker
        }
    }
    private var roots: Roots

    /// The custom UI's props (defaults merged with what the caller passed).
    public var props: Value {
        get { roots.props }
        set {
            roots = Roots(props: newValue, vars: roots.vars, slots: roots.slots, run: roots.run, broker: roots.broker)
        }
    }
    /// The prompt's variable values.
    public var vars: Value {
        get { roots.vars }
        set {
            roots = Roots(props: roots.props, vars: newValue, slots: roots.slots, run: roots.run, broker: roots.broker)
        }
    }
    /// The response slots filled so far.
    public var slots: Value {
        get { roots.slots }
        set {
            roots = Roots(props: roots.props, vars: roots.vars, slots: newValue, run: roots.run, broker: roots.broker)
        }
    }
    /// The current run: status, usage, errors.
    public var run: Value {
        get { roots.run }
        set {
            roots = Roots(props: roots.props, vars: roots.vars, slots: roots.slots, run: newValue, broker: roots.broker)
        }
    }
    /// Broker values streamed by the backend.
    public var broker: Value {
        get { roots.broker }
        set {
            roots = Roots(props: roots.props, vars: roots.vars, slots: roots.slots, run: roots.run, broker: newValue)
        }
    }
    /// Loop variables, including `loop` (`index`, `index1`, `first`, `last`, `length`) inside an `each`.
    public var locals: [String: Value] {
        get { Dictionary(bindings.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last }) }
        set { bindings = newValue.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) } }
    }
    /// Loop variables in a small array: there are only ever a few, every iteration adds one to a
    /// copied scope, and every path lookup reads one, so a scan beats hashing and copying a dictionary.
    private var bindings: [(name: String, value: Value)] = []
    /// The innermost loop's position, from which `loop` is built only when an expression reads it
    /// (building the object for every iteration was most of a large render's cost).
    var loopPosition: (index: Int, count: Int)?

    /// A scope from its parts; everything defaults to empty.
    public init(
        props: Value = [:], vars: Value = [:], slots: Value = [:], run: Value = [:], broker: Value = [:],
        locals: [String: Value] = [:]
    ) {
        roots = Roots(props: props, vars: vars, slots: slots, run: run, broker: broker)
        self.locals = locals
    }

    /// Binds a loop variable (replacing one of the same name).
    public mutating func bind(_ name: String, _ value: Value) {
        if let index = bindings.firstIndex(where: { $0.name == name }) {
            bindings[index].value = value
        } else {
            bindings.append((name: name, value: value))
        }
    }

    private func bound(_ name: String) -> Value? {
        for entry in bindings.reversed() where entry.name == name { return entry.value }
        return nil
    }

    /// The value of a bare identifier: a root first, then a loop variable, otherwise `null`.
    ///
    /// Roots win so that `props` means the props everywhere; the checker rejects loop variables named like a root.
    public func lookup(_ name: String) -> Value {
        switch name {
        case "props": props
        case "vars": vars
        case "slots": slots
        case "run": run
        case "broker": broker
        case "loop":
            if let value = bound("loop") {
                value
            } else if let (index, count) = loopPosition {
                [
                    "index": .int(index), "index1": .int(index + 1), "first": .bool(index == 0),
                    "last": .bool(index == count - 1), "length": .int(count),
                ]
            } else {
                .null
            }
        default: bound(name) ?? .null
        }
    }

    /// The scope inside one iteration of an `each`: the item bound to `variable` and a fresh `loop` object.
    public func entering(loop variable: String, item: Value, index: Int, count: Int) -> Scope {
        var copy = self
        copy.enter(loop: variable, item: item, index: index, count: count)
        return copy
    }

    /// Makes this scope the one inside an iteration of an `each` (what `entering` returns), in place:
    /// a loop keeps one scope and replaces its item for every iteration.
    mutating func enter(loop variable: String, item: Value, index: Int, count: Int) {
        bind(variable, item)
        loopPosition = (index, count)
    }
}

/// A failure while evaluating: a type mismatch, a division by zero, or a budget that ran out, with the node's range.
public struct EvaluationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The stable code (`expr.type-mismatch`, `limit.steps`, …).
    public var code: DiagnosticCode
    /// What went wrong.
    public var message: String
    /// The expression, filter name or argument at fault.
    public var range: SourceRange
    /// How to fix it, if there is something to say.
    public var hint: String?

    /// An error from its parts.
    public init(code: DiagnosticCode, message: String, range: SourceRange, hint: String? = nil) {
        self.code = code
        self.message = message
        self.range = range
        self.hint = hint
    }

    /// The error for a budget that ran out while evaluating the node at `range`.
    public init(_ limit: LimitExceeded, range: SourceRange) {
        self.init(
            code: limit.limit.code, message: limit.description, range: range,
            hint: "simplify the template or reduce the data it iterates over")
    }

    /// The error as a diagnostic in the file with this path.
    public func diagnostic(file: String?) -> Diagnostic {
        .error(code, message, file: file, range: range, hint: hint)
    }

    /// The error as a diagnostic in this file.
    public func diagnostic(file: SourceFile) -> Diagnostic { diagnostic(file: file.path) }

    /// `line:column: [code] message`.
    public var description: String { "\(range.start): [\(code)] \(message)" }
}

/// Evaluates expressions against a scope, charging every node to a budget.
///
/// The language is total: a missing path is `null`, member access on a non-object is `null`, and
/// only operators and filters applied to the wrong types (or a division by zero) raise errors.
public enum Evaluator {
    /// The value of an expression.
    public static func evaluate(_ expr: Expr, in scope: Scope, budget: inout Budget) throws(EvaluationError) -> Value {
        // `item.name` is most of what templates evaluate: resolve it directly, charging the same two
        // steps (one per node) the general path would.
        if case .member(let base, let name, _) = expr.kind, case .variable(let root) = base.kind {
            try charge(&budget, expr.range)
            try charge(&budget, base.range)
            return scope.lookup(root)[name] ?? .null
        }
        return try eval(expr, scope, &budget, depth: 0)
    }

    /// The text of interpolated segments: literal text as is, expression values stringified.
    ///
    /// Stringification: `null` is empty, booleans are `true`/`false`, numbers use their canonical
    /// form, strings are inserted as they are, arrays and objects become compact JSON. Nothing is
    /// HTML-escaped here; the renderer escapes. The produced bytes are charged to the output budget.
    public static func render(
        _ segments: [Interpolation.Segment], in scope: Scope, budget: inout Budget
    ) throws(EvaluationError) -> String {
        // `{{ item.name }}` alone is the common case: no concatenation needed.
        if segments.count == 1, case .expr(let expr) = segments[0] {
            let piece = stringify(try evaluate(expr, in: scope, budget: &budget))
            do {
                try budget.output(piece.utf8.count)
            } catch {
                throw EvaluationError(error, range: expr.range)
            }
            return piece
        }
        var out = ""
        for segment in segments {
            let piece: String
            let range: SourceRange
            switch segment {
            case .text(let text, let r):
                piece = text
                range = r
            case .expr(let expr):
                piece = stringify(try evaluate(expr, in: scope, budget: &budget))
                range = expr.range
            }
            do {
                try budget.output(piece.utf8.count)
            } catch {
                throw EvaluationError(error, range: range)
            }
            out += piece
        }
        return out
    }

    /// A value as text, by the stringification rules of `render`.
    public static func stringify(_ value: Value) -> String {
        switch value {
        case .null: ""
        case .bool(let b): b ? "true" : "false"
        case .number(let n): n.description
        case .string(let s): s
        case .array, .object: JSONWriter().string(value)
        }
    }

    /// Orders two strings by their Unicode scalars, so the order is the same on every platform and locale.
    static func scalarsPrecede(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
    }

    private static func charge(_ budget: inout Budget, _ range: SourceRange) throws(EvaluationError) {
        do {
            try budget.step()
        } catch {
            throw EvaluationError(error, range: range)
        }
    }

    private static func eval(_ expr: Expr, _ scope: Scope, _ budget: inout Budget, depth: Int) throws(EvaluationError)
        -> Value
    {
        try charge(&budget, expr.range)
        // The parser already caps nesting; this guards trees built by hand.
        if depth > max(budget.limits.maxExpressionDepth, 1) {
            throw EvaluationError(
                LimitExceeded(.expressionDepth, maximum: budget.limits.maxExpressionDepth), range: expr.range)
        }
        switch expr.kind {
        case .literal(let value):
            return value
        case .array(let items):
            var values: [Value] = []
            values.reserveCapacity(items.count)
            for item in items { values.append(try eval(item, scope, &budget, depth: depth + 1)) }
            return .array(values)
        case .variable(let name):
            return scope.lookup(name)
        case .member(let base, let name, _):
            return try eval(base, scope, &budget, depth: depth + 1)[name] ?? .null
        case .index(let base, let index):
            let container = try eval(base, scope, &budget, depth: depth + 1)
            let key = try eval(index, scope, &budget, depth: depth + 1)
            return subscriptValue(container, key)
        case .not(let operand):
            return .bool(!(try eval(operand, scope, &budget, depth: depth + 1).isTruthy))
        case .binary(.and, let lhs, let rhs):
            guard try eval(lhs, scope, &budget, depth: depth + 1).isTruthy else { return .bool(false) }
            return .bool(try eval(rhs, scope, &budget, depth: depth + 1).isTruthy)
        case .binary(.or, let lhs, let rhs):
            if try eval(lhs, scope, &budget, depth: depth + 1).isTruthy { return .bool(true) }
            return .bool(try eval(rhs, scope, &budget, depth: depth + 1).isTruthy)
        case .binary(let op, let lhs, let rhs):
            let a = try eval(lhs, scope, &budget, depth: depth + 1)
            let b = try eval(rhs, scope, &budget, depth: depth + 1)
            // Membership scans the right side and equality walks both values: each costs the work
            // it does (see LinearSearch), so the step budget bounds the time.
            let cap = max(1, budget.limits.maxSteps - budget.steps + 1)
            var work = 0
            switch op {
            case .in, .notIn:
                switch b {
                case .array(let items): work = LinearSearch.membershipCost(a, in: items, cap: cap)
                case .string(let text):
                    work = (text.utf8.count + (a.stringValue?.utf8.count ?? 0)) / FilterCall.bytesPerStep
                default: work = 0
                }
            case .equal, .notEqual:
                let cost = LinearSearch.comparisonCost(a, b, cap: cap)
                work = cost > 1 ? cost : 0
            default:
                work = 0
            }
            if work > 0 {
                do {
                    try budget.step(work)
                } catch {
                    throw EvaluationError(error, range: expr.range)
                }
            }
            return .bool(try compare(op, a, b, lhs: lhs, rhs: rhs, whole: expr.range))
        case .filter(let input, let name, let nameRange, let arguments):
            let value = try eval(input, scope, &budget, depth: depth + 1)
            var values: [Value] = []
            if !arguments.isEmpty {
                values.reserveCapacity(arguments.count)
                for argument in arguments { values.append(try eval(argument, scope, &budget, depth: depth + 1)) }
            }
            var call = FilterCall(
                name: name, nameRange: nameRange, inputRange: input.range, argumentExpressions: arguments,
                arguments: values, budget: budget)
            defer { budget = call.budget }
            return try call.apply(value)
        }
    }

    /// `container[key]`: an array by integer index (negative counts from the end), an object by string key, else `null`.
    static func subscriptValue(_ container: Value, _ key: Value) -> Value {
        switch (container, key) {
        case (.array(let items), .number(let n)):
            guard let i = n.intValue else { return .null }
            let position = i < 0 ? items.count + i : i
            return position >= 0 && position < items.count ? items[position] : .null
        case (.object(let object), .string(let name)):
            return object[name] ?? .null
        default:
            return .null
        }
    }

    private static func compare(
        _ op: BinaryOperator, _ a: Value, _ b: Value, lhs: Expr, rhs: Expr, whole: SourceRange
    ) throws(EvaluationError) -> Bool {
        switch op {
        case .equal: return a == b
        case .notEqual: return a != b
        case .in: return try membership(a, in: b, lhs: lhs, rhs: rhs)
        case .notIn: return !(try membership(a, in: b, lhs: lhs, rhs: rhs))
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            // Missing data is normal: an ordering with `null` on either side is simply false.
            if a.isNull || b.isNull { return false }
            let ascending: Bool
            let equal: Bool
            switch (a, b) {
            case (.number(let x), .number(let y)):
                ascending = x < y
                equal = x == y
            case (.string(let x), .string(let y)):
                ascending = scalarsPrecede(x, y)
                equal = x.unicodeScalars.elementsEqual(y.unicodeScalars)
            default:
                throw EvaluationError(
                    code: .exprTypeMismatch,
                    message: "cannot order \(a.typeName) and \(b.typeName) with `\(op.rawValue)`", range: whole,
                    hint: "`<`, `<=`, `>` and `>=` compare two numbers or two strings")
            }
            switch op {
            case .less: return ascending
            case .lessOrEqual: return ascending || equal
            case .greater: return !ascending && !equal
            default: return !ascending
            }
        case .and, .or:
            return false  // handled by the caller with short-circuiting
        }
    }

    private static func membership(_ a: Value, in b: Value, lhs: Expr, rhs: Expr) throws(EvaluationError) -> Bool {
        switch b {
        case .null: return false
        case .array(let items): return items.contains(a)
        case .string(let text):
            guard case .string(let part) = a else {
                if a.isNull { return false }
                throw EvaluationError(
                    code: .exprTypeMismatch, message: "cannot look for \(a.typeName) in a string with `in`",
                    range: lhs.range, hint: "`in` with a string on the right looks for a substring")
            }
            return LinearSearch.contains(text, part)
        case .object(let object):
            guard case .string(let key) = a else {
                if a.isNull { return false }
                throw EvaluationError(
                    code: .exprTypeMismatch, message: "cannot look for \(a.typeName) among an object's keys with `in`",
                    range: lhs.range, hint: "`in` with an object on the right looks for a key, which is a string")
            }
            return object[key] != nil
        default:
            throw EvaluationError(
                code: .exprTypeMismatch, message: "cannot look inside \(b.typeName) with `in`", range: rhs.range,
                hint: "`in` needs an array, a string or an object on its right")
        }
    }
}
