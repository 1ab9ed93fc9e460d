import CustomUICore

/// The yes/no check used by `isValid` (and first by `validate`): no error text, no paths, no annotations.
///
/// It only runs for schemas without `unevaluated*` and `$dynamicRef`, whose results never depend on
/// annotations or the dynamic scope; everything else goes through `Evaluator`. Keeping this path free
/// of error-building code keeps its stack frames small, which matters at hundreds of nodes per instance.
///
/// It reads the schema's graph through buffer pointers that live as long as one `isValid` call, so
/// visiting a node, a keyword or a property name costs no reference counting.
struct FastEvaluator {
    /// The tables read less often than once per node.
    let graph: SchemaGraph
    let nodes: UnsafeBufferPointer<Node>
    let keywords: UnsafeBufferPointer<Keyword>
    let applicators: UnsafeBufferPointer<PropertiesApplicator>
    let memberNames: UnsafeBufferPointer<String>
    let memberCounts: UnsafeBufferPointer<Int>
    let memberNodes: UnsafeBufferPointer<Int>
    let maxDepth: Int
    let maxSteps: Int

    /// What one run counts as it goes. Kept apart from the evaluator, whose methods then do not mutate it:
    /// the compiler can read the graph's arrays through a borrowed `self` without retaining them.
    struct Budget {
        var steps = 0
        /// Stops the recursion before the thread's stack runs out; see `StackGuard`.
        var stack = StackGuard()
    }

    /// Whether `instance` is valid against the node `root` of `program` (which must not need annotations).
    static func isValid(_ instance: Value, root: Int, program: Program) -> Bool {
        let graph = program.graph
        return graph.nodes.withUnsafeBufferPointer { nodes in
            graph.keywords.withUnsafeBufferPointer { keywords in
                graph.applicators.withUnsafeBufferPointer { applicators in
                    graph.memberNames.withUnsafeBufferPointer { memberNames in
                        graph.memberCounts.withUnsafeBufferPointer { memberCounts in
                            graph.memberNodes.withUnsafeBufferPointer { memberNodes in
                                let run = FastEvaluator(
                                    graph: graph, nodes: nodes, keywords: keywords, applicators: applicators,
                                    memberNames: memberNames, memberCounts: memberCounts, memberNodes: memberNodes,
                                    maxDepth: program.maxDepth, maxSteps: program.maxSteps)
                                var budget = Budget()
                                return run.validate(root, instance, depth: 1, &budget)
                            }
                        }
                    }
                }
            }
        }
    }

    func validate(_ node: Int, _ value: Value, depth: Int, _ budget: inout Budget) -> Bool {
        if let boolean = nodes[node].boolean { return boolean }
        budget.steps += 1
        if depth > maxDepth || budget.steps > maxSteps { return false }
        if budget.stack.isExhausted() { return false }
        for i in nodes[node].keywords where !check(keywords[i], value, depth, &budget) { return false }
        return true
    }

    func check(_ keyword: Keyword, _ value: Value, _ depth: Int, _ budget: inout Budget) -> Bool {
        switch keyword {
        case .type(let types):
            return Evaluator.matches(types, value)
        case .stringEnumeration(let list):
            guard case .string(let s) = value else { return false }
            let count = s.utf8.count
            for candidate in graph.enums[list].strings where candidate.count == count && candidate.text == s {
                if candidate.ascii || JSONEquality.equal(.string(candidate.text), value) { return true }
            }
            return false
        case .enumeration(let list):
            for candidate in graph.enums[list].values where JSONEquality.equal(candidate, value) { return true }
            return false
        case .constant(let expected):
            return JSONEquality.equal(value, graph.values[expected])
        case .multipleOf(let divisor):
            guard case .number(let n) = value else { return true }
            return NumberMath.isMultiple(n, of: graph.numbers[divisor])
        case .minimum(let limit):
            guard case .number(let n) = value else { return true }
            return !(n < graph.numbers[limit])
        case .maximum(let limit):
            guard case .number(let n) = value else { return true }
            return !(graph.numbers[limit] < n)
        case .exclusiveMinimum(let limit):
            guard case .number(let n) = value else { return true }
            return graph.numbers[limit] < n
        case .exclusiveMaximum(let limit):
            guard case .number(let n) = value else { return true }
            return n < graph.numbers[limit]
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
        case .pattern(let pattern):
            guard case .string(let s) = value else { return true }
            return graph.patterns[pattern].regex.matches(s)
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
            for name in graph.nameLists[names] where !Evaluator.has(object, name) { return false }
            return true
        case .dependentRequired(let rules):
            guard case .object(let object) = value else { return true }
            for (trigger, names) in graph.dependentRequired[rules] where Evaluator.has(object, trigger) {
                for name in names where !Evaluator.has(object, name) { return false }
            }
            return true
        case .format(let format):
            guard case .string(let s) = value else { return true }
            return graph.formats[format].checker.check(s)
        case .ref(let target):
            return validate(target, value, depth: depth + 1, &budget)
        case .dynamicRef(let target, _):
            // Unreachable: schemas with `$dynamicRef` use `Evaluator`; treat it as `$ref` to stay total.
            return validate(target, value, depth: depth + 1, &budget)
        case .allOf(let list):
            for i in list where !validate(graph.nodeLists[i], value, depth: depth + 1, &budget) { return false }
            return true
        case .anyOf(let list):
            for i in list where validate(graph.nodeLists[i], value, depth: depth + 1, &budget) { return true }
            return false
        case .oneOf(let list):
            var matches = 0
            for i in list where validate(graph.nodeLists[i], value, depth: depth + 1, &budget) {
                matches += 1
                if matches > 1 { return false }
            }
            return matches == 1
        case .not(let sub):
            return !validate(sub, value, depth: depth + 1, &budget)
        case .conditional(let ifNode, let thenNode, let elseNode):
            if validate(ifNode, value, depth: depth + 1, &budget) {
                return thenNode.map { validate($0, value, depth: depth + 1, &budget) } ?? true
            }
            return elseNode.map { validate($0, value, depth: depth + 1, &budget) } ?? true
        case .properties(let applicator):
            guard case .object(let object) = value else { return true }
            return properties(applicators[applicator], object, depth, &budget)
        case .propertyNames(let sub):
            guard case .object(let object) = value else { return true }
            for name in object.keys where !validate(sub, .string(name), depth: depth + 1, &budget) { return false }
            return true
        case .dependentSchemas(let rules):
            guard case .object(let object) = value else { return true }
            for (trigger, sub) in graph.dependentSchemas[rules] where Evaluator.has(object, trigger) {
                if !validate(sub, value, depth: depth + 1, &budget) { return false }
            }
            return true
        case .items(let prefix, let rest):
            guard case .array(let items) = value else { return true }
            let prefixCount = min(prefix.count, items.count)
            for i in 0..<prefixCount
            where !validate(graph.nodeLists[prefix.lowerBound + i], items[i], depth: depth + 1, &budget) {
                return false
            }
            if let rest, items.count > prefixCount {
                if nodes[rest].boolean == true { return true }
                for i in prefixCount..<items.count where !validate(rest, items[i], depth: depth + 1, &budget) {
                    return false
                }
            }
            return true
        case .contains(let sub, let minimum, let maximum):
            guard case .array(let items) = value else { return true }
            var count = 0
            for item in items where validate(sub, item, depth: depth + 1, &budget) {
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

    func properties(
        _ applicator: borrowing PropertiesApplicator, _ object: ValueObject, _ depth: Int, _ budget: inout Budget
    ) -> Bool {
        let members = applicator.members
        let hasPatterns = !applicator.patterns.isEmpty
        let additional = applicator.additional
        let small = members.count <= 16
        if !hasPatterns, additional == nil, !small || members.count * 4 < object.count {
            // Few schema properties against a big object: look each one up.
            for i in members {
                guard let member = object[memberNames[i]] else { continue }
                if !validate(memberNodes[i], member, depth: depth + 1, &budget) { return false }
            }
            return true
        }
        let additionalIsFalse = additional.map { nodes[$0].boolean == false } ?? false
        let keys = object.keys
        let values = object.values
        // Members are usually written in the schema's order: each search starts after the last name found.
        var cursor = members.lowerBound
        for position in keys.indices {
            let name = keys[position]
            var sub = -1
            if small, !members.isEmpty {
                let count = name.utf8.count
                var i = cursor
                repeat {
                    if memberCounts[i] == count && memberNames[i] == name {
                        sub = memberNodes[i]
                        cursor = i + 1 == members.upperBound ? members.lowerBound : i + 1
                        break
                    }
                    i = i + 1 == members.upperBound ? members.lowerBound : i + 1
                } while i != cursor
            } else if let found = applicator.properties[name] {
                sub = found
            }
            if sub >= 0 {
                if !validate(sub, values[position], depth: depth + 1, &budget) { return false }
                if !hasPatterns { continue }
            }
            var matched = sub >= 0
            if hasPatterns {
                for pattern in applicator.patterns {
                    switch pattern.regex.match(name) {
                    case .match: break
                    case .noMatch: continue
                    case .tooManySteps: return false
                    }
                    matched = true
                    if !validate(pattern.node, values[position], depth: depth + 1, &budget) { return false }
                }
            }
            if !matched, let additional {
                if additionalIsFalse { return false }
                if !validate(additional, values[position], depth: depth + 1, &budget) { return false }
            }
        }
        return true
    }
}
