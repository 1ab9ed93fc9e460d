/// Append-only HTML kept as a chain of immutable pieces, newest last.
///
/// A value shares everything it holds with the values it grew from, so keeping a snapshot (the
/// tail an update carries) costs nothing and an append never copies what is already there. The
/// stream grows its paragraphs' stable prefixes, its open containers' closed children and its open
/// code blocks this way: the work stays linear in their length however many chunks read them.
struct HTMLChain: Sendable {
    /// `@unchecked Sendable` because of its two `var`s: they are set in `init` and changed only in
    /// `deinit` (on pieces that nothing else references), so a shared piece is only ever read.
    final class Piece: @unchecked Sendable {
        /// The piece's bytes are `text`'s from UTF-8 offset `offset` on, `end - start` of them (a
        /// piece may share the string a chunk's tail was made in).
        let text: String
        let offset: Int
        /// The piece before (nil for the first); only `deinit` clears it, to free a long chain
        /// without recursing once per piece.
        private(set) var previous: Piece?
        /// The address of the chain's first piece: values with the same first piece hold the same
        /// bytes up to the shorter one's end (an integer, so comparing costs no reference count).
        private(set) var origin: UInt = 0
        /// UTF-8 bytes from the chain's start to the start and the end of this piece.
        let start: Int
        let end: Int

        init(text: String, offset: Int, previous: Piece?, end: Int) {
            self.text = text
            self.offset = offset
            self.start = previous?.end ?? 0
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
    var lastByte: UInt8? {
        guard let last else { return nil }
        var text = last.text
        return text.withUTF8 { $0[last.offset + last.end - last.start - 1] }
    }

    mutating func append(_ text: String) {
        append(text, bytes: 0..<text.utf8.count)
    }

    /// Appends UTF-8 bytes `range` of `text` (on character boundaries).
    mutating func append(_ text: String, bytes range: Range<Int>) {
        guard !range.isEmpty else { return }
        last = Piece(text: text, offset: range.lowerBound, previous: last, end: count + range.count)
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
                var p: Unmanaged<Piece>? = Unmanaged.passUnretained(last)
                while let piece = p {
                    guard count < few else { return false }
                    stack[count] = piece
                    count += 1
                    p = piece._withUnsafeGuaranteedRef {
                        $0.start > offset ? $0.previous.map(Unmanaged.passUnretained) : nil
                    }
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

    /// Appends the bytes to a writer's buffer: a few pieces (the usual case) oldest first from a
    /// list on the stack; more by growing the buffer once and filling it from the newest piece
    /// back (no list of the pieces, however many a long paragraph's prefix holds).
    func write(into bytes: inout [UInt8]) {
        guard let last else { return }
        let few = 8
        let written: Bool = withExtendedLifetime(last) {
            withUnsafeTemporaryAllocation(of: Unmanaged<Piece>.self, capacity: few) { stack in
                var count = 0
                var p: Unmanaged<Piece>? = Unmanaged.passUnretained(last)
                while let piece = p {
                    guard count < few else { return false }
                    stack[count] = piece
                    count += 1
                    p = piece._withUnsafeGuaranteedRef { $0.previous.map(Unmanaged.passUnretained) }
                }
                for i in stride(from: count - 1, through: 0, by: -1) {
                    stack[i]._withUnsafeGuaranteedRef { piece in
                        bytes.appendUTF8(of: piece.text, piece.offset..<(piece.offset + piece.end - piece.start))
                    }
                }
                return true
            }
        }
        if written { return }
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
                            (target.baseAddress.unsafelyUnwrapped + base + piece.start)
                                .update(from: source + piece.offset, count: piece.end - piece.start)
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

    /// Appends the piece's bytes from chain offset `offset` on (a piece may be part of its string).
    private func append(_ piece: Piece, from offset: Int, into target: inout String) {
        let a = piece.offset + max(0, offset - piece.start)
        let b = piece.offset + piece.end - piece.start
        if b == piece.text.utf8.count {
            target.append(piece.text, fromUTF8: a)
        } else {
            target += piece.text.utf8Slice(a..<b)
        }
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

    /// The substring of UTF-8 bytes `range` (on character boundaries the caller knows).
    func utf8Slice(_ range: Range<Int>) -> Substring {
        let u = utf8
        return self[
            u.index(u.startIndex, offsetBy: range.lowerBound)..<u.index(u.startIndex, offsetBy: range.upperBound)]
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
        // Borrowed, not copied: no reference count when `text` is a constant the caller holds.
        if text.utf8.withContiguousStorageIfAvailable({ append(contentsOf: $0) }) == nil {
            append(contentsOf: text.utf8)
        }
    }

    /// Appends UTF-8 bytes `range` of `text` from its contiguous storage.
    @inline(__always) mutating func appendUTF8(of text: String, _ range: Range<Int>) {
        guard !range.isEmpty else { return }
        if text.utf8.withContiguousStorageIfAvailable({ append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) })
            == nil
        {
            append(contentsOf: text.utf8.dropFirst(range.lowerBound).prefix(range.count))
        }
    }

    /// Appends `source[range]` through a buffer pointer (no slice, so no reference count).
    @inline(__always) mutating func appendBytes(of source: [UInt8], _ range: Range<Int>) {
        source.withUnsafeBufferPointer { append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
    }
}
