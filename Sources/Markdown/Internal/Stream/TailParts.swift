import CustomUICore

/// What a frame lays out once for every chunk on its line: the HTML before the leaf's text (text
/// and chains) and after it. A tail rendered whole is one text here, with no frame.
final class TailHead: Sendable {
    let parts: [TailParts.Part]
    let close: String

    init(parts: [TailParts.Part], close: String = "") {
        self.parts = parts
        self.close = close
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
    /// The rest's HTML (what a chunk changes), followed by `head.close`.
    let rest: String

    init(head: TailHead = .empty, stable: HTMLChain = HTMLChain(), rest: String = "") {
        self.head = head
        self.stable = stable
        self.rest = rest
    }

    convenience init(text: String) { self.init(head: TailHead(parts: [.text(text)])) }

    static let empty = TailParts()

    /// How many parts: the head's, then `stable`, then the rest and the close.
    var count: Int { head.parts.count + 2 }

    /// Part `i`; nil for the last (the rest and the close, written again whenever it is reached).
    func part(_ i: Int) -> Part? {
        if i < head.parts.count { return head.parts[i] }
        return i == head.parts.count ? .chain(stable) : nil
    }

    /// Appends part `i` (a chain from byte `offset` of it on).
    func write(_ i: Int, from offset: Int = 0, into target: inout String) {
        switch part(i) {
        case .text(let text):
            target += text  // (written whole: only a chain is kept in part)
        case .chain(let chain):
            chain.write(from: offset, into: &target)
        case nil:
            target += rest
            target += head.close
        }
    }

    var joined: String {
        var s = ""
        for i in 0..<count { write(i, into: &s) }
        return s
    }
}
