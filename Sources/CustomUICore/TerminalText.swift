/// Makes untrusted text safe to print on a terminal: every character that could drive the
/// terminal (C0 and C1 controls, DEL, and the bidi controls that reorder what is shown) is
/// replaced by a visible stand-in, so ESC, CSI, OSC, BEL, NUL and backspace never reach it raw.
///
/// The visible forms (docs/decisions/terminal-control-characters.md):
/// - C0 controls U+0000–U+001F become their Control Pictures, `␀` … `␟` (ESC is `␛`, BEL `␇`),
///   and DEL becomes `␡`; each takes one column, like the character it stands for would in text.
/// - C1 controls U+0080–U+009F and the bidi controls (U+061C, U+200E, U+200F, U+202A–U+202E,
///   U+2066–U+2069) have no pictures and become `<U+009B>`, `<U+202E>`.
/// - Newline and tab are kept only where the caller's layout needs them (`newlines`, `tabs`);
///   with `newlines`, CR LF is a newline too, while a lone CR (which would overwrite the line) is `␍`.
///
/// Every terminal writer calls this on text it did not write itself; its own ANSI styling is
/// added afterwards, so colours still work.
public enum TerminalText {
    /// What a tab becomes.
    public enum Tabs: Sendable, Hashable {
        /// `␉`, for one-line fields where a tab would move the cursor unpredictably.
        case picture
        /// A raw tab, for layouts that handle it themselves.
        case keep
        /// This many spaces, for layouts that measure width.
        case spaces(Int)
    }

    /// The text with every terminal control made visible.
    ///
    /// - Parameters:
    ///   - newlines: keep line feeds (and CR LF, as a line feed); otherwise they show as `␊`.
    ///   - tabs: what a tab becomes.
    public static func visible(_ text: some StringProtocol, newlines: Bool = false, tabs: Tabs = .picture) -> String {
        let scalars = text.unicodeScalars
        guard scalars.contains(where: { needsReplacing($0, newlines: newlines, tabs: tabs) }) else {
            return String(text)
        }
        var out = String.UnicodeScalarView()
        var index = scalars.startIndex
        while index != scalars.endIndex {
            let scalar = scalars[index]
            scalars.formIndex(after: &index)
            switch scalar {
            case "\n" where newlines:
                out.append(scalar)
            case "\r" where newlines && index != scalars.endIndex && scalars[index] == "\n":
                break  // the LF that follows is kept
            case "\t":
                switch tabs {
                case .picture: out.append(contentsOf: picture(scalar).unicodeScalars)
                case .keep: out.append(scalar)
                case .spaces(let n): out.append(contentsOf: String(repeating: " ", count: max(0, n)).unicodeScalars)
                }
            default:
                if isControl(scalar) {
                    out.append(contentsOf: picture(scalar).unicodeScalars)
                } else {
                    out.append(scalar)
                }
            }
        }
        return String(out)
    }

    /// Whether a scalar must not reach a terminal raw: C0, DEL, C1 and the bidi controls.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return true }
        if v < 0x61C { return false }
        return v == 0x061C || v == 0x200E || v == 0x200F || (0x202A...0x202E).contains(v)
            || (0x2066...0x2069).contains(v)
    }

    /// Whether the text has anything `visible` would replace (tabs and newlines counted as controls).
    public static func containsControls(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.contains(where: isControl)
    }

    /// The visible stand-in for one control: `␛` for C0 and DEL, `<U+202E>` for the rest.
    public static func picture(_ scalar: Unicode.Scalar) -> String {
        let v = scalar.value
        if v < 0x20 { return String(Unicode.Scalar(0x2400 + v)!) }
        if v == 0x7F { return "\u{2421}" }
        let hex = String(v, radix: 16, uppercase: true)
        return "<U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + ">"
    }

    private static func needsReplacing(_ scalar: Unicode.Scalar, newlines: Bool, tabs: Tabs) -> Bool {
        switch scalar {
        case "\n": return !newlines
        case "\t": return tabs != .keep
        // A CR is removed (before LF) or shown; either way the text changes.
        default: return isControl(scalar)
        }
    }
}
