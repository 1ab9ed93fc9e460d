/// Append-only HTML kept as a chain of immutable pieces, newest last.
///
/// A value shares everything it holds with the values it grew from, so keeping a snapshot (the
/// tail an update carries) costs nothing and an append never copies what is already there. The
/// stream grows its paragraphs' stable prefixes, its open containers' closed children and its open
/// code blocks this way: the work stays linear in their length however many chunks read them.
struct HTMLChain: Sendable {
    final class Piece: Sendable {
        let text: String
        let previous: Piece?
        /// UTF-8 bytes from the chain's start to the end of this piece.
        let end: Int

        init(text: String, previous: Piece?, end: Int) {
            self.text = text
            self.previous = previous
            self.end = end
        }
    }

    /// Tells chains apart: values with the same origin hold the same bytes up to the shorter one's end.
    final class Origin: Sendable {}

    private(set) var last: Piece?
    private var origin: Origin?

    /// An empty chain, ready to grow (`HTMLChain()` is empty without an origin: it allocates nothing).
    static func make() -> HTMLChain {
        var chain = HTMLChain()
        chain.origin = Origin()
        return chain
    }

    var count: Int { last?.end ?? 0 }
    /// The last byte, if any (a writer's `cr()` after the chain depends on it).
    var lastByte: UInt8? { last?.text.utf8.last }

    mutating func append(_ text: String) {
        guard !text.isEmpty else { return }
        if origin == nil { origin = Origin() }
        last = Piece(text: text, previous: last, end: count + text.utf8.count)
    }

    mutating func append(_ bytes: ArraySlice<UInt8>) {
        guard !bytes.isEmpty else { return }
        append(String(decoding: bytes, as: UTF8.self))
    }

    /// Whether this chain is `other` with pieces appended (or `other` itself, or `other` is empty).
    func extends(_ other: HTMLChain) -> Bool {
        guard let target = other.last else { return true }
        guard origin === other.origin, count >= other.count else { return false }
        var piece = last
        while let p = piece, p.end > target.end { piece = p.previous }
        return piece === target
    }

    /// Appends the bytes from `offset` on (the pieces after it, walking back only that far).
    func write(from offset: Int = 0, into target: inout String) {
        guard let last, last.end > offset else { return }
        if last.end - last.text.utf8.count <= offset {
            append(last, from: offset, into: &target)
            return
        }
        for p in pieces(after: offset) { append(p, from: offset, into: &target) }
    }

    /// Appends the bytes to a writer's buffer.
    func write(into bytes: inout [UInt8]) {
        for p in pieces(after: 0) { bytes.append(contentsOf: p.text.utf8) }
    }

    /// The pieces holding bytes after `offset`, oldest first.
    private func pieces(after offset: Int) -> [Piece] {
        var pieces: [Piece] = []
        var piece = last
        while let p = piece, p.end > offset {
            pieces.append(p)
            piece = p.previous
        }
        return pieces.reversed()
    }

    private func append(_ piece: Piece, from offset: Int, into target: inout String) {
        target.append(piece.text, fromUTF8: max(0, offset - (piece.end - piece.text.utf8.count)))
    }
}

extension String {
    /// Appends `text` from its UTF-8 byte `offset` on (where text appended before ended).
    mutating func append(_ text: String, fromUTF8 offset: Int) {
        if offset == 0 {
            self += text
        } else {
            self += text[text.utf8.index(text.startIndex, offsetBy: offset)...]
        }
    }

    /// Keeps the first `count` UTF-8 bytes (a character boundary).
    mutating func truncateUTF8(to count: Int) {
        guard utf8.count > count else { return }
        removeSubrange(utf8.index(startIndex, offsetBy: count)...)
    }
}
