import CustomUICore
import Foundation

/// Checks one `format` value; used only when formats are asserted.
struct FormatChecker: Sendable {
    let check: @Sendable (String) -> Bool

    static func named(_ name: String) -> FormatChecker? {
        Formats.table[name].map { FormatChecker(check: $0) }
    }
}

/// The 2020-12 formats, each checked against its RFC grammar (no network, no DNS).
enum Formats {
    static let table: [String: @Sendable (String) -> Bool] = [
        "date-time": dateTime, "date": date, "time": time, "duration": duration,
        "email": { email($0, international: false) }, "idn-email": { email($0, international: true) },
        "hostname": { hostname($0, international: false) }, "idn-hostname": { hostname($0, international: true) },
        "ipv4": ipv4, "ipv6": ipv6,
        "uri": { URIGrammar.check($0, iri: false, reference: false) },
        "uri-reference": { URIGrammar.check($0, iri: false, reference: true) },
        "iri": { URIGrammar.check($0, iri: true, reference: false) },
        "iri-reference": { URIGrammar.check($0, iri: true, reference: true) },
        "uri-template": uriTemplate, "uuid": uuid, "json-pointer": jsonPointer,
        "relative-json-pointer": relativeJSONPointer, "regex": regex,
    ]

    // MARK: Dates and times (RFC 3339)

    static func digits(_ s: ArraySlice<UInt8>, _ count: Int) -> Int? {
        guard s.count == count, s.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return s.reduce(0) { $0 * 10 + Int($1 - 48) }
    }

    static func date(_ text: String) -> Bool { parseDate(Array(text.utf8)[...]) }

    static func parseDate(_ b: ArraySlice<UInt8>) -> Bool { CivilDate(fullDate: b) != nil }

    static func time(_ text: String) -> Bool { parseTime(Array(text.utf8)[...]) }

    static func parseTime(_ b: ArraySlice<UInt8>) -> Bool {
        let s = Array(b)
        guard s.count >= 9, s[2] == 58, s[5] == 58,
            let hour = digits(s[0..<2], 2), let minute = digits(s[3..<5], 2), let second = digits(s[6..<8], 2)
        else { return false }
        var i = 8
        if s[i] == 46 {
            i += 1
            let start = i
            while i < s.count, s[i] >= 48, s[i] <= 57 { i += 1 }
            guard i > start else { return false }
        }
        guard i < s.count else { return false }
        var offsetMinutes = 0
        if s[i] == 90 || s[i] == 122 {
            guard i + 1 == s.count else { return false }
        } else if s[i] == 43 || s[i] == 45 {
            guard s.count - i == 6, s[i + 3] == 58, let oh = digits(s[(i + 1)..<(i + 3)], 2),
                let om = digits(s[(i + 4)..<(i + 6)], 2),
                oh <= 23, om <= 59
            else { return false }
            offsetMinutes = (oh * 60 + om) * (s[i] == 43 ? 1 : -1)
        } else {
            return false
        }
        guard hour <= 23, minute <= 59, second <= 60 else { return false }
        if second == 60 {
            // A leap second is only valid at 23:59:60 UTC.
            let utc = ((hour * 60 + minute - offsetMinutes) % 1440 + 1440) % 1440
            return utc == 23 * 60 + 59
        }
        return true
    }

    static func dateTime(_ text: String) -> Bool {
        let b = Array(text.utf8)
        guard b.count > 11, b[10] == 84 || b[10] == 116 else { return false }
        return parseDate(b[0..<10]) && parseTime(b[11...])
    }

    static func duration(_ text: String) -> Bool {
        let b = Array(text.utf8)
        guard b.first == 80 else { return false }  // P
        var i = 1
        func component() -> (Int, UInt8)? {
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
            guard i > start, i < b.count else { return nil }
            let unit = b[i]
            i += 1
            return (i - start, unit)
        }
        if b.count >= 3, b.last == 87 {  // PnW
            return b.dropFirst().dropLast().allSatisfy { $0 >= 48 && $0 <= 57 }
        }
        var dateUnits: [UInt8] = []
        while i < b.count, b[i] != 84 {
            guard let (_, unit) = component() else { return false }
            dateUnits.append(unit)
        }
        let allowedDate: [[UInt8]] = [[], [89], [89, 77], [89, 77, 68], [77], [77, 68], [68]]
        guard allowedDate.contains(dateUnits) else { return false }
        var timeUnits: [UInt8] = []
        if i < b.count {
            i += 1  // T
            while i < b.count {
                guard let (_, unit) = component() else { return false }
                timeUnits.append(unit)
            }
            let allowedTime: [[UInt8]] = [[72], [72, 77], [72, 77, 83], [77], [77, 83], [83]]
            guard allowedTime.contains(timeUnits) else { return false }
        }
        return !(dateUnits.isEmpty && timeUnits.isEmpty)
    }

    // MARK: Addresses

    static func ipv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        for part in parts {
            guard (1...3).contains(part.utf8.count), part.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                part == "0" || !part.hasPrefix("0"), let n = Int(part), n <= 255
            else { return false }
        }
        return true
    }

    static func ipv6(_ text: String) -> Bool {
        guard text.utf8.allSatisfy({ $0 < 0x80 }), !text.isEmpty else { return false }
        var groups = 0
        var head = Substring(text)
        var hasV4 = false
        if let lastColon = head.lastIndex(of: ":"), head[head.index(after: lastColon)...].contains(".") {
            guard ipv4(String(head[head.index(after: lastColon)...])) else { return false }
            hasV4 = true
            head = head[...lastColon]
            if head.hasSuffix(":") && !head.hasSuffix("::") { head = head.dropLast() }
        }
        let halves = head.components(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        func count(_ part: String) -> Int? {
            if part.isEmpty { return 0 }
            var n = 0
            for group in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(group.count), group.allSatisfy(\.isHexDigit) else { return nil }
                n += 1
            }
            return n
        }
        for half in halves {
            guard let n = count(half) else { return false }
            groups += n
        }
        if hasV4 { groups += 2 }
        return halves.count == 2 ? groups <= 7 : groups == 8
    }

    static func email(_ text: String, international: Bool) -> Bool {
        guard let at = text.lastIndex(of: "@") else { return false }
        let local = text[..<at]
        let domain = text[text.index(after: at)...]
        guard !local.isEmpty, !domain.isEmpty else { return false }
        if local.hasPrefix("\"") {
            guard local.count >= 2, local.hasSuffix("\"") else { return false }
            var escaped = false
            for c in local.dropFirst().dropLast().unicodeScalars {
                if escaped { escaped = false; continue }
                if c == "\\" { escaped = true; continue }
                if c == "\"" || c.value < 0x20 || c.value == 0x7F { return false }
                if c.value >= 0x80 && !international { return false }
            }
            if escaped { return false }
        } else {
            let atext = Set("!#$%&'*+-/=?^_`{|}~".unicodeScalars)
            for part in local.split(separator: ".", omittingEmptySubsequences: false) {
                guard !part.isEmpty else { return false }
                for c in part.unicodeScalars {
                    let ok =
                        (c.value < 0x80 && (c.properties.isAlphabetic || ("0"..."9").contains(c) || atext.contains(c)))
                        || (international && c.value >= 0x80)
                    if !ok { return false }
                }
            }
        }
        if domain.hasPrefix("[") {
            guard domain.hasSuffix("]") else { return false }
            let literal = domain.dropFirst().dropLast()
            if literal.hasPrefix("IPv6:") { return ipv6(String(literal.dropFirst(5))) }
            return ipv4(String(literal))
        }
        return hostname(String(domain), international: international)
    }

    // MARK: Host names (RFC 1123, RFC 5890-5893)

    static func hostname(_ text: String, international: Bool) -> Bool {
        guard !text.isEmpty else { return false }
        var labels: [String] = []
        var current = ""
        for c in text.unicodeScalars {
            let separator = c == "." || (international && (c == "\u{3002}" || c == "\u{FF0E}" || c == "\u{FF61}"))
            if separator {
                labels.append(current)
                current = ""
            } else {
                current.unicodeScalars.append(c)
            }
        }
        labels.append(current)
        var total = 0
        var unicodeLabels: [[Unicode.Scalar]] = []
        for label in labels {
            guard !label.isEmpty else { return false }
            let ascii = label.utf8.allSatisfy { $0 < 0x80 }
            if ascii {
                guard label.utf8.count <= 63, label.utf8.allSatisfy({ isLDH($0) }), label.first != "-",
                    label.last != "-"
                else { return false }
                total += label.utf8.count + 1
                if label.lowercased().hasPrefix("xn--") {
                    let encoded = String(label.dropFirst(4))
                    guard let decoded = Punycode.decode(encoded), decoded.contains(where: { $0.value >= 0x80 }),
                        Punycode.encode(decoded)?.lowercased() == encoded.lowercased(), checkULabel(decoded)
                    else { return false }
                    unicodeLabels.append(decoded)
                } else {
                    let scalars = Array(label.unicodeScalars)
                    if scalars.count >= 4, scalars[2] == "-", scalars[3] == "-" { return false }
                    unicodeLabels.append(scalars)
                }
            } else {
                guard international else { return false }
                let scalars = Array(label.unicodeScalars)
                guard checkULabel(scalars), let encoded = Punycode.encode(scalars), encoded.utf8.count + 4 <= 63 else {
                    return false
                }
                total += encoded.utf8.count + 5
                unicodeLabels.append(scalars)
            }
        }
        guard total - 1 <= 253 else { return false }
        return checkBidi(unicodeLabels)
    }

    static func isLDH(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x2D
    }

    static let disallowed: Set<UInt32> = [
        0x0640, 0x07FA, 0x302E, 0x302F, 0x3031, 0x3032, 0x3033, 0x3034, 0x3035, 0x303B,
    ]
    static let exceptionsValid: Set<UInt32> = [0x00DF, 0x03C2, 0x06FD, 0x06FE, 0x0F0B, 0x3007]

    /// IDNA2008 rules for one label in Unicode form: allowed code points, hyphens, leading marks and the CONTEXTJ/CONTEXTO rules.
    static func checkULabel(_ s: [Unicode.Scalar]) -> Bool {
        guard let first = s.first, let last = s.last, first != "-", last != "-" else { return false }
        if s.count >= 4, s[2] == "-", s[3] == "-" { return false }
        if isMark(first) { return false }
        var arabicIndic = false
        var extendedIndic = false
        for (i, c) in s.enumerated() {
            let v = c.value
            if disallowed.contains(v) { return false }
            switch v {
            case 0x00B7:
                guard i > 0, i + 1 < s.count, s[i - 1] == "l", s[i + 1] == "l" else { return false }
            case 0x0375:
                guard i + 1 < s.count, isGreek(s[i + 1]) else { return false }
            case 0x05F3, 0x05F4:
                guard i > 0, (0x0590...0x05FF).contains(s[i - 1].value) else { return false }
            case 0x30FB:
                guard s.contains(where: { isJapanese($0) && $0.value != 0x30FB }) else { return false }
            case 0x200D:
                guard i > 0, s[i - 1].properties.canonicalCombiningClass == .virama else { return false }
            case 0x200C:
                let afterVirama = i > 0 && s[i - 1].properties.canonicalCombiningClass == .virama
                let joining = i > 0 && i + 1 < s.count && isArabicLetter(s[i - 1]) && isArabicLetter(s[i + 1])
                guard afterVirama || joining else { return false }
            case 0x0660...0x0669: arabicIndic = true
            case 0x06F0...0x06F9: extendedIndic = true
            default:
                if exceptionsValid.contains(v) || v == 0x2D { continue }
                if v < 0x80 {
                    guard isLDH(UInt8(v)) else { return false }
                    continue
                }
                let properties = c.properties
                // Letters, marks and digits only; anything that case-folds differently is DISALLOWED in IDNA2008.
                guard properties.isAlphabetic || isMark(c) || properties.numericType == .decimal else { return false }
                if properties.changesWhenCaseFolded || properties.changesWhenNFKCCaseFolded { return false }
            }
        }
        return !(arabicIndic && extendedIndic)
    }

    static func isMark(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: true
        default: false
        }
    }

    static func isGreek(_ c: Unicode.Scalar) -> Bool {
        (0x0370...0x03FF).contains(c.value) || (0x1F00...0x1FFF).contains(c.value)
    }

    static func isJapanese(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        return (0x3040...0x30FF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0x20000...0x3FFFF).contains(v)
    }

    static func isArabicLetter(_ c: Unicode.Scalar) -> Bool {
        ((0x0620...0x064A).contains(c.value) || (0x066E...0x06D3).contains(c.value)) && c.properties.isAlphabetic
    }

    enum BidiClass { case l, r, al, an, en, nsm, other }

    static func bidiClass(_ c: Unicode.Scalar) -> BidiClass {
        let v = c.value
        if (0x30...0x39).contains(v) || (0x06F0...0x06F9).contains(v) { return .en }
        if (0x0660...0x0669).contains(v) { return .an }
        if isMark(c) { return .nsm }
        if (0x0590...0x05FF).contains(v) || (0x07C0...0x085F).contains(v) || (0xFB1D...0xFB4F).contains(v) { return .r }
        if (0x0600...0x07BF).contains(v) || (0x0860...0x08FF).contains(v) || (0xFB50...0xFDFF).contains(v)
            || (0xFE70...0xFEFF).contains(v)
        {
            return c.properties.isAlphabetic ? .al : .other
        }
        if c.properties.isAlphabetic { return .l }
        return .other
    }

    /// RFC 5893: in a domain with any right-to-left label, every label must follow the Bidi rule.
    static func checkBidi(_ labels: [[Unicode.Scalar]]) -> Bool {
        let classes = labels.map { $0.map(bidiClass) }
        let isBidiDomain = classes.contains { $0.contains { $0 == .r || $0 == .al || $0 == .an } }
        guard isBidiDomain else { return true }
        for label in classes {
            guard let first = label.first else { return false }
            let trimmed = label.reversed().drop { $0 == .nsm }
            guard let lastSignificant = trimmed.first else { return false }
            if first == .r || first == .al {
                guard label.allSatisfy({ $0 != .l }) else { return false }
                guard [.r, .al, .en, .an].contains(lastSignificant) else { return false }
                if label.contains(.en) && label.contains(.an) { return false }
            } else if first == .l {
                guard label.allSatisfy({ $0 != .r && $0 != .al && $0 != .an }) else { return false }
                guard lastSignificant == .l || lastSignificant == .en else { return false }
            } else {
                return false
            }
        }
        return true
    }

    // MARK: Pointers, UUIDs, templates, regexes

    static func uuid(_ text: String) -> Bool {
        let b = Array(text.utf8)
        guard b.count == 36 else { return false }
        for (i, c) in b.enumerated() {
            if [8, 13, 18, 23].contains(i) {
                guard c == 45 else { return false }
            } else {
                guard (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) else { return false }
            }
        }
        return true
    }

    static func jsonPointer(_ text: String) -> Bool {
        (try? JSONPointer(parsing: text)) != nil
    }

    static func relativeJSONPointer(_ text: String) -> Bool {
        let b = Array(text.utf8)
        var i = 0
        while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
        guard i > 0, i == 1 || b[0] != 48 else { return false }
        let rest = String(decoding: b[i...], as: UTF8.self)
        return rest == "#" || jsonPointer(rest)
    }

    static func regex(_ text: String) -> Bool {
        // Constructs ICU accepts but ECMA-262 does not.
        for bad in ["(?P", "(?#", "\\a"] where text.contains(bad) { return false }
        if let range = text.range(of: #"\(\?[a-zA-Z]+\)"#, options: .regularExpression), !range.isEmpty { return false }
        return (try? SchemaRegex(text)) != nil
    }

    static func uriTemplate(_ text: String) -> Bool {
        var scalars = Array(text.unicodeScalars)[...]
        while let c = scalars.first {
            scalars = scalars.dropFirst()
            if c == "{" {
                guard let close = scalars.firstIndex(of: "}") else { return false }
                guard expression(Array(scalars[..<close])) else { return false }
                scalars = scalars[(close + 1)...]
                continue
            }
            if c == "%" {
                guard scalars.count >= 2, scalars.prefix(2).allSatisfy({ $0.properties.isASCIIHexDigit }) else {
                    return false
                }
                scalars = scalars.dropFirst(2)
                continue
            }
            if c.value <= 0x20 || c.value == 0x7F || "\"<>\\^`|}".unicodeScalars.contains(c) { return false }
        }
        return true
    }

    static func expression(_ body: [Unicode.Scalar]) -> Bool {
        var s = body[...]
        if let first = s.first, "+#./;?&".unicodeScalars.contains(first) { s = s.dropFirst() }
        guard !s.isEmpty else { return false }
        for spec in s.split(separator: ",", omittingEmptySubsequences: false) {
            var name = spec
            if name.last == "*" {
                name = name.dropLast()
            } else if let colon = name.firstIndex(of: ":") {
                let length = name[(colon + 1)...]
                guard (1...4).contains(length.count), length.first != "0",
                    length.allSatisfy({ ("0"..."9").contains($0) })
                else { return false }
                name = name[..<colon]
            }
            guard !name.isEmpty, name.first != ".", name.last != "." else { return false }
            var previousDot = false
            var i = name.startIndex
            while i < name.endIndex {
                let c = name[i]
                if c == "." {
                    if previousDot { return false }
                    previousDot = true
                } else if c == "%" {
                    guard i + 2 < name.endIndex, name[i + 1].properties.isASCIIHexDigit,
                        name[i + 2].properties.isASCIIHexDigit
                    else { return false }
                    i += 2
                    previousDot = false
                } else {
                    guard c.value < 0x80, c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" else {
                        return false
                    }
                    previousDot = false
                }
                i += 1
            }
        }
        return true
    }
}

/// RFC 3986 / RFC 3987 syntax checks.
enum URIGrammar {
    static let unreserved = Set("-._~".unicodeScalars)
    static let subDelims = Set("!$&'()*+,;=".unicodeScalars)

    static func isAlpha(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("A"..."Z").contains(c) }
    static func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }

    static func check(_ text: String, iri: Bool, reference: Bool) -> Bool {
        var s = Substring(text)
        var hasScheme = false
        if let colon = s.firstIndex(of: ":") {
            let scheme = s[..<colon]
            let looksLikeScheme = !scheme.contains("/") && !scheme.contains("?") && !scheme.contains("#")
            if looksLikeScheme {
                guard let first = scheme.unicodeScalars.first, isAlpha(first),
                    scheme.unicodeScalars.allSatisfy({ isAlpha($0) || isDigit($0) || "+-.".unicodeScalars.contains($0) }
                    )
                else { return false }
                hasScheme = true
                s = s[s.index(after: colon)...]
            }
        }
        if !hasScheme && !reference { return false }
        var fragment: Substring? = nil
        if let hash = s.firstIndex(of: "#") {
            fragment = s[s.index(after: hash)...]
            s = s[..<hash]
        }
        var query: Substring? = nil
        if let question = s.firstIndex(of: "?") {
            query = s[s.index(after: question)...]
            s = s[..<question]
        }
        if let fragment, !chars(fragment, iri: iri, extra: ":@/?") { return false }
        if let query, !chars(query, iri: iri, extra: ":@/?", privateUse: iri) { return false }
        var path = s
        if s.hasPrefix("//") {
            let afterSlashes = s.dropFirst(2)
            let end = afterSlashes.firstIndex(of: "/") ?? afterSlashes.endIndex
            guard authority(afterSlashes[..<end], iri: iri) else { return false }
            path = afterSlashes[end...]
        } else if !hasScheme, let firstSegment = path.split(separator: "/", omittingEmptySubsequences: false).first,
            firstSegment.contains(":")
        {
            return false
        }
        return chars(path, iri: iri, extra: ":@/")
    }

    static func chars(_ s: Substring, iri: Bool, extra: String, privateUse: Bool = false) -> Bool {
        var scalars = s.unicodeScalars[...]
        while let c = scalars.first {
            scalars = scalars.dropFirst()
            if c == "%" {
                guard scalars.count >= 2, scalars.prefix(2).allSatisfy({ $0.properties.isASCIIHexDigit }) else {
                    return false
                }
                scalars = scalars.dropFirst(2)
                continue
            }
            if isAlpha(c) || isDigit(c) || unreserved.contains(c) || subDelims.contains(c)
                || extra.unicodeScalars.contains(c)
            {
                continue
            }
            if iri && isUCS(c, privateUse: privateUse) { continue }
            return false
        }
        return true
    }

    static func isUCS(_ c: Unicode.Scalar, privateUse: Bool) -> Bool {
        let v = c.value
        if privateUse && ((0xE000...0xF8FF).contains(v) || (0xF0000...0x10FFFD).contains(v)) { return true }
        return (0xA0...0xD7FF).contains(v) || (0xF900...0xFDCF).contains(v) || (0xFDF0...0xFFEF).contains(v)
            || ((0x10000...0xEFFFD).contains(v) && v & 0xFFFE != 0xFFFE)
    }

    static func authority(_ s: Substring, iri: Bool) -> Bool {
        var host = s
        if let at = s.lastIndex(of: "@") {
            guard chars(s[..<at], iri: iri, extra: ":") else { return false }
            host = s[s.index(after: at)...]
        }
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            let literal = host[host.index(after: host.startIndex)..<close]
            let after = host[host.index(after: close)...]
            guard
                Formats.ipv6(String(literal))
                    || ((literal.hasPrefix("v") || literal.hasPrefix("V")) && literal.contains("."))
            else { return false }
            return after.isEmpty || (after.hasPrefix(":") && after.dropFirst().unicodeScalars.allSatisfy(isDigit))
        }
        if let colon = host.lastIndex(of: ":") {
            guard host[host.index(after: colon)...].unicodeScalars.allSatisfy(isDigit) else { return false }
            host = host[..<colon]
        }
        return chars(host, iri: iri, extra: "")
    }
}

/// RFC 3492 Punycode, for checking `xn--` labels.
enum Punycode {
    static let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700, initialBias = 72, initialN = 128

    static func adapt(_ delta: Int, _ numPoints: Int, _ first: Bool) -> Int {
        var delta = first ? delta / damp : delta / 2
        delta += delta / numPoints
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }

    static func digitValue(_ c: UInt8) -> Int? {
        switch c {
        case 0x30...0x39: Int(c) - 22
        case 0x41...0x5A: Int(c) - 0x41
        case 0x61...0x7A: Int(c) - 0x61
        default: nil
        }
    }

    static func digitChar(_ d: Int) -> Character {
        d < 26 ? Character(Unicode.Scalar(UInt8(0x61 + d))) : Character(Unicode.Scalar(UInt8(22 + d)))
    }

    static func decode(_ input: String) -> [Unicode.Scalar]? {
        let bytes = Array(input.utf8)
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        var output: [Unicode.Scalar] = []
        var start = 0
        if let delimiter = bytes.lastIndex(of: 0x2D) {
            for b in bytes[..<delimiter] { output.append(Unicode.Scalar(b)) }
            start = delimiter + 1
        }
        var n = initialN, i = 0, bias = initialBias
        var position = start
        while position < bytes.count {
            let oldI = i
            var w = 1
            var k = base
            while true {
                guard position < bytes.count, let digit = digitValue(bytes[position]) else { return nil }
                position += 1
                let (mul, o1) = digit.multipliedReportingOverflow(by: w)
                let (sum, o2) = i.addingReportingOverflow(mul)
                guard !o1, !o2, sum < 0x10FFFF * 64 else { return nil }
                i = sum
                let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                if digit < t { break }
                w *= base - t
                guard w < 0x10FFFF * 64 else { return nil }
                k += base
            }
            bias = adapt(i - oldI, output.count + 1, oldI == 0)
            n += i / (output.count + 1)
            i %= output.count + 1
            guard n <= 0x10FFFF, let scalar = Unicode.Scalar(UInt32(n)) else { return nil }
            output.insert(scalar, at: i)
            i += 1
        }
        return output
    }

    static func encode(_ input: [Unicode.Scalar]) -> String? {
        var output = ""
        for c in input where c.value < 0x80 { output.unicodeScalars.append(c) }
        let basicCount = output.unicodeScalars.count
        var handled = basicCount
        if basicCount > 0 { output += "-" }
        var n = initialN, delta = 0, bias = initialBias
        while handled < input.count {
            guard let m = input.map({ Int($0.value) }).filter({ $0 >= n }).min() else { return nil }
            delta += (m - n) * (handled + 1)
            n = m
            for c in input {
                let v = Int(c.value)
                if v < n { delta += 1 }
                if v == n {
                    var q = delta
                    var k = base
                    while true {
                        let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                        if q < t { break }
                        output.append(digitChar(t + (q - t) % (base - t)))
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output.append(digitChar(q))
                    bias = adapt(delta, handled + 1, handled == basicCount)
                    delta = 0
                    handled += 1
                }
            }
            delta += 1
            n += 1
        }
        return output
    }
}
