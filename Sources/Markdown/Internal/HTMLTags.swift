/// The block tags of markdown HTML, in one place: the one-shot writer and the stream's frames
/// and kept blocks write them through these, so both write the same bytes.
extension HTMLWriter {
    mutating func openParagraph() { raw("<p>") }
    mutating func closeParagraph() { raw("</p>\n") }
    mutating func openBlockQuote() { raw("<blockquote>\n") }
    mutating func closeBlockQuote() { raw("</blockquote>\n") }
    mutating func closeList(ordered: Bool) { raw(ordered ? "</ol>\n" : "</ul>\n") }
    mutating func openItem() { raw("<li>") }
    mutating func closeItem() { raw("</li>\n") }
    mutating func closeCodeBlock() { raw("</code></pre>\n") }
    mutating func thematicBreak() { raw("<hr />\n") }

    /// A table row's opening: row 0 opens the table and its head, row 1 the body.
    mutating func openTableRow(_ r: Int) {
        if r == 0 {
            raw("<table>\n<thead>\n")
        } else if r == 1 {
            raw("<tbody>\n")
        }
        raw("<tr>\n")
    }

    mutating func closeTableRow(header: Bool) { raw(header ? "</tr>\n</thead>\n" : "</tr>\n") }

    /// The table's end after `rows` rows (the header included).
    mutating func closeTable(rows: Int) { raw(rows > 1 ? "</tbody>\n</table>\n" : "</table>\n") }

    mutating func openCell(header: Bool, alignment: MarkdownTableAlignment) {
        raw(header ? "<th" : "<td")
        switch alignment {
        case .none: break
        case .left: raw(" align=\"left\"")
        case .center: raw(" align=\"center\"")
        case .right: raw(" align=\"right\"")
        }
        raw(">")
    }

    mutating func closeCell(header: Bool) { raw(header ? "</th>\n" : "</td>\n") }

    /// Span tags: emphasis, strong emphasis, strikethrough, code.
    enum Span { case emphasis, strong, strikethrough, code }

    mutating func open(_ span: Span) {
        switch span {
        case .emphasis: raw("<em>")
        case .strong: raw("<strong>")
        case .strikethrough: raw("<del>")
        case .code: raw("<code>")
        }
    }

    mutating func close(_ span: Span) {
        switch span {
        case .emphasis: raw("</em>")
        case .strong: raw("</strong>")
        case .strikethrough: raw("</del>")
        case .code: raw("</code>")
        }
    }

    mutating func hardBreak() { raw("<br />\n") }
    mutating func closeLink() { raw("</a>") }

    /// What `write` writes, as a string (a frame's closing tags).
    static func tags(_ write: (inout HTMLWriter) -> Void) -> String {
        var writer = HTMLWriter()
        write(&writer)
        return writer.string
    }
}
