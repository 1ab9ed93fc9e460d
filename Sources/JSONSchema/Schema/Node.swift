import CustomUICore

/// One compiled (sub)schema; nodes point at each other directly, so `$ref` costs nothing at validation time.
///
/// `@unchecked Sendable` because it owns manually managed memory (`frozen`, read without reference
/// counting on the hot path): a node is written only while its schema compiles, on the compiling
/// thread, and `freeze()`d before the `CompiledSchema` that owns it is returned; from then on every
/// thread only reads it, until the schema's `deinit` tears it down.
final class Node: @unchecked Sendable {
    /// `true`/`false` schemas; nil for object schemas.
    @exclusivity(unchecked) var boolean: Bool?
    /// The keywords to check, with `unevaluated*` last because they read the others' annotations.
    @exclusivity(unchecked) var keywords: [Keyword] = []
    /// `uri#/json/pointer` of this schema, for absolute keyword locations.
    let location: String
    /// The schema resource this node belongs to, for the dynamic scope of `$dynamicRef`.
    let resourceID: Int
    /// Whether some keyword here needs annotations from the others (`unevaluatedItems`/`unevaluatedProperties`).
    @exclusivity(unchecked) var hasUnevaluated = false
    /// Known property names of `properties`, for did-you-mean hints.
    var propertyNames: [String] = []

    /// A copy of `keywords` in memory this node owns, read without reference counting on the hot path.
    @exclusivity(unchecked) private(set) var frozen = UnsafeMutableBufferPointer<Keyword>(start: nil, count: 0)

    init(location: String, resourceID: Int) {
        self.location = location
        self.resourceID = resourceID
    }

    /// Copies the keywords into `frozen`; called once when compilation is complete.
    func freeze() {
        guard frozen.baseAddress == nil, !keywords.isEmpty else { return }
        let buffer = UnsafeMutableBufferPointer<Keyword>.allocate(capacity: keywords.count)
        _ = buffer.initialize(from: keywords)
        frozen = buffer
    }

    /// Drops this node's keywords, breaking the reference cycles recursive schemas create, so they can be freed.
    func tearDown() {
        keywords = []
        if frozen.baseAddress != nil {
            frozen.deinitialize()
            frozen.deallocate()
            frozen = UnsafeMutableBufferPointer(start: nil, count: 0)
        }
    }

    deinit {
        tearDown()
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
///
/// `@unchecked Sendable` for the same reason as `Node`: its unmanaged buffers are written only while
/// the schema compiles and `freeze()`d before it is published; validation only reads them.
final class PropertiesApplicator: @unchecked Sendable {
    var properties: [String: Node] = [:]
    var ordered: [(String, Node)] = []

    var names: [String] = []
    var nodes: [Node] = []
    /// Length and first byte of each name, checked before comparing strings (a failed `==` is a slow call).
    var nameKeys: [NameKey] = []
    /// The nodes without reference counting: the compiled schema owns them for as long as any evaluator runs.
    var unmanagedNodes: [Unmanaged<Node>] = []

    /// Names, fingerprints and nodes in memory this applicator owns, read without reference counting.
    @exclusivity(unchecked) private(set) var frozenNames = UnsafeMutableBufferPointer<String>(start: nil, count: 0)
    @exclusivity(unchecked) private(set) var frozenKeys = UnsafeMutableBufferPointer<NameKey>(start: nil, count: 0)
    @exclusivity(unchecked) private(set) var frozenNodes = UnsafeMutableBufferPointer<Unmanaged<Node>>(
        start: nil, count: 0)

    /// Flags read on the hot path instead of the arrays and optionals they summarise.
    @exclusivity(unchecked) private(set) var frozenHasPatterns = false
    @exclusivity(unchecked) private(set) var frozenAdditional: Unmanaged<Node>? = nil
    @exclusivity(unchecked) private(set) var frozenAdditionalIsFalse = false

    func freeze() {
        guard frozenNames.baseAddress == nil else { return }
        frozenHasPatterns = !patterns.isEmpty
        frozenAdditional = additional.map { Unmanaged.passUnretained($0) }
        frozenAdditionalIsFalse = additional?.boolean == false
        frozenNames = .allocate(capacity: max(names.count, 1))
        _ = frozenNames.initialize(from: names)
        frozenNames = UnsafeMutableBufferPointer(rebasing: frozenNames[0..<names.count])
        frozenKeys = .allocate(capacity: max(nameKeys.count, 1))
        _ = frozenKeys.initialize(from: nameKeys)
        frozenKeys = UnsafeMutableBufferPointer(rebasing: frozenKeys[0..<nameKeys.count])
        frozenNodes = .allocate(capacity: max(unmanagedNodes.count, 1))
        _ = frozenNodes.initialize(from: unmanagedNodes)
        frozenNodes = UnsafeMutableBufferPointer(rebasing: frozenNodes[0..<unmanagedNodes.count])
    }

    deinit {
        if let base = frozenNames.baseAddress {
            frozenNames.deinitialize()
            base.deallocate()
        }
        frozenKeys.baseAddress?.deallocate()
        frozenNodes.baseAddress?.deallocate()
    }

    func add(_ name: String, _ node: Node) {
        properties[name] = node
        ordered.append((name, node))
        names.append(name)
        nodes.append(node)
        nameKeys.append(NameKey(name))
        unmanagedNodes.append(Unmanaged.passUnretained(node))
    }

    /// The subschema for a member name: a linear scan for small maps, where comparing short strings beats hashing.
    @inline(__always)
    func lookup(_ name: String) -> Node? {
        if names.count <= 12 {
            for i in names.indices where names[i] == name { return nodes[i] }
            return nil
        }
        return properties[name]
    }
    var patterns: [(source: String, regex: SchemaRegex, node: Node)] = []
    var additional: Node?
    var hasProperties = false
}

/// A cheap fingerprint of a property name.
struct NameKey: Equatable {
    let count: Int
    let first: UInt8

    @inline(__always)
    init(_ name: String) {
        count = name.utf8.count
        first = name.utf8.first ?? 0
    }
}

/// The array keywords that share one pass over the items.
struct ItemsApplicator {
    var prefix: [Node]
    var rest: Node?
}

/// An `enum` string with what the fast comparison needs precomputed.
struct EnumString {
    let text: String
    let count: Int
    let ascii: Bool

    init(_ text: String) {
        self.text = text
        count = text.utf8.count
        ascii = text.utf8.allSatisfy { $0 < 0x80 }
    }
}

/// One compiled keyword.
indirect enum Keyword {
    case type(TypeSet)
    case enumeration([Value])
    case stringEnumeration([EnumString], [Value])
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
