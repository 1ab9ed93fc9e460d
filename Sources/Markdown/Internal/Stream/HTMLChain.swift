import CustomUICore

/// Append-only HTML: a value is the first `count` bytes of a buffer that only grows at its end.
///
/// Keeping a value (the tail an update carries) costs one reference, and appending to the newest
/// value never copies what is there: the stream grows its paragraphs' stable prefixes, its open
/// containers' closed children and its open code blocks this way, in work linear in their length
/// however many chunks read them. Updates carry values to other threads while the stream appends,
/// so the buffer is reached only through the project's lock (`Locked`).
struct HTMLChain: Sendable {
    private var buffer: Locked<[UInt8]>?
    private(set) var count = 0

    /// The last byte, if any (a writer's `cr()` after the chain depends on it).
    var lastByte: UInt8? {
        guard let buffer, count > 0 else { return nil }
        let end = count
        return buffer.withLock { $0[end - 1] }
    }

    mutating func append(_ text: String) { append(ArraySlice(text.utf8)) }

    mutating func append(_ bytes: ArraySlice<UInt8>) {
        guard !bytes.isEmpty else { return }
        let end = count
        let grown = buffer?.withLock { buffer in
            guard buffer.count == end else { return false }
            buffer.append(contentsOf: bytes)
            return true
        }
        // A value appended to after a longer one was made from it (the stream never does): its own buffer.
        if grown != true { buffer = Locked((buffer?.withLock { Array($0[..<end]) } ?? []) + bytes) }
        count += bytes.count
    }

    /// Whether this chain is `other` with bytes appended (or `other` itself, or `other` is empty).
    func extends(_ other: HTMLChain) -> Bool { other.count == 0 || other.buffer === buffer && other.count <= count }

    /// Appends the bytes from `offset` on (where a shorter value of the chain ended).
    func write(from offset: Int = 0, into target: inout String) {
        guard let buffer, offset < count else { return }
        let end = count
        target += buffer.withLock { String(decoding: $0[offset..<end], as: UTF8.self) }
    }

    /// Appends the bytes to a writer's buffer.
    func write(into bytes: inout [UInt8]) {
        guard let buffer else { return }
        let end = count
        buffer.withLock { bytes.append(contentsOf: $0[..<end]) }
    }
}
