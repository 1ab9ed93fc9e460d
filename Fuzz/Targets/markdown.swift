// Markdown: one-shot HTML and terminal renders stay linear, and streaming the text in chunks
// chosen by the input gives exactly the one-shot HTML.
import CustomUICore
import Markdown

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMarkdown(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let seed = Int(data[0])
    let source = text(data + 1, size - 1)
    for options in [MarkdownOptions.default, .commonMark] {
        let document = MarkdownParser.parse(source, options: options)
        let html = MarkdownHTMLRenderer.render(document)
        checkLinear(html.utf8.count, size, floor: 64 << 10, "markdown HTML")
        let terminal = MarkdownTerminalRenderer.render(
            document, style: TerminalStyle(width: 10 + seed % 90, color: seed & 1 == 1))
        checkLinear(terminal.utf8.count, size, floor: 64 << 10, "markdown terminal")
        // Chunks of 1 to 16 characters, their lengths from the seed.
        let stream = MarkdownStream(options: options)
        var rest = Substring(source)
        var k = seed
        while !rest.isEmpty {
            let n = 1 + (k % 16)
            k = (k &* 31 &+ 7) & 0xFFFF
            _ = stream.append(String(rest.prefix(n)))
            rest = rest.dropFirst(n)
        }
        _ = stream.finish()
        if stream.html != html { finding("stream (seed \(seed)) differs from one-shot for \(source.debugDescription)") }
    }
    return 0
}
