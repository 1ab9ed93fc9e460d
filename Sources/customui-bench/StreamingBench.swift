import CustomUICore
import Foundation
import Streaming

/// Decoder throughput from bytes to events, and the worst single feed, on a realistic 10,000-chunk stream.
func streamingBenchmarks() throws -> [Figure] {
    var figures: [Figure] = []
    let recorded = RecordedStream.sample(chunks: 10_000)
    let ndjson = Array(RecordedStream.text(recorded).utf8)
    let eventCount = Double(recorded.count)
    // Network reads arrive in pieces of a few kilobytes; decode in 4 KiB feeds as they would.
    let feedSize = 4 << 10

    var decodedEvents = 0
    let ndjsonSeconds = secondsPerCall {
        var decoder = NDJSONDecoder()
        var lines: [DecodedLine] = []
        var count = 0
        var offset = 0
        while offset < ndjson.count {
            let end = min(offset + feedSize, ndjson.count)
            lines.removeAll(keepingCapacity: true)
            decoder.feed(ndjson[offset..<end], into: &lines)
            count += lines.count
            offset = end
        }
        count += decoder.finish().count
        decodedEvents = count
    }
    guard decodedEvents == recorded.count else {
        throw BenchError("ndjson: decoded \(decodedEvents) events, expected \(recorded.count)")
    }
    figures.append(
        Figure(name: "streaming.ndjson.events-per-second", value: eventCount / ndjsonSeconds, unit: "events/s"))
    figures.append(
        Figure(name: "streaming.ndjson.mb-per-second", value: Double(ndjson.count) / ndjsonSeconds / 1e6, unit: "MB/s"))

    // The worst single feed while decoding the whole stream as a drip of 1 KiB reads. Each feed is
    // timed in five passes and its fastest time kept, so the figure is the decoder's own worst case
    // rather than the scheduler preempting the process (a 4 ms time slice on a loaded machine);
    // the 99th percentile of all timings is printed beside it.
    let dripSize = 1024
    let feedCount = (ndjson.count + dripSize - 1) / dripSize
    var fastest = [Duration](repeating: .seconds(1_000), count: feedCount)
    var latencies: [Duration] = []
    latencies.reserveCapacity(feedCount * 5)
    let clock = ContinuousClock()
    for _ in 0..<5 {
        var decoder = NDJSONDecoder()
        for feed in 0..<feedCount {
            let range = (feed * dripSize)..<min((feed + 1) * dripSize, ndjson.count)
            let start = clock.now
            let lines = decoder.feed(ndjson[range])
            let elapsed = clock.now - start
            fastest[feed] = min(fastest[feed], elapsed)
            latencies.append(elapsed)
            _ = lines.count
        }
    }
    func micros(_ d: Duration) -> Double {
        (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) * 1e6
    }
    figures.append(
        Figure(name: "streaming.ndjson.worst-feed-latency", value: micros(fastest.max() ?? .zero), unit: "us"))
    latencies.sort()
    let p99 = latencies[min(latencies.count - 1, latencies.count * 99 / 100)]
    figures.append(Figure(name: "streaming.ndjson.p99-feed-latency", value: micros(p99), unit: "us"))

    // OpenAI-compatible server-sent events: the same text as content deltas, then usage and [DONE].
    var sse = ""
    var chunkCount = 0
    for timed in recorded {
        guard case .chunk(let text) = timed.event else { continue }
        let delta = Value.object(ValueObject([("content", .string(text))]))
        let choice = Value.object(ValueObject([("index", 0), ("delta", delta), ("finish_reason", .null)]))
        let object = Value.object(
            ValueObject([
                ("id", "chatcmpl-bench"), ("object", "chat.completion.chunk"), ("model", "bench"),
                ("choices", [choice]),
            ]))
        sse += "data: " + object.jsonText + "\n\n"
        chunkCount += 1
    }
    sse +=
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":10000,\"total_tokens\":10010}}\n\n"
    sse += "data: [DONE]\n\n"
    let sseBytes = Data(sse.utf8)
    var sseEvents = 0
    let sseSeconds = secondsPerCall {
        var decoder = OpenAIEventDecoder()
        var count = 0
        var offset = 0
        while offset < sseBytes.count {
            let end = min(offset + feedSize, sseBytes.count)
            count += decoder.feed(sseBytes[offset..<end]).events.count
            offset = end
        }
        count += decoder.finish().events.count
        sseEvents = count
    }
    guard sseEvents == chunkCount + 2 else {
        throw BenchError("sse: decoded \(sseEvents) events, expected \(chunkCount + 2)")
    }
    figures.append(
        Figure(name: "streaming.sse.events-per-second", value: Double(sseEvents) / sseSeconds, unit: "events/s"))
    return figures
}
