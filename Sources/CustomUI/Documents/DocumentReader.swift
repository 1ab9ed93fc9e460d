import CustomUICore
import JSONSchema

/// Reads typed fields out of a JSON document, turning every wrong or missing field into a
/// diagnostic that points at the value (or at the object that lacks it).
struct DocumentReader {
    let document: JSONDocument
    let code: DiagnosticCode
    let what: String
    var diagnostics: [Diagnostic] = []

    init(_ document: JSONDocument, code: DiagnosticCode, what: String) {
        self.document = document
        self.code = code
        self.what = what
    }

    var path: String { document.file.path }

    func value(_ pointer: JSONPointer) -> Value? { pointer.resolve(in: document.value) }

    func range(_ pointer: JSONPointer) -> SourceRange { document.nearestRange(of: pointer) }

    mutating func error(_ pointer: JSONPointer, _ message: String, hint: String? = nil, fixes: [Fix] = []) {
        diagnostics.append(.error(code, message, file: path, range: range(pointer), hint: hint, fixes: fixes))
    }

    mutating func warning(_ pointer: JSONPointer, _ code: DiagnosticCode, _ message: String, hint: String? = nil) {
        diagnostics.append(.warning(code, message, file: path, range: range(pointer), hint: hint))
    }

    private mutating func typed<T>(
        _ pointer: JSONPointer, required: Bool, expected: String, _ extract: (Value) -> T?
    ) -> T? {
        guard let value = value(pointer), !(value.isNull && !required) else {
            if required {
                let name = pointer.tokens.last ?? "value"
                error(
                    pointer, "\(what) is missing required field `\(name)`", hint: "add `\"\(name)\": …` (\(expected))")
            }
            return nil
        }
        guard let result = extract(value) else {
            let name = pointer.tokens.last.map { "`\($0)`" } ?? "the document"
            error(pointer, "\(name) must be \(expected), found \(value.typeName)")
            return nil
        }
        return result
    }

    mutating func string(_ pointer: JSONPointer, required: Bool = false) -> String? {
        typed(pointer, required: required, expected: "a string") { $0.stringValue }
    }

    mutating func bool(_ pointer: JSONPointer, required: Bool = false) -> Bool? {
        typed(pointer, required: required, expected: "`true` or `false`") { $0.boolValue }
    }

    mutating func number(_ pointer: JSONPointer, required: Bool = false) -> Number? {
        typed(pointer, required: required, expected: "a number") { $0.numberValue }
    }

    mutating func int(_ pointer: JSONPointer, required: Bool = false) -> Int? {
        typed(pointer, required: required, expected: "a whole number") { $0.intValue }
    }

    mutating func array(_ pointer: JSONPointer, required: Bool = false) -> [Value]? {
        typed(pointer, required: required, expected: "an array") { $0.arrayValue }
    }

    mutating func object(_ pointer: JSONPointer, required: Bool = false) -> ValueObject? {
        typed(pointer, required: required, expected: "an object") { $0.objectValue }
    }

    mutating func stringArray(_ pointer: JSONPointer) -> [String]? {
        guard let items = array(pointer) else { return nil }
        var result: [String] = []
        for index in items.indices {
            if let s = string(pointer.appending(index), required: true) { result.append(s) }
        }
        return result
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(
        _ pointer: JSONPointer, _ type: T.Type, required: Bool = false
    ) -> T? where T.RawValue == String {
        guard let raw = string(pointer, required: required) else { return nil }
        guard let result = T(rawValue: raw) else {
            let names = T.allCases.map(\.rawValue)
            let name = pointer.tokens.last ?? "value"
            let guesses = Suggestions.nearestChoices(to: raw, in: names)
            error(
                pointer, "`\(raw)` is not a valid `\(name)`",
                hint: Suggestions.didYouMean(guesses) ?? "use one of "
                    + names.map { "`\($0)`" }.joined(separator: ", "),
                fixes: Fix.replacingJSONString(
                    document.range(of: pointer), in: document.file, written: raw, with: guesses))
            return nil
        }
        return result
    }

    /// A map from offsets in a string value's decoded text to offsets in the JSON source, so
    /// positions inside the string (a placeholder in a message) point at the right column.
    func stringOrigin(_ pointer: JSONPointer) -> TextOrigin? {
        guard let range = document.range(of: pointer) else { return nil }
        let bytes = document.file.bytes
        var segments: [(textOffset: Int, sourceOffset: Int)] = [(0, range.start.offset + 1)]
        var textOffset = 0
        var i = range.start.offset + 1
        let end = max(i, range.end.offset - 1)
        while i < end {
            if bytes[i] == UInt8(ascii: "\\"), i + 1 < end {
                var length = 2
                var produced = 1
                if bytes[i + 1] == UInt8(ascii: "u"), i + 5 < end + 1 {
                    length = 6
                    let hex = String(decoding: bytes[(i + 2)..<min(i + 6, end)], as: UTF8.self)
                    let code = UInt32(hex, radix: 16) ?? 0
                    if (0xD800...0xDBFF).contains(code), i + 11 < end + 1, bytes[i + 6] == UInt8(ascii: "\\") {
                        length = 12
                        produced = 4
                    } else {
                        produced = code < 0x80 ? 1 : code < 0x800 ? 2 : 3
                    }
                }
                i += length
                textOffset += produced
                segments.append((textOffset, i))
            } else {
                i += 1
                textOffset += 1
            }
        }
        return TextOrigin(file: document.file, segments: segments)
    }
}
