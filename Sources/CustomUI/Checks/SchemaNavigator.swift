import CustomUICore
import JSONSchema

/// Answers "what can be at this path?" over a props JSON Schema, for binding checks.
///
/// It follows local `$ref`s and treats `allOf`/`anyOf`/`oneOf` as alternatives. An object schema
/// that lists `properties` is closed for bindings unless it says otherwise with
/// `additionalProperties` or `patternProperties`: `props.titel` is far more often a typo than a
/// deliberate read of an undeclared member.
struct SchemaNavigator {
    let root: Value

    enum Member {
        /// The member exists; these schemas describe it (empty means "anything").
        case found([Value])
        /// The schema does not allow it; these are the declared names.
        case unknown(declared: [String])
    }

    /// The schemas a schema stands for after following `$ref` and combinators.
    func expand(_ schema: Value, depth: Int = 0) -> [Value] {
        guard depth < 32 else { return [] }
        guard case .object(let object) = schema else { return [schema] }
        var result: [Value] = [schema]
        if let ref = object["$ref"]?.stringValue, ref.hasPrefix("#") {
            let pointerText = String(ref.dropFirst())
            if let pointer = try? JSONPointer(parsing: pointerText), let target = pointer.resolve(in: root) {
                result += expand(target, depth: depth + 1)
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            for sub in object[key]?.arrayValue ?? [] { result += expand(sub, depth: depth + 1) }
        }
        return result
    }

    /// The JSON types the schemas allow, or nil when they do not say.
    func types(_ schemas: [Value]) -> Set<String>? {
        var found: Set<String> = []
        var known = false
        for schema in schemas.flatMap({ expand($0) }) {
            guard case .object(let o) = schema else { continue }
            if let t = o["type"]?.stringValue {
                known = true
                found.insert(t)
            } else if let ts = o["type"]?.arrayValue {
                known = true
                for t in ts { if let s = t.stringValue { found.insert(s) } }
            } else if let values = o["enum"]?.arrayValue {
                known = true
                for v in values { found.insert(v.typeName) }
            } else if let c = o["const"] {
                known = true
                found.insert(c.typeName)
            } else if o["properties"] != nil {
                known = true
                found.insert("object")
            } else if o["items"] != nil || o["prefixItems"] != nil {
                known = true
                found.insert("array")
            }
        }
        if found.contains("number") { found.insert("integer") }
        return known ? found : nil
    }

    /// What the schemas say about member `name`.
    func member(_ schemas: [Value], _ name: String) -> Member {
        var found: [Value] = []
        var declared: [String] = []
        var closedSomewhere = false
        var openSomewhere = false
        for schema in schemas.flatMap({ expand($0) }) {
            guard case .object(let o) = schema else {
                if schema == .bool(true) { openSomewhere = true }
                continue
            }
            let properties = o["properties"]?.objectValue
            if let sub = properties?[name] {
                found.append(sub)
                continue
            }
            declared += properties?.keys ?? []
            if o["patternProperties"] != nil {
                openSomewhere = true
            } else if let additional = o["additionalProperties"] {
                if additional == .bool(false) { closedSomewhere = true } else { found.append(additional) }
            } else if properties != nil {
                closedSomewhere = true
            }
        }
        if !found.isEmpty || openSomewhere { return .found(found) }
        if closedSomewhere { return .unknown(declared: Array(Set(declared)).sorted()) }
        return .found([])
    }

    /// The schemas of the array's elements at `index` (nil for any element).
    func element(_ schemas: [Value], index: Int?) -> [Value] {
        var result: [Value] = []
        for schema in schemas.flatMap({ expand($0) }) {
            guard case .object(let o) = schema else { continue }
            if let index, let prefix = o["prefixItems"]?.arrayValue, index < prefix.count {
                result.append(prefix[index])
            } else if let items = o["items"] {
                result.append(items)
            }
        }
        return result
    }
}
