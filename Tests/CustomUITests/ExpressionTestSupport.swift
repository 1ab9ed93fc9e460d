import CustomUICore
import Testing

@testable import CustomUI

/// Marked text: `"props.1️⃣itme"` is the text `props.itme` with marker 1 at byte offset 6.
struct MarkedText {
    static let markers = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣"]

    var text: String
    /// Byte offsets by marker number (1-based).
    var offsets: [Int: Int] = [:]

    init(_ marked: String) {
        var text = ""
        var rest = Substring(marked)
        while !rest.isEmpty {
            if let (n, marker) = MarkedText.markers.enumerated().first(where: { rest.hasPrefix($0.element) }) {
                offsets[n + 1] = text.utf8.count
                rest = rest.dropFirst(marker.count)
            } else {
                text.append(rest.removeFirst())
            }
        }
        self.text = text
    }

    subscript(_ marker: Int) -> Int { offsets[marker] ?? -1 }
}

enum ExpressionTesting {
    static func origin(_ text: String, path: String = "test.xml") -> TextOrigin {
        TextOrigin(file: SourceFile(path: path, text: text), startOffset: 0)
    }

    static func parse(_ text: String, limits: ResourceLimits = .default) -> Result<Expr, Diagnostic> {
        ExpressionParser.parse(text, origin: origin(text), limits: limits)
    }

    static func parseOrNil(_ text: String) -> Expr? {
        if case .success(let e) = parse(text) { return e }
        return nil
    }

    static func diagnostic(_ text: String, limits: ResourceLimits = .default) -> Diagnostic? {
        if case .failure(let d) = parse(text, limits: limits) { return d }
        return nil
    }

    static let scope = Scope(
        props: [
            "title": "Hello", "count": 3, "price": 2.5, "zero": 0, "empty": "", "flag": false,
            "items": [
                ["name": "apple", "done": true, "price": 2, "tags": ["red"]],
                ["name": "banana", "done": false, "price": 1.5, "tags": []],
                ["name": "cherry", "done": true, "price": 10, "tags": ["red", "small"]],
            ],
            "tags": ["x", "y", "x"], "nested": ["deep": ["value": 42]], "my-key": "dash",
            "date": "2024-03-05T14:30:00+01:00", "scores": ["ada": 3, "grace": 5],
        ],
        vars: ["topic": "dragons", "style": "fantasy"],
        slots: ["story": "Once upon a time"],
        run: ["status": "completed", "usage": ["tokens": 120]],
        broker: ["answer": 42])

    static func evaluate(
        _ text: String, scope: Scope = scope, limits: ResourceLimits = .default
    ) -> Result<Value, EvaluationError>? {
        guard case .success(let expr) = parse(text, limits: limits) else { return nil }
        var budget = Budget(limits)
        do {
            return .success(try Evaluator.evaluate(expr, in: scope, budget: &budget))
        } catch {
            return .failure(error)
        }
    }

    static func value(_ text: String, scope: Scope = scope) -> Value? {
        if case .success(let v)? = evaluate(text, scope: scope) { return v }
        return nil
    }

    static func error(_ text: String, scope: Scope = scope, limits: ResourceLimits = .default) -> EvaluationError? {
        if case .failure(let e)? = evaluate(text, scope: scope, limits: limits) { return e }
        return nil
    }

    /// A compact tree dump: `(or (== run.status "x") (not a))`.
    static func dump(_ expr: Expr) -> String {
        switch expr.kind {
        case .literal(.string(let s)): return "\"\(s)\""
        case .literal(let v): return Evaluator.stringify(v) == "" ? "null" : Evaluator.stringify(v)
        case .array(let items): return "[" + items.map(dump).joined(separator: " ") + "]"
        case .variable(let name): return name
        case .member(let base, let name, _): return dump(base) + "." + name
        case .index(let base, let index): return dump(base) + "[" + dump(index) + "]"
        case .not(let operand): return "(not \(dump(operand)))"
        case .binary(let op, let lhs, let rhs): return "(\(op.rawValue) \(dump(lhs)) \(dump(rhs)))"
        case .filter(let input, let name, _, let arguments):
            return "(|\(name) \(([dump(input)] + arguments.map(dump)).joined(separator: " ")))"
        }
    }
}
