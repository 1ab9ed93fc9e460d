import CustomUICore

/// Exact decimal arithmetic for `multipleOf`, so `0.0075` is a multiple of `0.0001` and `1e308` of `0.5`.
enum NumberMath {
    static func isMultiple(_ value: Number, of divisor: Number) -> Bool {
        if let a = value.intValue, let b = divisor.intValue, b != 0 {
            return a % b == 0
        }
        let x = value.exactDecimal
        let d = divisor.exactDecimal
        if x.isZero { return true }
        if d.isZero { return false }
        // x = a·10^ea, d = b·10^eb with a, b free of trailing zeros: x/d is an integer iff b divides a·10^(ea−eb).
        let shift = x.exponent - d.exponent
        guard shift >= 0 else {
            // Then b·10^(−shift) would have to divide a, so 10 would divide a, which has no trailing zeros.
            return false
        }
        guard d.digits.count <= 18, let b = UInt64(String(decoding: d.digits, as: UTF8.self)) else {
            let q = value.doubleValue / divisor.doubleValue
            return q.isFinite && q.rounded() == q
        }
        var remainder: UInt64 = 0
        for digit in x.digits {
            remainder = mulmod(remainder, 10, b) &+ UInt64(digit - 48)
            remainder %= b
        }
        return mulmod(remainder, powmod(10, UInt64(shift), b), b) == 0
    }

    private static func mulmod(_ x: UInt64, _ y: UInt64, _ m: UInt64) -> UInt64 {
        let (high, low) = x.multipliedFullWidth(by: y)
        return m.dividingFullWidth((high % m, low)).remainder
    }

    private static func powmod(_ base: UInt64, _ exponent: UInt64, _ m: UInt64) -> UInt64 {
        var result: UInt64 = 1 % m
        var b = base % m
        var e = exponent
        while e > 0 {
            if e & 1 == 1 { result = mulmod(result, b, m) }
            b = mulmod(b, b, m)
            e >>= 1
        }
        return result
    }
}

/// JSON equality for `const`, `enum` and `uniqueItems`.
///
/// Swift's `String ==` treats canonically equivalent strings as equal (`"é"` and `"e\u{301}"`), but JSON Schema
/// compares code points, so strings are compared by their UTF-8 bytes here.
enum JSONEquality {
    static func equal(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)):
            return x.utf8.elementsEqual(y.utf8)
        case (.array(let x), .array(let y)):
            guard x.count == y.count else { return false }
            for i in x.indices where !equal(x[i], y[i]) { return false }
            return true
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            for (key, member) in x {
                guard let other = y[key], equal(member, other) else { return false }
            }
            // Keys are matched through a Swift dictionary; check they are byte-identical too.
            let xKeys = x.keys.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
            let yKeys = y.keys.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
            return xKeys == yKeys
        default:
            return a == b
        }
    }
}
