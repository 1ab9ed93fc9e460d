import CustomUICore

/// The set of types a value may have, for checks made before any data exists.
public struct ValueTypes: OptionSet, Hashable, Sendable, CustomStringConvertible {
    /// The bits, one per type.
    public let rawValue: UInt8

    /// A set from its bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// `null`.
    public static let null = ValueTypes(rawValue: 1 << 0)
    /// `true` or `false`.
    public static let boolean = ValueTypes(rawValue: 1 << 1)
    /// Any number, integral or not.
    public static let number = ValueTypes(rawValue: 1 << 2)
    /// A string.
    public static let string = ValueTypes(rawValue: 1 << 3)
    /// An array.
    public static let array = ValueTypes(rawValue: 1 << 4)
    /// An object.
    public static let object = ValueTypes(rawValue: 1 << 5)
    /// Anything at all: what a path is when nothing more is known about it.
    public static let any: ValueTypes = [.null, .boolean, .number, .string, .array, .object]
    /// What the text filters accept: strings, numbers and booleans.
    public static let text: ValueTypes = [.string, .number, .boolean]

    /// The type of one value.
    public init(of value: Value) {
        switch value {
        case .null: self = .null
        case .bool: self = .boolean
        case .number: self = .number
        case .string: self = .string
        case .array: self = .array
        case .object: self = .object
        }
    }

    /// The types in the words the documentation uses, such as `number or string`.
    public var description: String {
        if self == .any { return "any value" }
        let names: [(ValueTypes, String)] = [
            (.null, "null"), (.boolean, "boolean"), (.number, "number"), (.string, "string"), (.array, "array"),
            (.object, "object"),
        ]
        let present = names.filter { contains($0.0) }.map(\.1)
        guard let last = present.last else { return "nothing" }
        return present.count == 1 ? last : present.dropLast().joined(separator: ", ") + " or " + last
    }

    /// The set a type phrase from `FilterSignature` names (`text`, `string, array or object`, …); `any` if unknown.
    static func parse(_ phrase: String) -> ValueTypes {
        var result: ValueTypes = []
        let words = phrase.split(separator: ",").flatMap { $0.split(separator: " or ") }
        for raw in words {
            let word = FilterCall.trimmed(String(raw))
            if word == "any" || word.hasPrefix("same") { return .any }
            if word == "text" {
                result.formUnion(.text)
            } else if word.hasPrefix("string") {
                result.insert(.string)
            } else if word == "integer" || word == "number" {
                result.insert(.number)
            } else if word.hasPrefix("array") {
                result.insert(.array)
            } else if word == "object" {
                result.insert(.object)
            } else if word == "boolean" {
                result.insert(.boolean)
            } else {
                return .any
            }
        }
        return result.isEmpty ? .any : result
    }
}

extension FilterSignature {
    /// The input types the filter accepts (`null` aside, which every filter accepts).
    public var inputTypes: ValueTypes { ValueTypes.parse(input) }

    /// The types the filter can produce from an input that is not `null`.
    public var outputTypes: ValueTypes { ValueTypes.parse(output) }
}

extension FilterSignature.Argument {
    /// The types the argument accepts.
    public var types: ValueTypes { ValueTypes.parse(type) }
}

extension Expr {
    /// Errors this expression raises whenever the part at fault runs on values that are not `null`, found without data.
    ///
    /// Types come from literals, from filter results and from `pathTypes`, which the checker can
    /// answer from the props schema and the prompt's variables; a path it returns `nil` for may be
    /// anything. Only combinations that cannot succeed are reported (`[1] | upper`,
    /// `props.x | keys | upper`, `| divided_by: 0`, `| date: 'lng'`), with the codes, messages and
    /// ranges evaluation would use; they are reported even inside a branch `and`/`or` may skip.
    public func typeCheck(file: String?, pathTypes: (PathReference) -> ValueTypes? = { _ in nil }) -> [Diagnostic] {
        withoutActuallyEscaping(pathTypes) { pathTypes in
            var checker = TypeChecker(pathTypes: pathTypes)
            _ = checker.infer(self)
            return checker.errors.map { $0.diagnostic(file: file) }
        }
    }
}

/// Infers the possible types of each node bottom-up, recording the errors that cannot be avoided.
private struct TypeChecker {
    let pathTypes: (PathReference) -> ValueTypes?
    var errors: [EvaluationError] = []

    mutating func infer(_ expr: Expr) -> ValueTypes {
        switch expr.kind {
        case .literal(let value):
            return ValueTypes(of: value)
        case .array(let items):
            for item in items { _ = infer(item) }
            return .array
        case .variable, .member, .index:
            if let reference = expr.paths.first, reference.range == expr.range {
                for case (.dynamic(let index), _) in reference.components { _ = infer(index) }
                return pathTypes(reference) ?? .any
            }
            for child in expr.children { _ = infer(child) }
            return .any
        case .not(let operand):
            _ = infer(operand)
            return .boolean
        case .binary(let op, let lhs, let rhs):
            let a = infer(lhs)
            let b = infer(rhs)
            switch op {
            case .and, .or, .equal, .notEqual: break
            case .in, .notIn:
                if !b.contains(.null), b.isDisjoint(with: [.array, .string, .object]) {
                    errors.append(
                        EvaluationError(
                            code: .exprTypeMismatch, message: "cannot look inside \(b) with `in`", range: rhs.range,
                            hint: "`in` needs an array, a string or an object on its right"))
                }
            case .less, .lessOrEqual, .greater, .greaterOrEqual:
                let orderable: ValueTypes = [.number, .string]
                if !a.contains(.null), !b.contains(.null), a.intersection(b).isDisjoint(with: orderable) {
                    errors.append(
                        EvaluationError(
                            code: .exprTypeMismatch, message: "cannot order \(a) and \(b) with `\(op.rawValue)`",
                            range: expr.range, hint: "`<`, `<=`, `>` and `>=` compare two numbers or two strings"))
                }
            }
            return .boolean
        case .filter(let input, let name, let nameRange, let arguments):
            let inputTypes = infer(input)
            let argumentTypes = arguments.map { infer($0) }
            guard let signature = Filters.signature(named: name) else { return .any }
            let passesNull = !Filters.acceptsNull.contains(name)
            let checked = passesNull ? inputTypes.subtracting(.null) : inputTypes
            if !checked.isEmpty, checked.isDisjoint(with: signature.inputTypes) {
                errors.append(
                    EvaluationError(
                        code: .exprTypeMismatch,
                        message: "filter `\(name)` expects \(signature.input) as input, got \(checked)",
                        range: nameRange, hint: "valid syntax: `\(signature.syntax)`"))
            }
            for (i, argument) in arguments.enumerated() where i < signature.arguments.count {
                let accepted = signature.arguments[i].types
                if argumentTypes[i].isDisjoint(with: accepted) {
                    errors.append(
                        EvaluationError(
                            code: .exprTypeMismatch,
                            message:
                                "argument `\(signature.arguments[i].name)` of filter `\(name)` must be \(signature.arguments[i].type), got \(argumentTypes[i])",
                            range: argument.range, hint: "valid syntax: `\(signature.syntax)`"))
                }
                checkLiteral(name, i, argument)
            }
            var output =
                signature.output.hasPrefix("same") ? checked.intersection([.array, .string]) : signature.outputTypes
            if name == "default" { output = inputTypes.subtracting(.null).union(argumentTypes.first ?? .any) }
            if passesNull && inputTypes.contains(.null) { output.insert(.null) }
            return output.isEmpty ? .any : output
        }
    }

    /// Literal arguments whose value (not just type) is certain to fail.
    mutating func checkLiteral(_ name: String, _ i: Int, _ argument: Expr) {
        guard case .literal(let value) = argument.kind else { return }
        if (name == "divided_by" || name == "modulo"), case .number(let n) = value, n.isZero {
            errors.append(
                EvaluationError(
                    code: .exprDivisionByZero, message: "filter `\(name)` cannot divide by zero", range: argument.range,
                    hint: "use a divisor other than 0"))
        }
        if name == "date", case .string(let format) = value, !Filters.dateFormats.contains(format) {
            errors.append(
                EvaluationError(
                    code: .exprInvalidArgument, message: "unknown date format `\(format)`", range: argument.range,
                    hint: Suggestions.didYouMean(format, in: Filters.dateFormats)
                        ?? "formats: " + Filters.dateFormats.map { "`\($0)`" }.joined(separator: ", ")))
        }
    }
}
