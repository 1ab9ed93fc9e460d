import CustomUICore

/// Searches and comparisons whose cost is charged as it is done: `in`, `contains` and `==` scan
/// values that may each be a megabyte, so a single step must not hide quadratic work.
enum LinearSearch {
    /// Whether `part` occurs in `text` as whole characters (as `String.contains` decides, with
    /// canonical equivalence), in time linear in both: Knuth–Morris–Pratt over the bytes when both
    /// are ASCII without line ends (there every byte is one character), else over characters.
    static func contains(_ text: String, _ part: String) -> Bool {
        if part.isEmpty { return true }
        let bytes = part.utf8
        if bytes.allSatisfy({ $0 < 0x80 && $0 != 0x0A && $0 != 0x0D }), text.utf8.allSatisfy({ $0 < 0x80 }) {
            return kmp(text.utf8, Array(bytes))
        }
        return kmp(text, Array(part))
    }

    /// Knuth–Morris–Pratt: whether `pattern` (not empty) occurs in `text`; at most 2n + 2m comparisons.
    static func kmp<S: Sequence>(_ text: S, _ pattern: [S.Element]) -> Bool where S.Element: Equatable {
        var failure = [Int](repeating: 0, count: pattern.count)
        var k = 0
        for i in 1..<max(pattern.count, 1) {
            while k > 0, pattern[i] != pattern[k] { k = failure[k - 1] }
            if pattern[i] == pattern[k] { k += 1 }
            failure[i] = k
        }
        var matched = 0
        for element in text {
            while matched > 0, element != pattern[matched] { matched = failure[matched - 1] }
            if element == pattern[matched] { matched += 1 }
            if matched == pattern.count { return true }
        }
        return false
    }

    /// What comparing `value` with anything costs at most, in steps, counted no further than `cap`:
    /// one per scalar, array and object, one per `FilterCall.bytesPerStep` bytes of string or key.
    static func weight(_ value: Value, cap: Int) -> Int {
        var total = 0
        func visit(_ value: Value) {
            guard total < cap else { return }
            total += 1
            switch value {
            case .string(let s): total += s.utf8.count / FilterCall.bytesPerStep
            case .array(let items): for item in items where total < cap { visit(item) }
            case .object(let object):
                for (key, member) in object where total < cap {
                    total += key.utf8.count / FilterCall.bytesPerStep
                    visit(member)
                }
            default: break
            }
        }
        visit(value)
        return min(total, cap)
    }

    /// The steps `a == b` is charged: the smaller weight, counted no further than `cap`.
    static func comparisonCost(_ a: Value, _ b: Value, cap: Int) -> Int {
        weight(b, cap: weight(a, cap: cap))
    }

    /// The steps `a in items` is charged: one per item and what comparing `a` with it costs, so
    /// searching many large values is paid for; counted no further than `cap`.
    static func membershipCost(_ a: Value, in items: [Value], cap: Int) -> Int {
        let own = weight(a, cap: cap)
        var total = 0
        for item in items where total < cap {
            total += own <= 1 ? 1 : weight(item, cap: own)
        }
        return min(total, cap)
    }
}
