import CustomUICore

/// An RFC 8259 JSON parser over UTF-8 bytes: exact numbers, ordered keys, strict syntax, typed limits.
///
/// Duplicate member names are an error rather than "last one wins" because a prompt author who writes a
/// key twice almost always meant something else, and silently dropping a value hides it.
public enum JSONParser {
    /// Parses a whole file, keeping the source range of every value and member name.
    public static func parse(_ file: SourceFile, limits: ResourceLimits = .default) throws(JSONSyntaxError)
        -> JSONDocument
    {
        let result = try file.bytes.withUnsafeBufferPointer {
            (buffer) throws(JSONSyntaxError) -> (Value, PositionNode) in
            var parser = Parser(buffer, limits: limits, track: true)
            return try parser.document()
        }
        return JSONDocument(file: file, value: result.0, positions: result.1)
    }

    /// Parses JSON text without recording positions (the fast path for streamed events).
    public static func parseValue(_ text: some StringProtocol, limits: ResourceLimits = .default)
        throws(JSONSyntaxError) -> Value
    {
        var string = String(text)
        let result = string.withUTF8 { buffer -> Result<Value, JSONSyntaxError> in
            var parser = Parser(buffer, limits: limits, track: false)
            return Result { () throws(JSONSyntaxError) -> Value in try parser.document().0 }
        }
        return try result.get()
    }

    /// Parses JSON from UTF-8 bytes without recording positions; invalid UTF-8 is a syntax error.
    public static func parseValue(bytes: some Collection<UInt8>, limits: ResourceLimits = .default)
        throws(JSONSyntaxError) -> Value
    {
        let attempt = bytes.withContiguousStorageIfAvailable { buffer -> Result<Value, JSONSyntaxError> in
            var parser = Parser(buffer, limits: limits, track: false)
            return Result { () throws(JSONSyntaxError) -> Value in try parser.document().0 }
        }
        if let attempt { return try attempt.get() }
        return try parseValue(bytes: Array(bytes), limits: limits)
    }
}

/// The recursive-descent parser; `track` decides whether positions are recorded.
private struct Parser {
    let bytes: UnsafeBufferPointer<UInt8>
    let limits: ResourceLimits
    let track: Bool
    var index = 0
    var scratch: [UInt8] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>, limits: ResourceLimits, track: Bool) {
        self.bytes = bytes
        self.limits = limits
        self.track = track
    }

    mutating func document() throws(JSONSyntaxError) -> (Value, PositionNode) {
        if bytes.count > limits.maxDocumentBytes {
            let limit = LimitExceeded(.documentBytes, maximum: limits.maxDocumentBytes)
            throw error(limit.description, at: 0, code: Limit.documentBytes.code)
        }
        // A UTF-8 byte order mark is tolerated, as RFC 8259 allows parsers to.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
        skipWhitespace()
        guard index < bytes.count else {
            throw error(
                "expected a JSON value, found end of input", at: index,
                hint: "an empty file is not JSON; write `{}` or `null`")
        }
        let result = try value(depth: 1)
        skipWhitespace()
        if index < bytes.count {
            throw error(
                "unexpected \(describe(at: index)) after the JSON value", at: index,
                hint: "a JSON document holds exactly one value")
        }
        return result
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while index < bytes.count {
            let b = bytes[index]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { index += 1 } else { return }
        }
    }

    mutating func value(depth: Int) throws(JSONSyntaxError) -> (Value, PositionNode) {
        let start = index
        let b = bytes[index]
        switch b {
        case UInt8(ascii: "{"):
            return try object(depth: depth)
        case UInt8(ascii: "["):
            return try array(depth: depth)
        case UInt8(ascii: "\""):
            let s = try string()
            return (.string(s), PositionNode(start: start, end: index))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let n = try number()
            return (.number(n), PositionNode(start: start, end: index))
        case UInt8(ascii: "t"):
            try literal("true")
            return (.bool(true), PositionNode(start: start, end: index))
        case UInt8(ascii: "f"):
            try literal("false")
            return (.bool(false), PositionNode(start: start, end: index))
        case UInt8(ascii: "n"):
            try literal("null")
            return (.null, PositionNode(start: start, end: index))
        default:
            var hint: String? = nil
            if b == UInt8(ascii: "'") { hint = "JSON strings use double quotes" }
            if b == UInt8(ascii: "]") || b == UInt8(ascii: "}") {
                hint =
                    precededByComma(index)
                    ? "remove the trailing comma"
                    : "write a value: a string, number, object, array, `true`, `false` or `null`"
            }
            throw error("expected a JSON value, found \(describe(at: index))", at: index, hint: hint)
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let count = word.utf8CodeUnitCount
        let start = index
        var i = 0
        while i < count {
            guard index < bytes.count, bytes[index] == word.utf8Start[i] else {
                var end = start
                while end < bytes.count, isIdentifierByte(bytes[end]) { end += 1 }
                let found = String(
                    decoding: UnsafeBufferPointer(rebasing: bytes[start..<max(end, start + 1)]), as: UTF8.self)
                throw error(
                    "expected a JSON value, found `\(found)`", at: start, end: max(end, start + 1),
                    hint: "the literals are `true`, `false` and `null`")
            }
            index += 1
            i += 1
        }
        if index < bytes.count, isIdentifierByte(bytes[index]) {
            var end = index
            while end < bytes.count, isIdentifierByte(bytes[end]) { end += 1 }
            let found = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            throw error(
                "expected a JSON value, found `\(found)`", at: start, end: end,
                hint: "the literals are `true`, `false` and `null`")
        }
    }

    func isIdentifierByte(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x5F
    }

    mutating func checkDepth(_ depth: Int) throws(JSONSyntaxError) {
        if depth > limits.maxDepth {
            let limit = LimitExceeded(.depth, maximum: limits.maxDepth)
            throw error(limit.description, at: index, code: Limit.depth.code)
        }
    }

    mutating func object(depth: Int) throws(JSONSyntaxError) -> (Value, PositionNode) {
        try checkDepth(depth)
        let start = index
        index += 1  // {
        var node = PositionNode(start: start, end: start)
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            node.end = index
            return (.object(ValueObject()), node)
        }
        // Members are collected first and the object built once, so its index is sized once and each key hashed once.
        var pairs: [(String, Value)] = []
        var keyOffsets: [(Int, Int)] = []
        while true {
            guard index < bytes.count else { throw unterminated("object", start) }
            guard bytes[index] == UInt8(ascii: "\"") else {
                let hint =
                    bytes[index] == UInt8(ascii: "}") && precededByComma(index)
                    ? "remove the trailing comma" : "member names are double-quoted strings"
                throw error("expected a member name, found \(describe(at: index))", at: index, hint: hint)
            }
            let keyStart = index
            let key = try string()
            let keyEnd = index
            skipWhitespace()
            guard index < bytes.count else { throw unterminated("object", start) }
            guard bytes[index] == UInt8(ascii: ":") else {
                throw error("expected `:` after member name, found \(describe(at: index))", at: index)
            }
            index += 1
            skipWhitespace()
            guard index < bytes.count else { throw unterminated("object", start) }
            var (member, child) = try value(depth: depth + 1)
            if track {
                child.keyStart = keyStart
                child.keyEnd = keyEnd
                node.children.append(child)
            }
            pairs.append((key, member))
            keyOffsets.append((keyStart, keyEnd))
            skipWhitespace()
            guard index < bytes.count else { throw unterminated("object", start) }
            let b = bytes[index]
            index += 1
            if b == UInt8(ascii: ",") {
                skipWhitespace()
                continue
            }
            if b == UInt8(ascii: "}") { break }
            index -= 1
            throw error("expected `,` or `}` in object, found \(describe(at: index))", at: index)
        }
        node.end = index
        let object = ValueObject(pairs)
        if object.count != pairs.count { throw duplicateKey(pairs, keyOffsets) }
        return (.object(object), node)
    }

    /// The error for the first member name that repeats an earlier one (names compare as Swift strings, like the index).
    func duplicateKey(_ pairs: [(String, Value)], _ offsets: [(Int, Int)]) -> JSONSyntaxError {
        var seen: [String: Int] = [:]
        for (position, pair) in pairs.enumerated() {
            if let first = seen[pair.0] {
                return JSONSyntaxError(
                    code: .jsonDuplicateKey, message: "duplicate member name `\(pair.0)`",
                    range: range(offsets[position].0, offsets[position].1),
                    hint: "each member name may appear once in an object",
                    firstOccurrence: range(offsets[first].0, offsets[first].1))
            }
            seen[pair.0] = position
        }
        return error("duplicate member name", at: offsets.first?.0 ?? 0, code: .jsonDuplicateKey)
    }

    mutating func array(depth: Int) throws(JSONSyntaxError) -> (Value, PositionNode) {
        try checkDepth(depth)
        let start = index
        index += 1  // [
        var items: [Value] = []
        var node = PositionNode(start: start, end: start)
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            node.end = index
            return (.array(items), node)
        }
        while true {
            guard index < bytes.count else { throw unterminated("array", start) }
            let (item, child) = try value(depth: depth + 1)
            items.append(item)
            if track { node.children.append(child) }
            skipWhitespace()
            guard index < bytes.count else { throw unterminated("array", start) }
            let b = bytes[index]
            index += 1
            if b == UInt8(ascii: ",") {
                skipWhitespace()
                continue
            }
            if b == UInt8(ascii: "]") { break }
            index -= 1
            throw error("expected `,` or `]` in array, found \(describe(at: index))", at: index)
        }
        node.end = index
        return (.array(items), node)
    }

    /// Parses a string starting at its opening quote; the common case (no escapes, ASCII) copies once.
    mutating func string() throws(JSONSyntaxError) -> String {
        let start = index
        index += 1
        let contentStart = index
        var ascii = true
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[contentStart..<index])
                index += 1
                if ascii { return String(decoding: slice, as: UTF8.self) }
                return try validated(slice, at: contentStart)
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw controlCharacter(b) }
            if b >= 0x80 { ascii = false }
            index += 1
        }
        guard index < bytes.count else { throw unterminated("string", start) }
        // Slow path: escapes. Collect bytes into the scratch buffer.
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[contentStart..<index]))
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                index += 1
                let collected = scratch
                if ascii { return String(decoding: collected, as: UTF8.self) }
                return try collected.withUnsafeBufferPointer { (buffer) throws(JSONSyntaxError) -> String in
                    try validated(buffer, at: contentStart)
                }
            }
            if b < 0x20 { throw controlCharacter(b) }
            if b >= 0x80 { ascii = false }
            if b != UInt8(ascii: "\\") {
                scratch.append(b)
                index += 1
                continue
            }
            let escapeStart = index
            index += 1
            guard index < bytes.count else { throw unterminated("string", start) }
            let e = bytes[index]
            index += 1
            switch e {
            case UInt8(ascii: "\""): scratch.append(0x22)
            case UInt8(ascii: "\\"): scratch.append(0x5C)
            case UInt8(ascii: "/"): scratch.append(0x2F)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(escapeStart)
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u")
                    else {
                        throw error(
                            "lone high surrogate in `\\u` escape", at: escapeStart, end: index,
                            hint: "a high surrogate `\\uD800`-`\\uDBFF` must be followed by a low surrogate escape")
                    }
                    index += 2
                    let low = try hex4(index - 2)
                    guard low >= 0xDC00 && low <= 0xDFFF else {
                        throw error(
                            "lone high surrogate in `\\u` escape", at: escapeStart, end: index,
                            hint: "a high surrogate must be followed by a low surrogate `\\uDC00`-`\\uDFFF`")
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                    throw error(
                        "lone low surrogate in `\\u` escape", at: escapeStart, end: index,
                        hint: "a low surrogate is only valid after a high surrogate")
                }
                if scalar >= 0x80 { ascii = false }
                appendUTF8(scalar)
            default:
                index -= 1
                throw error(
                    "invalid escape `\\\(describeByte(e))` in string", at: escapeStart, end: index + 1,
                    hint: "valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX")
            }
        }
        throw unterminated("string", start)
    }

    func validated(_ slice: UnsafeBufferPointer<UInt8>, at offset: Int) throws(JSONSyntaxError) -> String {
        if let s = String(validating: slice, as: UTF8.self) { return s }
        // Find the first bad byte for the position: walk the sequences.
        var i = 0
        var bad = 0
        while i < slice.count {
            let length = utf8SequenceLength(slice, i)
            if length == 0 {
                bad = i
                break
            }
            i += length
        }
        throw error(
            "invalid UTF-8 byte 0x\(String(slice[min(bad, slice.count - 1)], radix: 16, uppercase: true)) in string",
            at: offset + bad, end: offset + bad + 1, hint: "save the file as UTF-8")
    }

    /// The length of the valid UTF-8 sequence at `i`, or 0 if it is not valid.
    func utf8SequenceLength(_ s: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let b = s[i]
        if b < 0x80 { return 1 }
        let length: Int
        if b >= 0xC2 && b <= 0xDF {
            length = 2
        } else if b >= 0xE0 && b <= 0xEF {
            length = 3
        } else if b >= 0xF0 && b <= 0xF4 {
            length = 4
        } else {
            return 0
        }
        guard i + length <= s.count else { return 0 }
        if let _ = String(validating: UnsafeBufferPointer(rebasing: s[i..<(i + length)]), as: UTF8.self) {
            return length
        }
        return 0
    }

    mutating func appendUTF8(_ scalar: UInt32) {
        if scalar < 0x80 {
            scratch.append(UInt8(scalar))
        } else if scalar < 0x800 {
            scratch.append(UInt8(0xC0 | (scalar >> 6)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        } else if scalar < 0x10000 {
            scratch.append(UInt8(0xE0 | (scalar >> 12)))
            scratch.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        } else {
            scratch.append(UInt8(0xF0 | (scalar >> 18)))
            scratch.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    mutating func hex4(_ escapeStart: Int) throws(JSONSyntaxError) -> UInt32 {
        var result: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count else {
                throw error(
                    "incomplete `\\u` escape", at: escapeStart, end: index,
                    hint: "write four hex digits, as in `\\u00e9`")
            }
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case 0x30...0x39: digit = UInt32(b - 0x30)
            case 0x41...0x46: digit = UInt32(b - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(b - 0x61 + 10)
            default:
                throw error(
                    "invalid `\\u` escape: expected a hex digit, found \(describe(at: index))", at: escapeStart,
                    end: index + 1,
                    hint: "write four hex digits, as in `\\u00e9`")
            }
            result = result << 4 | digit
            index += 1
        }
        return result
    }

    mutating func number() throws(JSONSyntaxError) -> Number {
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        let intStart = index
        var magnitude: UInt64 = 0
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            magnitude = magnitude &* 10 &+ UInt64(bytes[index] - 0x30)
            index += 1
        }
        let intDigits = index - intStart
        guard intDigits > 0 else {
            throw error("expected a digit after `-`, found \(describe(at: index))", at: start, end: index + 1)
        }
        if intDigits > 1 && bytes[intStart] == UInt8(ascii: "0") {
            throw error(
                "a number cannot start with `0` followed by digits", at: start, end: index,
                hint: "remove the leading zero")
        }
        var simple = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            simple = false
            index += 1
            let fracStart = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            if index == fracStart {
                throw error(
                    "expected a digit after the decimal point, found \(describe(at: index))", at: start, end: index + 1)
            }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            simple = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            let expStart = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            if index == expStart {
                throw error("expected a digit in the exponent, found \(describe(at: index))", at: start, end: index + 1)
            }
        }
        if index < bytes.count, isIdentifierByte(bytes[index]) || bytes[index] == UInt8(ascii: ".") {
            var end = index
            while end < bytes.count, isIdentifierByte(bytes[end]) || bytes[end] == UInt8(ascii: ".") { end += 1 }
            throw error(
                "invalid number `\(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))`",
                at: start, end: end)
        }
        if simple && intDigits <= 18 {
            let value = Int(magnitude)
            return Number(negative ? -value : value)
        }
        let lexeme = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let number = Number(lexeme: lexeme) else {
            throw error("invalid number `\(lexeme)`", at: start, end: index)
        }
        return number
    }

    // MARK: Errors, built only on failure.

    func range(_ start: Int, _ end: Int) -> SourceRange {
        SourceRange(start: location(start), end: location(end))
    }

    func location(_ offset: Int) -> SourceLocation {
        let offset = min(max(offset, 0), bytes.count)
        var line = 1
        var lineStart = 0
        var i = 0
        while i < offset {
            let b = bytes[i]
            if b == 0x0A {
                line += 1
                lineStart = i + 1
            } else if b == 0x0D {
                if i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
                line += 1
                lineStart = i + 1
            }
            i += 1
        }
        var column = 1
        i = lineStart
        while i < offset {
            if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return SourceLocation(offset: offset, line: line, column: column)
    }

    func error(
        _ message: String, at start: Int, end: Int? = nil, code: DiagnosticCode = .jsonSyntax, hint: String? = nil
    ) -> JSONSyntaxError {
        let end = end ?? min(start + 1, bytes.count)
        return JSONSyntaxError(code: code, message: message, range: range(start, end), hint: hint)
    }

    func unterminated(_ what: String, _ start: Int) -> JSONSyntaxError {
        var e = error(
            "unterminated \(what)", at: start, end: start + 1,
            hint: what == "string" ? "add the closing `\"`" : "add the closing `\(what == "object" ? "}" : "]")`")
        e.message += ", reached end of input"
        return e
    }

    func controlCharacter(_ b: UInt8) -> JSONSyntaxError {
        let name = b == 0x0A ? "line break" : (b == 0x09 ? "tab" : "control character U+\(String(format4(b)))")
        return error(
            "unescaped \(name) in string", at: index,
            hint: b == 0x0A ? "write `\\n` instead" : (b == 0x09 ? "write `\\t` instead" : "escape it as `\\u00XX`"))
    }

    func format4(_ b: UInt8) -> String {
        let hex = String(b, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - hex.count) + hex
    }

    func describeByte(_ b: UInt8) -> String {
        b >= 0x20 && b < 0x7F ? String(UnicodeScalar(b)) : "0x" + String(b, radix: 16, uppercase: true)
    }

    /// Whether the last byte before `offset` that is not JSON whitespace is a comma.
    func precededByComma(_ offset: Int) -> Bool {
        var i = offset - 1
        while i >= 0, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i -= 1 }
        return i >= 0 && bytes[i] == UInt8(ascii: ",")
    }

    func describe(at offset: Int) -> String {
        guard offset < bytes.count else { return "end of input" }
        let b = bytes[offset]
        if b >= 0x20 && b < 0x7F { return "`\(String(UnicodeScalar(b)))`" }
        if b >= 0x80 {
            let length = utf8SequenceLength(bytes, offset)
            if length > 0,
                let s = String(
                    validating: UnsafeBufferPointer(rebasing: bytes[offset..<(offset + length)]), as: UTF8.self)
            {
                return "`\(s)`"
            }
            return "invalid UTF-8 byte 0x\(String(b, radix: 16, uppercase: true))"
        }
        return "control character U+\(format4(b))"
    }
}
