import CustomUICore

/// An RFC 6901 JSON Pointer such as `/settings/model_id` or `/messages/0/content`.
public struct JSONPointer: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// The reference tokens, unescaped.
    public private(set) var tokens: [String]

    /// The pointer to the whole document.
    public static let root = JSONPointer(tokens: [])

    /// A pointer from unescaped tokens.
    public init(tokens: [String] = []) { self.tokens = tokens }

    /// Parses RFC 6901 text (`""`, `/a/b~1c`); throws for text that does not start with `/` or has a bad `~` escape.
    public init(parsing text: String) throws(JSONPointerError) {
        guard !text.isEmpty else {
            tokens = []
            return
        }
        guard text.hasPrefix("/") else { throw JSONPointerError(text: text, reason: "must be empty or start with `/`") }
        var result: [String] = []
        for part in text.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            var token = ""
            var scalars = part.unicodeScalars.makeIterator()
            while let scalar = scalars.next() {
                guard scalar == "~" else {
                    token.unicodeScalars.append(scalar)
                    continue
                }
                switch scalars.next() {
                case "0": token += "~"
                case "1": token += "/"
                default: throw JSONPointerError(text: text, reason: "`~` must be followed by `0` or `1`")
                }
            }
            result.append(token)
        }
        tokens = result
    }

    /// This pointer extended by an object member name.
    public func appending(_ key: String) -> JSONPointer {
        var copy = self
        copy.tokens.append(key)
        return copy
    }

    /// This pointer extended by an array index.
    public func appending(_ index: Int) -> JSONPointer {
        appending(String(index))
    }

    /// The pointer one level up, or nil at the root.
    public var parent: JSONPointer? {
        tokens.isEmpty ? nil : JSONPointer(tokens: Array(tokens.dropLast()))
    }

    /// Whether this is the root pointer.
    public var isRoot: Bool { tokens.isEmpty }

    /// The RFC 6901 text form.
    public var description: String {
        var out = ""
        for token in tokens {
            out += "/"
            out += JSONPointer.escape(token)
        }
        return out
    }

    /// Escapes `~` and `/` in one reference token.
    public static func escape(_ token: String) -> String {
        // Most tokens have neither byte: a byte scan answers without breaking the text into characters.
        guard token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return token }
        guard token.contains(where: { $0 == "~" || $0 == "/" }) else { return token }
        return token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    /// The value this pointer designates inside `value`, if any.
    public func resolve(in value: Value) -> Value? {
        var current = value
        for token in tokens {
            switch current {
            case .object(let object):
                guard let next = object[token] else { return nil }
                current = next
            case .array(let items):
                guard let index = JSONPointer.arrayIndex(token), index < items.count else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }

    /// The array index a token spells (`0`, `12`; no leading zeros or signs).
    static func arrayIndex(_ token: String) -> Int? {
        guard !token.isEmpty, token.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            token == "0" || !token.hasPrefix("0")
        else { return nil }
        return Int(token)
    }

    public static func < (lhs: JSONPointer, rhs: JSONPointer) -> Bool {
        lhs.tokens.lexicographicallyPrecedes(rhs.tokens)
    }
}

/// JSON Pointer text that is not valid RFC 6901.
public struct JSONPointerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text that failed to parse.
    public var text: String
    /// Why it failed.
    public var reason: String

    /// `invalid JSON pointer `x`: reason`.
    public var description: String { "invalid JSON pointer `\(text)`: \(reason)" }
}

// Needed for `replacingOccurrences`.
import Foundation
