import CustomUICore

/// Reads the overwhelmingly common line `{"event":"chunk","data":{"text":"…"}}` (optionally with
/// `"t": number`, any JSON whitespace) without building a `Value` tree.
///
/// Chunks are most of every stream, so this is where decoding time goes. Anything else, including
/// every malformed variant, returns nil and takes the general parser, which reports the error; so
/// the fast path can only agree with the general one, never differ (a test checks this).
enum ChunkFastPath {
    static func parse(_ line: UnsafeBufferPointer<UInt8>) -> (text: String, time: Double?)? {
        var scanner = Scanner(bytes: line)
        guard scanner.literal(UInt8(ascii: "{")), scanner.literal("\"event\""), scanner.literal(UInt8(ascii: ":")),
            scanner.literal("\"chunk\""), scanner.literal(UInt8(ascii: ",")), scanner.literal("\"data\""),
            scanner.literal(UInt8(ascii: ":")), scanner.literal(UInt8(ascii: "{")), scanner.literal("\"text\""),
            scanner.literal(UInt8(ascii: ":")), let text = scanner.string(), scanner.literal(UInt8(ascii: "}"))
        else { return nil }
        var time: Double?
        if scanner.literal(UInt8(ascii: ",")) {
            guard scanner.literal("\"t\""), scanner.literal(UInt8(ascii: ":")), let t = scanner.number() else {
                return nil
            }
            time = t
        }
        guard scanner.literal(UInt8(ascii: "}")), scanner.atEnd() else { return nil }
        return (text, time)
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func literal(_ byte: UInt8) -> Bool {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func literal(_ text: StaticString) -> Bool {
            skipWhitespace()
            let count = text.utf8CodeUnitCount
            guard bytes.count - index >= count else { return false }
            let pointer = text.utf8Start
            for offset in 0..<count where bytes[index + offset] != pointer[offset] { return false }
            index += count
            return true
        }

        mutating func atEnd() -> Bool {
            skipWhitespace()
            return index == bytes.count
        }

        /// A JSON string; nil on anything the general parser should judge (control bytes, bad escapes, bad UTF-8).
        mutating func string() -> String? {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == 0x22 else { return nil }
            index += 1
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == 0x22 {
                    let raw = UnsafeBufferPointer(rebasing: bytes[start..<index])
                    index += 1
                    return String(validating: raw, as: UTF8.self)
                }
                if byte == 0x5C { return escapedString(from: start) }
                if byte < 0x20 { return nil }
                index += 1
            }
            return nil
        }

        private mutating func escapedString(from start: Int) -> String? {
            var out: [UInt8] = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
            while index < bytes.count {
                let byte = bytes[index]
                if byte == 0x22 {
                    index += 1
                    return String(validating: out, as: UTF8.self)
                }
                if byte < 0x20 { return nil }
                if byte != 0x5C {
                    out.append(byte)
                    index += 1
                    continue
                }
                guard index + 1 < bytes.count else { return nil }
                let escape = bytes[index + 1]
                index += 2
                switch escape {
                case 0x22, 0x5C, 0x2F: out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var scalar = hex4() else { return nil }
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == 0x5C, bytes[index + 1] == UInt8(ascii: "u")
                        else {
                            return nil
                        }
                        index += 2
                        guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        return nil
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { return nil }
                    out.append(contentsOf: UTF8.encode(unicode).map { Array($0) } ?? [])
                default: return nil
                }
            }
            return nil
        }

        private mutating func hex4() -> UInt32? {
            guard bytes.count - index >= 4 else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt32
                switch byte {
                case 0x30...0x39: digit = UInt32(byte - 0x30)
                case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
                case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
                default: return nil
                }
                value = value << 4 | digit
                index += 1
            }
            return value
        }

        /// A JSON number (strict grammar), as a double.
        mutating func number() -> Double? {
            skipWhitespace()
            let start = index
            func digits() -> Int {
                let first = index
                while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
                return index - first
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count else { return nil }
            if bytes[index] == 0x30 {
                index += 1
            } else if digits() == 0 {
                return nil
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { return nil }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                    index += 1
                }
                guard digits() > 0 else { return nil }
            }
            // A timestamp needs a Double, not exact digits; the syntax was checked above.
            let lexeme = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            return Double(lexeme)
        }
    }
}
