import CustomUI
import CustomUICore
import Foundation
import TemplateLibrary

/// Library figures: publish latency (store only, and with validation as `customui publish` does)
/// and search latency over 100,000 published UIs, as medians and 95th percentiles.
func libraryBenchmarks() throws -> [Figure] {
    let directory = (NSTemporaryDirectory() as NSString).appendingPathComponent("customui-bench-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    return try libraryFigures(prefix: "library") { name in try Library(path: directory + "/\(name).sqlite") }
}

/// The same figures on PostgreSQL: `CUSTOMUI_BENCH_POSTGRES_URL` names an empty, migrated library
/// database and the engine's role (docs/library.md); without it the area is skipped.
func postgresLibraryBenchmarks() throws -> [Figure] {
    guard let url = ProcessInfo.processInfo.environment["CUSTOMUI_BENCH_POSTGRES_URL"], !url.isEmpty else {
        FileHandle.standardError.write(
            Data("customui-bench: library-postgres skipped: set CUSTOMUI_BENCH_POSTGRES_URL\n".utf8))
        return []
    }
    let library = try Library.open(url)
    return try libraryFigures(prefix: "library-postgres") { _ in library }
}

/// Publish and search figures on the libraries `open` gives (one for publishing, one for search).
private func libraryFigures(prefix: String, open: (String) throws -> Library) throws -> [Figure] {
    var figures: [Figure] = []

    // Publish: each call is one durable transaction (WAL, synchronous=FULL on SQLite) on a
    // library that already holds a few hundred versions.
    let library = try open("publish")
    let base = benchTemplate(name: "Bench", body: "warm-up")
    let report = Validator.validate(ui: base)
    guard !report.hasErrors else { throw BenchError("the benchmark template does not validate") }
    var storeOnly: [Double] = []
    var withValidation: [Double] = []
    let clock = ContinuousClock()
    for i in 0..<300 {
        var varied = report
        varied.document?.definition.componentCode =
            report.document?.definition.componentCode.replacingOccurrences(of: "warm-up", with: "v\(i)") ?? ""
        let start = clock.now
        _ = try library.publish(varied, user: "bench", options: PublishOptions(isPublic: true, activate: i % 2 == 0))
        storeOnly.append(seconds(clock.now - start))
    }
    for i in 0..<200 {
        let file = benchTemplate(name: "Validated \(i % 10)", body: "body \(i)")
        let start = clock.now
        _ = try library.publish(ui: file, user: "bench", options: PublishOptions(activate: true))
        withValidation.append(seconds(clock.now - start))
    }
    figures.append(Figure(name: "\(prefix).publish.median", value: percentile(storeOnly, 0.5) * 1e3, unit: "ms"))
    figures.append(Figure(name: "\(prefix).publish.p95", value: percentile(storeOnly, 0.95) * 1e3, unit: "ms"))
    figures.append(
        Figure(
            name: "\(prefix).publish-with-validation.median", value: percentile(withValidation, 0.5) * 1e3, unit: "ms")
    )
    figures.append(
        Figure(name: "\(prefix).publish-with-validation.p95", value: percentile(withValidation, 0.95) * 1e3, unit: "ms")
    )

    // Search: 100,000 UIs from 1,000 owners, generated in one transaction.
    let big = try open("search")
    let words = benchWords
    var generator = SplitMix(seed: 7)
    let count = 100_000
    let generation = clock.now
    var batch: [(report: ValidationReport, options: PublishOptions)] = []
    var byOwner: [String: [(report: ValidationReport, options: PublishOptions)]] = [:]
    for i in 0..<count {
        var item = report
        let nameWords = (0..<2).map { _ in words[generator.next(words.count)] }
        let descriptionWords = (0..<8).map { _ in words[generator.next(words.count)] }
        item.document?.definition.name = "\(nameWords.joined(separator: " ").capitalized) \(i)"
        item.document?.definition.description = descriptionWords.joined(separator: " ")
        let options = PublishOptions(
            isPublic: i % 10 != 0, category: benchCategories[i % benchCategories.count],
            tags: [words[generator.next(words.count)], words[generator.next(words.count)]], activate: i % 7 != 0)
        byOwner["user\(i % 1000)", default: []].append((item, options))
    }
    for (owner, items) in byOwner {
        batch = items
        _ = try big.publishMany(batch, user: owner)
    }
    figures.append(Figure(name: "\(prefix).generate-100000.total", value: seconds(clock.now - generation), unit: "s"))

    // One word matches about 3% of the UIs; a root word's prefix ("story" also finds
    // "storywriter", "storymaker", …) about 30%, the worst case for ranking.
    var specific: [Double] = []
    var broad: [Double] = []
    var filtered: [Double] = []
    var byRating: [Double] = []
    var listing: [Double] = []
    func time(_ into: inout [Double], _ query: LibraryQuery) throws {
        let start = clock.now
        _ = try big.search(query, user: "reader")
        into.append(seconds(clock.now - start))
    }
    for i in 0..<200 {
        // A suffixed word ("storywriter"), never a bare root.
        let exact = words[(i * 7) % benchRoots.count * 10 + 1 + i % 9]
        try time(&specific, LibraryQuery(text: exact, limit: 20))
        try time(&broad, LibraryQuery(text: benchRoots[i % benchRoots.count], limit: 20))
        try time(
            &filtered,
            LibraryQuery(
                text: exact + " " + words[(i * 13 + 5) % words.count],
                category: benchCategories[i % benchCategories.count], limit: 20))
        try time(&byRating, LibraryQuery(text: exact, sort: .rating, limit: 20))
        try time(&listing, LibraryQuery(sort: .recent, limit: 20, offset: i))
    }
    for (name, values) in [
        ("search-100000", specific), ("search-100000-broad-prefix", broad),
        ("search-100000-two-words-category", filtered),
        ("search-100000-by-rating", byRating), ("list-100000-recent", listing),
    ] {
        figures.append(Figure(name: "\(prefix).\(name).median", value: percentile(values, 0.5) * 1e3, unit: "ms"))
        figures.append(Figure(name: "\(prefix).\(name).p95", value: percentile(values, 0.95) * 1e3, unit: "ms"))
    }
    return figures
}

private func benchTemplate(name: String, body: String) -> SourceFile {
    SourceFile(
        path: "bench.ui.xml",
        text: """
            <custom-ui name="\(name)" description="a benchmark UI">
              <view>
                <heading level="1">Benchmark</heading>
                <text>warm-up \(body)</text>
                <run label="Go"/>
                <slot name="answer" label="Answer"/>
              </view>
            </custom-ui>
            """)
}

private func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

private func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    let index = min(sorted.count - 1, max(0, Int((Double(sorted.count - 1) * p).rounded())))
    return sorted[index]
}

/// A small deterministic generator so every run builds the same library.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Int(z % UInt64(bound))
    }
}

private let benchCategories = ["form", "chat", "dashboard", "writing", "developer", "reading", "support", "data"]

/// 400 words (40 roots, each bare and with 9 suffixes); a UI has about 12 of them.
private let benchRoots = [
    "story", "summary", "email", "translate", "code", "review", "chat", "support", "report", "invoice", "recipe",
    "travel",
    "budget", "lesson", "quiz", "poem", "tweet", "blog", "outline", "brief", "resume", "letter", "pitch", "slogan",
    "agenda",
    "minutes", "plan", "checklist", "feedback", "survey", "contract", "policy", "guide", "manual", "faq", "glossary",
    "script",
    "lyrics", "joke", "riddle",
]

private let benchWords: [String] = {
    let roots = benchRoots
    let suffixes = ["", "writer", "maker", "helper", "builder", "checker", "planner", "coach", "studio", "lab"]
    return roots.flatMap { root in suffixes.map { root + $0 } }
}()
