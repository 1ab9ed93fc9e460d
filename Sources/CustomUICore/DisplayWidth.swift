/// Terminal display widths: how many columns a character takes in a monospaced terminal.
///
/// Wide (East Asian wide and fullwidth, emoji presentation) characters take two columns; combining
/// marks, format characters and zero-width joiners take none; a grapheme cluster takes the width
/// of its widest scalar (two for an emoji sequence).
public enum DisplayWidth {
    /// Columns taken by one scalar.
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x7F { return v < 0x20 ? 0 : 1 }
        if v < 0xA0 { return 0 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if v == 0x200B || (0x1160...0x11FF).contains(v) { return 0 }  // zero width space, Hangul jungseong
        if scalar.properties.isEmojiPresentation { return 2 }
        return isWide(v) ? 2 : 1
    }

    /// Columns taken by one grapheme cluster.
    public static func of(_ character: Character) -> Int {
        let scalars = character.unicodeScalars
        if scalars.count == 1 { return of(scalars.first!) }
        var width = 0
        for s in scalars {
            if s.value == 0xFE0F { return 2 }  // emoji presentation selector
            width = max(width, of(s))
        }
        return width
    }

    /// Columns taken by a string.
    public static func of(_ text: some StringProtocol) -> Int {
        // All-ASCII text (most of it) is counted by bytes: each printable byte is one column, controls
        // none (the only multi-byte ASCII cluster, CR LF, is two controls). Breaking it into
        // `Character`s cost a fifth of rendering a large document for the terminal.
        var printable = 0
        var ascii = true
        for byte in text.utf8 {
            if byte >= 0x80 {
                ascii = false
                break
            }
            if byte >= 0x20 && byte < 0x7F { printable += 1 }
        }
        if ascii { return printable }
        var total = 0
        for c in text {
            if c.isASCII {
                total += c.asciiValue! >= 0x20 && c.asciiValue! < 0x7F ? 1 : 0
            } else {
                total += of(c)
            }
        }
        return total
    }

    private static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF,
            0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3,
            0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
            0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
