import CustomUI
import CustomUICore
import Foundation
import Streaming

/// Issue 6's pipeline: a 10,000-chunk recorded answer replayed (decode) into a session (routing),
/// appended to a markdown slot (slot update) and rendered incrementally (the slot's MarkdownStream),
/// measured as events per second and the worst gap between consecutive chunks reaching the slot.
func sessionBenchmarks() throws -> [Figure] {
    let template = """
        <custom-ui name="Bench" execution-mode="manual">
          <view><run/><slot name="answer" format="markdown"/><usage/></view>
        </custom-ui>
        """
    let prompt = SourceFile(
        path: "p.json",
        text: #"{"messages": [{"role": "user", "content": "Go"}], "settings": {"model_id": "gpt-4o-mini"}}"#)
    let report = Validator.validate(ui: SourceFile(path: "bench.ui.xml", text: template), prompt: prompt)
    guard let compiled = report.template, let loadedPrompt = report.prompt else {
        throw BenchError("session bench template: \(report.diagnostics)")
    }
    let events = RecordedStream.sample(chunks: 10_000, duration: 1, seed: 5)
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("customui-bench-\(getpid()).ndjson")
    try RecordedStream.text(events).write(to: url, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: url) }
    let eventCount = events.count
    var figures = try pipeline(events: events, markdownSlot: false) + pipeline(events: events, markdownSlot: true)

    /// The gaps between text updates, written by the run's task and read once it has ended.
    final class Gaps: Sendable {
        private let times = Locked<(last: ContinuousClock.Instant, gaps: [Duration])>((ContinuousClock.now, []))
        func tick() {
            times.withLock {
                let now = ContinuousClock.now
                $0.gaps.append(now - $0.last)
                $0.last = now
            }
        }
        var gaps: [Duration] { times.withLock { $0.gaps } }
    }
    func once() -> (seconds: Double, gaps: Gaps) {
        let session = Session(template: compiled, prompt: loadedPrompt, transport: ReplayTransport(file: url))
        let gaps = Gaps()
        let done = DispatchSemaphore(value: 0)
        let start = ContinuousClock.now
        Task {
            _ = await session.run { update in
                guard case .text = update else { return }
                gaps.tick()
            }
            done.signal()
        }
        done.wait()
        let d = ContinuousClock.now - start
        return (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18, gaps)
    }
    _ = once()
    var best = Double.infinity
    var bestGaps: Gaps?
    for _ in 0..<5 {
        let (seconds, gaps) = once()
        if seconds < best {
            best = seconds
            bestGaps = gaps
        }
    }
    // The first gap includes starting the request; chunk latency is measured between chunks.
    let sorted = (bestGaps?.gaps.dropFirst() ?? []).sorted()
    let worst = sorted.last ?? .zero
    let p99 = sorted.isEmpty ? .zero : sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
    func micro(_ d: Duration) -> Double { Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12 }
    figures += [
        Figure(name: "session.replay.events-per-second", value: Double(eventCount) / best, unit: "events/s"),
        Figure(name: "session.replay.worst-chunk-gap", value: micro(worst), unit: "us"),
        Figure(name: "session.replay.p99-chunk-gap", value: micro(p99), unit: "us"),
    ]
    return figures
}

/// Decoder → session → slot, synchronously: the bytes of the recording fed 4 KiB at a time to the
/// NDJSON decoder, each event applied to the session (which appends to the slot and, for a markdown
/// slot, renders it incrementally). The worst figure is the longest time one chunk event took from
/// decoded to rendered.
func pipeline(events: [TimedEvent], markdownSlot: Bool) throws -> [Figure] {
    let template = """
        <custom-ui name="Bench" execution-mode="manual">
          <view><run/><slot name="answer" format="\(markdownSlot ? "markdown" : "text")"/><usage/></view>
        </custom-ui>
        """
    let prompt = SourceFile(
        path: "p.json",
        text: #"{"messages": [{"role": "user", "content": "Go"}], "settings": {"model_id": "gpt-4o-mini"}}"#)
    let report = Validator.validate(ui: SourceFile(path: "bench.ui.xml", text: template), prompt: prompt)
    guard let compiled = report.template, let loadedPrompt = report.prompt else {
        throw BenchError("pipeline template: \(report.diagnostics)")
    }
    let bytes = Array(RecordedStream.text(events).utf8)
    let dummy = ReplayTransport(file: URL(fileURLWithPath: "/dev/null"))
    let clock = ContinuousClock()
    var best = Double.infinity
    var worstOfBest = Duration.zero
    var sessionSlot = ""
    for round in 0..<6 {
        let session = Session(template: compiled, prompt: loadedPrompt, transport: dummy)
        _ = session.begin()
        var decoder = NDJSONDecoder()
        var worst = Duration.zero
        let start = clock.now
        var offset = 0
        var lines: [DecodedLine] = []
        while offset < bytes.count {
            let end = min(offset + 4096, bytes.count)
            lines.removeAll(keepingCapacity: true)
            decoder.feed(bytes[offset..<end], into: &lines)
            for line in lines {
                guard case .event(let event) = line.content else { continue }
                let before = clock.now
                session.apply(event)
                let took = clock.now - before
                if took > worst { worst = took }
            }
            offset = end
        }
        for line in decoder.finish() { if case .event(let event) = line.content { session.apply(event) } }
        session.finish(failure: nil)
        let d = clock.now - start
        let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        if round > 0, seconds < best {
            best = seconds
            worstOfBest = worst
        }
        sessionSlot = session.state.slots["answer"] ?? ""
    }
    let expected = events.compactMap { if case .chunk(let t) = $0.event { t } else { nil } }.joined()
    guard sessionSlot == expected else {
        throw BenchError("pipeline lost text: slot has \(sessionSlot.count) of \(expected.count) characters")
    }
    let name = markdownSlot ? "session.pipeline.markdown" : "session.pipeline.text"
    return [
        Figure(name: "\(name).events-per-second", value: Double(events.count) / best, unit: "events/s"),
        Figure(
            name: "\(name).worst-event",
            value: Double(worstOfBest.components.attoseconds) / 1e12 + Double(worstOfBest.components.seconds) * 1e6,
            unit: "us"),
    ]
}
