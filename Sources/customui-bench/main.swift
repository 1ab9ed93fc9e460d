import Foundation

// Each area owns one file that returns its figures; `customui-bench [FILTER]` runs the areas whose
// figure names contain FILTER (all by default). Run it in release mode: swift run -c release customui-bench
let filter = CommandLine.arguments.dropFirst().first
let areas: [(String, () throws -> [Figure])] = [
    ("template", templateBenchmarks),
    ("template-w1", w1Benchmarks),
    ("schema", jsonSchemaBenchmarks),
    ("markdown", markdownBenchmarks),
    ("streaming", streamingBenchmarks),
    ("library", libraryBenchmarks),
    ("library-postgres", postgresLibraryBenchmarks),
    ("session", sessionBenchmarks),
    ("serve", serveBenchmarks),
    ("editor", editorBenchmarks),
]
for (area, run) in areas where filter == nil || area.contains(filter!) {
    do {
        for figure in try run() { print(figure.line) }
    } catch {
        FileHandle.standardError.write(Data("customui-bench: \(area): \(error)\n".utf8))
        exit(1)
    }
}
