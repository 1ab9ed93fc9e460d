import CustomUI
import CustomUICore
import Foundation

/// Language server figures on a 1,000-element template: the time from a one-character edit
/// (`didChange`, incremental) to its published diagnostics, and the time to answer a completion
/// of a `props.` path near the end of the document, as p50 and p99 over many samples.
func editorBenchmarks() throws -> [Figure] {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("customui-bench-lsp-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let text = largeTemplate(cards: 100)
    let path = dir.appendingPathComponent("large.ui.xml").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    try DiagnosticCatalog.standardPrompt.write(
        toFile: dir.appendingPathComponent("large.prompt.json").path, atomically: true, encoding: .utf8)
    let uri = URL(fileURLWithPath: path).absoluteString
    let elements = text.components(separatedBy: "<").count - text.components(separatedBy: "</").count

    let server = LanguageServer()
    func send(_ message: Value) -> [String] { server.handle(Array(JSONWriter().string(message).utf8)) }
    _ = send(["jsonrpc": "2.0", "id": 1, "method": "initialize", "params": ["capabilities": [:]]])
    _ = send([
        "jsonrpc": "2.0", "method": "textDocument/didOpen",
        "params": ["textDocument": ["uri": .string(uri), "languageId": "xml", "version": 1, "text": .string(text)]],
    ])

    // The line of `<heading level="1">Large</heading>`, and the last card's `props.` (completion
    // scans the text before the cursor, so the end of the document is the slow case).
    let lines = text.components(separatedBy: "\n")
    guard let headingLine = lines.firstIndex(where: { $0.contains("<heading level=\"1\">Large") }),
        let propsLine = lines.lastIndex(where: { $0.contains("{{ props.title") })
    else { throw BenchError("the large template changed shape") }
    let headingColumn = lines[headingLine].utf16.count - "</heading>".utf16.count
    let propsColumn = (lines[propsLine].range(of: "props.").map { lines[propsLine][..<$0.upperBound].utf16.count })!

    let clock = ContinuousClock()
    func percentiles(_ samples: [Duration]) -> (p50: Double, p99: Double) {
        let ms = samples.map { Double($0.components.attoseconds) / 1e15 + Double($0.components.seconds) * 1e3 }.sorted()
        return (ms[ms.count / 2], ms[min(ms.count - 1, Int(Double(ms.count) * 0.99))])
    }

    // Thread CPU time beside wall time: on a loaded machine it leaves out time spent descheduled.
    func threadCPU() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) * 1e3 + Double(t.tv_nsec) / 1e6
    }
    func cpuPercentiles(_ ms: [Double]) -> (p50: Double, p99: Double) {
        let sorted = ms.sorted()
        return (sorted[sorted.count / 2], sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))])
    }

    var edits: [Duration] = []
    var editCPU: [Double] = []
    for i in 0..<200 {
        let position: Value = ["line": .int(headingLine), "character": .int(headingColumn)]
        let end: Value = ["line": .int(headingLine), "character": .int(headingColumn + (i % 2 == 0 ? 0 : 1))]
        let change: Value = [
            "jsonrpc": "2.0", "method": "textDocument/didChange",
            "params": [
                "textDocument": ["uri": .string(uri), "version": .int(i + 2)],
                "contentChanges": [["range": ["start": position, "end": end], "text": i % 2 == 0 ? "x" : ""]],
            ],
        ]
        let start = clock.now
        let cpuStart = threadCPU()
        let out = send(change)
        editCPU.append(threadCPU() - cpuStart)
        edits.append(clock.now - start)
        guard out.contains(where: { $0.contains("publishDiagnostics") }) else {
            throw BenchError("no diagnostics after an edit")
        }
    }

    var completions: [Duration] = []
    var completionCPU: [Double] = []
    for i in 0..<500 {
        let request: Value = [
            "jsonrpc": "2.0", "id": .int(100 + i), "method": "textDocument/completion",
            "params": [
                "textDocument": ["uri": .string(uri)],
                "position": ["line": .int(propsLine), "character": .int(propsColumn)],
            ],
        ]
        let start = clock.now
        let cpuStart = threadCPU()
        let out = send(request)
        completionCPU.append(threadCPU() - cpuStart)
        completions.append(clock.now - start)
        guard out.first?.contains("\"title\"") == true else { throw BenchError("completion did not offer `title`") }
    }

    let edit = percentiles(edits)
    let completion = percentiles(completions)
    let editOnCPU = cpuPercentiles(editCPU)
    let completionOnCPU = cpuPercentiles(completionCPU)
    return [
        Figure(name: "editor.diagnostics-after-edit.\(elements)-elements.p50", value: edit.p50, unit: "ms"),
        Figure(name: "editor.diagnostics-after-edit.\(elements)-elements.p99", value: edit.p99, unit: "ms"),
        Figure(name: "editor.diagnostics-after-edit.\(elements)-elements.cpu.p50", value: editOnCPU.p50, unit: "ms"),
        Figure(name: "editor.diagnostics-after-edit.\(elements)-elements.cpu.p99", value: editOnCPU.p99, unit: "ms"),
        Figure(name: "editor.completion.\(elements)-elements.p50", value: completion.p50, unit: "ms"),
        Figure(name: "editor.completion.\(elements)-elements.p99", value: completion.p99, unit: "ms"),
        Figure(name: "editor.completion.\(elements)-elements.cpu.p50", value: completionOnCPU.p50, unit: "ms"),
        Figure(name: "editor.completion.\(elements)-elements.cpu.p99", value: completionOnCPU.p99, unit: "ms"),
    ]
}
