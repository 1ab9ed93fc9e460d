import CustomUICore

/// One validation run: walks compiled nodes over an instance, collecting errors only when asked.
///
/// Paths (instance and keyword) are pushed and popped only while collecting errors, so the plain
/// `isValid` check allocates nothing for them; branches of `anyOf`/`oneOf`/`not`/`if`/`contains`
/// run with collection off because their failures are expected and reported once at the applicator.
struct Evaluator {
    enum PathToken {
        case key(String)
        case index(Int)
    }

    let program: Program
    var collect: Bool
    var errors: [ValidationError] = []
    var instancePath: [PathToken] = []
    var keywordPath: [String] = []
    var scope: [Int] = []
    var depth = 0
    var steps = 0
    /// Stops the recursion before the thread's stack runs out; see `StackGuard`.
    var stack = StackGuard()
    var stepLimitReported = false

    init(program: Program, collect: Bool) {
        self.program = program
        self.collect = collect
    }

    // MARK: Nodes

    mutating func validate(_ node: Int, _ value: Value, _ evaluated: inout Evaluated, annotate: Bool) -> Bool {
        if let boolean = program.graph.nodes[node].boolean {
            if !boolean, collect { report(node, "false", "no value is allowed here", keywordless: true) }
            return boolean
        }
        steps += 1
        if steps > program.maxSteps {
            if collect && !stepLimitReported {
                stepLimitReported = true
                report(
                    node, "$ref", LimitExceeded(.steps, maximum: program.maxSteps).description, code: Limit.steps.code)
            }
            return false
        }
        depth += 1
        defer { depth -= 1 }
        if depth > program.maxDepth || stack.isExhausted() {
            if collect {
                let levels = min(depth - 1, program.maxDepth)
                let why = depth > program.maxDepth ? "" : " (the thread's stack is nearly used up)"
                report(
                    node, "$ref", "schema evaluation is nested deeper than \(levels) levels\(why)",
                    code: Limit.depth.code)
            }
            return false
        }
        let resourceID = program.graph.nodes[node].resourceID
        let pushed = program.usesDynamicScope && scope.last != resourceID
        if pushed { scope.append(resourceID) }
        defer { if pushed { scope.removeLast() } }

        let annotateHere = annotate || program.graph.nodes[node].hasUnevaluated
        var local = Evaluated()
        var valid = true
        for i in program.graph.nodes[node].keywords {
            if !check(program.graph.keywords[i], node, value, &local, annotateHere) {
                valid = false
                if !collect { return false }
            }
        }
        if valid && annotate { evaluated.merge(local) }
        return valid
    }

    /// Validates a child value (member or item) against a subschema.
    @inline(__always)
    mutating func child(_ node: Int, _ value: Value, _ token: PathToken, _ keyword: String, _ name: String? = nil)
        -> Bool
    {
        if program.graph.nodes[node].boolean == true { return true }
        if collect {
            instancePath.append(token)
            keywordPath.append(keyword)
            if let name { keywordPath.append(name) }
        }
        var ignored = Evaluated()
        let valid = validate(node, value, &ignored, annotate: false)
        if collect {
            instancePath.removeLast()
            keywordPath.removeLast(name == nil ? 1 : 2)
        }
        return valid
    }

    /// Validates the same value against an in-place subschema (`allOf`, `$ref`, ...).
    @inline(__always)
    mutating func inPlace(
        _ node: Int, _ value: Value, _ evaluated: inout Evaluated, _ annotate: Bool, _ keyword: String,
        _ name: String? = nil
    ) -> Bool {
        if collect {
            keywordPath.append(keyword)
            if let name { keywordPath.append(name) }
        }
        let valid = validate(node, value, &evaluated, annotate: annotate)
        if collect { keywordPath.removeLast(name == nil ? 1 : 2) }
        return valid
    }

    /// Runs a subschema only to learn whether it matches; errors inside are not reported.
    mutating func quietly(_ node: Int, _ value: Value, _ evaluated: inout Evaluated, _ annotate: Bool) -> Bool {
        let saved = collect
        collect = false
        defer { collect = saved }
        return validate(node, value, &evaluated, annotate: annotate)
    }

    // MARK: Keywords

    mutating func check(
        _ keyword: Keyword, _ node: Int, _ value: Value, _ evaluated: inout Evaluated, _ annotate: Bool
    ) -> Bool {
        switch keyword {
        case .type(let types):
            if Evaluator.matches(types, value) { return true }
            if collect {
                report(
                    node, "type", "expected \(types.description), found \(value.typeName)",
                    hint: Evaluator.typeHint(types, value))
            }
            return false

        case .stringEnumeration(let index):
            let strings = program.graph.enums[index].strings
            let list = program.graph.enums[index].values
            if case .string(let s) = value {
                let count = s.utf8.count
                for candidate in strings where candidate.count == count && candidate.text == s {
                    if candidate.ascii || JSONEquality.equal(.string(candidate.text), value) { return true }
                }
            }
            if collect { reportEnum(node, value, list) }
            return false

        case .enumeration(let index):
            let list = program.graph.enums[index].values
            for candidate in list where JSONEquality.equal(candidate, value) { return true }
            if collect { reportEnum(node, value, list) }
            return false

        case .constant(let index):
            let expected = program.graph.values[index]
            if JSONEquality.equal(value, expected) { return true }
            if collect {
                report(node, "const", "expected `\(Evaluator.short(expected))`, found `\(Evaluator.short(value))`")
            }
            return false

        case .multipleOf(let index):
            let divisor = program.graph.numbers[index]
            guard case .number(let n) = value else { return true }
            if NumberMath.isMultiple(n, of: divisor) { return true }
            if collect { report(node, "multipleOf", "\(n) is not a multiple of \(divisor)") }
            return false

        case .minimum(let index):
            let limit = program.graph.numbers[index]
            guard case .number(let n) = value, n < limit else { return true }
            if collect { report(node, "minimum", "\(n) is less than the minimum of \(limit)") }
            return false

        case .maximum(let index):
            let limit = program.graph.numbers[index]
            guard case .number(let n) = value, limit < n else { return true }
            if collect { report(node, "maximum", "\(n) is greater than the maximum of \(limit)") }
            return false

        case .exclusiveMinimum(let index):
            let limit = program.graph.numbers[index]
            guard case .number(let n) = value, !(limit < n) else { return true }
            if collect { report(node, "exclusiveMinimum", "\(n) is not greater than \(limit)") }
            return false

        case .exclusiveMaximum(let index):
            let limit = program.graph.numbers[index]
            guard case .number(let n) = value, !(n < limit) else { return true }
            if collect { report(node, "exclusiveMaximum", "\(n) is not less than \(limit)") }
            return false

        case .minLength(let limit):
            guard case .string(let s) = value else { return true }
            if s.utf8.count >= limit && s.unicodeScalars.count >= limit { return true }
            if collect {
                report(node, "minLength", "string is shorter than \(limit) character\(limit == 1 ? "" : "s")")
            }
            return false

        case .maxLength(let limit):
            guard case .string(let s) = value, s.utf8.count > limit, s.unicodeScalars.count > limit else { return true }
            if collect { report(node, "maxLength", "string is longer than \(limit) character\(limit == 1 ? "" : "s")") }
            return false

        case .pattern(let index):
            let (source, regex) = (program.graph.patterns[index].source, program.graph.patterns[index].regex)
            guard case .string(let s) = value else { return true }
            switch regex.match(s) {
            case .match: return true
            case .noMatch:
                if collect {
                    report(node, "pattern", "`\(Evaluator.short(value))` does not match the pattern `\(source)`")
                }
            case .tooManySteps:
                if collect { reportPatternSteps(node, "pattern", source) }
            }
            return false

        case .minItems(let limit):
            guard case .array(let items) = value, items.count < limit else { return true }
            if collect {
                report(
                    node, "minItems",
                    "array has \(items.count) item\(items.count == 1 ? "" : "s"), fewer than the minimum of \(limit)")
            }
            return false

        case .maxItems(let limit):
            guard case .array(let items) = value, items.count > limit else { return true }
            if collect { report(node, "maxItems", "array has \(items.count) items, more than the maximum of \(limit)") }
            return false

        case .uniqueItems:
            guard case .array(let items) = value, items.count > 1 else { return true }
            var seen = Set<Value>(minimumCapacity: items.count)
            for (i, item) in items.enumerated() where !seen.insert(item).inserted {
                // Swift equality may join canonically equivalent strings; confirm with code-point equality.
                guard let first = items[..<i].firstIndex(where: { JSONEquality.equal($0, item) }) else { continue }
                if collect { report(node, "uniqueItems", "items \(first) and \(i) are equal; items must be unique") }
                return false
            }
            return true

        case .minProperties(let limit):
            guard case .object(let object) = value, object.count < limit else { return true }
            if collect {
                report(
                    node, "minProperties",
                    "object has \(object.count) propert\(object.count == 1 ? "y" : "ies"), fewer than the minimum of \(limit)"
                )
            }
            return false

        case .maxProperties(let limit):
            guard case .object(let object) = value, object.count > limit else { return true }
            if collect {
                report(
                    node, "maxProperties", "object has \(object.count) properties, more than the maximum of \(limit)")
            }
            return false

        case .required(let index):
            let names = program.graph.nameLists[index]
            guard case .object(let object) = value else { return true }
            var valid = true
            for name in names where !Evaluator.has(object, name) {
                valid = false
                guard collect else { return false }
                let hint = Suggestions.closest(
                    to: name, in: object.keys.filter { !program.graph.nodes[node].propertyNames.contains($0) }
                )
                .map { "found `\($0)`; did you mean `\(name)`?" }
                report(node, "required", "missing required property `\(name)`", hint: hint)
            }
            return valid

        case .dependentRequired(let index):
            let rules = program.graph.dependentRequired[index]
            guard case .object(let object) = value else { return true }
            var valid = true
            for (trigger, names) in rules where object[trigger] != nil {
                for name in names where object[name] == nil {
                    valid = false
                    guard collect else { return false }
                    report(node, "dependentRequired", "property `\(name)` is required when `\(trigger)` is present")
                }
            }
            return valid

        case .format(let index):
            let (name, checker) = (program.graph.formats[index].name, program.graph.formats[index].checker)
            guard case .string(let s) = value, !checker.check(s) else { return true }
            if collect { report(node, "format", "`\(Evaluator.short(value))` is not a valid `\(name)`") }
            return false

        case .ref(let target):
            return inPlace(target, value, &evaluated, annotate, "$ref")

        case .dynamicRef(let target, let anchorIndex):
            let anchor = program.graph.anchors[anchorIndex]
            var resolved = target
            for resource in scope where resource < program.dynamicAnchors.count {
                if let candidate = program.dynamicAnchors[resource][anchor] {
                    resolved = candidate
                    break
                }
            }
            return inPlace(resolved, value, &evaluated, annotate, "$dynamicRef")

        case .allOf(let list):
            let nodes = Array(program.graph.nodeLists[list])
            var valid = true
            for (i, sub) in nodes.enumerated() where !inPlace(sub, value, &evaluated, annotate, "allOf", String(i)) {
                valid = false
                if !collect { return false }
            }
            return valid

        case .anyOf(let list):
            let nodes = Array(program.graph.nodeLists[list])
            var valid = false
            for sub in nodes where quietly(sub, value, &evaluated, annotate) {
                valid = true
                if !annotate { break }
            }
            if !valid && collect {
                report(node, "anyOf", "value does not match any of the \(nodes.count) schemas in `anyOf`")
                explainBranches(nodes, value, "anyOf")
            }
            return valid

        case .oneOf(let list):
            let nodes = Array(program.graph.nodeLists[list])
            var matches: [Int] = []
            var branch = Evaluated()
            for (i, sub) in nodes.enumerated() {
                var local = Evaluated()
                if quietly(sub, value, &local, annotate) {
                    matches.append(i)
                    branch = local
                    if matches.count > 1 { break }
                }
            }
            if matches.count == 1 {
                if annotate { evaluated.merge(branch) }
                return true
            }
            if collect {
                if matches.isEmpty {
                    report(node, "oneOf", "value does not match any of the \(nodes.count) schemas in `oneOf`")
                    explainBranches(nodes, value, "oneOf")
                } else {
                    report(
                        node, "oneOf",
                        "value matches schemas \(matches[0]) and \(matches[1]) in `oneOf`, but must match exactly one")
                }
            }
            return false

        case .not(let sub):
            var ignored = Evaluated()
            guard quietly(sub, value, &ignored, false) else { return true }
            if collect { report(node, "not", "value must not match the schema in `not`") }
            return false

        case .conditional(let ifNode, let thenNode, let elseNode):
            var branch = Evaluated()
            if quietly(ifNode, value, &branch, annotate) {
                if annotate { evaluated.merge(branch) }
                guard let thenNode else { return true }
                return inPlace(thenNode, value, &evaluated, annotate, "then")
            }
            guard let elseNode else { return true }
            return inPlace(elseNode, value, &evaluated, annotate, "else")

        case .properties(let applicator):
            guard case .object(let object) = value else { return true }
            return checkProperties(program.graph.applicators[applicator], node, object, &evaluated, annotate)

        case .propertyNames(let sub):
            guard case .object(let object) = value else { return true }
            var valid = true
            for name in object.keys {
                var ignored = Evaluated()
                if collect { keywordPath.append("propertyNames"); instancePath.append(.key(name)) }
                let ok = quietly(sub, .string(name), &ignored, false)
                if collect { keywordPath.removeLast(); instancePath.removeLast() }
                if !ok {
                    valid = false
                    guard collect else { return false }
                    report(
                        node, "propertyNames", "property name `\(name)` is not allowed", at: .key(name),
                        pointsAtKey: true)
                }
            }
            return valid

        case .dependentSchemas(let index):
            let rules = program.graph.dependentSchemas[index]
            guard case .object(let object) = value else { return true }
            var valid = true
            for (trigger, sub) in rules where object[trigger] != nil {
                if !inPlace(sub, value, &evaluated, annotate, "dependentSchemas", trigger) {
                    valid = false
                    if !collect { return false }
                }
            }
            return valid

        case .items(let prefix, let rest):
            guard case .array(let items) = value else { return true }
            var valid = true
            let prefixCount = min(prefix.count, items.count)
            for i in 0..<prefixCount
            where !child(program.graph.nodeLists[prefix.lowerBound + i], items[i], .index(i), "prefixItems", String(i))
            {
                valid = false
                if !collect { return false }
            }
            if annotate { evaluated.itemPrefix = max(evaluated.itemPrefix, prefixCount) }
            if let rest, items.count > prefixCount {
                for i in prefixCount..<items.count where !child(rest, items[i], .index(i), "items") {
                    valid = false
                    if !collect { return false }
                }
                if annotate { evaluated.allItems = true }
            }
            return valid

        case .contains(let sub, let minimum, let maximum):
            guard case .array(let items) = value else { return true }
            var count = 0
            for (i, item) in items.enumerated() {
                var ignored = Evaluated()
                if quietly(sub, item, &ignored, false) {
                    count += 1
                    if annotate { evaluated.insertItem(i) }
                    if !annotate, count >= minimum, maximum == nil { return true }
                }
            }
            if count < minimum {
                if collect {
                    let message =
                        minimum == 1
                        ? "array does not contain an item matching the `contains` schema"
                        : "array contains \(count) matching item\(count == 1 ? "" : "s"), fewer than `minContains` \(minimum)"
                    report(node, minimum == 1 ? "contains" : "minContains", message)
                }
                return false
            }
            if let maximum, count > maximum {
                if collect {
                    report(
                        node, "maxContains",
                        "array contains \(count) matching items, more than `maxContains` \(maximum)")
                }
                return false
            }
            return true

        case .unevaluatedProperties(let sub):
            guard case .object(let object) = value else { return true }
            if evaluated.allProperties { return true }
            var valid = true
            for (name, member) in object where !evaluated.hasProperty(name) {
                if program.graph.nodes[sub].boolean == false {
                    valid = false
                    guard collect else { return false }
                    let known = program.graph.nodes[node].propertyNames
                    report(
                        node, "unevaluatedProperties", notAllowed: name, hintFrom: known,
                        fixFrom: known.filter { object[$0] == nil })
                    continue
                }
                if !child(sub, member, .key(name), "unevaluatedProperties") {
                    valid = false
                    if !collect { return false }
                }
            }
            if valid && annotate { evaluated.allProperties = true }
            return valid

        case .unevaluatedItems(let sub):
            guard case .array(let items) = value else { return true }
            if evaluated.allItems { return true }
            var valid = true
            for i in evaluated.itemPrefix..<max(items.count, evaluated.itemPrefix) where !evaluated.hasItem(i) {
                if !child(sub, items[i], .index(i), "unevaluatedItems") {
                    valid = false
                    if !collect { return false }
                }
            }
            if valid && annotate { evaluated.allItems = true }
            return valid
        }
    }

    mutating func checkProperties(
        _ applicator: PropertiesApplicator, _ node: Int, _ object: ValueObject, _ evaluated: inout Evaluated,
        _ annotate: Bool
    ) -> Bool {
        var valid = true
        if applicator.patterns.isEmpty, applicator.additional == nil {
            // Only `properties`: walk the schema's names, usually fewer than the members.
            if applicator.properties.count <= object.count {
                for i in applicator.members {
                    let name = program.graph.memberNames[i]
                    let sub = program.graph.memberNodes[i]
                    guard let member = object[name] else { continue }
                    if annotate { evaluated.insertProperty(name) }
                    if !child(sub, member, .key(name), "properties", name) {
                        valid = false
                        if !collect { return false }
                    }
                }
                return valid
            }
        }
        for name in object.keys {
            guard let member = object[name] else { continue }
            var matched = false
            if let sub = applicator.lookup(name, in: program.graph) {
                matched = true
                if !child(sub, member, .key(name), "properties", name) {
                    valid = false
                    if !collect { return false }
                }
            }
            for pattern in applicator.patterns {
                let (source, regex, sub) = (pattern.source, pattern.regex, pattern.node)
                switch regex.match(name) {
                case .match: break
                case .noMatch: continue
                case .tooManySteps:
                    valid = false
                    guard collect else { return false }
                    reportPatternSteps(node, "patternProperties", source, at: .key(name), pointsAtKey: true)
                    matched = true
                    continue
                }
                matched = true
                if !child(sub, member, .key(name), "patternProperties", source) {
                    valid = false
                    if !collect { return false }
                }
            }
            if matched {
                if annotate { evaluated.insertProperty(name) }
                continue
            }
            guard let additional = applicator.additional else { continue }
            if program.graph.nodes[additional].boolean == false {
                valid = false
                guard collect else { return false }
                let known = applicator.properties.keys.filter { object[$0] == nil }.sorted()
                report(node, "additionalProperties", notAllowed: name, hintFrom: known, fixFrom: known)
                continue
            }
            if !child(additional, member, .key(name), "additionalProperties") {
                valid = false
                if !collect { return false }
            }
        }
        if annotate && applicator.additional != nil && valid { evaluated.allProperties = true }
        return valid
    }

    /// For a failed `anyOf`/`oneOf`, reports the branch errors too when there are few of them, so authors see why.
    mutating func explainBranches(_ nodes: [Int], _ value: Value, _ keyword: String) {
        for (i, sub) in nodes.enumerated() {
            var ignored = Evaluated()
            _ = inPlace(sub, value, &ignored, false, keyword, String(i))
        }
    }

    // MARK: Helpers

    /// A fix for the common quoting mistakes: `"3"` where a number is expected, `3` where a string is.
    static func typeHint(_ types: TypeSet, _ value: Value) -> String? {
        switch value {
        case .string(let s):
            if types.contains(.number) || types.contains(.integer), let n = Number(lexeme: s),
                types.contains(.number) || n.isInteger
            {
                return "write the number without quotes: `\(n)`"
            }
            if types.contains(.boolean), s == "true" || s == "false" { return "write `\(s)` without quotes" }
            if types.contains(.null), s == "null" { return "write `null` without quotes" }
            return nil
        case .number, .bool, .null:
            return types.contains(.string) ? "quote it to make a string: `\"\(value.jsonText)\"`" : nil
        default:
            return nil
        }
    }

    /// Whether an object has a member, scanning the key list for small objects (cheaper than hashing and copying the value).
    @inline(__always)
    static func has(_ object: ValueObject, _ name: String) -> Bool {
        let keys = object.keys
        if keys.count <= 12 {
            for key in keys where key == name { return true }
            return false
        }
        return object[name] != nil
    }

    static func matches(_ types: TypeSet, _ value: Value) -> Bool {
        switch value {
        case .null: types.contains(.null)
        case .bool: types.contains(.boolean)
        case .number(let n): types.contains(.number) || (types.contains(.integer) && n.isInteger)
        case .string: types.contains(.string)
        case .array: types.contains(.array)
        case .object: types.contains(.object)
        }
    }

    static func short(_ value: Value) -> String {
        let text: String
        if case .string(let s) = value { text = s } else { text = value.jsonText }
        return text.count > 40 ? String(text.prefix(37)) + "..." : text
    }

    // Reports kept out of `check`, whose stack frame every level of a deep schema pays for.

    @inline(never)
    mutating func reportEnum(_ node: Int, _ value: Value, _ list: [Value]) {
        let shown = list.prefix(8).map { "`\($0.jsonText)`" }.joined(separator: ", ") + (list.count > 8 ? ", ..." : "")
        var suggestions: (String, [String])? = nil
        if case .string(let s) = value {
            suggestions = (s, Suggestions.nearest(to: s, in: list.compactMap(\.stringValue)))
        }
        report(
            node, "enum", "value `\(Evaluator.short(value))` is not one of \(shown)",
            hint: suggestions.flatMap { Suggestions.didYouMean($0.1) }, suggestions: suggestions)
    }

    @inline(never)
    mutating func report(
        _ node: Int, _ keyword: String, notAllowed name: String, hintFrom: [String], fixFrom: [String]
    ) {
        report(
            node, keyword, "property `\(name)` is not allowed", at: .key(name), pointsAtKey: true,
            hint: Suggestions.didYouMean(name, in: hintFrom),
            suggestions: (name, Suggestions.nearest(to: name, in: fixFrom)))
    }

    /// A pattern that backtracked past ICU's step limit on a value: an error, never a hang.
    mutating func reportPatternSteps(
        _ node: Int, _ keyword: String, _ source: String, at extra: PathToken? = nil, pointsAtKey: Bool = false
    ) {
        report(
            node, keyword,
            "matching the pattern `\(source)` took more steps than the limit (a million plus a hundred per character), so the value counts as not matching",
            at: extra, pointsAtKey: pointsAtKey,
            hint:
                "lookaround and backreferences backtrack; rewrite the pattern without nested quantifiers around them",
            code: Limit.steps.code)
    }

    mutating func report(
        _ node: Int, _ keyword: String, _ message: String, at extra: PathToken? = nil, pointsAtKey: Bool = false,
        hint: String? = nil, keywordless: Bool = false, code: DiagnosticCode? = nil,
        suggestions: (String, [String])? = nil
    ) {
        var tokens: [String] = instancePath.map {
            switch $0 {
            case .key(let k): k
            case .index(let i): String(i)
            }
        }
        if let extra {
            switch extra {
            case .key(let k): tokens.append(k)
            case .index(let i): tokens.append(String(i))
            }
        }
        let path = keywordless ? keywordPath : keywordPath + [keyword]
        let keywordLocation = path.isEmpty ? "" : "/" + path.map(JSONPointer.escape).joined(separator: "/")
        let location = program.graph.nodes[node].location
        let absolute = keywordless ? location : location + "/" + JSONPointer.escape(keyword)
        var error = ValidationError(
            instanceLocation: JSONPointer(tokens: tokens), keywordLocation: keywordLocation,
            absoluteKeywordLocation: absolute, keyword: keyword, message: message, hint: hint,
            pointsAtKey: pointsAtKey, code: code)
        if let suggestions, !suggestions.1.isEmpty { (error.written, error.suggestions) = suggestions }
        errors.append(error)
    }
}
