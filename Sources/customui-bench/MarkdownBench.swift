import Foundation
import Markdown

/// The deterministic mixed document of the markdown benchmarks; `docs/benchmarks/markdown/generate.py`
/// writes the same bytes, so cmark can be timed on it side by side.
enum MarkdownBenchDocument {
    static let words = [
        "stream", "answer", "model", "token", "render", "markdown", "slot", "template", "safe", "prompt",
        "variable", "schema", "table", "list", "code", "quote", "heading", "link", "image", "engine",
        "swift", "linux", "terminal", "width", "chunk", "final", "block", "inline", "parser", "output",
    ]

    /// A 64-bit linear congruential generator (Knuth's MMIX constants), easy to mirror in Python.
    struct Generator {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
    }

    static func word(_ g: inout Generator, counter: inout Int) -> String {
        let w = words[g.next(words.count)]
        switch g.next(12) {
        case 0: return "*\(w)*"
        case 1: return "**\(w)**"
        case 2:
            counter += 1
            return "[\(w)](https://example.com/\(w)/\(counter))"
        case 3: return "`\(w)`"
        default: return w
        }
    }

    static func line(_ g: inout Generator, _ count: Int, counter: inout Int) -> String {
        (0..<count).map { _ in word(&g, counter: &counter) }.joined(separator: " ")
    }

    /// Markdown of at least `size` bytes: headings, paragraphs with emphasis, links and code spans,
    /// bullet and ordered lists (some nested), fenced code and block quotes.
    static func make(size: Int, seed: UInt64) -> String {
        var g = Generator(state: seed)
        var counter = 0
        var out = ""
        out.reserveCapacity(size + 1_000)
        while out.utf8.count < size {
            switch g.next(10) {
            case 0:
                let hashes = String(repeating: "#", count: 1 + g.next(3))
                let count = 3 + g.next(4)
                out += hashes + " " + line(&g, count, counter: &counter) + "\n"
            case 1, 2, 3, 4:
                for _ in 0..<(3 + g.next(4)) {
                    let count = 8 + g.next(7)
                    out += line(&g, count, counter: &counter) + "\n"
                }
            case 5, 6:
                for _ in 0..<(3 + g.next(4)) {
                    let count = 4 + g.next(8)
                    out += "- " + line(&g, count, counter: &counter) + "\n"
                    if g.next(4) == 0 {
                        let nested = 3 + g.next(5)
                        out += "  - " + line(&g, nested, counter: &counter) + "\n"
                    }
                }
            case 7:
                for i in 0..<(3 + g.next(4)) {
                    let count = 4 + g.next(8)
                    out += "\(i + 1). " + line(&g, count, counter: &counter) + "\n"
                }
            case 8:
                out += "```python\n"
                for _ in 0..<(4 + g.next(7)) {
                    let indent = String(repeating: "    ", count: g.next(3))
                    let a = words[g.next(words.count)]
                    let b = words[g.next(words.count)]
                    out += indent + a + " = " + b + "(\(g.next(100)))\n"
                }
                out += "```\n"
            default:
                for _ in 0..<(2 + g.next(3)) {
                    let count = 6 + g.next(8)
                    out += "> " + line(&g, count, counter: &counter) + "\n"
                }
            }
            out += "\n"
        }
        return out
    }
}

func markdownBenchmarks() throws -> [Figure] {
    var figures: [Figure] = []
    let environment = ProcessInfo.processInfo.environment

    if let profile = environment["MARKDOWN_BENCH_PROFILE"], profile.hasPrefix("stream") || profile == "oneshot" {
        try streamProfileLoop(profile, runs: Int(environment["MARKDOWN_BENCH_PROFILE_RUNS"] ?? "") ?? 20)
        return []
    }
    // HTML throughput on 10 MB of mixed content (parse + render, as `cmark` does).
    let big = MarkdownBenchDocument.make(size: 10_000_000, seed: 1)
    if let path = environment["MARKDOWN_BENCH_WRITE"] { try big.write(toFile: path, atomically: true, encoding: .utf8) }
    let megabytes = Double(big.utf8.count) / 1_000_000
    if environment["MARKDOWN_BENCH_PROFILE"] != nil {
        // A loop to attach a profiler to (`perf record`), no figures.
        for _ in 0..<5 { _ = MarkdownHTMLRenderer.render(MarkdownParser.parse(big)) }
        return []
    }
    if environment["MARKDOWN_BENCH_STREAM_ONLY"] != nil { return streamBenchmarks() + (try proseStreamBenchmarks()) }
    if environment["MARKDOWN_BENCH_SCALING_ONLY"] != nil { return streamScalingBenchmarks() }
    let oneShot = secondsPerCall(minimumSeconds: 2) { _ = MarkdownHTMLRenderer.render(MarkdownParser.parse(big)) }
    figures.append(Figure(name: "markdown.html.10mb", value: oneShot * 1000, unit: "ms"))
    figures.append(Figure(name: "markdown.html.throughput", value: megabytes / oneShot, unit: "MB/s"))
    if environment["MARKDOWN_BENCH_HTML_ONLY"] != nil { return figures }  // for interleaved runs beside cmark
    let commonMark = secondsPerCall(minimumSeconds: 2) {
        _ = MarkdownHTMLRenderer.render(MarkdownParser.parse(big, options: .commonMark))
    }
    figures.append(
        Figure(name: "markdown.html.throughput.commonmark-only", value: megabytes / commonMark, unit: "MB/s"))
    let parseOnly = secondsPerCall(minimumSeconds: 1) { _ = MarkdownParser.parse(big) }
    figures.append(Figure(name: "markdown.parse.throughput", value: megabytes / parseOnly, unit: "MB/s"))
    let document = MarkdownParser.parse(big)
    let terminal = secondsPerCall(minimumSeconds: 1) {
        _ = MarkdownTerminalRenderer.render(document, style: TerminalStyle(width: 100, color: true))
    }
    figures.append(Figure(name: "markdown.terminal.throughput", value: megabytes / terminal, unit: "MB/s"))

    figures += streamBenchmarks()
    figures += try proseStreamBenchmarks()
    figures += streamScalingBenchmarks()
    // Pathological nesting, about 1 MB each: must stay linear.
    let pathological: [(String, String)] = [
        ("brackets", String(repeating: "[", count: 500_000) + "a" + String(repeating: "]", count: 500_000)),
        ("emphasis", String(repeating: "*a **a ", count: 70_000) + "b" + String(repeating: " a** a*", count: 70_000)),
        ("blockquotes", String(repeating: "> ", count: 500_000) + "a\n"),
        ("lists", String(repeating: "- ", count: 500_000) + "a\n"),
        ("list-levels", (0..<1_000).map { String(repeating: " ", count: $0) + "- a\n" }.joined()),
        ("links", String(repeating: "[a](b", count: 200_000)),
        ("images", String(repeating: "![[]()", count: 170_000)),
    ]
    for (name, text) in pathological {
        let t = secondsPerCall(minimumSeconds: 0.3, minimumRuns: 1) {
            _ = MarkdownHTMLRenderer.render(MarkdownParser.parse(text))
        }
        figures.append(Figure(name: "markdown.pathological.\(name)", value: t * 1000, unit: "ms"))
    }
    return figures
}

/// A loop over streams to attach a profiler to (`perf record`), no figures:
/// `MARKDOWN_BENCH_PROFILE=stream` (the 100 KB answer; `stream-amortized` under that policy),
/// `stream-prose`, `stream-plain` or `stream-scaling:SHAPE:BYTES`, or `oneshot` (one render of the 100 KB
/// answer's text, to set beside the stream); `MARKDOWN_BENCH_PROFILE_RUNS` streams.
func streamProfileLoop(_ profile: String, runs: Int) throws {
    if profile == "oneshot" {
        let text = benchmarkAnswer().text
        var best = Double.infinity
        let clock = ContinuousClock()
        for _ in 0..<runs {
            let start = clock.now
            _ = oneShotRender(text)
            let d = clock.now - start
            best = min(best, Double(d.components.attoseconds) / 1e18 + Double(d.components.seconds))
        }
        print(String(format: "best of %d: %.3f ms", runs, best * 1000))
        return
    }
    let policy: MarkdownStream.TailPolicy = profile == "stream-amortized" ? .amortized(minimumBytes: 256) : .exact
    var chunks = benchmarkAnswer().chunks
    if profile == "stream-prose" { chunks = try proseAnswer().chunks }
    if profile == "stream-plain" { chunks = plainWordChunks() }
    if let shape = profile.split(separator: ":").dropFirst().first {
        // `stream-scaling:NAME:BYTES`: one shape of the scaling benchmark.
        let size = Int(profile.split(separator: ":").last!) ?? 25_000
        guard let make = scalingShapes.first(where: { $0.0 == shape })?.1 else {
            throw BenchError("no scaling shape \(shape); shapes: \(scalingShapes.map(\.0).joined(separator: ", "))")
        }
        chunks = tenByteChunks(make(size))
    }
    var best = Double.infinity
    for _ in 0..<runs { best = min(best, timedStream(chunks, policy: policy).seconds) }
    print(String(format: "best of %d: %.3f ms", runs, best * 1000))
}

/// The 100 KB answer of the streaming benchmark, cut into 10,000 chunks of about 10 bytes.
func benchmarkAnswer() -> (text: String, chunks: [String]) {
    let answer = MarkdownBenchDocument.make(size: 100_000, seed: 2)
    let bytes = Array(answer.utf8)
    let chunks = (0..<10_000).map {
        // ASCII text: every split is a character boundary.
        String(decoding: bytes[(bytes.count * $0 / 10_000)..<(bytes.count * ($0 + 1) / 10_000)], as: UTF8.self)
    }
    return (answer, chunks)
}

/// Streaming: a 100 KB answer in 10,000 chunks, against one render of the final text.
///
/// The consumer is modelled as a slot that shows `html` after every chunk: each append is followed by a
/// read of `stream.html` (final HTML plus the tail), and that read is inside the timed region. Both tail
/// policies are measured; `.amortized` figures carry the share of appends whose `html` was exact.
/// Totals come from streams without per-chunk clock reads, the per-chunk figures from separate
/// streams with each append timed.
func streamBenchmarks() -> [Figure] {
    var figures: [Figure] = []
    let (answer, chunks) = benchmarkAnswer()
    let answerOneShot = secondsPerCall(minimumSeconds: 1) {
        _ = MarkdownHTMLRenderer.render(MarkdownParser.parse(answer))
    }
    figures.append(Figure(name: "markdown.stream.100kb.oneshot", value: answerOneShot * 1000, unit: "ms"))
    let expected = MarkdownHTMLRenderer.render(MarkdownParser.parse(answer))
    let policies: [(String, MarkdownStream.TailPolicy)] = [
        ("", .exact), (".amortized64", .amortized(minimumBytes: 64)), (".amortized256", .amortized(minimumBytes: 256)),
    ]
    for (suffix, policy) in policies {
        let clock = ContinuousClock()
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
        var worst = 0.0
        var worstCPU = 0.0
        var totals: [Double] = []
        var chunkTimes: [Double] = []
        var chunkCPUTimes: [Double] = []
        var shownBytes = 0
        var exactTails = 0
        // Totals from streams without per-chunk clock reads (they would be counted in the total);
        // per-chunk times from as many streams again, each chunk timed.
        for _ in 0..<5 {
            let stream = MarkdownStream(tailPolicy: policy)
            let start = clock.now
            for chunk in chunks {
                _ = stream.append(chunk)
                shownBytes &+= stream.html.utf8.count
            }
            _ = stream.finish()
            totals.append(seconds(clock.now - start))
            precondition(stream.html == expected)
        }
        chunkTimes.reserveCapacity(5 * chunks.count)
        for _ in 0..<5 {
            let stream = MarkdownStream(tailPolicy: policy)
            for chunk in chunks {
                let c0 = threadCPUSeconds()
                let t0 = clock.now
                _ = stream.append(chunk)
                shownBytes &+= stream.html.utf8.count
                let t = seconds(clock.now - t0)
                let c = threadCPUSeconds() - c0
                worst = max(worst, t)
                worstCPU = max(worstCPU, c)
                chunkTimes.append(t)
                chunkCPUTimes.append(c)
                if stream.tailExact { exactTails += 1 }
            }
            _ = stream.finish()
        }
        precondition(shownBytes > 0)
        let name = "markdown.stream.100kb.10000chunks" + suffix
        let streamTotal = totals.sorted()[totals.count / 2]
        figures.append(Figure(name: name + ".total", value: streamTotal * 1000, unit: "ms"))
        figures.append(Figure(name: name + ".worst-chunk", value: worst * 1_000_000, unit: "us"))
        // On a shared machine the worst chunk is often a scheduler preemption (one 4 ms tick); p99 shows the work.
        chunkTimes.sort()
        let p99 = chunkTimes[chunkTimes.count * 99 / 100]
        figures.append(Figure(name: name + ".p99-chunk", value: p99 * 1_000_000, unit: "us"))
        // The same in the thread's CPU time, which a preemption on a loaded machine does not inflate.
        chunkCPUTimes.sort()
        figures.append(
            Figure(
                name: name + ".p99-chunk-cpu", value: chunkCPUTimes[chunkCPUTimes.count * 99 / 100] * 1_000_000,
                unit: "us"))
        figures.append(Figure(name: name + ".worst-chunk-cpu", value: worstCPU * 1_000_000, unit: "us"))
        figures.append(Figure(name: name + ".ratio", value: streamTotal / answerOneShot, unit: "x"))
        // The target: the stream's CPU under 1% of the answer's wall time when its 10,000 chunks
        // arrive over 30 s (the seeds' rate is 2,000-10,000 chunks per 30 s).
        figures.append(Figure(name: name + ".cpu-share-30s", value: streamTotal / 30 * 100, unit: "%"))
        // Share of appends whose `html` was the exact render of the text so far (1 under `.exact`).
        figures.append(
            Figure(name: name + ".exact-share", value: Double(exactTails) / Double(5 * chunks.count), unit: ""))
    }
    return figures
}

/// The prose answer (mostly paragraphs, a few headings, a quote, a list): the story-writer
/// example's recorded text twelve times over, in 10-byte chunks.
func proseAnswer() throws -> (text: String, chunks: [String]) {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let recording = root.appendingPathComponent("Examples/story-writer/story-writer.stream.ndjson")
    var story = ""
    for line in try String(contentsOf: recording, encoding: .utf8).split(separator: "\n") {
        guard let event = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            event["event"] as? String == "chunk", let data = event["data"] as? [String: Any],
            let text = data["text"] as? String
        else { continue }
        story += text
    }
    let text = String(repeating: story + "\n\n", count: 12)
    let bytes = Array(text.utf8)
    var chunks: [String] = []
    var i = 0
    while i < bytes.count {
        var e = min(bytes.count, i + 10)
        while e < bytes.count, bytes[e] & 0xC0 == 0x80 { e -= 1 }  // cut at a character boundary (dashes)
        chunks.append(String(decoding: bytes[i..<e], as: UTF8.self))
        i = e
    }
    precondition(chunks.joined() == text, "a chunk split a character")
    return (text, chunks)
}

/// The shapes of the scaling benchmark: one long block of each, of about the given size in bytes.
let scalingShapes: [(String, @Sendable (Int) -> String)] = [
    ("line", { String(repeating: "plain *words* ", count: $0 / 14) }),
    ("table", { "| a | b |\n| --- | --- |\n" + String(repeating: "| cell *x* | `y` z |\n", count: $0 / 21) }),
    ("paragraph", { String(repeating: "plain *words* and [links](https://example.com)\n", count: $0 / 48) }),
    ("code", { "```\n" + String(repeating: "let x = f(y) + 1\n", count: $0 / 17) }),
    ("list", { String(repeating: "- item with *words*\n", count: $0 / 20) }),
    ("quote", { String(repeating: "> quoted *words* here\n", count: $0 / 22) }),
    ("tasks", { String(repeating: "- [ ] task with *words*\n- [x] done\n", count: $0 / 35) }),
    ("indented-code", { String(repeating: "    let x = f(y) + 1\n", count: $0 / 21) }),
    ("html-block", { "<div>\n" + String(repeating: "<p>raw *line*</p>\n", count: $0 / 18) }),
    ("nested", { String(repeating: "- a\n  - b *c*\n    > d e f\n", count: $0 / 26) }),
]

/// Per-chunk cost of long blocks of one shape at growing sizes: stays flat when the stream is linear.
func streamScalingBenchmarks() -> [Figure] {
    var figures: [Figure] = []
    for (name, make) in scalingShapes {
        for size in [25_000, 100_000, 400_000] {
            let chunks = tenByteChunks(make(size))
            var best = Double.infinity
            for _ in 0..<3 { best = min(best, timedStream(chunks).seconds) }
            figures.append(
                Figure(
                    name: "markdown.stream.scaling.\(name).\(size / 1000)kb", value: best / Double(chunks.count) * 1e9,
                    unit: "ns/chunk"))
        }
    }
    return figures
}

/// One paragraph of plain words on one line (96 KB) in 10-byte chunks.
func plainWordChunks() -> [String] { tenByteChunks(String(repeating: "plain words ", count: 8_000)) }

/// ASCII text cut every 10 bytes.
func tenByteChunks(_ text: String) -> [String] {
    let bytes = Array(text.utf8)
    return stride(from: 0, to: bytes.count, by: 10).map {
        String(decoding: bytes[$0..<min(bytes.count, $0 + 10)], as: UTF8.self)
    }
}

/// One render of a whole text (not inlined, so a profiler can single it out).
@inline(never) func oneShotRender(_ text: String) -> String {
    MarkdownHTMLRenderer.render(MarkdownParser.parse(text))
}

/// Streams the chunks, reading `html` after each, then finishes: the seconds it took and the stream.
func timedStream(_ chunks: [String], policy: MarkdownStream.TailPolicy = .exact) -> (
    seconds: Double, stream: MarkdownStream
) {
    let clock = ContinuousClock()
    let stream = MarkdownStream(tailPolicy: policy)
    var shown = 0
    let start = clock.now
    for chunk in chunks {
        _ = stream.append(chunk)
        shown &+= stream.html.utf8.count
    }
    _ = stream.finish()
    let d = clock.now - start
    precondition(shown > 0)
    return (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18, stream)
}

/// The prose answer streamed with `html` read after every chunk, against one render of its text.
func proseStreamBenchmarks() throws -> [Figure] {
    let (text, chunks) = try proseAnswer()
    let bytes = Array(text.utf8)
    let oneShot = secondsPerCall(minimumSeconds: 0.5) { _ = MarkdownHTMLRenderer.render(MarkdownParser.parse(text)) }
    let expected = MarkdownHTMLRenderer.render(MarkdownParser.parse(text))
    var totals: [Double] = []
    for _ in 0..<9 {
        let (seconds, stream) = timedStream(chunks)
        totals.append(seconds)
        precondition(stream.html == expected)
    }
    let total = totals.sorted()[totals.count / 2]
    // The fixed cost of a chunk: one paragraph of plain words on one line, 10-byte chunks, so that
    // almost every chunk is inert text after a parse that left nothing open.
    let plainChunks = plainWordChunks()
    let plainTotals = (0..<9).map { _ in timedStream(plainChunks).seconds }
    let perPlainChunk = plainTotals.sorted()[plainTotals.count / 2] / Double(plainChunks.count)
    return [
        Figure(name: "markdown.stream.plain-words.per-chunk", value: perPlainChunk * 1e9, unit: "ns"),
        Figure(name: "markdown.stream.prose.bytes", value: Double(bytes.count), unit: "B"),
        Figure(name: "markdown.stream.prose.oneshot", value: oneShot * 1000, unit: "ms"),
        Figure(name: "markdown.stream.prose.total", value: total * 1000, unit: "ms"),
        Figure(name: "markdown.stream.prose.ratio", value: total / oneShot, unit: "x"),
    ]
}

/// The calling thread's CPU time in seconds (`CLOCK_THREAD_CPUTIME_ID`).
func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}
