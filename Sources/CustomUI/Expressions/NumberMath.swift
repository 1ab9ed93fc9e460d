import CustomUICore

/// Arithmetic and rounding for the number filters, exact where the inputs are.
enum NumberMath {
    enum Rounding { case halfAwayFromZero, down, up }

    /// `a op b`, or `nil` when the result is not a finite number. Integers stay exact; decimal results
    /// are rounded to the inputs' decimal places where that is exact, so `0.1 | plus: 0.2` is `0.3`.
    static func arithmetic(_ op: String, _ a: Number, _ b: Number) -> Number? {
        if let x = a.intValue, let y = b.intValue {
            let result: (Int, Bool)
            switch op {
            case "plus": result = x.addingReportingOverflow(y)
            case "minus": result = x.subtractingReportingOverflow(y)
            case "times": result = x.multipliedReportingOverflow(by: y)
            case "modulo": result = x.remainderReportingOverflow(dividingBy: y)
            default:
                let (q, overflow) = x.dividedReportingOverflow(by: y)
                result = (q, overflow || q.multipliedReportingOverflow(by: y).partialValue != x)
            }
            if !result.1 { return Number(result.0) }
        }
        let x = a.doubleValue
        let y = b.doubleValue
        let value: Double
        var scale: Int?
        switch op {
        case "plus":
            value = x + y
            scale = max(decimals(a), decimals(b))
        case "minus":
            value = x - y
            scale = max(decimals(a), decimals(b))
        case "times":
            value = x * y
            scale = decimals(a) + decimals(b)
        case "modulo":
            value = x.truncatingRemainder(dividingBy: y)
            scale = max(decimals(a), decimals(b))
        default:
            value = x / y
        }
        guard value.isFinite, let exact = ExactDecimal(value) else { return nil }
        if let scale, scale <= 15 {
            return Number(exact: round(exact, places: scale, .halfAwayFromZero))
        }
        return Number(exact: exact)
    }

    /// The number of decimal places a number is written with.
    static func decimals(_ n: Number) -> Int {
        let e = n.exactDecimal.exponent
        return e < 0 ? min(-e, 1_000) : 0
    }

    static func abs(_ n: Number) -> Number {
        let e = n.exactDecimal
        if !e.negative { return n }
        if let i = n.intValue, i != Int.min { return Number(-i) }
        return Number(exact: ExactDecimal(negative: false, digits: e.digits, exponent: e.exponent))
    }

    /// Rounds to `places` decimal places without going through `Double`.
    static func round(_ e: ExactDecimal, places: Int, _ mode: Rounding) -> ExactDecimal {
        guard e.exponent < -places else { return e }
        let drop = -places - e.exponent  // trailing digits to remove, at least 1
        let kept = e.digits.count - drop
        var digits: [UInt8] = kept > 0 ? Array(e.digits[0..<kept]) : []
        let droppedNonZero = true  // canonical digits end in a non-zero digit, so something non-zero is dropped
        let roundUp: Bool
        switch mode {
        case .halfAwayFromZero: roundUp = kept >= 0 && e.digits[max(kept, 0)] >= UInt8(ascii: "5")
        case .down: roundUp = e.negative && droppedNonZero
        case .up: roundUp = !e.negative && droppedNonZero
        }
        if roundUp {
            var i = digits.count - 1
            while i >= 0 && digits[i] == UInt8(ascii: "9") {
                digits[i] = UInt8(ascii: "0")
                i -= 1
            }
            if i >= 0 { digits[i] += 1 } else { digits.insert(UInt8(ascii: "1"), at: 0) }
        }
        return ExactDecimal(negative: e.negative, digits: digits, exponent: -places)
    }

    /// Fixed-point text with exactly `places` decimals; `nil` for numbers too large to write out.
    static func fixed(_ e: ExactDecimal, places: Int) -> String? {
        let r = round(e, places: places, .halfAwayFromZero)
        let point = r.digits.count + r.exponent  // digits before the decimal point
        guard point <= 400 else { return nil }
        let digits = String(decoding: r.digits, as: UTF8.self)
        var integer: String
        var fraction: String
        if r.digits.isEmpty {
            integer = "0"
            fraction = ""
        } else if point <= 0 {
            integer = "0"
            fraction = String(repeating: "0", count: -point) + digits
        } else if point >= r.digits.count {
            integer = digits + String(repeating: "0", count: point - r.digits.count)
            fraction = ""
        } else {
            let split = digits.index(digits.startIndex, offsetBy: point)
            integer = String(digits[..<split])
            fraction = String(digits[split...])
        }
        if fraction.count < places { fraction += String(repeating: "0", count: places - fraction.count) }
        if integer.isEmpty { integer = "0" }
        return (r.negative ? "-" : "") + integer + (places > 0 ? "." + fraction : "")
    }
}

/// A date or date-time read from ISO 8601 text and normalised to UTC, for the `date` filter.
struct ISODate {
    var year: Int
    var month: Int
    var day: Int
    var hour = 0
    var minute = 0
    var second = 0

    static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]
    static let weekdayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// Reads `YYYY-MM-DD`, optionally followed by `THH:MM[:SS[.fraction]]` and `Z` or `±HH:MM`; `nil` otherwise.
    init?(parsing text: String) {
        let b = Array(text.utf8)
        var i = 0
        func digits(_ count: Int) -> Int? {
            guard i + count <= b.count else { return nil }
            var value = 0
            for j in i..<(i + count) {
                guard b[j] >= 48 && b[j] <= 57 else { return nil }
                value = value * 10 + Int(b[j] - 48)
            }
            i += count
            return value
        }
        func expect(_ c: Character) -> Bool {
            guard i < b.count, b[i] == c.asciiValue else { return false }
            i += 1
            return true
        }
        guard let date = CivilDate(fullDate: b.prefix(10)) else { return nil }
        (year, month, day) = (date.year, date.month, date.day)
        i = 10
        if i == b.count { return }
        guard expect("T") || expect("t") || expect(" ") else { return nil }
        guard let h = digits(2), expect(":"), let mi = digits(2), h <= 23, mi <= 59 else { return nil }
        (hour, minute) = (h, mi)
        if expect(":") {
            guard let s = digits(2), s <= 59 else { return nil }
            second = s
            if expect(".") || expect(",") {
                let start = i
                while i < b.count, b[i] >= 48 && b[i] <= 57 { i += 1 }
                guard i > start else { return nil }
            }
        }
        var offsetMinutes = 0
        if expect("Z") || expect("z") {
        } else if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            guard let oh = digits(2), oh <= 23 else { return nil }
            _ = expect(":")
            guard let om = digits(2), om <= 59 else { return nil }
            offsetMinutes = sign * (oh * 60 + om)
        }
        guard i == b.count else { return nil }
        if offsetMinutes != 0 {
            let total = date.daysSince1970 * 1440 + hour * 60 + minute - offsetMinutes
            let days = total >= 0 ? total / 1440 : (total - 1439) / 1440
            let minutes = total - days * 1440
            let shifted = CivilDate(daysSince1970: days)
            (year, month, day) = (shifted.year, shifted.month, shifted.day)
            (hour, minute) = (minutes / 60, minutes % 60)
        }
    }

    func formatted(_ format: String) -> String {
        func pad(_ n: Int, _ width: Int = 2) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let date = "\(pad(year, 4))-\(pad(month))-\(pad(day))"
        let time = "\(pad(hour)):\(pad(minute))"
        let monthName = ISODate.monthNames[month - 1]
        switch format {
        case "time": return time
        case "datetime": return date + " " + time
        case "iso": return date + "T" + time + ":" + pad(second) + "Z"
        case "short": return "\(monthName.prefix(3)) \(day), \(year)"
        case "long": return "\(monthName) \(day), \(year)"
        case "full":
            let days = CivilDate(year: year, month: month, day: day)?.daysSince1970 ?? 0
            let weekday = ISODate.weekdayNames[((days % 7) + 11) % 7]
            return "\(weekday), \(monthName) \(day), \(year)"
        default: return date
        }
    }
}
