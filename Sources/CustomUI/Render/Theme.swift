import CustomUICore
import Foundation

import JSONSchema

extension DiagnosticCode {
    /// A `styling_config` key the theme does not know.
    public static let styleUnknownKey: Self = "style.unknown-key"
    /// A `styling_config` value outside its closed grammar (colour, length, font names), or a
    /// `styling_config` that is not an object.
    public static let styleInvalidValue: Self = "style.invalid-value"
    /// A `layout_config` that is not an object, or whose `layout` names no documented layout.
    public static let layoutInvalid: Self = "layout.invalid"
    /// A `layout_config` key other than `layout`.
    public static let layoutUnknownKey: Self = "layout.unknown-key"
}

/// `styling_config` and `layout_config`, validated: only values from a closed grammar become CSS
/// custom properties, so no raw CSS from a definition ever reaches a page (docs/rendering.md).
public struct Theme: Sendable, Hashable {
    /// What a styling key accepts.
    enum ValueKind {
        case color, length, font
    }

    /// The styling keys and the custom property each sets.
    static let keys: [(key: String, kind: ValueKind, property: String)] = [
        ("accent", .color, "--cui-accent"), ("background", .color, "--cui-background"),
        ("foreground", .color, "--cui-foreground"), ("muted", .color, "--cui-muted"),
        ("surface", .color, "--cui-surface"),
        ("border", .color, "--cui-border"), ("radius", .length, "--cui-radius"), ("spacing", .length, "--cui-spacing"),
        ("font", .font, "--cui-font"), ("mono_font", .font, "--cui-mono-font"),
        ("max_width", .length, "--cui-max-width"),
    ]

    /// The layouts `layout_config.layout` may name (`sidebar`, `fullscreen` and `modal` are the
    /// seed app's words; docs/rendering.md says what each does).
    public static let layouts = ["default", "centered", "wide", "compact", "sidebar", "fullscreen", "modal"]

    /// Validated custom properties, in key order.
    public var properties: [(name: String, value: String)] = []
    /// The chosen layout.
    public var layout = "default"

    /// The default theme: no overrides, the default layout.
    public init() {}

    public static func == (lhs: Theme, rhs: Theme) -> Bool {
        lhs.layout == rhs.layout && lhs.properties.map(\.name) == rhs.properties.map(\.name)
            && lhs.properties.map(\.value) == rhs.properties.map(\.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(layout)
        for p in properties {
            hasher.combine(p.name)
            hasher.combine(p.value)
        }
    }

    /// The theme of a definition, and diagnostics for every value that was refused (without
    /// positions; validation reports the same with positions through `check`).
    public static func from(_ definition: CustomUIDefinition, file: String?) -> (Theme, [Diagnostic]) {
        check(
            layout: definition.layoutConfig, styling: definition.stylingConfig, layoutDocument: nil,
            stylingDocument: nil, file: file,
            generated: definition.componentType == .jsonSchema)
    }

    /// The theme of a loaded UI, with each diagnostic at the key or value it is about, in the
    /// template's `<layout-config>`/`<styling-config>` or the definition's columns.
    public static func check(_ document: CustomUIDocument) -> (theme: Theme, diagnostics: [Diagnostic]) {
        check(
            layout: document.definition.layoutConfig, styling: document.definition.stylingConfig,
            layoutDocument: document.layoutConfigDocument, stylingDocument: document.stylingConfigDocument,
            file: document.file.path,
            generated: document.definition.componentType == .jsonSchema)
    }

    /// `generated`: the UI is generated (`json-schema`), so `layout_config.ui` tunes it
    /// (`GeneratedUIOptions` checks it); a template lays itself out and `ui` is an unknown key.
    static func check(
        layout: Value?, styling: Value?, layoutDocument: JSONDocument?, stylingDocument: JSONDocument?, file: String?,
        generated: Bool = false
    ) -> (theme: Theme, diagnostics: [Diagnostic]) {
        var theme = Theme()
        var diagnostics: [Diagnostic] = []
        func at(_ document: JSONDocument?, _ key: String?, name: Bool = false) -> (String?, SourceRange?) {
            guard let document else { return (file, nil) }
            let pointer = key.map { JSONPointer.root.appending($0) } ?? .root
            let range =
                (name ? document.keyRange(of: pointer) : nil) ?? document.range(of: pointer)
                ?? document.range(of: .root)
            return (document.file.path, range)
        }
        if let styling {
            if let object = styling.objectValue {
                for (key, value) in object {
                    guard let entry = keys.first(where: { $0.key == key }) else {
                        let (path, range) = at(stylingDocument, key, name: true)
                        let guesses = Suggestions.nearest(to: key, in: keys.map(\.key).filter { object[$0] == nil })
                        diagnostics.append(
                            .warning(
                                .styleUnknownKey, "`styling_config` has no key `\(key)`", file: path, range: range,
                                hint: Suggestions.didYouMean(guesses)
                                    ?? "keys: " + keys.map { "`\($0.key)`" }.joined(separator: ", "),
                                fixes: stylingDocument.map {
                                    Fix.replacingJSONString(range, in: $0.file, written: key, with: guesses)
                                } ?? []))
                        continue
                    }
                    if let css = value.stringValue.flatMap({ validate($0, entry.kind) }) {
                        theme.properties.append((entry.property, css))
                    } else {
                        let (path, range) = at(stylingDocument, key)
                        var hint = example(entry.kind)
                        var replacements: [String] = []
                        if entry.kind == .color, let text = value.stringValue,
                            case let guesses = Suggestions.nearest(to: text.lowercased(), in: CSSColor.names),
                            let suggestion = Suggestions.didYouMean(guesses)
                        {
                            hint = suggestion + " (or " + hint + ")"
                            replacements = guesses
                        } else if entry.kind == .length, let text = value.stringValue, Double(text) != nil {
                            hint = "add a unit: `\(text)px`"
                            replacements = [text + "px"]
                        }
                        let fixes =
                            value.stringValue.flatMap { written in
                                stylingDocument.map {
                                    Fix.replacingJSONString(range, in: $0.file, written: written, with: replacements)
                                }
                            } ?? []
                        diagnostics.append(
                            .error(
                                .styleInvalidValue,
                                "`styling_config.\(key)` is not a valid \(describe(entry.kind)): \(value.jsonText)",
                                file: path, range: range, hint: hint, fixes: fixes))
                    }
                }
            } else {
                let (path, range) = at(stylingDocument, nil)
                diagnostics.append(
                    .error(
                        .styleInvalidValue, "`styling_config` must be an object, found \(styling.typeName)", file: path,
                        range: range,
                        hint: "write `{ \"accent\": \"#3366cc\" }`"))
            }
        }
        if let layout {
            if let object = layout.objectValue {
                if let value = object["layout"] {
                    if let name = value.stringValue, layouts.contains(name) {
                        theme.layout = name
                    } else {
                        let (path, range) = at(layoutDocument, "layout")
                        let guesses = value.stringValue.map { Suggestions.nearest(to: $0, in: layouts) } ?? []
                        let suggestion = Suggestions.didYouMean(guesses)
                        let fixes =
                            value.stringValue.flatMap { written in
                                layoutDocument.map {
                                    Fix.replacingJSONString(range, in: $0.file, written: written, with: guesses)
                                }
                            } ?? []
                        diagnostics.append(
                            .error(
                                .layoutInvalid, "`layout_config.layout` names no layout: \(value.jsonText)", file: path,
                                range: range,
                                hint: suggestion.map {
                                    $0 + " (layouts: " + layouts.map { "`\($0)`" }.joined(separator: ", ") + ")"
                                }
                                    ?? "layouts: " + layouts.map { "`\($0)`" }.joined(separator: ", "),
                                fixes: fixes))
                    }
                }
                for key in object.keys where key != "layout" && !(key == "ui" && generated) {
                    let (path, range) = at(layoutDocument, key, name: true)
                    let hint =
                        key == "ui"
                        ? "`ui` tunes the UI generated for `json-schema` definitions; a template lays itself out"
                        : layouts.contains(key)
                            ? "write `{ \"layout\": \"\(key)\" }`"
                            : "the only key is `layout` (one of " + layouts.map { "`\($0)`" }.joined(separator: ", ")
                                + ")"
                    diagnostics.append(
                        .warning(
                            .layoutUnknownKey, "`layout_config` has no key `\(key)`", file: path, range: range,
                            hint: hint))
                }
            } else {
                let (path, range) = at(layoutDocument, nil)
                diagnostics.append(
                    .error(
                        .layoutInvalid, "`layout_config` must be an object, found \(layout.typeName)", file: path,
                        range: range,
                        hint: "write `{ \"layout\": \"wide\" }`"))
            }
        }
        return (theme, diagnostics)
    }

    /// The CSS text of a valid value, or nil. Colours: `CSSColor`'s grammar; lengths: a number
    /// from 0 to 4000 with `px`, `rem`, `em` or `%`; fonts: family names of letters, digits,
    /// spaces and hyphens, or generic families, separated by commas.
    static func validate(_ raw: String, _ kind: ValueKind) -> String? {
        let value = raw.trimmingCharacters(in: .whitespaces)
        switch kind {
        case .color:
            return CSSColor.canonical(value)
        case .length:
            for unit in ["px", "rem", "em", "%"] where value.hasSuffix(unit) {
                let number = value.dropLast(unit.count)
                guard let n = Double(number), n >= 0, n <= 4000, number.allSatisfy({ $0.isNumber || $0 == "." }) else {
                    return nil
                }
                return value
            }
            return nil
        case .font:
            let generic: Set<String> = [
                "serif", "sans-serif", "monospace", "system-ui", "ui-monospace", "ui-sans-serif", "ui-serif",
            ]
            var families: [String] = []
            for part in value.split(separator: ",") {
                let name = part.trimmingCharacters(in: .whitespaces).trimmingCharacters(
                    in: CharacterSet(charactersIn: "\"'"))
                guard !name.isEmpty, name.count <= 64,
                    name.unicodeScalars.allSatisfy({
                        $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == " " || $0 == "-")
                    })
                else { return nil }
                families.append(generic.contains(name) ? name : "\"\(name)\"")
            }
            return families.isEmpty ? nil : families.joined(separator: ", ")
        }
    }

    private static func describe(_ kind: ValueKind) -> String {
        switch kind {
        case .color: "colour"
        case .length: "length"
        case .font: "font list"
        }
    }

    private static func example(_ kind: ValueKind) -> String {
        switch kind {
        case .color:
            "write `#36c`, `#3366cc`, `rgb(51, 102, 204)`, `hsl(220, 60%, 50%)` or a CSS colour name such as `purple`"
        case .length: "write a length such as `8px`, `1.5rem` or `90%`"
        case .font: "write family names such as `Inter, sans-serif`"
        }
    }
}

/// The colours `styling_config` accepts, through a closed grammar: `#rgb`, `#rgba`, `#rrggbb`,
/// `#rrggbbaa`; `rgb()`/`rgba()` with three numbers from 0 to 255 (or three percentages) and an
/// optional alpha; `hsl()`/`hsla()` with a hue in degrees, two percentages and an optional alpha
/// (commas, or spaces with `/ alpha`); and the CSS named colours. The CSS written is rebuilt from
/// the parsed parts, never copied from the input.
enum CSSColor {
    /// The canonical CSS text of a colour, or nil when it is not one.
    static func canonical(_ raw: String) -> String? {
        let value = raw.trimmingCharacters(in: .whitespaces).lowercased()
        guard !value.isEmpty, value.count <= 64 else { return nil }
        if value.hasPrefix("#") {
            let hex = value.dropFirst()
            guard [3, 4, 6, 8].contains(hex.count), hex.allSatisfy({ $0.isASCII && $0.isHexDigit }) else { return nil }
            return value
        }
        if namedSet.contains(value) { return value }
        return functional(value)
    }

    /// A number as written: digits with at most one fraction part, no sign or exponent.
    private static func number(_ token: Substring) -> Double? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count),
            parts.allSatisfy({ $0.count <= 6 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            !(parts.first?.isEmpty ?? true) || parts.count == 2, !(parts.last?.isEmpty ?? true)
        else { return nil }
        return Double(token)
    }

    /// `n` in `0...max`, or `n%` in `0...100` when `percent` allows it; the text to write.
    private static func component(_ token: Substring, max: Double, percent: Bool?) -> (text: String, isPercent: Bool)? {
        if token.hasSuffix("%") {
            guard percent != false, let n = number(token.dropLast()), n <= 100 else { return nil }
            return ("\(format(n))%", true)
        }
        guard percent != true, let n = number(token), n <= max else { return nil }
        return (format(n), false)
    }

    private static func format(_ n: Double) -> String {
        n == n.rounded() ? String(Int(n)) : String(n)
    }

    private static func functional(_ value: String) -> String? {
        guard let open = value.firstIndex(of: "("), value.hasSuffix(")") else { return nil }
        let name = value[..<open]
        guard ["rgb", "rgba", "hsl", "hsla"].contains(name) else { return nil }
        let inner = value[value.index(after: open)..<value.index(before: value.endIndex)]
        var main: [Substring]
        var alpha: Substring?
        if inner.contains(",") {
            let parts = inner.split(separator: ",", omittingEmptySubsequences: false).map {
                Substring($0.trimmingCharacters(in: .whitespaces))
            }
            guard parts.count == 3 || parts.count == 4 else { return nil }
            main = Array(parts[0..<3])
            alpha = parts.count == 4 ? parts[3] : nil
        } else {
            let halves = inner.split(separator: "/", omittingEmptySubsequences: false)
            guard halves.count <= 2 else { return nil }
            main = halves[0].split(whereSeparator: { $0 == " " })
            if halves.count == 2 { alpha = Substring(halves[1].trimmingCharacters(in: .whitespaces)) }
        }
        guard main.count == 3 else { return nil }
        var parts: [String] = []
        if name.hasPrefix("rgb") {
            let first = main[0].hasSuffix("%")
            for token in main {
                guard let c = component(token, max: 255, percent: first) else { return nil }
                parts.append(c.text)
            }
        } else {
            var hue = main[0]
            if hue.hasSuffix("deg") { hue = hue.dropLast(3) }
            guard let h = number(hue), h <= 360 else { return nil }
            parts.append(format(h))
            for token in main[1...] {
                guard let c = component(token, max: 100, percent: true) else { return nil }
                parts.append(c.text)
            }
        }
        let base = name.hasPrefix("rgb") ? "rgb" : "hsl"
        if let alpha {
            guard let a = component(alpha, max: 1, percent: nil) else { return nil }
            return "\(base)a(" + (parts + [a.text]).joined(separator: ", ") + ")"
        }
        return "\(base)(" + parts.joined(separator: ", ") + ")"
    }

    /// The CSS named colours (CSS Color Module Level 4), and `transparent`.
    static let names: [String] = [
        "aliceblue", "antiquewhite", "aqua", "aquamarine", "azure", "beige", "bisque", "black", "blanchedalmond",
        "blue",
        "blueviolet", "brown", "burlywood", "cadetblue", "chartreuse", "chocolate", "coral", "cornflowerblue",
        "cornsilk",
        "crimson", "cyan", "darkblue", "darkcyan", "darkgoldenrod", "darkgray", "darkgreen", "darkgrey", "darkkhaki",
        "darkmagenta", "darkolivegreen", "darkorange", "darkorchid", "darkred", "darksalmon", "darkseagreen",
        "darkslateblue",
        "darkslategray", "darkslategrey", "darkturquoise", "darkviolet", "deeppink", "deepskyblue", "dimgray",
        "dimgrey",
        "dodgerblue", "firebrick", "floralwhite", "forestgreen", "fuchsia", "gainsboro", "ghostwhite", "gold",
        "goldenrod",
        "gray", "green", "greenyellow", "grey", "honeydew", "hotpink", "indianred", "indigo", "ivory", "khaki",
        "lavender",
        "lavenderblush", "lawngreen", "lemonchiffon", "lightblue", "lightcoral", "lightcyan", "lightgoldenrodyellow",
        "lightgray", "lightgreen", "lightgrey", "lightpink", "lightsalmon", "lightseagreen", "lightskyblue",
        "lightslategray",
        "lightslategrey", "lightsteelblue", "lightyellow", "lime", "limegreen", "linen", "magenta", "maroon",
        "mediumaquamarine", "mediumblue", "mediumorchid", "mediumpurple", "mediumseagreen", "mediumslateblue",
        "mediumspringgreen", "mediumturquoise", "mediumvioletred", "midnightblue", "mintcream", "mistyrose", "moccasin",
        "navajowhite", "navy", "oldlace", "olive", "olivedrab", "orange", "orangered", "orchid", "palegoldenrod",
        "palegreen",
        "paleturquoise", "palevioletred", "papayawhip", "peachpuff", "peru", "pink", "plum", "powderblue", "purple",
        "rebeccapurple", "red", "rosybrown", "royalblue", "saddlebrown", "salmon", "sandybrown", "seagreen", "seashell",
        "sienna", "silver", "skyblue", "slateblue", "slategray", "slategrey", "snow", "springgreen", "steelblue", "tan",
        "teal",
        "thistle", "tomato", "turquoise", "violet", "wheat", "white", "whitesmoke", "yellow", "yellowgreen",
        "transparent",
    ]
    private static let namedSet = Set(names)
}
