import CustomUICore

/// One compiled (sub)schema, stored in its schema's `SchemaGraph`; other nodes refer to it by index, so a
/// `$ref` costs an array access at validation time and recursive schemas need no reference cycles.
struct Node: Sendable {
    /// `true`/`false` schemas; nil for object schemas.
    var boolean: Bool?
    /// This node's keywords in `SchemaGraph.keywords`, with `unevaluated*` last because they read the others' annotations.
    var keywords: Range<Int> = 0..<0
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

/// A compiled schema's nodes and keywords, each in one array, built once by the compiler and then only read.
///
/// References between nodes are indices into `nodes`, so the graph may have `$ref` cycles and still be a
/// plain value: nothing to tear down, and `Sendable` by construction. A `Keyword` holds only numbers and
/// indices (its strings, lists and regular expressions are in the tables below), so reading one copies a
/// few bytes and counts no references, which is what visiting hundreds of nodes per instance costs.
struct SchemaGraph: Sendable {
    var nodes: [Node] = []
    /// Every node's keywords, a node's contiguous (`Node.keywords`).
    var keywords: [Keyword] = []
    /// The keywords' payloads, by index.
    var numbers: [Number] = []
    var values: [Value] = []
    var enums: [EnumList] = []
    var patterns: [Pattern] = []
    var nameLists: [[String]] = []
    var dependentRequired: [[(String, [String])]] = []
    var dependentSchemas: [[(String, Int)]] = []
    var formats: [NamedFormat] = []
    var anchors: [String] = []
    /// The subschemas of `allOf`/`anyOf`/`oneOf`/`prefixItems`, a keyword's contiguous.
    var nodeLists: [Int] = []
    /// The `properties`/`patternProperties`/`additionalProperties` applicators (`Keyword.properties`).
    var applicators: [PropertiesApplicator] = []
    /// Every applicator's property names, their UTF-8 byte counts (compared before the names) and their
    /// subschemas, an applicator's contiguous (`PropertiesApplicator.members`), so that the yes/no check
    /// reads them without touching an array per object.
    var memberNames: [String] = []
    var memberCounts: [Int] = []
    var memberNodes: [Int] = []
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
struct PropertiesApplicator: Sendable {
    /// This applicator's `properties`, in schema order, as a range of `SchemaGraph.memberNames`,
    /// `memberCounts` and `memberNodes`.
    var members: Range<Int> = 0..<0
    /// The same names to their nodes, for objects with more names than a scan should look through.
    var properties: [String: Int] = [:]
    var patterns: [PatternProperty] = []
    var additional: Int?
    var hasProperties = false

    /// The subschema for a member name: a linear scan for small maps, where comparing short strings beats hashing.
    func lookup(_ name: String, in graph: SchemaGraph) -> Int? {
        if members.count <= 12 {
            for i in members where graph.memberNames[i] == name { return graph.memberNodes[i] }
            return nil
        }
        return properties[name]
    }
}

/// A `patternProperties` entry.
struct PatternProperty: Sendable {
    let source: String
    let regex: SchemaRegex
    let node: Int
}

/// An `enum` keyword's values, with the strings precomputed when all of them are strings.
struct EnumList: Sendable {
    let values: [Value]
    let strings: [EnumString]
}

/// A `pattern` keyword's source and compiled form.
struct Pattern: Sendable {
    let source: String
    let regex: SchemaRegex
}

/// A `format` keyword's name and checker.
struct NamedFormat: Sendable {
    let name: String
    let checker: FormatChecker
}

/// An `enum` string with what the fast comparison needs precomputed.
struct EnumString: Sendable {
    let text: String
    let count: Int
    let ascii: Bool

    init(_ text: String) {
        self.text = text
        count = text.utf8.count
        ascii = text.utf8.allSatisfy { $0 < 0x80 }
    }
}

/// One compiled keyword: numbers and indices only (subschemas into `SchemaGraph.nodes`, payloads into the
/// graph's tables), so that it is copied without reference counting.
enum Keyword: Sendable {
    case type(TypeSet)
    /// `SchemaGraph.enums`.
    case enumeration(Int)
    /// `SchemaGraph.enums`, all strings.
    case stringEnumeration(Int)
    /// `SchemaGraph.values`.
    case constant(Int)
    /// `SchemaGraph.numbers`, like the other four number keywords.
    case multipleOf(Int)
    case minimum(Int)
    case maximum(Int)
    case exclusiveMinimum(Int)
    case exclusiveMaximum(Int)
    case minLength(Int)
    case maxLength(Int)
    /// `SchemaGraph.patterns`.
    case pattern(Int)
    case minItems(Int)
    case maxItems(Int)
    case uniqueItems
    case minProperties(Int)
    case maxProperties(Int)
    /// `SchemaGraph.nameLists`.
    case required(Int)
    /// `SchemaGraph.dependentRequired`.
    case dependentRequired(Int)
    /// `SchemaGraph.formats`.
    case format(Int)
    case ref(Int)
    /// The anchor name is in `SchemaGraph.anchors`.
    case dynamicRef(Int, anchor: Int)
    /// Ranges of `SchemaGraph.nodeLists`.
    case allOf(Range<Int>)
    case anyOf(Range<Int>)
    case oneOf(Range<Int>)
    case not(Int)
    case conditional(if: Int, then: Int?, else: Int?)
    /// `SchemaGraph.applicators`.
    case properties(Int)
    case propertyNames(Int)
    /// `SchemaGraph.dependentSchemas`.
    case dependentSchemas(Int)
    /// `prefix` is a range of `SchemaGraph.nodeLists`.
    case items(prefix: Range<Int>, rest: Int?)
    case contains(Int, min: Int, max: Int?)
    case unevaluatedProperties(Int)
    case unevaluatedItems(Int)
}

/// Annotations the `unevaluated*` keywords read: which members and items some applicator already looked at.
///
/// The sets are optional so that the common case (no `unevaluated*` anywhere) creates and destroys nothing.
struct Evaluated {
    var allProperties = false
    var properties: Set<String>? = nil
    var allItems = false
    var itemPrefix = 0
    var items: Set<Int>? = nil

    mutating func insertProperty(_ name: String) {
        if properties == nil { properties = [] }
        properties?.insert(name)
    }

    mutating func insertItem(_ index: Int) {
        if items == nil { items = [] }
        items?.insert(index)
    }

    func hasProperty(_ name: String) -> Bool { properties?.contains(name) ?? false }
    func hasItem(_ index: Int) -> Bool { items?.contains(index) ?? false }

    mutating func merge(_ other: Evaluated) {
        if other.allProperties { allProperties = true }
        if !allProperties, let more = other.properties { properties = (properties ?? []).union(more) }
        if other.allItems { allItems = true }
        itemPrefix = max(itemPrefix, other.itemPrefix)
        if !allItems, let more = other.items { items = (items ?? []).union(more) }
    }
}
