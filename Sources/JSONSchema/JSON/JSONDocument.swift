import CustomUICore

/// A parsed JSON document that remembers where every value and member name came from.
public struct JSONDocument: Sendable {
    /// The source the document was parsed from.
    public let file: SourceFile
    /// The parsed value.
    public let value: Value
    let positions: PositionNode

    init(file: SourceFile, value: Value, positions: PositionNode) {
        self.file = file
        self.value = value
        self.positions = positions
    }

    /// The source range of the value `pointer` designates, or nil if there is no such value.
    public func range(of pointer: JSONPointer) -> SourceRange? {
        guard let node = node(at: pointer) else { return nil }
        return file.range(node.start, node.end)
    }

    /// The source range of the member name for an object member (nil for the root, array elements and missing values).
    public func keyRange(of pointer: JSONPointer) -> SourceRange? {
        guard let node = node(at: pointer), node.keyStart >= 0 else { return nil }
        return file.range(node.keyStart, node.keyEnd)
    }

    /// The range of the deepest existing value along `pointer`, so errors about missing members still point somewhere.
    public func nearestRange(of pointer: JSONPointer) -> SourceRange {
        var node = positions
        var current = value
        for token in pointer.tokens {
            guard let (child, next) = step(node, current, token) else { break }
            node = child
            current = next
        }
        return file.range(node.start, node.end)
    }

    private func node(at pointer: JSONPointer) -> PositionNode? {
        var node = positions
        var current = value
        for token in pointer.tokens {
            guard let (child, next) = step(node, current, token) else { return nil }
            node = child
            current = next
        }
        return node
    }

    private func step(_ node: PositionNode, _ value: Value, _ token: String) -> (PositionNode, Value)? {
        switch value {
        case .object(let object):
            guard let index = object.keys.firstIndex(of: token), index < node.children.count,
                let member = object[token]
            else { return nil }
            return (node.children[index], member)
        case .array(let items):
            guard let index = JSONPointer.arrayIndex(token), index < items.count, index < node.children.count else {
                return nil
            }
            return (node.children[index], items[index])
        default:
            return nil
        }
    }
}

/// Byte offsets of one value (and its member name) with its children in document order.
struct PositionNode: Sendable {
    var start: Int
    var end: Int
    var keyStart: Int = -1
    var keyEnd: Int = -1
    var children: [PositionNode] = []
}
