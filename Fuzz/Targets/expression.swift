// Expressions: parse, then evaluate in a scope with data of every kind.
import CustomUI
import CustomUICore

let scope = Scope(
    props: [
        "title": "Hello", "count": 3, "price": 2.5,
        "items": [["name": "a", "tags": ["x"]], ["name": "b", "tags": []]],
        "text": .string(String(repeating: "ab", count: 500)), "list": .array((0..<200).map { .int($0) }),
    ],
    vars: ["topic": "dragons"], slots: ["story": "Once upon a time"], run: ["status": "completed"], broker: [:])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExpression(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = text(data, size)
    let origin = TextOrigin(file: SourceFile(path: "fuzz", text: source), startOffset: 0)
    if case .success(let expr) = ExpressionParser.parse(source, origin: origin, limits: fuzzLimits) {
        var budget = Budget(fuzzLimits)
        if let value = try? Evaluator.evaluate(expr, in: scope, budget: &budget) {
            _ = Evaluator.stringify(value)
        }
    }
    return 0
}
