import CustomUICore

/// What a frame lays out once for every chunk on its line: the HTML before the leaf's text (text
/// and chains) and after it. A tail rendered whole is one text here, with no frame.
///
/// `@unchecked Sendable` because of `closeBytes`, a raw buffer: it is written only in `init` and
/// freed only in `deinit`, so a head shared between threads is only ever read.
final class TailHead: @unchecked Sendable {
    let parts: [TailParts.Part]
    /// The UTF-8 byte count of `parts`.
    let bytes: Int
    let close: String
    /// `close`'s UTF-8, owned (appended per chunk without a reference count; freed in `deinit`).
    let closeBytes: UnsafeMutableBufferPointer<UInt8>
    /// The frame that laid it out (-1: none).
    let frame: Int

    init(parts: [TailParts.Part], close: String = "", frame: Int = -1) {
        self.parts = parts
        bytes = parts.reduce(0) { count, part in
            switch part {
            case .text(let text): count + text.utf8.count
            case .chain(let chain): count + chain.count
            }
        }
        self.close = close
        closeBytes = .allocate(capacity: close.utf8.count)
        _ = closeBytes.initialize(from: close.utf8)
        self.frame = frame
    }

    deinit { closeBytes.deallocate() }

    static let empty = TailHead(parts: [])
}

/// A tail's HTML in the parts a frame renders it in: `head + stable + rest + close` (a tail
/// rendered whole is one text in `head`). Kept apart so a chunk changes only `rest` (and appends
/// to `stable`), nothing is joined unless someone reads it, and `html` finds what stayed the same
/// by comparing parts, not bytes. What a chunk changed is one string, `suffix`: from `suffixStart`
/// on it holds the stable prefix's bytes that are not in the chain yet, the rest and the close,
/// so `html` takes a chunk's change in one step.
final class TailParts: Sendable {
    enum Part: Sendable {
        case text(String)
        /// Append-only HTML (an open container's closed children, an open code block's lines).
        case chain(HTMLChain)
    }
    let head: TailHead
    /// The stable prefix's HTML kept as a chain (the rest of it starts the suffix).
    let stable: HTMLChain
    /// From UTF-8 offset `suffixStart` on: the stable prefix's bytes after `stable`, from `restStart`
    /// on the rest's HTML, then `head.close`.
    let suffix: String
    let suffixStart: Int
    let restStart: Int

    init(head: TailHead, stable: HTMLChain, suffix: String, suffixStart: Int, restStart: Int) {
        self.head = head
        self.stable = stable
        self.suffix = suffix
        self.suffixStart = suffixStart
        self.restStart = restStart
    }

    convenience init(head: TailHead = .empty, stable: HTMLChain = HTMLChain(), rest: String = "") {
        self.init(
            head: head, stable: stable, suffix: head.close.isEmpty ? rest : rest + head.close, suffixStart: 0,
            restStart: 0)
    }

    convenience init(text: String) { self.init(head: TailHead(parts: [.text(text)])) }

    static let empty = TailParts()

    /// The rest's HTML (the suffix between the stable bytes and the close).
    var rest: String {
        let u = suffix.utf8
        return String(
            suffix[u.index(u.startIndex, offsetBy: restStart)..<u.index(u.endIndex, offsetBy: -head.close.utf8.count)])
    }

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
            target.append(suffix, fromUTF8: suffixStart + offset)
        }
    }

    var joined: String {
        var s = ""
        for i in 0..<count { write(i, into: &s) }
        return s
    }
}
