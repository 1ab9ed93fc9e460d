import CustomUICore
import Foundation
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

    /// `template`: a document libxml2 took in another encoding (its first element's name is not
    /// UTF-8) made the scanner read JSON text as attribute values; one of them ended in a lone `&`,
    /// and decoding it as a reference trapped on an empty range. References without their `;` are
    /// now kept as written. The fuzzer's input, then the smallest case.
    @Test func aReferenceCutOffByItsValueIsKeptAsWritten() throws {
        let finding = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(
                "Fuzz/findings/template-crash-fdeb0581498e6eeba504e203b74d7923748caf6f")
        let bytes = try Data(contentsOf: finding)
        let report = Validator.validate(ui: SourceFile(path: "f.ui.xml", text: String(decoding: bytes, as: UTF8.self)))
        #expect(report.diagnostics.hasErrors)
        for value in ["&", "a&", "&;", "&amp", "x &#"] {
            let scanner = MarkupScanner(bytes: Array(value.utf8))
            #expect(scanner.decodeAttribute(0..<value.utf8.count).text == Array(value.utf8))
        }
        #expect(MarkupScanner(bytes: Array("a&amp;b".utf8)).decodeAttribute(0..<7).text == Array("a&b".utf8))
    }
}
