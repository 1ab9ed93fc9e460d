import CustomUICore

/// What a frame lays out once for every chunk on its line: the HTML before the leaf's text (text
/// and chains) and after it. A tail rendered whole is one text here, with no frame.
final class TailHead: Sendable {
    let parts: [TailParts.Part]
    /// The UTF-8 byte count of `parts`.
    let bytes: Int
    let close: String
    /// `close`'s UTF-8 (appended per chunk).
    let closeBytes: [UInt8]

    init(parts: [TailParts.Part], close: String = "") {
        self.parts = parts
        bytes = parts.reduce(0) { count, part in
            switch part {
            case .text(let text): count + text.utf8.count
            case .chain(let chain): count + chain.count
            }
        }
        self.close = close
        closeBytes = Array(close.utf8)
    }

    static let empty = TailHead(parts: [])
}

/// A tail's HTML in the parts a frame renders it in: `head + stable + rest + close` (a tail
/// rendered whole is one text in `head`). Kept apart so a chunk changes only `rest` (and appends
/// to `stable`), nothing is joined unless someone reads it, and `html` finds what stayed the same
/// by comparing parts, not bytes.
final class TailParts: Sendable {
    enum Part: Sendable {
        case text(String)
        /// Append-only HTML (an open container's closed children, an open code block's lines).
        case chain(HTMLChain)
    }
    let head: TailHead
    /// The stable prefix's HTML.
    let stable: HTMLChain
    /// The rest's HTML, then `head.close` (what a chunk changes, as one string).
    let suffix: String

    init(head: TailHead, stable: HTMLChain, suffix: String) {
        self.head = head
        self.stable = stable
        self.suffix = suffix
    }

    convenience init(head: TailHead = .empty, stable: HTMLChain = HTMLChain(), rest: String = "") {
        self.init(head: head, stable: stable, suffix: head.close.isEmpty ? rest : rest + head.close)
    }

    convenience init(text: String) { self.init(head: TailHead(parts: [.text(text)])) }

    static let empty = TailParts()

    /// The rest's HTML (the suffix before the close).
    var rest: String { String(suffix.utf8Slice(0..<(suffix.utf8.count - head.close.utf8.count))) }

    /// How many parts: the head's, then `stable` and the suffix.
    var count: Int { head.parts.count + 2 }

    /// Part `i`; nil for the last (the suffix, written again whenever it is reached).
    func part(_ i: Int) -> Part? {
        if i < head.parts.count { return head.parts[i] }
        return i == head.parts.count ? .chain(stable) : nil
    }

    /// Appends part `i` from byte `offset` of it on.
    func write(_ i: Int, from offset: Int = 0, into target: inout String) {
        switch part(i) {
        case .text(let text):
            target.append(text, fromUTF8: offset)
        case .chain(let chain):
            chain.write(from: offset, into: &target)
        case nil:
            target.append(suffix, fromUTF8: offset)
        }
    }

    var joined: String {
        var s = ""
        for i in 0..<count { write(i, into: &s) }
        return s
    }
}
