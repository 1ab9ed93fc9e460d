/// Inline nodes live in an arena (indices, not references) so emphasis and links can be spliced
/// in place without reference counting, as cmark does with its linked list.
struct ArenaNode {
    enum Kind: UInt8 {
        case text, softBreak, hardBreak, code, emphasis, strong, strikethrough, link, image, html

        /// Whether nodes of this kind wrap other nodes (the writers cap how deep they nest).
        var wraps: Bool {
            switch self {
            case .emphasis, .strong, .strikethrough, .link, .image: return true
            case .text, .softBreak, .hardBreak, .code, .html: return false
            }
        }
    }
    var kind: Kind
    var next: Int32 = -1
    var prev: Int32 = -1
    var first: Int32 = -1
    var last: Int32 = -1
    /// Literal bytes in `InlineParser.lits`.
    var litStart: Int32 = 0
    var litLen: Int32 = 0
    /// Subject offsets covered.
    var start: Int32
    var end: Int32
    /// Index into `InlineParser.links` for links and images.
    var extra: Int32 = -1
}

/// The inline phase for one block's text: delimiter and bracket stacks as in the spec's appendix.
final class InlineParser {
    /// The subject as an array, for the shared scanners (links, entities, HTML); made from `p` on
    /// first use after `reset` from a slice.
    var s: [UInt8] {
        if subjectStale {
            subjectArray = Array(UnsafeBufferPointer(start: p, count: n))
            subjectStale = false
        }
        return subjectArray
    }
    @exclusivity(unchecked) private var subjectArray: [UInt8]
    @exclusivity(unchecked) private var subjectStale = false
    @exclusivity(unchecked) private(set) var n: Int
    /// A copy of `s` the hot loops read (no retain, no bounds check), owned by the parser.
    @exclusivity(unchecked) private var p: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var pCapacity: Int
    let options: MarkdownOptions
    let definitions: [String: LinkDefinition]
    /// Labels looked up and not found (the streaming renderer re-renders if they get defined later).
    @exclusivity(unchecked) var missedLabels: Set<String> = []

    @exclusivity(unchecked) var nodes: [ArenaNode] = []
    /// Starts with a copy of the subject, so text taken as is points into it (one copy per parse
    /// instead of one per node); decoded text (entities, code spans with newlines) follows it.
    @exclusivity(unchecked) var lits: [UInt8] = []
    @exclusivity(unchecked) var links: [(String, String)] = []
    @exclusivity(unchecked) var head: Int32 = -1
    @exclusivity(unchecked) var tail: Int32 = -1
    @exclusivity(unchecked) var pos = 0
    /// The earliest position of a construct more text could still complete (an opener with no
    /// closer yet, a backtick run, a `<`): the streaming renderer never caches output past it.
    @exclusivity(unchecked) var unresolved = Int.max
    /// Brackets that closed without making a link, from opener to `]`: their outcome depended on
    /// the text between, so the streaming renderer treats them like spans.
    @exclusivity(unchecked) var textBrackets: [(Int, Int)] = []

    struct Delimiter {
        var node: Int32
        var char: UInt8
        var canOpen: Bool
        var canClose: Bool
        var originalLength: Int
        var prev: Int
        var next: Int
        var active = true
    }
    @exclusivity(unchecked) var delims: [Delimiter] = []
    @exclusivity(unchecked) var lastDelim = -1

    struct Bracket {
        var node: Int32
        var image: Bool
        var active: Bool
        var bracketAfter: Bool
        var previousDelimiter: Int
        var position: Int
    }
    @exclusivity(unchecked) var brackets: [Bracket] = []
    /// Link (not image) openers below this stack index are inactive.
    @exclusivity(unchecked) var linkFloor = 0

    private func popBracket() {
        brackets.removeLast()
        linkFloor = min(linkFloor, brackets.count)
    }

    // Memo for backtick runs: after one full scan, the last position of each run length (indexed
    // by length, -1 for none; no longer than the longest run, so linear in the subject).
    @exclusivity(unchecked) var scannedBackticks = false
    @exclusivity(unchecked) var backtickRuns: [Int] = []
    // Memo for inline HTML ends that were not found from some position on.
    @exclusivity(unchecked) var noEnd: [Int: Int] = [:]

    init(_ subject: [UInt8], options: MarkdownOptions, definitions: [String: LinkDefinition]) {
        subjectArray = subject
        n = subject.count
        self.options = options
        self.definitions = definitions
        pCapacity = max(subject.count, 64)
        p = .allocate(capacity: pCapacity)
        nodes.reserveCapacity(subject.count / 4 + 4)
        lits.reserveCapacity(subject.count + 16)
        subject.withUnsafeBufferPointer { copySubject($0) }
    }

    deinit { p.deallocate() }

    /// Copies the subject to `p` and to the start of `lits`.
    private func copySubject(_ buffer: UnsafeBufferPointer<UInt8>) {
        if buffer.count > pCapacity {
            p.deallocate()
            pCapacity = max(buffer.count, pCapacity * 2)
            p = .allocate(capacity: pCapacity)
        }
        guard let base = buffer.baseAddress else { return }
        p.update(from: base, count: buffer.count)
        lits.append(contentsOf: buffer)
    }

    /// Starts over on a new subject, keeping the arrays' storage (one parser serves a whole document).
    func reset(_ subject: [UInt8]) {
        subjectArray = subject
        subjectStale = false
        subject.withUnsafeBufferPointer { start($0) }
    }

    /// Starts over on part of a buffer, without the caller making an array of it (the array the
    /// link, entity and HTML scanners need is made only if the subject has such a construct).
    func reset(_ subject: ArraySlice<UInt8>) {
        subjectStale = true
        subject.withUnsafeBufferPointer { start($0) }
    }

    private func start(_ subject: UnsafeBufferPointer<UInt8>) {
        n = subject.count
        if !missedLabels.isEmpty { missedLabels.removeAll(keepingCapacity: true) }
        nodes.removeAll(keepingCapacity: true)
        lits.removeAll(keepingCapacity: true)
        copySubject(subject)
        if !links.isEmpty { links.removeAll(keepingCapacity: true) }
        head = -1
        tail = -1
        pos = 0
        unresolved = Int.max
        if !textBrackets.isEmpty { textBrackets.removeAll(keepingCapacity: true) }
        if !delims.isEmpty { delims.removeAll(keepingCapacity: true) }
        lastDelim = -1
        if !brackets.isEmpty { brackets.removeAll(keepingCapacity: true) }
        linkFloor = 0
        scannedBackticks = false
        if !backtickRuns.isEmpty { backtickRuns.removeAll(keepingCapacity: true) }
        if !noEnd.isEmpty { noEnd.removeAll() }
    }

    // MARK: - Arena helpers

    // Always inlined: passed by reference, a node built in the caller is reloaded with mismatched
    // widths, which stalls store forwarding.
    @discardableResult
    @inline(__always)
    private func append(_ node: ArenaNode) -> Int32 {
        var node = node
        let index = Int32(nodes.count)
        node.prev = tail
        nodes.append(node)
        if tail >= 0 { nodes[Int(tail)].next = index } else { head = index }
        tail = index
        return index
    }

    @discardableResult
    private func appendText(_ bytes: ArraySlice<UInt8>, start: Int, end: Int) -> Int32 {
        let ls = Int32(lits.count)
        lits.append(contentsOf: bytes)
        return append(
            ArenaNode(kind: .text, litStart: ls, litLen: Int32(bytes.count), start: Int32(start), end: Int32(end)))
    }

    /// Text whose literal is the subject's own bytes `a..<b`.
    @discardableResult
    private func appendSubjectText(_ a: Int, _ b: Int, start: Int, end: Int) -> Int32 {
        append(ArenaNode(kind: .text, litStart: Int32(a), litLen: Int32(b - a), start: Int32(start), end: Int32(end)))
    }

    /// Text of the subject's bytes `a..<b`, covering the same offsets.
    @discardableResult
    @inline(__always)
    private func appendSubjectText(_ a: Int, _ b: Int) -> Int32 {
        appendSubjectText(a, b, start: a, end: b)
    }

    @discardableResult
    private func appendText(_ bytes: [UInt8], start: Int, end: Int) -> Int32 {
        appendText(bytes[...], start: start, end: end)
    }

    /// Moves the nodes strictly between `a` and `b` (top-level siblings) under `parent`.
    private func moveBetween(_ a: Int32, _ b: Int32, into parent: Int32) {
        var cur = nodes[Int(a)].next
        if cur == b || cur < 0 { return }
        let firstMoved = cur
        var lastMoved = cur
        while cur >= 0, cur != b {
            lastMoved = cur
            cur = nodes[Int(cur)].next
        }
        // Detach the run [firstMoved...lastMoved].
        nodes[Int(a)].next = b
        if b >= 0 { nodes[Int(b)].prev = a } else { tail = a }
        nodes[Int(firstMoved)].prev = -1
        nodes[Int(lastMoved)].next = -1
        nodes[Int(parent)].first = firstMoved
        nodes[Int(parent)].last = lastMoved
    }

    /// Inserts a new node right after `a` in the top-level list.
    @inline(__always)
    private func insert(after a: Int32, _ node: ArenaNode) -> Int32 {
        var node = node
        let index = Int32(nodes.count)
        let next = nodes[Int(a)].next
        node.prev = a
        node.next = next
        nodes.append(node)
        nodes[Int(a)].next = index
        if next >= 0 { nodes[Int(next)].prev = index } else { tail = index }
        return index
    }

    private func unlink(_ i: Int32) {
        let node = nodes[Int(i)]
        if node.prev >= 0 { nodes[Int(node.prev)].next = node.next } else { head = node.next }
        if node.next >= 0 { nodes[Int(node.next)].prev = node.prev } else { tail = node.prev }
        nodes[Int(i)].next = -1
        nodes[Int(i)].prev = -1
    }

    // MARK: - Main loop

    func parse() {
        guard n > 0 else { return }
        run()
    }

    /// Whether each byte value may start something other than plain text (`\n`, `` ` ``, `\\`, `&`,
    /// `<`, `*`, `_`, `[`, `]`, `!`, `~`): one load per byte; never freed, like any static.
    nonisolated(unsafe) private static let specialTable: UnsafePointer<Bool> = {
        let t = UnsafeMutablePointer<Bool>.allocate(capacity: 256)
        t.initialize(repeating: false, count: 256)
        for c in "\n`\\&<*_[]!~".utf8 { t[Int(c)] = true }
        return UnsafePointer(t)
    }()

    private func run() {
        let p = self.p
        let n = self.n
        let table = InlineParser.specialTable
        while pos < n {
            let c = p[pos]
            switch c {
            case 0x0A: handleNewline()
            case 0x60: handleBackticks()
            case 0x5C: handleBackslash()
            case 0x26: handleEntity()
            case 0x3C: handleLessThan()
            case 0x2A, 0x5F: handleDelimiters(c)
            case 0x7E where options.strikethrough: handleDelimiters(c)
            case 0x5B:
                let node = appendSubjectText(pos, pos + 1)
                pushBracket(node, image: false)
                pos += 1
            case 0x21:
                if pos + 1 < n, p[pos + 1] == 0x5B {
                    let node = appendSubjectText(pos, pos + 2)
                    pushBracket(node, image: true)
                    pos += 2
                } else {
                    appendSubjectText(pos, pos + 1)
                    pos += 1
                }
            case 0x5D: handleCloseBracket()
            default:
                let start = pos
                var j = pos + 1
                while j < n, !table[Int(p[j])] { j += 1 }
                pos = j
                var end = j
                if j < n, p[j] == 0x0A {
                    while end > start, p[end - 1] == 0x20 { end -= 1 }
                }
                if end > start { appendSubjectText(start, end) }
            }
        }
        for bracket in brackets { unresolved = min(unresolved, Int(nodes[Int(bracket.node)].start)) }
        processEmphasis(-1)
    }

    private func handleNewline() {
        // Count the spaces that ended the previous text (already trimmed from it).
        var k = pos
        var spaces = 0
        while k > 0, p[k - 1] == 0x20 {
            spaces += 1
            k -= 1
        }
        let at = pos
        pos += 1
        append(ArenaNode(kind: spaces >= 2 ? .hardBreak : .softBreak, start: Int32(at), end: Int32(pos)))
        while pos < n, Scan.isSpaceOrTab(p[pos]) { pos += 1 }
    }

    private func handleBackslash() {
        let at = pos
        pos += 1
        if pos < n, p[pos] == 0x0A {
            pos += 1
            append(ArenaNode(kind: .hardBreak, start: Int32(at), end: Int32(pos)))
            while pos < n, Scan.isSpaceOrTab(p[pos]) { pos += 1 }
        } else if pos < n, Scan.isASCIIPunctuation(p[pos]) {
            appendSubjectText(pos, pos + 1, start: at, end: pos + 1)
            pos += 1
        } else {
            appendSubjectText(at, at + 1, start: at, end: pos)
        }
    }

    private func handleEntity() {
        let at = pos
        if let (bytes, length) = Inlines.entity(s, pos, n) {
            pos += length
            appendText(bytes, start: at, end: pos)
        } else {
            pos += 1
            appendSubjectText(at, pos)
        }
    }

    private func handleBackticks() {
        let start = pos
        var j = pos
        while j < n, p[j] == 0x60 { j += 1 }
        let length = j - start
        pos = j
        if let close = findClosingBackticks(from: j, length: length) {
            // Newlines become spaces; one space is stripped from each end if both ends have one and
            // the content is not all spaces.
            var a = j
            var b = close
            if b - a >= 2, isSpaceOrNewline(p[a]), isSpaceOrNewline(p[b - 1]) {
                var k = a
                while k < b, isSpaceOrNewline(p[k]) { k += 1 }
                if k < b {
                    a += 1
                    b -= 1
                }
            }
            var ls = Int32(a)
            var k = a
            while k < b, p[k] != 0x0A { k += 1 }
            if k < b {
                // Newlines become spaces: a changed copy after the subject.
                ls = Int32(lits.count)
                lits.append(contentsOf: UnsafeBufferPointer(start: p + a, count: b - a))
                var m = Int(ls)
                let e = lits.count
                while m < e {
                    if lits[m] == 0x0A { lits[m] = 0x20 }
                    m += 1
                }
            }
            pos = close + length
            append(
                ArenaNode(kind: .code, litStart: ls, litLen: Int32(b - a), start: Int32(start), end: Int32(pos))
            )
        } else {
            unresolved = min(unresolved, start)
            appendSubjectText(start, j)
        }
    }

    @inline(__always) private func isSpaceOrNewline(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A }

    private func findClosingBackticks(from: Int, length: Int) -> Int? {
        if scannedBackticks, (length < backtickRuns.count ? backtickRuns[length] : -1) < from { return nil }
        var j = from
        while j < n {
            if p[j] == 0x60 {
                let runStart = j
                while j < n, p[j] == 0x60 { j += 1 }
                let runLength = j - runStart
                while backtickRuns.count <= runLength { backtickRuns.append(-1) }
                backtickRuns[runLength] = runStart
                if runLength == length { return runStart }
            } else {
                j += 1
            }
        }
        scannedBackticks = true
        return nil
    }

    private func handleLessThan() {
        let at = pos
        if let (end, destination, isEmail) = autolink(at) {
            pos = end
            let ls = Int32(at + 1)
            let text = ArenaNode(
                kind: .text, litStart: ls, litLen: Int32(end - 1 - (at + 1)), start: Int32(at + 1), end: Int32(end - 1))
            links.append(((isEmail ? "mailto:" : "") + destination, ""))
            let link = append(ArenaNode(kind: .link, start: Int32(at), end: Int32(end), extra: Int32(links.count - 1)))
            let t = Int32(nodes.count)
            nodes.append(text)
            nodes[Int(link)].first = t
            nodes[Int(link)].last = t
            return
        }
        if let length = rawHTML(at) {
            pos = at + length
            let ls = Int32(at)
            append(ArenaNode(kind: .html, litStart: ls, litLen: Int32(length), start: Int32(at), end: Int32(pos)))
            return
        }
        unresolved = min(unresolved, at)
        pos += 1
        appendSubjectText(at, pos)
    }

    private func autolink(_ at: Int) -> (Int, String, Bool)? {
        let s = self.s
        var j = at + 1
        // URI: scheme of 2–32 characters, `:`, then no spaces, `<` or `>`.
        if j < n, Scan.isLetter(s[j]) {
            var k = j + 1
            while k < n, Scan.isAlnum(s[k]) || s[k] == 0x2B || s[k] == 0x2E || s[k] == 0x2D, k - j <= 32 { k += 1 }
            if k < n, s[k] == 0x3A, k - j >= 2, k - j <= 32 {
                var e = k + 1
                while e < n, s[e] != 0x3E, s[e] != 0x3C, s[e] > 0x20 { e += 1 }
                if e < n, s[e] == 0x3E {
                    return (e + 1, String(decoding: s[j..<e], as: UTF8.self), false)
                }
            }
        }
        // Email.
        j = at + 1
        let local = j
        while j < n, Scan.isAlnum(s[j]) || InlineParser.emailLocal[Int(s[j])] { j += 1 }
        guard j > local, j < n, s[j] == 0x40 else { return nil }
        j += 1
        var labels = 0
        while true {
            let ls = j
            while j < n, Scan.isAlnum(s[j]) || s[j] == 0x2D, j - ls <= 63 { j += 1 }
            guard j > ls, s[ls] != 0x2D, s[j - 1] != 0x2D, j - ls <= 63 else { return nil }
            labels += 1
            if j < n, s[j] == 0x2E { j += 1; continue }
            break
        }
        guard j < n, s[j] == 0x3E else { return nil }
        return (j + 1, String(decoding: s[(at + 1)..<j], as: UTF8.self), true)
    }

    static let emailLocal: [Bool] = {
        var t = [Bool](repeating: false, count: 256)
        for c in ".!#$%&'*+/=?^_`{|}~-".utf8 { t[Int(c)] = true }
        return t
    }()

    private func searchEnd(_ needle: [UInt8], from: Int, key: Int) -> Int? {
        if let failedFrom = noEnd[key], failedFrom <= from { return nil }
        if let found = Scan.find(s, from, n, needle) { return found }
        noEnd[key] = from
        return nil
    }

    private func rawHTML(_ at: Int) -> Int? {
        let s = self.s
        guard at + 1 < n else { return nil }
        let c = s[at + 1]
        if Scan.isLetter(c) { return Scan.openTag(s, at, n) }
        if c == 0x2F { return Scan.closingTag(s, at, n) }
        if c == 0x3F {
            guard let e = searchEnd([0x3F, 0x3E], from: at + 2, key: 1) else { return nil }
            return e + 2 - at
        }
        guard c == 0x21, at + 2 < n else { return nil }
        if Scan.hasPrefix(s, at, n, "<!--") {
            if Scan.hasPrefix(s, at, n, "<!-->") { return 5 }
            if Scan.hasPrefix(s, at, n, "<!--->") { return 6 }
            guard let e = searchEnd([0x2D, 0x2D, 0x3E], from: at + 4, key: 2) else { return nil }
            return e + 3 - at
        }
        if Scan.hasPrefix(s, at, n, "<![cdata[") {
            guard let e = searchEnd([0x5D, 0x5D, 0x3E], from: at + 9, key: 3) else { return nil }
            return e + 3 - at
        }
        if Scan.isLetter(s[at + 2]) {
            guard let e = searchEnd([0x3E], from: at + 2, key: 4) else { return nil }
            return e + 1 - at
        }
        return nil
    }

    // MARK: - Emphasis

    private func handleDelimiters(_ c: UInt8) {
        let start = pos
        while pos < n, p[pos] == c { pos += 1 }
        let count = pos - start
        // ASCII neighbours (the common case) are classified without decoding a scalar.
        let beforeSpace: Bool
        let beforePunct: Bool
        if start == 0 {
            beforeSpace = true
            beforePunct = false
        } else if p[start - 1] < 0x80 {
            let b = p[start - 1]
            beforeSpace = Inlines.isASCIIWhitespace(b)
            beforePunct = Scan.isASCIIPunctuation(b)
        } else {
            let before = Inlines.scalar(before: start, in: s)!
            beforeSpace = Inlines.isUnicodeWhitespace(before)
            beforePunct = Inlines.isUnicodePunctuation(before)
        }
        let afterSpace: Bool
        let afterPunct: Bool
        if pos >= n {
            afterSpace = true
            afterPunct = false
        } else if p[pos] < 0x80 {
            let a = p[pos]
            afterSpace = Inlines.isASCIIWhitespace(a)
            afterPunct = Scan.isASCIIPunctuation(a)
        } else {
            let after = Inlines.scalar(at: pos, in: s)!
            afterSpace = Inlines.isUnicodeWhitespace(after)
            afterPunct = Inlines.isUnicodePunctuation(after)
        }
        let leftFlanking = !afterSpace && (!afterPunct || beforeSpace || beforePunct)
        let rightFlanking = !beforeSpace && (!beforePunct || afterSpace || afterPunct)
        var canOpen: Bool
        var canClose: Bool
        if c == 0x5F {
            canOpen = leftFlanking && (!rightFlanking || beforePunct)
            canClose = rightFlanking && (!leftFlanking || afterPunct)
        } else {
            canOpen = leftFlanking
            canClose = rightFlanking
        }
        if c == 0x7E, count > 2 {
            canOpen = false
            canClose = false
        }
        let node = appendSubjectText(start, pos)
        if canOpen || canClose {
            delims.append(
                Delimiter(
                    node: node, char: c, canOpen: canOpen, canClose: canClose, originalLength: count, prev: lastDelim,
                    next: -1))
            let index = delims.count - 1
            if lastDelim >= 0 { delims[lastDelim].next = index }
            lastDelim = index
        }
    }

    private func removeDelimiter(_ d: Int) {
        let prev = delims[d].prev
        let next = delims[d].next
        if next >= 0 { delims[next].prev = prev } else { lastDelim = prev }
        if prev >= 0 { delims[prev].next = next }
        delims[d].active = false
    }

    /// Resolves emphasis among the delimiters above `bottom` (the spec's "process emphasis").
    private func processEmphasis(_ bottom: Int) {
        guard lastDelim != bottom, lastDelim >= 0 else { return }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 20) { openersBottom in
            openersBottom.initialize(repeating: bottom)
            processEmphasis(bottom, openersBottom)
        }
    }

    private func processEmphasis(_ bottom: Int, _ openersBottom: UnsafeMutableBufferPointer<Int>) {
        // The first delimiter above `bottom`.
        var closer = lastDelim == bottom ? -1 : lastDelim
        while closer >= 0, delims[closer].prev != bottom { closer = delims[closer].prev }
        while closer >= 0 {
            let d = delims[closer]
            guard d.canClose else {
                closer = d.next
                continue
            }
            let index: Int
            switch d.char {
            case 0x5F: index = 2 + (d.canOpen ? 3 : 0) + d.originalLength % 3
            case 0x2A: index = 8 + (d.canOpen ? 3 : 0) + d.originalLength % 3
            default: index = 14 + min(d.originalLength, 2)
            }
            var opener = d.prev
            var found = false
            while opener >= 0, opener != bottom, opener != openersBottom[index] {
                let o = delims[opener]
                if o.canOpen, o.char == d.char {
                    if d.char == 0x7E {
                        if o.originalLength == d.originalLength { found = true; break }
                    } else {
                        let oddMatch =
                            (d.canOpen || o.canClose) && d.originalLength % 3 != 0
                            && (o.originalLength + d.originalLength) % 3 == 0
                        if !oddMatch { found = true; break }
                    }
                }
                opener = o.prev
            }
            let oldCloser = closer
            if found {
                closer = insertEmphasis(opener, closer)
            } else {
                closer = d.next
                openersBottom[index] = d.prev
                if !d.canOpen { removeDelimiter(oldCloser) }
            }
        }
        while lastDelim != bottom, lastDelim >= 0 {
            let d = delims[lastDelim]
            if d.canOpen, nodes[Int(d.node)].litLen > 0 { unresolved = min(unresolved, Int(nodes[Int(d.node)].start)) }
            removeDelimiter(lastDelim)
        }
    }

    private func insertEmphasis(_ opener: Int, _ closer: Int) -> Int {
        let o = delims[opener]
        let c = delims[closer]
        var openerChars = Int(nodes[Int(o.node)].litLen)
        var closerChars = Int(nodes[Int(c.node)].litLen)
        let use: Int
        let kind: ArenaNode.Kind
        if c.char == 0x7E {
            use = closerChars
            kind = .strikethrough
        } else {
            use = closerChars >= 2 && openerChars >= 2 ? 2 : 1
            kind = use == 1 ? .emphasis : .strong
        }
        openerChars -= use
        closerChars -= use
        nodes[Int(o.node)].litLen = Int32(openerChars)
        nodes[Int(o.node)].end -= Int32(use)
        nodes[Int(c.node)].litLen = Int32(closerChars)
        nodes[Int(c.node)].start += Int32(use)
        // Delimiters between the two can no longer match anything.
        var d = c.prev
        while d >= 0, d != opener {
            let p = delims[d].prev
            removeDelimiter(d)
            d = p
        }
        let emph = insert(
            after: o.node, ArenaNode(kind: kind, start: nodes[Int(o.node)].end, end: nodes[Int(c.node)].start))
        moveBetween(emph, c.node, into: emph)
        if openerChars == 0 {
            unlink(o.node)
            removeDelimiter(opener)
        }
        if closerChars == 0 {
            unlink(c.node)
            let next = delims[closer].next
            removeDelimiter(closer)
            return next
        }
        return closer
    }

    // MARK: - Links

    private func pushBracket(_ node: Int32, image: Bool) {
        if !brackets.isEmpty { brackets[brackets.count - 1].bracketAfter = true }
        brackets.append(
            Bracket(
                node: node, image: image, active: true, bracketAfter: false, previousDelimiter: lastDelim,
                position: pos + (image ? 2 : 1)))
    }

    private func handleCloseBracket() {
        let s = self.s
        let closeAt = pos
        pos += 1
        guard let opener = brackets.last else {
            appendSubjectText(closeAt, pos)
            return
        }
        guard opener.image || brackets.count - 1 >= linkFloor else {
            textBrackets.append((Int(nodes[Int(opener.node)].start), pos))
            popBracket()
            appendSubjectText(closeAt, pos)
            return
        }
        let afterText = pos
        var destination: String?
        var title = ""
        // Inline link: `(destination "title")`.
        if pos < n, s[pos] == 0x28 {
            var j = pos + 1
            Inlines.skipSpaceAndNewlines(s, &j, n)
            if let (destA, destB, destEnd) = Inlines.linkDestinationSpan(s, j, n) {
                var k = destEnd
                Inlines.skipSpaceAndNewlines(s, &k, n)
                var titleA = 0
                var titleB = 0
                var ok = true
                if k > destEnd, k < n, s[k] == 0x22 || s[k] == 0x27 || s[k] == 0x28 {
                    if let (a, b, titleEnd) = Inlines.linkTitleSpan(s, k, n) {
                        titleA = a
                        titleB = b
                        k = titleEnd
                        Inlines.skipSpaceAndNewlines(s, &k, n)
                    } else {
                        ok = false
                    }
                }
                if ok, k < n, s[k] == 0x29 {
                    destination = Inlines.decodedString(s, destA, destB)
                    title = Inlines.decodedString(s, titleA, titleB)
                    pos = k + 1
                }
            }
        }
        if destination == nil {
            // Reference link: full, collapsed or shortcut.
            var label: [UInt8]?
            var labelFound = false
            if let (l, end) = Inlines.linkLabel(s, pos, n) {
                labelFound = true
                pos = end
                if end - afterText > 2 { label = l }
            }
            if label == nil, !opener.bracketAfter {
                if closeAt - opener.position <= 999 { label = Array(s[opener.position..<closeAt]) }
                if !labelFound { pos = afterText }
            }
            if let label, let key = Inlines.normalizeLabel(label) {
                if let def = definitions[key] {
                    destination = def.destination
                    title = def.title
                } else {
                    missedLabels.insert(key)
                }
            }
            if destination == nil { pos = afterText }
        }
        guard let destination else {
            // More text could still complete `(destination)` or `[label]` after this bracket.
            if afterText >= n || s[afterText] == 0x28 || s[afterText] == 0x5B {
                unresolved = min(unresolved, Int(nodes[Int(opener.node)].start))
            }
            textBrackets.append((Int(nodes[Int(opener.node)].start), afterText))
            popBracket()
            appendSubjectText(closeAt, afterText)
            return
        }
        links.append((destination, title))
        let link = insert(
            after: opener.node,
            ArenaNode(
                kind: opener.image ? .image : .link, start: nodes[Int(opener.node)].start, end: Int32(pos),
                extra: Int32(links.count - 1)))
        // Everything after the opener becomes the link text.
        var cur = nodes[Int(link)].next
        if cur >= 0 {
            let first = cur
            var last = cur
            while cur >= 0 {
                last = cur
                cur = nodes[Int(cur)].next
            }
            nodes[Int(link)].next = -1
            tail = link
            nodes[Int(first)].prev = -1
            nodes[Int(link)].first = first
            nodes[Int(link)].last = last
        }
        processEmphasisInside(link, bottom: opener.previousDelimiter)
        unlink(opener.node)
        popBracket()
        if !opener.image {
            // Links may not contain links: every link opener below this point is now inactive.
            // A floor index instead of a loop over the stack keeps `![[]()`-style input linear.
            linkFloor = brackets.count
        }
    }

    /// Emphasis inside link text resolves before the link closes; the delimiters live in the link's
    /// child list, so swap the child list in as the top-level list while processing.
    private func processEmphasisInside(_ link: Int32, bottom: Int) {
        let savedHead = head
        let savedTail = tail
        head = nodes[Int(link)].first
        tail = nodes[Int(link)].last
        processEmphasis(bottom)
        nodes[Int(link)].first = head
        nodes[Int(link)].last = tail
        head = savedHead
        tail = savedTail
    }
}
