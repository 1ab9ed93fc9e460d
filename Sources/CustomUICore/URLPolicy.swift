/// The one rule for which URLs the engine puts in a page or on a terminal: template `href`/`src`
/// attributes and markdown links and images alike, checked here and nowhere else.
///
/// The scheme is read as a browser would read it, and then some: ASCII whitespace and control
/// characters are dropped wherever they are (`java\tscript:`, `\u{1}javascript:`), and whatever
/// comes before the first `:` is the scheme unless a `/`, `?` or `#` comes first (then the URL is
/// relative). Allowed: relative URLs, `http`, `https` and `mailto`, and for images only `data:`
/// URLs of raster image types (no SVG: it can carry script).
public enum URLPolicy {
    /// The schemes allowed in links and images.
    public static let linkSchemes: Set<String> = ["http", "https", "mailto"]
    /// The media types allowed in `data:` image URLs.
    public static let dataImageTypes: Set<String> = [
        "image/png", "image/jpeg", "image/jpg", "image/gif", "image/webp", "image/avif", "image/bmp",
    ]

    /// Whether `url` may be written as a link (`image == false`) or an image source.
    public static func allows(_ url: String, image: Bool) -> Bool {
        switch read(url) {
        case .relative, .allowed: return true
        case .data(let rest): return image && isDataImage(rest)
        case .refused: return false
        }
    }

    /// The scheme of `url` when it is refused (`":"` for an empty scheme), else nil; for messages.
    public static func disallowedScheme(_ url: String, image: Bool) -> String? {
        guard !allows(url, image: image) else { return nil }
        let cleaned = url.unicodeScalars.filter { !isIgnored($0.value) }
        let scheme = String(String.UnicodeScalarView(cleaned.prefix { $0 != ":" })).lowercased()
        return scheme.isEmpty ? ":" : scheme
    }

    private enum Reading {
        case relative, allowed, refused
        /// A `data:` URL; the bytes after the colon.
        case data(Substring.UTF8View)
    }

    /// Controls and spaces, which browsers drop or trim around and inside a scheme.
    @inline(__always) private static func isIgnored(_ c: UInt32) -> Bool { c <= 0x20 || c == 0x7F }

    private static func read(_ url: String) -> Reading {
        // The scheme, lowercased, packed into a word (its first 8 bytes): the common schemes are
        // recognised without building a string (markdown streams ask this for every link).
        var packed: UInt64 = 0
        var length = 0
        let utf8 = url.utf8
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let c = utf8[index]
            index = utf8.index(after: index)
            if isIgnored(UInt32(c)) { continue }
            if c == UInt8(ascii: ":") {
                guard length > 0 else { return .refused }
                switch (length, packed) {
                // http, https, mailto
                case (4, 0x7074_7468), (5, 0x73_7074_7468), (6, 0x6F74_6C69_616D): return .allowed
                case (4, 0x6174_6164): return .data(url[index...].utf8)  // data
                default: return .refused
                }
            }
            if c == UInt8(ascii: "/") || c == UInt8(ascii: "?") || c == UInt8(ascii: "#") { return .relative }
            let lower = (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) ? c | 0x20 : c
            if length < 8 { packed |= UInt64(lower) << UInt64(8 * length) }
            length += 1
        }
        return .relative
    }

    private static func isDataImage(_ rest: Substring.UTF8View) -> Bool {
        var mediaType: [UInt8] = []
        for c in rest {
            if c == UInt8(ascii: ";") || c == UInt8(ascii: ",") { break }
            if isIgnored(UInt32(c)) { continue }
            mediaType.append((c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) ? c | 0x20 : c)
            if mediaType.count > 16 { return false }
        }
        return dataImageTypes.contains(String(decoding: mediaType, as: UTF8.self))
    }
}
