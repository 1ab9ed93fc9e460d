/// An exact JSON number.
///
/// Integral values that fit `Int` are stored as integers (so `1.0` is the integer `1`), values whose
/// shortest decimal form round-trips through `Double` are stored as doubles, and everything else
/// (big integers, decimals with more digits than a double keeps) keeps its decimal digits. The
/// decimal meaning of a double is its shortest round-trip form, so `0.1` means exactly one tenth.
/// Every value has one canonical storage, so the synthesized equality and hashing are numeric.
public struct Number: Hashable, Sendable, Comparable, CustomStringConvertible {
    @usableFromInline
    enum Storage: Hashable, Sendable {
        case int(Int)
        case double(Double)
        case decimal(ExactDecimal)
    }

    @usableFromInline
    let storage: Storage

    /// An integer.
    public init(_ value: Int) { storage = .int(value) }

    /// A double; integral values within `Int`'s range become integers.
    public init(_ value: Double) {
        if value.isFinite, value.rounded(.towardZero) == value,
            value >= -9.223_372_036_854_775_808e18, value < 9.223_372_036_854_775_808e18
        {
            storage = .int(Int(value))
        } else {
            storage = .double(value)
        }
    }

    /// A number from JSON number syntax (`-12`, `1.5e3`, `1E+2`); `nil` if `lexeme` is not one.
    public init?(lexeme: some StringProtocol) {
        guard let exact = ExactDecimal(lexeme: lexeme) else { return nil }
        self.init(exact: exact, lexeme: lexeme)
    }

    /// A number from exact decimal digits, stored in the cheapest exact form.
    public init(exact: ExactDecimal) {
        self.init(exact: exact, lexeme: Optional<String>.none)
    }

    private init(exact: ExactDecimal, lexeme: (some StringProtocol)?) {
        if let int = exact.intValue {
            self.init(int)
            return
        }
        let text = lexeme.map { String($0) } ?? exact.description
        if let double = Double(text), double.isFinite, ExactDecimal(double) == exact {
            self.init(double)
        } else {
            self.init(storage: .decimal(exact))
        }
    }

    private init(storage: Storage) { self.storage = storage }

    /// Whether the value is a whole number.
    public var isInteger: Bool {
        switch storage {
        case .int: true
        case .double(let d): d.isFinite && d.rounded(.towardZero) == d
        case .decimal(let e): e.exponent >= 0
        }
    }

    /// Whether the value is zero.
    public var isZero: Bool {
        if case .int(0) = storage { return true }
        return false
    }

    /// Whether the value is below zero.
    public var isNegative: Bool {
        switch storage {
        case .int(let i): i < 0
        case .double(let d): d < 0
        case .decimal(let e): e.negative
        }
    }

    /// The value as `Int`, if it is integral and fits.
    public var intValue: Int? {
        if case .int(let i) = storage { return i }
        return nil
    }

    /// The value as the nearest `Double`.
    public var doubleValue: Double {
        switch storage {
        case .int(let i): Double(i)
        case .double(let d): d
        case .decimal(let e): Double(e.description) ?? (e.negative ? -.infinity : .infinity)
        }
    }

    /// The exact decimal digits of the value.
    public var exactDecimal: ExactDecimal {
        switch storage {
        case .int(let i): ExactDecimal(i)
        case .double(let d): ExactDecimal(d) ?? ExactDecimal(0)
        case .decimal(let e): e
        }
    }

    /// The value in JSON number syntax, shortest form.
    public var description: String {
        switch storage {
        case .int(let i): String(i)
        case .double(let d): ExactDecimal(d)?.description ?? String(d)
        case .decimal(let e): e.description
        }
    }

    public static func < (lhs: Number, rhs: Number) -> Bool {
        switch (lhs.storage, rhs.storage) {
        case (.int(let a), .int(let b)): return a < b
        case (.double(let a), .double(let b)): return a < b
        case (.int(let a), .double(let b)) where a.magnitude < 1 << 53: return Double(a) < b
        case (.double(let a), .int(let b)) where b.magnitude < 1 << 53: return a < Double(b)
        default: return lhs.exactDecimal < rhs.exactDecimal
        }
    }
}

/// A decimal number with exact digits: `(negative ? -1 : 1) × digits × 10^exponent`.
///
/// Canonical: `digits` has no leading or trailing zeros (zero is `digits == ""`), so two values are
/// equal exactly when their fields are.
public struct ExactDecimal: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Whether the value is below zero.
    public let negative: Bool
    /// The significant digits as ASCII, without leading or trailing zeros; empty for zero.
    public let digits: [UInt8]
    /// The power of ten the digits are scaled by.
    public let exponent: Int

    /// A decimal from its parts, normalised.
    public init(negative: Bool, digits: some Collection<UInt8>, exponent: Int) {
        var digits = Array(digits.drop { $0 == UInt8(ascii: "0") })
        var exponent = exponent
        while let last = digits.last, last == UInt8(ascii: "0") {
            digits.removeLast()
            exponent += 1
        }
        self.negative = negative && !digits.isEmpty
        self.digits = digits
        // Exponents beyond a billion are clamped here, on the value, so a clamped number writes
        // and reads back as itself (the written exponent is read with room to spare).
        self.exponent = digits.isEmpty ? 0 : min(max(exponent, -Self.maxExponent), Self.maxExponent)
    }

    /// The largest exponent kept; larger ones are clamped (such numbers are absurd but must not trap).
    static let maxExponent = 1_000_000_000

    /// The exact value of an integer.
    public init(_ value: Int) {
        self.init(negative: value < 0, digits: Array(String(value.magnitude).utf8), exponent: 0)
    }

    /// The decimal meaning of a double: its shortest round-trip form; `nil` for infinities and NaN.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        self.init(lexeme: String(value))
    }

    /// Parses JSON number syntax (also accepting a leading `+` exponent sign); `nil` if malformed.
    public init?(lexeme: some StringProtocol) {
        var bytes = Array(lexeme.utf8)[...]
        var negative = false
        if bytes.first == UInt8(ascii: "-") {
            negative = true
            bytes = bytes.dropFirst()
        }
        let isDigit: (UInt8) -> Bool = { $0 >= 48 && $0 <= 57 }
        let intPart = bytes.prefix(while: isDigit)
        guard !intPart.isEmpty, intPart.count == 1 || intPart.first != UInt8(ascii: "0") else { return nil }
        bytes = bytes.dropFirst(intPart.count)
        var fraction = ArraySlice<UInt8>()
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            fraction = bytes.prefix(while: isDigit)
            guard !fraction.isEmpty else { return nil }
            bytes = bytes.dropFirst(fraction.count)
        }
        var exponent = 0
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            var expNegative = false
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                expNegative = sign == UInt8(ascii: "-")
                bytes = bytes.dropFirst()
            }
            let expDigits = bytes.prefix(while: isDigit)
            guard !expDigits.isEmpty else { return nil }
            bytes = bytes.dropFirst(expDigits.count)
            for d in expDigits {
                // Read up to four billion (no overflow); the value's exponent is clamped to a billion.
                exponent = min(exponent * 10 + Int(d - 48), 4 * Self.maxExponent)
            }
            if expNegative { exponent = -exponent }
        }
        guard bytes.isEmpty else { return nil }
        self.init(negative: negative, digits: intPart + fraction, exponent: exponent - fraction.count)
    }

    /// Whether the value is zero.
    public var isZero: Bool { digits.isEmpty }

    /// The value as `Int`, if it is integral and fits.
    public var intValue: Int? {
        if digits.isEmpty { return 0 }
        guard exponent >= 0, digits.count + exponent <= 19 else { return nil }
        var magnitude: UInt = 0
        for d in digits {
            let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt(d - 48))
            if o1 || o2 { return nil }
            magnitude = s
        }
        for _ in 0..<exponent {
            let (m, o) = magnitude.multipliedReportingOverflow(by: 10)
            if o { return nil }
            magnitude = m
        }
        if negative {
            return magnitude <= UInt(Int.max) + 1 ? Int(truncatingIfNeeded: 0 &- magnitude) : nil
        }
        return magnitude <= UInt(Int.max) ? Int(magnitude) : nil
    }

    /// Shortest JSON number syntax: positional for moderate exponents, scientific otherwise.
    public var description: String {
        if digits.isEmpty { return "0" }
        let sign = negative ? "-" : ""
        let text = String(decoding: digits, as: UTF8.self)
        let pointPosition = digits.count + exponent  // digits before the decimal point
        if exponent >= 0 && (pointPosition <= 21 || exponent == 0) {
            return sign + text + String(repeating: "0", count: exponent)
        }
        if exponent < 0 && pointPosition > 0 {
            let split = text.index(text.startIndex, offsetBy: pointPosition)
            return sign + text[..<split] + "." + text[split...]
        }
        if exponent < 0 && pointPosition > -6 {
            return sign + "0." + String(repeating: "0", count: -pointPosition) + text
        }
        let mantissa = digits.count == 1 ? text : String(text.prefix(1)) + "." + text.dropFirst()
        let e = pointPosition - 1
        return sign + mantissa + (e < 0 ? "e" : "e+") + String(e)
    }

    public static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        if lhs.negative != rhs.negative { return lhs.negative }
        let magnitudeLess = ExactDecimal.magnitudeLess(lhs, rhs)
        let magnitudeGreater = ExactDecimal.magnitudeLess(rhs, lhs)
        return lhs.negative ? magnitudeGreater : magnitudeLess
    }

    private static func magnitudeLess(_ a: ExactDecimal, _ b: ExactDecimal) -> Bool {
        if a.digits.isEmpty { return !b.digits.isEmpty }
        if b.digits.isEmpty { return false }
        let aOrder = a.digits.count + a.exponent
        let bOrder = b.digits.count + b.exponent
        if aOrder != bOrder { return aOrder < bOrder }
        let n = max(a.digits.count, b.digits.count)
        for i in 0..<n {
            let x = i < a.digits.count ? a.digits[i] : 48
            let y = i < b.digits.count ? b.digits[i] : 48
            if x != y { return x < y }
        }
        return false
    }
}
