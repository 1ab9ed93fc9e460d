import CustomUICore

/// One compiled (sub)schema; nodes point at each other directly, so `$ref` costs nothing at validation time.
final class Node: @unchecked Sendable {
    /// `true`/`false` schemas; nil for object schemas.
    var boolean: Bool?
    /// The keywords to check, with `unevaluated*` last because they read the others' annotations.
    var keywords: [Keyword] = []
    /// `uri#/json/pointer` of this schema, for absolute keyword locations.
    let location: String
    /// The schema resource this node belongs to, for the dynamic scope of `$dynamicRef`.
    let resourceID: Int
    /// Whether some keyword here needs annotations from the others (`unevaluatedItems`/`unevaluatedProperties`).
    var hasUnevaluated = false
    /// Known property names of `properties`, for did-you-mean hints.
    var propertyNames: [String] = []

    init(location: String, resourceID: Int) {
        self.location = location
        self.resourceID = resourceID
    }
}

/// JSON types as bits so `type` checks are one AND.
struct TypeSet: OptionSet, Sendable {
    let rawValue: UInt8
    static let null = TypeSet(rawValue: 1)
    static let boolean = TypeSet(rawValue: 2)
    static let integer = TypeSet(rawValue: 4)
    static let number = TypeSet(rawValue: 8)
    static let string = TypeSet(rawValue: 16)
    static let array = TypeSet(rawValue: 32)
    static let object = TypeSet(rawValue: 64)

    static let names: [(String, TypeSet)] = [
        ("null", .null), ("boolean", .boolean), ("integer", .integer), ("number", .number),
        ("string", .string), ("array", .array), ("object", .object),
    ]

    init(rawValue: UInt8) { self.rawValue = rawValue }

    init?(name: String) {
        guard let entry = TypeSet.names.first(where: { $0.0 == name }) else { return nil }
        self = entry.1
    }

    var description: String {
        let list = TypeSet.names.filter { contains($0.1) }.map(\.0)
        return list.count <= 1 ? (list.first ?? "nothing") : "one of " + list.joined(separator: ", ")
    }
}

/// The object keywords that share one pass over the members.
final class PropertiesApplicator: @unchecked Sendable {
    var properties: [String: Node] = [:]
    var ordered: [(String, Node)] = []
    var patterns: [(source: String, regex: SchemaRegex, node: Node)] = []
    var additional: Node?
    var hasProperties = false
}

/// The array keywords that share one pass over the items.
struct ItemsApplicator {
    var prefix: [Node]
    var rest: Node?
}

/// One compiled keyword.
enum Keyword {
    case type(TypeSet)
    case enumeration([Value])
    case constant(Value)
    case multipleOf(Number)
    case minimum(Number)
    case maximum(Number)
    case exclusiveMinimum(Number)
    case exclusiveMaximum(Number)
    case minLength(Int)
    case maxLength(Int)
    case pattern(String, SchemaRegex)
    case minItems(Int)
    case maxItems(Int)
    case uniqueItems
    case minProperties(Int)
    case maxProperties(Int)
    case required([String])
    case dependentRequired([(String, [String])])
    case format(String, FormatChecker)
    case ref(Node)
    case dynamicRef(Node, anchor: String)
    case allOf([Node])
    case anyOf([Node])
    case oneOf([Node])
    case not(Node)
    case conditional(if: Node, then: Node?, else: Node?)
    case properties(PropertiesApplicator)
    case propertyNames(Node)
    case dependentSchemas([(String, Node)])
    case items(ItemsApplicator)
    case contains(Node, min: Int, max: Int?)
    case unevaluatedProperties(Node)
    case unevaluatedItems(Node)
}

/// Annotations the `unevaluated*` keywords read: which members and items some applicator already looked at.
struct Evaluated {
    var allProperties = false
    var properties: Set<String> = []
    var allItems = false
    var itemPrefix = 0
    var items: Set<Int> = []

    mutating func merge(_ other: Evaluated) {
        if other.allProperties { allProperties = true }
        if !allProperties, !other.properties.isEmpty { properties.formUnion(other.properties) }
        if other.allItems { allItems = true }
        itemPrefix = max(itemPrefix, other.itemPrefix)
        if !allItems, !other.items.isEmpty { items.formUnion(other.items) }
    }
}
