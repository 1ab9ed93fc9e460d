import Foundation
import CustomUICore
import Markdown
import TestSupport

/// One example of the CommonMark spec (conformance/commonmark/spec.json).
struct SpecExample: CustomStringConvertible, Sendable {
    var number: Int
    var section: String
    var markdown: String
    var html: String

    var description: String { "example \(number) (\(section))" }

    /// The package root, found from this file's path.
    static let packageRoot = ConformanceData.packageRoot

    /// The examples, read from the conformance data (empty without it; see `ConformanceData`).
    static let all: [SpecExample] = {
        let url = ConformanceData.url("commonmark/spec.json")
        guard let data = try? Data(contentsOf: url),
            let array = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]]
        else { return [] }
        return array.compactMap { item in
            guard let md = item["markdown"] as? String, let html = item["html"] as? String,
                let n = item["example"] as? Int, let section = item["section"] as? String
            else { return nil }
            return SpecExample(number: n, section: section, markdown: md, html: html)
        }
    }()

    /// The tags of the expected output that are copied from raw HTML in the input.
    ///
    /// Classification rule: an example is a raw-HTML example when some tag-like token of its
    /// expected HTML occurs verbatim in the markdown. A token is `<` followed by a letter, `/`, `!`
    /// or `?`, up to the next `>` or the end of the line (tags, comments, processing instructions,
    /// declarations, CDATA, and the unfinished tags HTML blocks may start with). Tags the renderer generates (`<p>`,
    /// `<a href=…>` from an autolink, `<code>` around a code span holding `&lt;a&gt;`) do not occur
    /// in the input, so autolinks and code spans with `<` are not raw HTML by this rule.
    var rawHTMLTags: [String] {
        var tags: [String] = []
        var rest = html[...]
        while let open = rest.firstIndex(of: "<") {
            let after = rest[rest.index(after: open)...]
            guard let first = after.first, first.isLetter || first == "/" || first == "!" || first == "?" else {
                rest = after
                continue
            }
            let close = after.firstIndex(where: { $0 == ">" || $0 == "\n" }) ?? after.endIndex
            let tag = String(
                rest[open..<(close == after.endIndex || after[close] == "\n" ? close : after.index(after: close))])
            if markdown.contains(tag), !tags.contains(tag) { tags.append(tag) }
            rest = after[close...]
        }
        return tags
    }

    /// The expected HTML with every link and image URL the allowlist refuses taken out, as the
    /// safe renderer does (`<a href="irc://…">` becomes `<a>`).
    var htmlUnderURLPolicy: String {
        var result = html
        for (attribute, image) in [(" href=\"", false), (" src=\"", true)] {
            var searchStart = result.startIndex
            while let r = result.range(of: attribute, range: searchStart..<result.endIndex) {
                guard let end = result[r.upperBound...].firstIndex(of: "\"") else { break }
                let url = decodeAttribute(String(result[r.upperBound..<end]))
                if URLPolicy.allows(url, image: image) {
                    searchStart = end
                } else {
                    result.removeSubrange(r.lowerBound...end)
                    searchStart = r.lowerBound
                }
            }
        }
        return result
    }

    private func decodeAttribute(_ s: String) -> String {
        var s = s.replacingOccurrences(of: "&amp;", with: "&")
        s = s.replacingOccurrences(of: "&#x27;", with: "'")
        return s.removingPercentEncoding ?? s
    }
}
