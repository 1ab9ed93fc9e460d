/// Writes values as JSON text: keys in their order, numbers exact, strings escaped per RFC 8259.
public struct JSONWriter: Sendable {
    /// Indent nested values with two spaces and put each member on its own line.
    public var pretty: Bool

    /// A writer; compact unless `pretty`.
    public init(pretty: Bool = false) { self.pretty = pretty }

    /// The JSON text of a value.
    public func string(_ value: Value) -> String {
        var out = ""
        write(value, into: &out, indent: 0)
        return out
    }

    private func write(_ value: Value, into out: inout String, indent: Int) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n.description
        case .string(let s): JSONWriter.writeString(s, into: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                newline(&out, indent + 1)
                write(item, into: &out, indent: indent + 1)
            }
            newline(&out, indent)
            out += "]"
        case .object(let object):
            if object.isEmpty { out += "{}"; return }
            out += "{"
            var first = true
            for (key, member) in object {
                if !first { out += "," }
                first = false
                newline(&out, indent + 1)
                JSONWriter.writeString(key, into: &out)
                out += pretty ? ": " : ":"
                write(member, into: &out, indent: indent + 1)
            }
            newline(&out, indent)
            out += "}"
        }
    }

    private func newline(_ out: inout String, _ indent: Int) {
        guard pretty else { return }
        out += "\n"
        out += String(repeating: "  ", count: indent)
    }

    /// Appends a JSON string literal.
    public static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            // C0 must be escaped (RFC 8259); DEL, C1 and the bidi controls are escaped too, so JSON
            // printed on a terminal cannot drive it and still decodes to the same string.
            case _ where TerminalText.isControl(scalar):
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

extension Value {
    /// Compact JSON text.
    public var jsonText: String { JSONWriter().string(self) }
}
