/// The closed value model shared by every stage: template data, JSON, schema validation and storage.
///
/// There is no `Any` anywhere in the engine; a value is one of these six cases. Objects keep their
/// keys in the order they were written, because authors read diagnostics and output in that order.
public enum Value: Hashable, Sendable {
    case null
    case bool(Bool)
    case number(Number)
    case string(String)
    case array([Value])
    case object(ValueObject)

    /// A value holding an integer.
    public static func int(_ value: Int) -> Value { .number(Number(value)) }

    /// A value holding a floating-point number (integral values are stored as integers).
    public static func double(_ value: Double) -> Value { .number(Number(value)) }

    /// The JSON type name of this value (`null`, `boolean`, `integer`, `number`, `string`, `array`, `object`).
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number(let n): n.isInteger ? "integer" : "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The string payload, if this is a string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The boolean payload, if this is a boolean.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The number payload, if this is a number.
    public var numberValue: Number? {
        if case .number(let n) = self { return n }
        return nil
    }

    /// The integer payload, if this is a number with an integral value that fits `Int`.
    public var intValue: Int? { numberValue?.intValue }

    /// The elements, if this is an array.
    public var arrayValue: [Value]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The members, if this is an object.
    public var objectValue: ValueObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// Whether this value is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The member named `key`, if this is an object that has it.
    public subscript(key: String) -> Value? {
        objectValue?[key]
    }

    /// Truthiness as the template language defines it: `null`, `false`, `0`, `""`, `[]` and `{}` are false.
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let b): b
        case .number(let n): !n.isZero
        case .string(let s): !s.isEmpty
        case .array(let a): !a.isEmpty
        case .object(let o): !o.isEmpty
        }
    }
}

extension Value: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(Number(value)) }
    public init(floatLiteral value: Double) { self = .number(Number(value)) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: Value...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, Value)...) {
        var object = ValueObject()
        for (key, value) in elements { object[key] = value }
        self = .object(object)
    }
}

/// An object's members with their keys in insertion order.
///
/// Equality ignores order (two JSON objects with the same members are equal), iteration keeps it.
/// Values are stored in key order beside an index, so iterating an object (as validators and renderers
/// do for every member) needs no hashing; looking a member up by name costs one hash.
public struct ValueObject: Hashable, Sendable, Sequence {
    public private(set) var keys: [String] = []
    /// The values in key order.
    public private(set) var values: [Value] = []
    private var index: [String: Int] = [:]

    /// An empty object.
    public init() {}

    /// An object from ordered pairs; a repeated key keeps its first position and its last value.
    public init(_ pairs: [(String, Value)]) {
        keys.reserveCapacity(pairs.count)
        values.reserveCapacity(pairs.count)
        index.reserveCapacity(pairs.count)
        for (key, value) in pairs { set(key, value) }
    }

    /// Inserts or replaces with one hash in the common (new key) case.
    private mutating func set(_ key: String, _ value: Value) {
        if let existing = index.updateValue(keys.count, forKey: key) {
            index[key] = existing
            values[existing] = value
        } else {
            keys.append(key)
            values.append(value)
        }
    }

    /// The number of members.
    public var count: Int { keys.count }

    /// Whether the object has no members.
    public var isEmpty: Bool { keys.isEmpty }

    /// The member named `key`; assigning `nil` removes it.
    public subscript(key: String) -> Value? {
        get {
            // Small objects (most template data) are faster to scan than to hash the key.
            if keys.count <= 8 {
                for (position, candidate) in keys.enumerated() where candidate == key { return values[position] }
                return nil
            }
            guard let position = index[key] else { return nil }
            return values[position]
        }
        set {
            if let newValue {
                set(key, newValue)
            } else if let position = index.removeValue(forKey: key) {
                keys.remove(at: position)
                values.remove(at: position)
                for later in position..<keys.count { index[keys[later]] = later }
            }
        }
    }

    /// The members in order.
    public func makeIterator() -> some IteratorProtocol<(key: String, value: Value)> {
        var position = 0
        let keys = self.keys
        let values = self.values
        return AnyIterator {
            guard position < keys.count else { return nil }
            defer { position += 1 }
            return (key: keys[position], value: values[position])
        }
    }

    public static func == (lhs: ValueObject, rhs: ValueObject) -> Bool {
        guard lhs.keys.count == rhs.keys.count else { return false }
        for position in lhs.keys.indices {
            guard let other = rhs[lhs.keys[position]], other == lhs.values[position] else { return false }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        // Order-insensitive, like a dictionary's hash: combine per-member hashes commutatively.
        var combined = 0
        for position in keys.indices {
            var member = Hasher()
            member.combine(keys[position])
            member.combine(values[position])
            combined ^= member.finalize()
        }
        hasher.combine(keys.count)
        hasher.combine(combined)
    }
}
