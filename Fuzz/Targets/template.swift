// Template XML → validate → render as HTML and for the terminal at several widths.
import CustomUI
import CustomUICore
import Markdown

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTemplate(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = SourceFile(path: "fuzz.ui.xml", text: text(data, size))
    let report = Validator.validate(ui: source, limits: fuzzLimits)
    _ = DiagnosticRenderer(sources: report.sources).render(report.diagnostics)
    guard let template = report.template else { return 0 }
    let slots = Dictionary(uniqueKeysWithValues: template.slots.map { ($0.name, "**fuzz** _slot_ text\n\n- a\n- b") })
    for format in RenderFormat.allCases {
        for width in format == .terminal ? [1, 20, 37, 80] : [80] {
            let options = RenderOptions(
                format: format, terminal: TerminalStyle(width: width, color: width == 37), limits: fuzzLimits)
            let (output, _) = RenderPipeline.render(template, prompt: nil, slots: slots, options: options)
            if let output, format == .terminal {
                for line in output.split(separator: "\n") where width >= 20 && !line.contains("\u{1B}") {
                    if DisplayWidth.of(line) > width { finding("terminal line wider than \(width): \(line)") }
                }
            }
        }
    }
    return 0
}
