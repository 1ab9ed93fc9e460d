import CustomUICore
import Synchronization

/// Append-only HTML kept as a chain of immutable pieces, newest last.
///
/// A value shares everything it holds with the values it grew from, so keeping a snapshot (the
/// tail an update carries) costs nothing and an append never copies what is already there. The
/// stream grows its paragraphs' stable prefixes, its open containers' closed children and its open
/// code blocks this way: the work stays linear in their length however many chunks read them.
struct HTMLChain: Sendable {
    final class Piece: Sendable {
        let text: String
        /// The piece before (nil for the first), behind the project's lock only so that `deinit` can take it:
        /// a long chain is then freed piece by piece, not by one recursion per piece.
        let previous: Locked<Piece?>
        /// Numbers the chain's first piece: values with the same origin hold the same bytes up to
        /// the shorter one's end.
        let origin: UInt
        static let origins = Atomic<UInt>(0)
        /// UTF-8 bytes from the chain's start to the start and the end of this piece.
        let start: Int
        let end: Int

        init(text: String, previous: Piece?) {
            self.text = text
            start = previous?.end ?? 0
            end = start + text.utf8.count
            self.previous = Locked(previous)
            origin = previous?.origin ?? Piece.origins.wrappingAdd(1, ordering: .relaxed).newValue
        }

        /// The piece before, taken out of this one.
        func takePrevious() -> Piece? {
            previous.withLock { p in
                defer { p = nil }; return p
            }
        }

        /// The piece before, unretained (the caller keeps the chain alive).
        func previousUnretained() -> Unmanaged<Piece>? { previous.withLock { $0.map(Unmanaged.passUnretained) } }

        deinit {
            // Free the pieces only this one held one by one, not by recursion (a paragraph's
            // stable prefix may hold tens of thousands).
            var next = takePrevious()
            while var piece = next {
                next = nil
                guard isKnownUniquelyReferenced(&piece) else { break }
                next = piece.takePrevious()
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
        last = Piece(text: text, previous: last)
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
            guard let previous = p._withUnsafeGuaranteedRef({ $0.end > end ? $0.previousUnretained() : nil })
            else { return false }
            p = previous
        }
        return true
    }

    /// Appends the bytes from `offset` on (the pieces after it, walking back only that far).
    func write(from offset: Int = 0, into target: inout String) {
        guard let last, last.end > offset else { return }
        if last.start <= offset { return target.append(last.text, fromUTF8: offset - last.start) }  // the usual case
        var pieces: [Piece] = []
        var piece: Piece? = last
        while let p = piece, p.end > offset {
            pieces.append(p)
            piece = p.start > offset ? p.previous.withLock { $0 } : nil
        }
        for p in pieces.reversed() { target.append(p.text, fromUTF8: max(0, offset - p.start)) }
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
                            (target.baseAddress.unsafelyUnwrapped + base + piece.start)
                                .update(from: source, count: piece.end - piece.start)
                        }
                        return piece.previousUnretained()
                    }
                }
            }
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

    /// Appends `source[range]` through a buffer pointer (no slice, so no reference count).
    @inline(__always) mutating func appendBytes(of source: [UInt8], _ range: Range<Int>) {
        source.withUnsafeBufferPointer { append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
    }
}
