/// Named ASCII bytes (as swift-markdown's `ASCIIByte`), so byte tests read as what they test.
enum ASCIIByte {
    static let tab: UInt8 = 0x09
    static let newline: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let exclamation: UInt8 = 0x21
    static let hash: UInt8 = 0x23
    static let rightParen: UInt8 = 0x29
    static let asterisk: UInt8 = 0x2A
    static let plus: UInt8 = 0x2B
    static let hyphen: UInt8 = 0x2D
    static let period: UInt8 = 0x2E
    static let slash: UInt8 = 0x2F
    static let zero: UInt8 = 0x30
    static let nine: UInt8 = 0x39
    static let colon: UInt8 = 0x3A
    static let lessThan: UInt8 = 0x3C
    static let equals: UInt8 = 0x3D
    static let greaterThan: UInt8 = 0x3E
    static let question: UInt8 = 0x3F
    static let atSign: UInt8 = 0x40
    static let leftBracket: UInt8 = 0x5B
    static let backslash: UInt8 = 0x5C
    static let rightBracket: UInt8 = 0x5D
    static let underscore: UInt8 = 0x5F
    static let backtick: UInt8 = 0x60
    static let uppercaseX: UInt8 = 0x58
    static let lowercaseX: UInt8 = 0x78
    static let pipe: UInt8 = 0x7C
    static let tilde: UInt8 = 0x7E
    /// U+FFFD in UTF-8 (what a NUL becomes).
    static let replacementCharacter: [UInt8] = [0xEF, 0xBF, 0xBD]

    /// Whether `c` continues a UTF-8 sequence (it starts no character).
    @inline(__always) static func isContinuation(_ c: UInt8) -> Bool { c & 0xC0 == 0x80 }
}
