import CustomUICore
import Testing

@testable import CustomUI

/// Findings of the libFuzzer targets (docs/fuzzing.md), each as the input that found it.
@Suite struct FuzzFindingTests {
    /// `template`: a button whose label is wider than its card (here because its DEL and tab are
    /// shown as control pictures) overflowed the terminal width; labels now wrap like text.
    @Test(arguments: ["Star\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\t\rt again", "A label much longer than the card is"])
    func buttonLabelsStayWithinTheWidth(label: String) throws {
        let escaped = label.unicodeScalars.map {
            $0.isASCII && $0.value >= 0x20 && $0 != "&" ? String($0) : "&#\($0.value);"
        }
        .joined()
        let ui =
            "<custom-ui name=\"b\" execution-mode=\"manual-with-visible-variables\"><view><card title=\"c\"><row>"
            + "<run label=\"Go\"/><reset label=\"\(escaped)\"/></row></card><slot name=\"answer\"/></view></custom-ui>"
        for width in [20, 24, 37] {
            let lines = try HardeningTests.terminalLines(ui, width: width)
            for line in lines { #expect(DisplayWidth.of(line) <= width, "wider than \(width): \(line)") }
            #expect(lines.joined().contains("again") || lines.joined().contains("card"))
        }
    }
}
