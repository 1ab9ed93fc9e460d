/// Append-only HTML kept as a chain of immutable pieces, newest last.
///
/// A value shares everything it holds with the values it grew from, so keeping a snapshot (the
/// tail an update carries) costs nothing and an append never copies what is already there. The
/// stream grows its paragraphs' stable prefixes, its open containers' closed children and its open
/// code blocks this way: the work stays linear in their length however many chunks read them.
struct HTMLChain: Sendable {
    final class Piece: @unchecked Sendable {
        let text: String
        /// The piece before (nil for the first); only `deinit` clears it, to free a long chain
        /// without recursing once per piece.
        private(set) var previous: Piece?
        /// The address of the chain's first piece: values with the same first piece hold the same
        /// bytes up to the shorter one's end (an integer, so comparing costs no reference count).
        private(set) var origin: UInt = 0
        /// UTF-8 bytes from the chain's start to the end of this piece.
        let end: Int

        init(text: String, previous: Piece?, end: Int) {
            self.text = text
            self.previous = previous
            self.end = end
            // The first piece lives as long as any piece after it, so its address stays unique.
            origin = previous?.origin ?? UInt(bitPattern: Unmanaged.passUnretained(self).toOpaque())
        }

        deinit {
            // Free the pieces only this one held one by one, not by recursion (a paragraph's
            // stable prefix may hold tens of thousands).
            var next = previous
            previous = nil
            while var piece = next {
                next = nil
                guard isKnownUniquelyReferenced(&piece) else { break }
                next = piece.previous
                piece.previous = nil
            }
        }
    }

    /// The newest piece (one reference per value: copying a chain is one retain).
    private(set) var last: Piece?

    var count: Int { last?.end ?? 0 }
    /// The last byte, if any (a writer's `cr()` after the chain depends on it).
    var lastByte: UInt8? { last?.text.utf8.last }

    mutating func append(_ text: String) {
        guard !text.isEmpty else { return }
        last = Piece(text: text, previous: last, end: count + text.utf8.count)
    }

    mutating func append(_ bytes: ArraySlice<UInt8>) {
        guard !bytes.isEmpty else { return }
        append(String(decoding: bytes, as: UTF8.self))
    }

    /// Whether this chain is `other` with pieces appended (or `other` itself, or `other` is empty).
    func extends(_ other: HTMLChain) -> Bool {
        guard let target = other.last else { return true }
        guard let last else { return false }
        // Compared by address, walking back without reference counting (both chains are alive).
        let goal = Unmanaged.passUnretained(target)
        var p = Unmanaged.passUnretained(last)
        let (end, origin) = goal._withUnsafeGuaranteedRef { ($0.end, $0.origin) }
        guard p._withUnsafeGuaranteedRef({ $0.end >= end && $0.origin == origin }) else { return false }
        while p.toOpaque() != goal.toOpaque() {
            guard
                let previous = p._withUnsafeGuaranteedRef({
                    $0.end > end ? $0.previous.map(Unmanaged.passUnretained) : nil
                })
            else { return false }
            p = previous
        }
        return true
    }

    /// Appends the bytes from `offset` on (the pieces after it, walking back only that far).
    func write(from offset: Int = 0, into target: inout String) {
        guard let last, last.end > offset else { return }
        // A chunk adds a few pieces: walk back to them by address (the chain keeps them alive),
        // on the stack, without reference counting; more than a few go the general way.
        let few = 4
        let written: Bool = withExtendedLifetime(last) {
            withUnsafeTemporaryAllocation(of: Unmanaged<Piece>.self, capacity: few) { stack in
                var count = 0
                var p = Unmanaged.passUnretained(last)
                while true {
                    guard count < few else { return false }
                    stack[count] = p
                    count += 1
                    let next = p._withUnsafeGuaranteedRef {
                        $0.end - $0.text.utf8.count > offset ? $0.previous.map(Unmanaged.passUnretained) : nil
                    }
                    guard let next else { break }
                    p = next
                }
                for i in stride(from: count - 1, through: 0, by: -1) {
                    stack[i]._withUnsafeGuaranteedRef { append($0, from: offset, into: &target) }
                }
                return true
            }
        }
        if !written {
            for piece in pieces(after: offset) { append(piece, from: offset, into: &target) }
        }
    }

    /// Appends the bytes to a writer's buffer: grown once, then filled from the newest piece back
    /// (no list of the pieces, however many a long paragraph's prefix holds).
    func write(into bytes: inout [UInt8]) {
        guard let last else { return }
        let base = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: last.end))
        bytes.withUnsafeMutableBufferPointer { target in
            withExtendedLifetime(last) {
                var p: Unmanaged<Piece>? = Unmanaged.passUnretained(last)
                while let piece = p {
                    p = piece._withUnsafeGuaranteedRef { piece in
                        var text = piece.text
                        text.withUTF8 { utf8 in
                            guard let source = utf8.baseAddress else { return }
                            (target.baseAddress.unsafelyUnwrapped + base + piece.end - utf8.count)
                                .update(from: source, count: utf8.count)
                        }
                        return piece.previous.map(Unmanaged.passUnretained)
                    }
                }
            }
        }
    }

    /// The pieces holding bytes after `offset`, oldest first.
    private func pieces(after offset: Int) -> [Piece] {
        var pieces: [Piece] = []
        var piece = last
        while let p = piece, p.end > offset {
            pieces.append(p)
            piece = p.previous
        }
        pieces.reverse()
        return pieces
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

extension Array where Element == UInt8 {
    /// Appends the UTF-8 of `text` from its contiguous storage (not through the generic view).
    @inline(__always) mutating func appendUTF8(of text: String) {
        var text = text
        text.withUTF8 { append(contentsOf: $0) }
    }

    /// Appends `source[range]` through a buffer pointer (no slice, so no reference count).
    @inline(__always) mutating func appendBytes(of source: [UInt8], _ range: Range<Int>) {
        source.withUnsafeBufferPointer { append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
    }
}
