import CustomUICore
import Foundation

extension DiagnosticCode {
    /// A `styling_config` key the theme does not know.
    public static let styleUnknownKey: Self = "style.unknown-key"
    /// A `styling_config` value outside its closed grammar (colour, length, font names).
    public static let styleInvalidValue: Self = "style.invalid-value"
    /// A `layout_config` that names no documented layout or has an unknown key.
    public static let layoutInvalid: Self = "layout.invalid"
}

/// `styling_config` and `layout_config`, validated: only values from a closed grammar become CSS
/// custom properties, so no raw CSS from a definition ever reaches a page.
public struct Theme: Sendable, Hashable {
    /// What a styling key accepts.
    enum ValueKind {
        case color, length, font
    }

    /// The styling keys and the custom property each sets.
    static let keys: [(key: String, kind: ValueKind, property: String)] = [
        ("accent", .color, "--cui-accent"), ("background", .color, "--cui-background"),
        ("foreground", .color, "--cui-foreground"), ("muted", .color, "--cui-muted"), ("surface", .color, "--cui-surface"),
        ("border", .color, "--cui-border"), ("radius", .length, "--cui-radius"), ("spacing", .length, "--cui-spacing"),
        ("font", .font, "--cui-font"), ("mono_font", .font, "--cui-mono-font"), ("max_width", .length, "--cui-max-width"),
    ]

    /// The layouts `layout_config.layout` may name.
    public static let layouts = ["default", "centered", "wide", "compact"]

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

    /// The theme of a definition, and diagnostics for every value that was refused.
    public static func from(_ definition: CustomUIDefinition, file: String?) -> (Theme, [Diagnostic]) {
        var theme = Theme()
        var diagnostics: [Diagnostic] = []
        if let styling = definition.stylingConfig {
            if let object = styling.objectValue {
                for (key, value) in object {
                    guard let entry = keys.first(where: { $0.key == key }) else {
                        diagnostics.append(
                            .warning(
                                .styleUnknownKey, "`styling_config` has no key `\(key)`", file: file,
                                hint: Suggestions.didYouMean(key, in: keys.map(\.key))
                                    ?? "keys: " + keys.map { "`\($0.key)`" }.joined(separator: ", ")))
                        continue
                    }
                    if let css = value.stringValue.flatMap({ validate($0, entry.kind) }) {
                        theme.properties.append((entry.property, css))
                    } else {
                        diagnostics.append(
                            .error(
                                .styleInvalidValue, "`styling_config.\(key)` is not a valid \(describe(entry.kind)): \(value.jsonText)",
                                file: file, hint: example(entry.kind)))
                    }
                }
            } else {
                diagnostics.append(.error(.styleInvalidValue, "`styling_config` must be an object", file: file))
            }
        }
        if let layout = definition.layoutConfig {
            let name = layout["layout"]?.stringValue
            if let name, layouts.contains(name) {
                theme.layout = name
            } else if layout.objectValue == nil || layout["layout"] != nil {
                diagnostics.append(
                    .error(
                        .layoutInvalid, "`layout_config.layout` must name a layout", file: file,
                        hint: "one of " + layouts.map { "`\($0)`" }.joined(separator: ", ")))
            }
            for key in layout.objectValue?.keys ?? [] where key != "layout" {
                diagnostics.append(.warning(.layoutInvalid, "`layout_config` has no key `\(key)`", file: file, hint: "the only key is `layout`"))
            }
        }
        return (theme, diagnostics)
    }

    /// The CSS text of a valid value, or nil. Colours: `#rgb`, `#rrggbb`, `#rrggbbaa`; lengths: a
    /// number from 0 to 4000 with `px`, `rem`, `em` or `%`; fonts: family names of letters, digits,
    /// spaces and hyphens, or generic families, separated by commas.
    static func validate(_ raw: String, _ kind: ValueKind) -> String? {
        let value = raw.trimmingCharacters(in: .whitespaces)
        switch kind {
        case .color:
            let hex = value.dropFirst()
            guard value.hasPrefix("#"), [3, 4, 6, 8].contains(hex.count), hex.allSatisfy(\.isHexDigit) else { return nil }
            return value.lowercased()
        case .length:
            for unit in ["px", "rem", "em", "%"] where value.hasSuffix(unit) {
                let number = value.dropLast(unit.count)
                guard let n = Double(number), n >= 0, n <= 4000, number.allSatisfy({ $0.isNumber || $0 == "." }) else { return nil }
                return value
            }
            return nil
        case .font:
            let generic: Set<String> = ["serif", "sans-serif", "monospace", "system-ui", "ui-monospace", "ui-sans-serif", "ui-serif"]
            var families: [String] = []
            for part in value.split(separator: ",") {
                let name = part.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
                guard !name.isEmpty, name.count <= 64,
                    name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == " " || $0 == "-") })
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
        case .color: "write a hex colour such as `#3366cc`"
        case .length: "write a length such as `8px`, `1.5rem` or `90%`"
        case .font: "write family names such as `Inter, sans-serif`"
        }
    }
}
