import CustomUICore

/// The yes/no check used by `isValid` (and first by `validate`): no error text, no paths, no annotations.
///
/// It only runs for schemas without `unevaluated*` and `$dynamicRef`, whose results never depend on
/// annotations or the dynamic scope; everything else goes through `Evaluator`. Keeping this path free
/// of error-building code keeps its stack frames small, which matters at hundreds of nodes per instance.
struct FastEvaluator {
    let maxDepth: Int
    let maxSteps: Int
    var steps = 0
    /// Stops the recursion before the thread's stack runs out; see `StackGuard`.
    var stack = StackGuard()

    init(maxDepth: Int, maxSteps: Int) {
        self.maxDepth = maxDepth
        self.maxSteps = maxSteps
    }

    mutating func validate(_ node: Node, _ value: Value, depth: Int) -> Bool {
        if let boolean = node.boolean { return boolean }
        steps += 1
        if depth > maxDepth || steps > maxSteps { return false }
        if stack.isExhausted() { return false }
        let keywords = node.frozen
        for i in keywords.indices where !check(keywords[i], value, depth) { return false }
        return true
    }

    mutating func check(_ keyword: borrowing Keyword, _ value: Value, _ depth: Int) -> Bool {
        switch keyword {
        case .type(let types):
            return Evaluator.matches(types, value)
        case .stringEnumeration(let strings, _):
            guard case .string(let s) = value else { return false }
            let count = s.utf8.count
            for candidate in strings where candidate.count == count && candidate.text == s {
                if candidate.ascii || JSONEquality.equal(.string(candidate.text), value) { return true }
            }
            return false
        case .enumeration(let list):
            for candidate in list where JSONEquality.equal(candidate, value) { return true }
            return false
        case .constant(let expected):
            return JSONEquality.equal(value, expected)
        case .multipleOf(let divisor):
            guard case .number(let n) = value else { return true }
            return NumberMath.isMultiple(n, of: divisor)
        case .minimum(let limit):
            guard case .number(let n) = value else { return true }
            return !(n < limit)
        case .maximum(let limit):
            guard case .number(let n) = value else { return true }
            return !(limit < n)
        case .exclusiveMinimum(let limit):
            guard case .number(let n) = value else { return true }
            return limit < n
        case .exclusiveMaximum(let limit):
            guard case .number(let n) = value else { return true }
            return n < limit
        case .minLength(let limit):
            guard case .string(let s) = value else { return true }
            let bytes = s.utf8.count
            // A scalar takes at most four bytes, so the byte count bounds the length from both sides.
            if bytes < limit { return false }
            if (bytes + 3) / 4 >= limit { return true }
            return s.unicodeScalars.count >= limit
        case .maxLength(let limit):
            guard case .string(let s) = value else { return true }
            return s.utf8.count <= limit || s.unicodeScalars.count <= limit
        case .pattern(_, let regex):
            guard case .string(let s) = value else { return true }
            return regex.matches(s)
        case .minItems(let limit):
            guard case .array(let items) = value else { return true }
            return items.count >= limit
        case .maxItems(let limit):
            guard case .array(let items) = value else { return true }
            return items.count <= limit
        case .uniqueItems:
            guard case .array(let items) = value, items.count > 1 else { return true }
            var seen = Set<Value>(minimumCapacity: items.count)
            for (i, item) in items.enumerated() where !seen.insert(item).inserted {
                if items[..<i].contains(where: { JSONEquality.equal($0, item) }) { return false }
            }
            return true
        case .minProperties(let limit):
            guard case .object(let object) = value else { return true }
            return object.count >= limit
        case .maxProperties(let limit):
            guard case .object(let object) = value else { return true }
            return object.count <= limit
        case .required(let names):
            guard case .object(let object) = value else { return true }
            for name in names where !Evaluator.has(object, name) { return false }
            return true
        case .dependentRequired(let rules):
            guard case .object(let object) = value else { return true }
            for (trigger, names) in rules where Evaluator.has(object, trigger) {
                for name in names where !Evaluator.has(object, name) { return false }
            }
            return true
        case .format(_, let checker):
            guard case .string(let s) = value else { return true }
            return checker.check(s)
        case .ref(let target):
            return validate(target, value, depth: depth + 1)
        case .dynamicRef(let target, _):
            // Unreachable: schemas with `$dynamicRef` use `Evaluator`; treat it as `$ref` to stay total.
            return validate(target, value, depth: depth + 1)
        case .allOf(let nodes):
            for sub in nodes where !validate(sub, value, depth: depth + 1) { return false }
            return true
        case .anyOf(let nodes):
            for sub in nodes where validate(sub, value, depth: depth + 1) { return true }
            return false
        case .oneOf(let nodes):
            var matches = 0
            for sub in nodes where validate(sub, value, depth: depth + 1) {
                matches += 1
                if matches > 1 { return false }
            }
            return matches == 1
        case .not(let sub):
            return !validate(sub, value, depth: depth + 1)
        case .conditional(let ifNode, let thenNode, let elseNode):
            if validate(ifNode, value, depth: depth + 1) {
                return thenNode.map { validate($0, value, depth: depth + 1) } ?? true
            }
            return elseNode.map { validate($0, value, depth: depth + 1) } ?? true
        case .properties(let applicator):
            guard case .object(let object) = value else { return true }
            return properties(applicator, object, depth)
        case .propertyNames(let sub):
            guard case .object(let object) = value else { return true }
            for name in object.keys where !validate(sub, .string(name), depth: depth + 1) { return false }
            return true
        case .dependentSchemas(let rules):
            guard case .object(let object) = value else { return true }
            for (trigger, sub) in rules where Evaluator.has(object, trigger) {
                if !validate(sub, value, depth: depth + 1) { return false }
            }
            return true
        case .items(let applicator):
            guard case .array(let items) = value else { return true }
            let prefixCount = min(applicator.prefix.count, items.count)
            for i in 0..<prefixCount where !validate(applicator.prefix[i], items[i], depth: depth + 1) { return false }
            if let rest = applicator.rest, items.count > prefixCount {
                if rest.boolean == true { return true }
                for i in prefixCount..<items.count where !validate(rest, items[i], depth: depth + 1) { return false }
            }
            return true
        case .contains(let sub, let minimum, let maximum):
            guard case .array(let items) = value else { return true }
            var count = 0
            for item in items where validate(sub, item, depth: depth + 1) {
                count += 1
                if count >= minimum && maximum == nil { return true }
                if let maximum, count > maximum { return false }
            }
            return count >= minimum
        case .unevaluatedProperties, .unevaluatedItems:
            // Unreachable: schemas with `unevaluated*` use `Evaluator`.
            return false
        }
    }

    mutating func properties(_ applicator: PropertiesApplicator, _ object: ValueObject, _ depth: Int) -> Bool {
        properties(
            applicator, object, depth, UnsafeBufferPointer(applicator.frozenNodes),
            UnsafeBufferPointer(applicator.frozenKeys),
            UnsafeBufferPointer(applicator.frozenNames))
    }

    @inline(__always)
    mutating func properties(
        _ applicator: PropertiesApplicator, _ object: ValueObject, _ depth: Int,
        _ nodes: UnsafeBufferPointer<Unmanaged<Node>>,
        _ nameKeys: UnsafeBufferPointer<NameKey>, _ names: UnsafeBufferPointer<String>
    ) -> Bool {
        let hasPatterns = applicator.frozenHasPatterns
        let additional = applicator.frozenAdditional
        let small = names.count <= 16
        if !hasPatterns, additional == nil, !small || names.count * 4 < object.count {
            // Few schema properties against a big object: look each one up.
            for i in names.indices {
                guard let member = object[names[i]] else { continue }
                if !nodes[i]._withUnsafeGuaranteedRef({ validate($0, member, depth: depth + 1) }) { return false }
            }
            return true
        }
        let keys = object.keys
        let values = object.values
        for position in keys.indices {
            let name = keys[position]
            var index = -1
            if small {
                let key = NameKey(name)
                for i in nameKeys.indices where nameKeys[i] == key && names[i] == name {
                    index = i
                    break
                }
            } else if let i = applicator.names.firstIndex(of: name) {
                index = i
            }
            if index >= 0 {
                if !nodes[index]._withUnsafeGuaranteedRef({ validate($0, values[position], depth: depth + 1) }) {
                    return false
                }
                if !hasPatterns { continue }
            }
            var matched = index >= 0
            if hasPatterns {
                for pattern in applicator.patterns {
                    switch pattern.regex.match(name) {
                    case .match: break
                    case .noMatch: continue
                    case .tooManySteps: return false
                    }
                    matched = true
                    if !validate(pattern.node, values[position], depth: depth + 1) { return false }
                }
            }
            if !matched, let additional {
                if applicator.frozenAdditionalIsFalse { return false }
                if !additional._withUnsafeGuaranteedRef({ validate($0, values[position], depth: depth + 1) }) {
                    return false
                }
            }
        }
        return true
    }
}
