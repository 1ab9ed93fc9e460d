import CustomUICore
import Foundation
import Testing

@testable import CustomUI

/// Issue 16 finding 5: a one-line 216 KB template took 107 s and 5.1 GB in `validate`, every
/// diagnostic quoting the whole line. Each excerpt is now a bounded window around its range.
@Suite struct LongLineExcerptTests {
    @Test func aMinifiedTemplateIsQuotedInWindows() throws {
        // One line of about 216 KB: errors at its start, in its middle and at its end.
        let filler = String(repeating: "<text>" + String(repeating: "lorem ipsum ", count: 4) + "</text>", count: 1_800)
        let text =
            #"<custom-ui name="Big" execution-mode="manual"><view><headng>a</headng>"# + filler
            + "<headng>b</headng>" + filler + "<headng>c</headng><run/></view></custom-ui>"
        #expect(text.utf8.count > 210_000)
        #expect(!text.contains("\n"))
        let ui = SourceFile(path: "big.ui.xml", text: text)
        let report = Validator.validate(ui: ui, prompt: nil)
        let unknown = report.diagnostics.filter { $0.code == .templateUnknownElement }
        #expect(unknown.count == 3, "\(report.diagnostics.map(\.code))")
        let output = DiagnosticRenderer(sources: report.sources).render(report.diagnostics)
        // Each diagnostic costs a few hundred bytes, not the 216 KB line.
        #expect(
            output.utf8.count < report.diagnostics.count * 600,
            "\(output.utf8.count) bytes for \(report.diagnostics.count) diagnostics")
        for (index, diagnostic) in unknown.sortedByLocation().enumerated() {
            let lines = DiagnosticRenderer(sources: report.sources).render(diagnostic).split(separator: "\n")
            let quoted = lines[2].drop { $0 != "|" }.dropFirst(2)
            let caret = lines[3].drop { $0 != "|" }.dropFirst(2)
            #expect(DisplayWidth.of(quoted) <= DiagnosticRenderer.excerptColumns + 2)
            // Cut before unless near the line start, after unless near its end.
            #expect(quoted.hasPrefix("…") == (index > 0), "\(quoted)")
            #expect(quoted.hasSuffix("…") == (index < 2), "\(quoted)")
            let pad = caret.prefix { $0 == " " }.count
            #expect(quoted.dropFirst(pad).hasPrefix("headng"), "\(quoted)\n\(caret)")
        }
    }
}
