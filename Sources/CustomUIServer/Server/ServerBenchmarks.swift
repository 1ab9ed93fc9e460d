import CustomUI
import CustomUICore
import Foundation
import Markdown
import Streaming

/// Figures for `customui-bench serve`: what a page waits for and what a run costs the server.
public enum ServerBenchmarks {
    /// One figure: a name, a value and its unit.
    public struct Figure: Sendable {
        public var name: String
        public var value: Double
        public var unit: String
    }

    /// Answers with chunks, `spacing` apart (zero: as fast as the session takes them), timing each.
    struct TimedTransport: StreamTransport {
        let chunks: [String]
        let spacing: Duration
        let clock: Clock
        var service: String { "bench" }
        func requestData(for request: ExecutionRequest) -> Value { .null }
        func events(for request: ExecutionRequest) -> AsyncThrowingStream<StreamEvent, Error> {
            let (stream, continuation) = AsyncThrowingStream<StreamEvent, Error>.makeStream()
            let chunks = self.chunks
            let spacing = self.spacing
            let clock = self.clock
            Task {
                for chunk in chunks {
                    clock.sent()
                    continuation.yield(.chunk(chunk))
                    if spacing > .zero { try? await Task.sleep(for: spacing) }
                }
                continuation.yield(
                    .completion(
                        Completion(
                            status: "success", totalUsage: ["input_tokens": 10, "output_tokens": .int(chunks.count)])))
                continuation.yield(.end(reason: "completed"))
                continuation.finish()
            }
            return stream
        }
        func cancel() async {}
    }

    /// When the last chunk was handed to the session, and how long until a patch was written.
    final class Clock: Sendable {
        private let state = Locked<(sentAt: ContinuousClock.Instant?, latencies: [Duration])>((nil, []))

        var latencies: [Duration] { state.withLock { $0.latencies } }

        func sent() {
            state.withLock { $0.sentAt = ContinuousClock.now }
        }

        func wrote() {
            let now = ContinuousClock.now
            state.withLock { state in
                if let sentAt = state.sentAt {
                    state.latencies.append(now - sentAt)
                    state.sentAt = nil
                }
            }
        }
    }

    static let template = """
        <custom-ui name="Bench" execution-mode="manual">
          <view><run/><status/><slot name="answer" format="markdown"/><usage/></view>
        </custom-ui>
        """

    static func served() throws -> ServedUI {
        let prompt = SourceFile(
            path: "p.json",
            text: #"{"messages": [{"role": "user", "content": "Go"}], "settings": {"model_id": "gpt-4o-mini"}}"#)
        let report = Validator.validate(ui: SourceFile(path: "bench.ui.xml", text: template), prompt: prompt)
        guard let compiled = report.template, let loaded = report.prompt else {
            throw HTTPServerError(description: "bench template: \(report.diagnostics)")
        }
        return ServedUI(reference: "local/bench", template: compiled, prompt: loaded, props: nil, recording: nil)
    }

    /// The chunk texts of a sample answer (markdown with headings, lists, code, tables).
    static func chunks(_ count: Int) -> [String] {
        RecordedStream.sample(chunks: count, duration: 1, seed: 7).compactMap { timed in
            if case .chunk(let text) = timed.event { return text }
            return nil
        }
    }

    /// One run into one stream. The client reads every write as it comes (`slowReader` nil: no
    /// patch waits, none is merged), or every `slowReader` (queued slot patches are merged).
    static func run(
        _ ui: ServedUI, chunks: [String], spacing: Duration, clock: Clock, slowReader: Duration? = nil
    ) async -> (stream: ResponseStream, live: LiveSession, events: Int) {
        let live = LiveSession(
            id: "bench", ui: ui, user: "bench",
            makeTransport: { _ in TimedTransport(chunks: chunks, spacing: spacing, clock: clock) },
            onRunEnd: { _, _ in })
        let stream = ResponseStream(heartbeat: "")
        let events = Locked(0)
        @Sendable func read() {
            let text = stream.drain()
            events.withLock { $0 += text.components(separatedBy: "\n\n").count - 1 }
        }
        live.subscribe(stream)
        let reading = Locked(true)
        if let slowReader {
            stream.onWrite = { _ in clock.wrote() }
            Thread.detachNewThread {
                while reading.withLock({ $0 }) {
                    read()
                    let (seconds, attoseconds) = slowReader.components
                    Thread.sleep(forTimeInterval: Double(seconds) + Double(attoseconds) / 1e18)
                }
            }
        } else {
            stream.onWrite = { _ in
                clock.wrote()
                read()
            }
        }
        _ = await live.run(message: nil, values: [:])
        reading.withLock { $0 = false }
        read()
        return (stream, live, events.withLock { $0 })
    }

    static func residentBytes() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
            let pages = text.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
        else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Every figure: chunk-to-patch latency (p50, p99) with chunks 1 ms apart, patches per second for
    /// one run as fast as it goes, 100 concurrent runs (completed, memory per run), bytes sent per
    /// answer byte against sending the whole slot on every chunk.
    public static func measure() async throws -> [Figure] {
        let ui = try served()
        var figures: [Figure] = []

        // Latency: 2,000 chunks, 1 ms apart (a fast model), each timed until its patch is written.
        let paced = Clock()
        let chunks2k = chunks(2_000)
        _ = await run(ui, chunks: chunks2k, spacing: .milliseconds(1), clock: paced)
        let sorted = paced.latencies.sorted()
        func micro(_ d: Duration) -> Double {
            Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12
        }
        if !sorted.isEmpty {
            figures.append(Figure(name: "serve.chunk-to-patch.p50", value: micro(sorted[sorted.count / 2]), unit: "us"))
            figures.append(
                Figure(
                    name: "serve.chunk-to-patch.p99",
                    value: micro(sorted[min(sorted.count - 1, sorted.count * 99 / 100)]), unit: "us"))
        }

        // Throughput and bytes: 10,000 chunks as fast as they are taken.
        let chunks10k = chunks(10_000)
        let answerBytes = chunks10k.reduce(0) { $0 + $1.utf8.count }
        let start = ContinuousClock.now
        let (stream, live, _) = await run(ui, chunks: chunks10k, spacing: .zero, clock: Clock())
        let seconds = micro(ContinuousClock.now - start) / 1e6
        figures.append(
            Figure(name: "serve.patches-per-second", value: Double(live.patchesSent) / seconds, unit: "patches/s"))
        figures.append(
            Figure(
                name: "serve.bytes-sent-per-answer-byte", value: Double(stream.bytesWritten) / Double(answerBytes),
                unit: "x"))
        // A client reading every 20 ms while chunks come 1 ms apart: queued slot patches are merged.
        let (slowStream, _, slowEvents) = await run(
            ui, chunks: chunks2k, spacing: .milliseconds(1), clock: Clock(), slowReader: .milliseconds(20))
        let answer2k = chunks2k.reduce(0) { $0 + $1.utf8.count }
        figures.append(
            Figure(
                name: "serve.slow-client.bytes-per-answer-byte",
                value: Double(slowStream.bytesWritten) / Double(answer2k), unit: "x"))
        figures.append(Figure(name: "serve.slow-client.events", value: Double(slowEvents), unit: "events"))
        figures.append(
            Figure(name: "serve.slow-client.merged-patches", value: Double(slowStream.coalesced), unit: "patches"))
        // What sending the whole slot again on every chunk would have cost, for comparison.
        let markdown = MarkdownStreamCost.wholeSlotBytes(chunks10k)
        figures.append(
            Figure(
                name: "serve.whole-slot-bytes-per-answer-byte", value: Double(markdown) / Double(answerBytes), unit: "x"
            ))

        // 100 concurrent runs of 2,000 chunks each.
        let before = residentBytes()
        let runs = 100
        // The peak resident size while the runs are in flight (sessions are freed when they end).
        final class Peak: Sendable {
            let state = Locked<(value: Double, running: Bool)>((0, true))
        }
        let peak = Peak()
        let sampler = Thread {
            while peak.state.withLock({ $0.running }) {
                let resident = residentBytes()
                peak.state.withLock { $0.value = max($0.value, resident) }
                usleep(5_000)
            }
        }
        sampler.start()
        let completed = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<runs {
                group.addTask {
                    let (_, live, _) = await run(ui, chunks: chunks2k, spacing: .zero, clock: Clock())
                    return live.currentSession.state.runStatus == "completed"
                        && live.currentSession.state.slots["answer"] == chunks2k.joined()
                }
            }
            var ok = 0
            for await done in group where done { ok += 1 }
            return ok
        }
        let peakValue = peak.state.withLock { state in
            state.running = false
            return state.value
        }
        figures.append(Figure(name: "serve.concurrent-100.completed", value: Double(completed), unit: "runs"))
        figures.append(
            Figure(
                name: "serve.concurrent-100.peak-memory-per-run",
                value: max(0, peakValue - before) / Double(runs) / 1024, unit: "KiB"))
        return figures
    }
}

/// The bytes a server sending the whole slot's HTML on every chunk would send.
enum MarkdownStreamCost {
    static func wholeSlotBytes(_ chunks: [String]) -> Int {
        let stream = MarkdownStream()
        var total = 0
        for chunk in chunks {
            _ = stream.append(chunk)
            total += stream.html.utf8.count
        }
        return total
    }
}
