import CustomUICore

/// One application of a filter at run time, with the ranges needed to position its errors.
struct FilterCall {
    let name: String
    let nameRange: SourceRange
    let inputRange: SourceRange
    /// The arguments as written (their ranges point errors at them).
    let argumentExpressions: [Expr]
    let arguments: [Value]
    var budget: Budget

    /// Bytes of built text that cost one step; keeps the step count meaningful for string-heavy filters.
    static let bytesPerStep = 16

    // MARK: Errors and charges

    func inputMismatch(_ expected: String, _ got: Value) -> EvaluationError {
        EvaluationError(
            code: .exprTypeMismatch, message: "filter `\(name)` expects \(expected) as input, got \(got.typeName)",
            range: nameRange, hint: Filters.signature(named: name).map { "valid syntax: `\($0.syntax)`" })
    }

    func argumentMismatch(_ i: Int, _ expected: String) -> EvaluationError {
        let signature = Filters.signature(named: name)
        let argumentName = signature.flatMap { i < $0.arguments.count ? $0.arguments[i].name : nil } ?? "argument"
        return EvaluationError(
            code: .exprTypeMismatch,
            message: "argument `\(argumentName)` of filter `\(name)` must be \(expected), got \(argument(i).typeName)",
            range: argumentRange(i), hint: signature.map { "valid syntax: `\($0.syntax)`" })
    }

    func invalid(_ i: Int?, _ message: String, hint: String? = nil) -> EvaluationError {
        EvaluationError(
            code: .exprInvalidArgument, message: message, range: i.map(argumentRange) ?? nameRange, hint: hint)
    }

    func argumentRange(_ i: Int) -> SourceRange {
        i < argumentExpressions.count ? argumentExpressions[i].range : nameRange
    }

    func argument(_ i: Int) -> Value { i < arguments.count ? arguments[i] : .null }

    /// Charges for building a string of `bytes` bytes; refuses single values larger than the output limit.
    mutating func chargeText(_ bytes: Int) throws(EvaluationError) {
        if bytes > budget.limits.maxOutputBytes {
            throw EvaluationError(
                LimitExceeded(.outputBytes, maximum: budget.limits.maxOutputBytes), range: nameRange)
        }
        try chargeSteps(bytes / FilterCall.bytesPerStep)
    }

    /// Charges for scanning `bytes` bytes of existing text, which allocates nothing new.
    mutating func chargeRead(_ bytes: Int) throws(EvaluationError) {
        try chargeSteps(bytes / FilterCall.bytesPerStep)
    }

    mutating func chargeSteps(_ count: Int) throws(EvaluationError) {
        guard count > 0 else { return }
        do {
            try budget.step(count)
        } catch {
            throw EvaluationError(error, range: nameRange)
        }
    }

    // MARK: Argument conversion

    /// Strings, numbers and booleans as text; anything else is not text.
    static func text(_ value: Value) -> String? {
        switch value {
        case .string(let s): s
        case .number(let n): n.description
        case .bool(let b): b ? "true" : "false"
        default: nil
        }
    }

    func textArgument(_ i: Int, default fallback: String? = nil) throws(EvaluationError) -> String {
        if i >= arguments.count, let fallback { return fallback }
        guard let s = FilterCall.text(argument(i)) else { throw argumentMismatch(i, "text") }
        return s
    }

    func stringArgument(_ i: Int) throws(EvaluationError) -> String {
        guard case .string(let s) = argument(i) else { throw argumentMismatch(i, "a string") }
        return s
    }

    func integerArgument(_ i: Int, default fallback: Int? = nil) throws(EvaluationError) -> Int {
        if i >= arguments.count, let fallback { return fallback }
        guard case .number(let n) = argument(i), let value = n.intValue else { throw argumentMismatch(i, "an integer") }
        return value
    }

    func numberArgument(_ i: Int) throws(EvaluationError) -> Number {
        guard case .number(let n) = argument(i) else { throw argumentMismatch(i, "a number") }
        return n
    }

    func decimalsArgument(_ i: Int) throws(EvaluationError) -> Int {
        let places = try integerArgument(i, default: 0)
        guard (0...20).contains(places) else {
            throw invalid(i, "`decimals` must be between 0 and 20, got \(places)")
        }
        return places
    }

    // MARK: Dispatch

    mutating func apply(_ input: Value) throws(EvaluationError) -> Value {
        if input.isNull && !Filters.acceptsNull.contains(name) { return .null }
        switch name {
        case "default":
            switch input {
            case .null: return argument(0)
            case .string(let s) where s.isEmpty: return argument(0)
            case .array(let a) where a.isEmpty: return argument(0)
            case .object(let o) where o.isEmpty: return argument(0)
            default: return input
            }
        case "json":
            let text = JSONWriter().string(input)
            try chargeText(text.utf8.count)
            return .string(text)
        case "length":
            switch input {
            case .null: return .int(0)
            case .string(let s):
                try chargeRead(s.utf8.count)
                return .int(s.count)
            case .array(let a): return .int(a.count)
            case .object(let o): return .int(o.count)
            default: throw inputMismatch("a string, array or object", input)
            }
        case "contains":
            switch input {
            case .string(let s):
                guard case .string(let part) = argument(0) else { throw argumentMismatch(0, "a string") }
                try chargeRead(s.utf8.count + part.utf8.count)
                return .bool(LinearSearch.contains(s, part))
            case .array(let a):
                try chargeSteps(
                    LinearSearch.membershipCost(
                        argument(0), in: a, cap: max(1, budget.limits.maxSteps - budget.steps + 1)))
                return .bool(a.contains(argument(0)))
            case .object(let o):
                guard case .string(let key) = argument(0) else { throw argumentMismatch(0, "a string") }
                return .bool(o[key] != nil)
            default: throw inputMismatch("a string, array or object", input)
            }
        case "upper", "lower", "capitalize", "trim":
            guard let s = FilterCall.text(input) else { throw inputMismatch("text", input) }
            try chargeRead(s.utf8.count)
            let result: String
            switch name {
            case "upper": result = s.uppercased()
            case "lower": result = s.lowercased()
            case "capitalize": result = (s.first.map { String($0).uppercased() } ?? "") + s.dropFirst().lowercased()
            default: result = FilterCall.trimmed(s)
            }
            try chargeText(result.utf8.count)
            return .string(result)
        case "truncate":
            guard let s = FilterCall.text(input) else { throw inputMismatch("text", input) }
            let length = try integerArgument(0)
            guard length >= 0 else { throw invalid(0, "`length` must not be negative, got \(length)") }
            let ellipsis = try textArgument(1, default: "...")
            try chargeText(s.utf8.count + ellipsis.utf8.count)
            guard s.count > length else { return .string(s) }
            return .string(String(s.prefix(max(0, length - ellipsis.count))) + ellipsis)
        case "append", "prepend":
            guard let s = FilterCall.text(input) else { throw inputMismatch("text", input) }
            let other = try textArgument(0)
            try chargeText(s.utf8.count + other.utf8.count)
            return .string(name == "append" ? s + other : other + s)
        case "replace":
            guard let s = FilterCall.text(input) else { throw inputMismatch("text", input) }
            let search = try textArgument(0)
            let replacement = try textArgument(1)
            guard !search.isEmpty else { throw invalid(0, "`search` must not be empty") }
            try chargeRead(s.utf8.count)
            // The size is known before building, so a growing replacement is refused before it allocates.
            let occurrences = s.ranges(of: search).count
            let size = s.utf8.count + occurrences * (replacement.utf8.count - search.utf8.count)
            try chargeText(size)
            return .string(s.replacing(search, with: replacement))
        case "split":
            guard let s = FilterCall.text(input) else { throw inputMismatch("text", input) }
            let separator = try textArgument(0)
            try chargeRead(s.utf8.count)
            if s.isEmpty { return .array([]) }
            // Counted before building, so a huge split is refused before it allocates.
            try chargeSteps(separator.isEmpty ? s.count : s.ranges(of: separator).count + 1)
            let pieces: [Value] =
                separator.isEmpty
                ? s.map { .string(String($0)) }
                : s.split(separator: separator, omittingEmptySubsequences: false).map { .string(String($0)) }
            return .array(pieces)
        case "pluralize":
            guard case .number(let n) = input else { throw inputMismatch("a number", input) }
            let singular = try textArgument(0)
            let plural = try textArgument(1)
            return .string(n == Number(1) ? singular : plural)
        case "join":
            guard case .array(let items) = input else { throw inputMismatch("an array", input) }
            let separator = try textArgument(0, default: " ")
            try chargeSteps(items.count)
            // One pass into one reserved string: joins run for every row of large lists.
            var size = max(0, items.count - 1) * separator.utf8.count
            for item in items { if case .string(let s) = item { size += s.utf8.count } }
            try chargeText(size)
            var joined = ""
            joined.reserveCapacity(size)
            for (index, item) in items.enumerated() {
                if index > 0 { joined += separator }
                if case .string(let s) = item { joined += s } else { joined += Evaluator.stringify(item) }
            }
            try chargeText(joined.utf8.count - size)
            return .string(joined)
        case "first", "last":
            switch input {
            case .array(let a): return (name == "first" ? a.first : a.last) ?? .null
            case .string(let s): return (name == "first" ? s.first : s.last).map { .string(String($0)) } ?? .null
            default: throw inputMismatch("an array or a string", input)
            }
        case "reverse":
            switch input {
            case .array(let a):
                try chargeSteps(a.count)
                return .array(a.reversed())
            case .string(let s):
                try chargeText(s.utf8.count)
                return .string(String(s.reversed()))
            default: throw inputMismatch("an array or a string", input)
            }
        case "sort":
            return try sort(input)
        case "uniq":
            guard case .array(let items) = input else { throw inputMismatch("an array", input) }
            // Hashing an item walks all of it: each costs its weight.
            try chargeSteps(
                items.reduce(0) { $0 + LinearSearch.weight($1, cap: max(1, budget.limits.maxSteps - budget.steps + 1)) }
            )
            var seen = Set<Value>()
            return .array(items.filter { seen.insert($0).inserted })
        case "slice":
            let start = try integerArgument(0)
            let length = try integerArgument(1, default: 1)
            guard length >= 0 else { throw invalid(1, "`length` must not be negative, got \(length)") }
            switch input {
            case .array(let a):
                let range = FilterCall.sliceRange(start: start, length: length, count: a.count)
                try chargeSteps(range.count)
                return .array(Array(a[range]))
            case .string(let s):
                try chargeRead(s.utf8.count)
                let range = FilterCall.sliceRange(start: start, length: length, count: s.count)
                let from = s.index(s.startIndex, offsetBy: range.lowerBound)
                let to = s.index(from, offsetBy: range.count)
                return .string(String(s[from..<to]))
            default: throw inputMismatch("an array or a string", input)
            }
        case "compact":
            guard case .array(let items) = input else { throw inputMismatch("an array", input) }
            try chargeSteps(items.count)
            return .array(items.filter { !$0.isNull })
        case "where":
            guard case .array(let items) = input else { throw inputMismatch("an array", input) }
            let key = try stringArgument(0)
            // Spelled out: a bare `nil` here would become `Value.null`, which is a valid value to match.
            let wanted: Value? = arguments.count > 1 ? .some(argument(1)) : .none
            let cap = max(1, budget.limits.maxSteps - budget.steps + 1)
            try chargeSteps(wanted.map { LinearSearch.membershipCost($0, in: items, cap: cap) } ?? items.count)
            return .array(
                items.filter { item in
                    let member = item[key] ?? .null
                    return wanted.map { member == $0 } ?? member.isTruthy
                })
        case "map":
            guard case .array(let items) = input else { throw inputMismatch("an array", input) }
            let key = try stringArgument(0)
            try chargeSteps(items.count)
            return .array(items.map { $0[key] ?? .null })
        case "keys", "values":
            guard case .object(let object) = input else { throw inputMismatch("an object", input) }
            try chargeSteps(object.count)
            return .array(name == "keys" ? object.keys.map(Value.string) : object.values)
        case "plus", "minus", "times", "divided_by", "modulo":
            guard case .number(let a) = input else { throw inputMismatch("a number", input) }
            let b = try numberArgument(0)
            if (name == "divided_by" || name == "modulo") && b.isZero {
                throw EvaluationError(
                    code: .exprDivisionByZero, message: "filter `\(name)` cannot divide by zero",
                    range: argumentRange(0), hint: "guard the division, as in `<if test=\"props.count != 0\">`")
            }
            guard let result = NumberMath.arithmetic(name, a, b) else {
                throw invalid(nil, "the result of `\(name)` is too large to represent")
            }
            return .number(result)
        case "abs":
            guard case .number(let n) = input else { throw inputMismatch("a number", input) }
            return .number(NumberMath.abs(n))
        case "round", "floor", "ceil":
            guard case .number(let n) = input else { throw inputMismatch("a number", input) }
            let places = name == "round" ? try decimalsArgument(0) : 0
            let mode: NumberMath.Rounding = name == "round" ? .halfAwayFromZero : name == "floor" ? .down : .up
            return .number(Number(exact: NumberMath.round(n.exactDecimal, places: places, mode)))
        case "number":
            guard case .number(let n) = input else { throw inputMismatch("a number", input) }
            let places = try decimalsArgument(0)
            guard let text = NumberMath.fixed(n.exactDecimal, places: places) else {
                throw invalid(nil, "the number is too large to format with fixed decimals")
            }
            return .string(text)
        case "date":
            guard case .string(let s) = input else { throw inputMismatch("an ISO 8601 date string", input) }
            let format = arguments.isEmpty ? "date" : try stringArgument(0)
            guard Filters.dateFormats.contains(format) else {
                throw invalid(
                    0, "unknown date format `\(format)`",
                    hint: Suggestions.didYouMean(format, in: Filters.dateFormats)
                        ?? "formats: " + Filters.dateFormats.map { "`\($0)`" }.joined(separator: ", "))
            }
            guard let date = ISODate(parsing: s) else {
                throw EvaluationError(
                    code: .exprInvalidArgument, message: "filter `date` cannot read `\(s.prefix(40))` as a date",
                    range: inputRange, hint: "write dates in ISO 8601, as in `2024-03-05` or `2024-03-05T14:30:00Z`")
            }
            return .string(date.formatted(format))
        default:
            // Unreachable for parsed expressions: the parser only accepts names in `Filters.all`.
            throw EvaluationError(code: .exprUnknownFilter, message: "unknown filter `\(name)`", range: nameRange)
        }
    }

    private mutating func sort(_ input: Value) throws(EvaluationError) -> Value {
        guard case .array(let items) = input else { throw inputMismatch("an array", input) }
        let key: String? = arguments.isEmpty ? nil : try stringArgument(0)
        var log = 1
        while 1 << log < items.count { log += 1 }
        try chargeSteps(items.count * log)
        let sortKeys = items.map { item in key.map { item[$0] ?? .null } ?? item }
        // One kind for the whole array, so the order is total and explainable.
        var kind: String?
        for (i, k) in sortKeys.enumerated() {
            switch k {
            case .null: continue
            case .number, .string:
                let t = k.numberValue != nil ? "number" : "string"
                if let kind, kind != t {
                    let what = key.map { "member `\($0)` of element \(i)" } ?? "element \(i)"
                    throw EvaluationError(
                        code: .exprTypeMismatch,
                        message: "filter `sort` cannot order \(kind)s and \(t)s: \(what) is a \(t)",
                        range: nameRange, hint: "sort arrays whose elements (or keys) are all numbers or all strings")
                }
                kind = t
            default:
                let what = key.map { "member `\($0)` of element \(i)" } ?? "element \(i)"
                throw EvaluationError(
                    code: .exprTypeMismatch, message: "filter `sort` cannot order \(k.typeName) values: \(what)",
                    range: nameRange,
                    hint: key == nil
                        ? "sort objects by a member, as in `| sort: 'name'`"
                        : "sort by a member that holds numbers or strings")
            }
        }
        let order = sortKeys.indices.sorted { a, b in
            switch (sortKeys[a], sortKeys[b]) {
            case (.number(let x), .number(let y)): return x != y ? x < y : a < b
            case (.string(let x), .string(let y)):
                if x.unicodeScalars.elementsEqual(y.unicodeScalars) { return a < b }
                return Evaluator.scalarsPrecede(x, y)
            case (.null, .null): return a < b
            case (.null, _): return false
            case (_, .null): return true
            default: return a < b
            }
        }
        return .array(order.map { items[$0] })
    }

    static func sliceRange(start: Int, length: Int, count: Int) -> Range<Int> {
        let from = start < 0 ? max(0, count + max(start, -count)) : min(start, count)
        let to = from + min(length, count - from)
        return from..<to
    }

    static func trimmed(_ s: String) -> String {
        let start = s.firstIndex { !$0.isWhitespace } ?? s.endIndex
        let end = s.lastIndex { !$0.isWhitespace }.map { s.index(after: $0) } ?? start
        return start < end ? String(s[start..<end]) : ""
    }
}
