/// The template grammar as RELAX NG, generated from `Vocabulary` so the two can never disagree.
///
/// `Schemas/customui.rng` is this text, checked in for editors and other tools; a test keeps the
/// file equal to the generated grammar, and the engine validates every template with it.
public enum Grammar {
    /// The RELAX NG grammar (XML syntax).
    public static let relaxNG: String = generate()

    private static func generate() -> String {
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- The CustomUI template grammar. Generated from Sources/CustomUI/Vocabulary/Vocabulary.swift:
                 do not edit by hand; run `customui grammar > Schemas/customui.rng` after changing the vocabulary. -->
            <grammar xmlns="http://relaxng.org/ns/structure/1.0" datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes">
              <start>
                <ref name="custom-ui"/>
              </start>

            """
        // Control elements are transparent, so each content context gets its own copy of them.
        let contexts: [(suffix: String, content: String)] = [
            ("block", "blocks"), ("inline", "inline"), ("list", "list-items"),
        ]
        for spec in Vocabulary.elements where spec.category != .control {
            out += define(spec.name, element: spec, content: contentPattern(spec))
        }
        for spec in Vocabulary.elements where spec.category == .control {
            for (suffix, content) in contexts {
                out += define("\(spec.name).\(suffix)", element: spec, content: "      <ref name=\"\(content)\"/>\n")
            }
        }
        let controls = Vocabulary.elements.filter { $0.category == .control }.map(\.name)
        let blocks = Vocabulary.elements.filter { $0.isBlock && $0.category != .control }.map(\.name)
        let inlines = Vocabulary.elements.filter { $0.category == .inline }.map(\.name)
        out += "  <define name=\"blocks\">\n    <zeroOrMore>\n      <choice>\n"
        for name in blocks { out += "        <ref name=\"\(name)\"/>\n" }
        for name in controls { out += "        <ref name=\"\(name).block\"/>\n" }
        out += "      </choice>\n    </zeroOrMore>\n  </define>\n"
        out += "  <define name=\"inline\">\n    <mixed>\n      <zeroOrMore>\n        <choice>\n"
        for name in inlines { out += "          <ref name=\"\(name)\"/>\n" }
        for name in controls { out += "          <ref name=\"\(name).inline\"/>\n" }
        out += "        </choice>\n      </zeroOrMore>\n    </mixed>\n  </define>\n"
        out += "  <define name=\"list-items\">\n    <zeroOrMore>\n      <choice>\n        <ref name=\"item\"/>\n"
        for name in controls { out += "        <ref name=\"\(name).list\"/>\n" }
        out += "      </choice>\n    </zeroOrMore>\n  </define>\n"
        out += "</grammar>\n"
        return out
    }

    private static func define(_ name: String, element spec: ElementSpec, content: String) -> String {
        var out = "  <define name=\"\(name)\">\n    <element name=\"\(spec.name)\">\n"
        for attribute in spec.attributes {
            let pattern = "<attribute name=\"\(attribute.name)\">\(datatype(attribute.kind))</attribute>"
            out += attribute.required ? "      \(pattern)\n" : "      <optional>\(pattern)</optional>\n"
        }
        out += content
        out += "    </element>\n  </define>\n"
        return out
    }

    private static func contentPattern(_ spec: ElementSpec) -> String {
        switch spec.content {
        case .empty: return "      <empty/>\n"
        case .inline: return "      <ref name=\"inline\"/>\n"
        case .blocks: return "      <ref name=\"blocks\"/>\n"
        case .text, .json: return "      <text/>\n"
        case .children where spec.name == "list": return "      <ref name=\"list-items\"/>\n"
        case .children(let names):
            // The root: configuration elements at most once, any number of `bind`, exactly one `view`.
            var out = "      <interleave>\n"
            for name in names {
                switch name {
                case "view": out += "        <ref name=\"view\"/>\n"
                case "bind": out += "        <zeroOrMore><ref name=\"bind\"/></zeroOrMore>\n"
                default: out += "        <optional><ref name=\"\(name)\"/></optional>\n"
                }
            }
            return out + "      </interleave>\n"
        }
    }

    private static func datatype(_ kind: AttributeKind) -> String {
        switch kind {
        case .choice(let words): return "<choice>" + words.map { "<value>\($0)</value>" }.joined() + "</choice>"
        case .boolean: return "<choice><value>true</value><value>false</value></choice>"
        case .integer(let range):
            return
                "<data type=\"integer\"><param name=\"minInclusive\">\(range.lowerBound)</param><param name=\"maxInclusive\">\(range.upperBound)</param></data>"
        case .identifier, .variableName:
            return "<data type=\"token\"><param name=\"pattern\">[A-Za-z_][A-Za-z0-9_\\-]*</param></data>"
        case .text, .interpolated, .expression, .url, .path: return "<text/>"
        }
    }
}
