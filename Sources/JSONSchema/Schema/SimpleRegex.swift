/// A small backtracking matcher for the patterns props schemas actually use: a sequence of characters,
/// classes and escapes with quantifiers, optionally anchored (`^usr_[0-9a-f]{8}$`, `^#[0-9a-fA-F]{6}$`).
///
/// It works on the string's UTF-8 bytes in place, so a match allocates nothing, where NSRegularExpression
/// bridges every string to NSString. Anything outside the subset (groups, alternation, lookaround,
/// backreferences, lazy quantifiers, `\b`, `\p`) is left to ICU, and so is any input that makes the
/// matcher backtrack too much.
struct SimpleRegex: Sendable {
    struct CharSet: Sendable {
        var low: UInt64 = 0
        var high: UInt64 = 0
        var ranges: [ClosedRange<UInt32>] = []
        var negated = false

        mutating func insert(_ range: ClosedRange<UInt32>) {
            var lower = range.lowerBound
            while lower <= range.upperBound && lower < 128 {
                if lower < 64 { low |= 1 << UInt64(lower) } else { high |= 1 << UInt64(lower - 64) }
                lower += 1
            }
            if range.upperBound >= 128 { ranges.append(max(range.lowerBound, 128)...range.upperBound) }
        }

        @inline(__always)
        func contains(_ scalar: UInt32) -> Bool {
            let inside: Bool
            if scalar < 64 {
                inside = low & (1 << UInt64(scalar)) != 0
            } else if scalar < 128 {
                inside = high & (1 << UInt64(scalar - 64)) != 0
            } else {
                inside = ranges.contains { $0.contains(scalar) }
            }
            return inside != negated
        }
    }

    struct Atom: Sendable {
        var set: CharSet
        var min: Int
        var max: Int
    }

    enum Outcome { case match, noMatch, tooHard }

    let atoms: [Atom]
    let anchoredStart: Bool
    let anchoredEnd: Bool

    static let ecmaSpace: [ClosedRange<UInt32>] = [
        0x09...0x0D, 0x20...0x20, 0xA0...0xA0, 0x1680...0x1680, 0x2000...0x200A, 0x2028...0x2029,
        0x202F...0x202F, 0x205F...0x205F, 0x3000...0x3000, 0xFEFF...0xFEFF,
    ]

    /// Parses the subset; nil for anything else.
    init?(_ pattern: String) {
        var scalars = Array(pattern.unicodeScalars)[...]
        var anchoredStart = false
        var anchoredEnd = false
        if scalars.first == "^" {
            anchoredStart = true
            scalars = scalars.dropFirst()
        }
        if scalars.last == "$" {
            // `\$` is a literal dollar, not an anchor.
            var backslashes = 0
            var i = scalars.index(before: scalars.endIndex)
            while i > scalars.startIndex, scalars[scalars.index(before: i)] == "\\" {
                backslashes += 1
                i = scalars.index(before: i)
            }
            if backslashes % 2 == 0 {
                anchoredEnd = true
                scalars = scalars.dropLast()
            }
        }
        var atoms: [Atom] = []
        while let c = scalars.first {
            scalars = scalars.dropFirst()
            var set = CharSet()
            switch c {
            case "\\":
                guard let e = scalars.first, SimpleRegex.escape(e, into: &set, inClass: false, rest: &scalars) else {
                    return nil
                }
            case ".":
                set.insert(0x0A...0x0A)
                set.insert(0x0D...0x0D)
                set.insert(0x2028...0x2029)
                set.negated = true
            case "[":
                guard SimpleRegex.parseClass(&scalars, into: &set) else { return nil }
            case "(", ")", "|", "*", "+", "?", "{", "}", "]", "^", "$":
                return nil
            default:
                set.insert(c.value...c.value)
            }
            var atom = Atom(set: set, min: 1, max: 1)
            if let q = scalars.first {
                switch q {
                case "*": atom.min = 0; atom.max = Int.max; scalars = scalars.dropFirst()
                case "+": atom.min = 1; atom.max = Int.max; scalars = scalars.dropFirst()
                case "?": atom.min = 0; atom.max = 1; scalars = scalars.dropFirst()
                case "{":
                    guard let (lower, upper) = Self.parseBraces(&scalars) else { return nil }
                    atom.min = lower
                    atom.max = upper
                default: break
                }
                // Lazy or possessive forms are left to ICU.
                if let next = scalars.first, next == "?" || next == "+" || next == "*" || next == "{" { return nil }
            }
            atoms.append(atom)
            // Matching recurses once per atom; long patterns go to ICU rather than deep recursion.
            if atoms.count > 64 { return nil }
        }
        self.atoms = atoms
        self.anchoredStart = anchoredStart
        self.anchoredEnd = anchoredEnd
    }

    static func escape(
        _ e: Unicode.Scalar, into set: inout CharSet, inClass: Bool, rest: inout ArraySlice<Unicode.Scalar>
    ) -> Bool {
        rest = rest.dropFirst()
        switch e {
        case "d": set.insert(0x30...0x39)
        case "w": set.insert(0x30...0x39); set.insert(0x41...0x5A); set.insert(0x61...0x7A); set.insert(0x5F...0x5F)
        case "s": for r in ecmaSpace { set.insert(r) }
        case "D", "W", "S":
            // Negated shorthands are left to ICU (with the ECMA translation).
            return false
        case "n": set.insert(0x0A...0x0A)
        case "t": set.insert(0x09...0x09)
        case "r": set.insert(0x0D...0x0D)
        case "f": set.insert(0x0C...0x0C)
        case "v": set.insert(0x0B...0x0B)
        default:
            // Only punctuation escapes are plain literals; letters and digits mean something else.
            guard e.value < 128, !e.properties.isAlphabetic, !("0"..."9").contains(e) else { return false }
            set.insert(e.value...e.value)
        }
        return true
    }

    /// Reads a `{n}`, `{n,}` or `{n,m}` quantifier at the start of `scalars` and moves past it: its
    /// bounds (`Int.max` for none above), or nil, leaving `scalars` as it was, for anything ECMA-262
    /// does not read as one (bounds are decimal digits only, n ≤ m), which leaves the pattern to ICU.
    static func parseBraces(_ scalars: inout ArraySlice<Unicode.Scalar>) -> (min: Int, max: Int)? {
        guard scalars.first == "{", let close = scalars.firstIndex(of: "}") else { return nil }
        let parts = scalars[(scalars.startIndex + 1)..<close].split(separator: ",", omittingEmptySubsequences: false)
        func number(_ digits: ArraySlice<Unicode.Scalar>) -> Int? {
            guard (1...9).contains(digits.count), digits.allSatisfy({ ("0"..."9").contains($0) }) else { return nil }
            return Int(String(String.UnicodeScalarView(digits)))
        }
        guard parts.count <= 2, let lower = number(parts[0]) else { return nil }
        var upper = lower
        if parts.count == 2 {
            if parts[1].isEmpty {
                upper = Int.max
            } else {
                guard let bound = number(parts[1]), bound >= lower else { return nil }
                upper = bound
            }
        }
        scalars = scalars[(close + 1)...]
        return (lower, upper)
    }

    static func parseClass(_ scalars: inout ArraySlice<Unicode.Scalar>, into set: inout CharSet) -> Bool {
        if scalars.first == "^" {
            set.negated = true
            scalars = scalars.dropFirst()
        }
        var first = true
        while let c = scalars.first {
            if c == "]" && !first {
                scalars = scalars.dropFirst()
                return true
            }
            first = false
            if c == "]" || c == "[" { return false }
            var lower: UInt32
            if c == "\\" {
                scalars = scalars.dropFirst()
                guard let e = scalars.first else { return false }
                if "dws".unicodeScalars.contains(e) {
                    guard escape(e, into: &set, inClass: true, rest: &scalars) else { return false }
                    continue
                }
                var single = CharSet()
                guard escape(e, into: &single, inClass: true, rest: &scalars) else { return false }
                guard let value = (0..<128).first(where: { single.contains(UInt32($0)) }) else { return false }
                lower = UInt32(value)
            } else {
                scalars = scalars.dropFirst()
                lower = c.value
            }
            if scalars.first == "-", scalars.count >= 2, scalars[scalars.index(after: scalars.startIndex)] != "]" {
                scalars = scalars.dropFirst()
                guard let upper = scalars.first, upper != "\\", upper != "[", upper.value >= lower else { return false }
                scalars = scalars.dropFirst()
                set.insert(lower...upper.value)
            } else {
                set.insert(lower...lower)
            }
        }
        return false
    }

    /// Whether the pattern matches somewhere in `text`, or `.tooHard` when backtracking exceeds the budget.
    func matches(_ text: String) -> Outcome {
        var text = text
        return text.withUTF8 { bytes in
            atoms.withUnsafeBufferPointer { atoms in
                matches(bytes, atoms)
            }
        }
    }

    private func matches(_ bytes: UnsafeBufferPointer<UInt8>, _ atoms: UnsafeBufferPointer<Atom>) -> Outcome {
        var budget = 20_000
        var start = 0
        while true {
            switch match(0, start, bytes, atoms, &budget) {
            case .match: return .match
            case .tooHard: return .tooHard
            case .noMatch: break
            }
            if anchoredStart || start >= bytes.count { return .noMatch }
            start = SimpleRegex.next(start, bytes)
        }
    }

    @inline(__always)
    static func next(_ i: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var j = i + 1
        while j < bytes.count, bytes[j] & 0xC0 == 0x80 { j += 1 }
        return j
    }

    @inline(__always)
    static func previous(_ i: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var j = i - 1
        while j > 0, bytes[j] & 0xC0 == 0x80 { j -= 1 }
        return j
    }

    @inline(__always)
    static func scalar(at i: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let b0 = UInt32(bytes[i])
        if b0 < 0x80 { return b0 }
        let end = next(i, bytes)
        var value: UInt32
        switch end - i {
        case 2: value = b0 & 0x1F
        case 3: value = b0 & 0x0F
        default: value = b0 & 0x07
        }
        for k in (i + 1)..<end { value = value << 6 | (UInt32(bytes[k]) & 0x3F) }
        return value
    }

    func match(
        _ index: Int, _ position: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ atoms: UnsafeBufferPointer<Atom>,
        _ budget: inout Int
    ) -> Outcome {
        budget -= 1
        if budget < 0 { return .tooHard }
        if index == atoms.count { return !anchoredEnd || position == bytes.count ? .match : .noMatch }
        let max = atoms[index].max
        let min = atoms[index].min
        var count = 0
        var end = position
        while count < max, end < bytes.count, atoms[index].set.contains(SimpleRegex.scalar(at: end, bytes)) {
            end = SimpleRegex.next(end, bytes)
            count += 1
        }
        if count < min { return .noMatch }
        if min == max { return match(index + 1, end, bytes, atoms, &budget) }
        while true {
            switch match(index + 1, end, bytes, atoms, &budget) {
            case .match: return .match
            case .tooHard: return .tooHard
            case .noMatch: break
            }
            if count == min { return .noMatch }
            end = SimpleRegex.previous(end, bytes)
            count -= 1
        }
    }
}
