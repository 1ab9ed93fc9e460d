import CustomUICore
import Foundation
import Testing
@testable import Streaming

@Suite("Replay and recordings", .timeLimit(.minutes(1)))
struct ReplayTests {
    func write(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "customui-replay-\(UUID().uuidString).ndjson")
        try Data(text.utf8).write(to: url)
        return url
    }

    @Test("the generated sample is realistic: thousands of chunks and every kind of progress event")
    func sampleShape() {
        let events = RecordedStream.sample(chunks: 3_000)
        let types = events.map(\.event.typeName)
        #expect(types.filter { $0 == "chunk" }.count == 3_000)
        for type in ["status_update", "tool_event", "broker", "heartbeat", "data", "completion"] {
            #expect(types.contains(type), "missing \(type)")
        }
        #expect(types.last == "end")
        let times = events.compactMap(\.time)
        #expect(times.count == events.count)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(RecordedStream.text(events) == RecordedStream.text(RecordedStream.sample(chunks: 3_000)))
        let markdown = events.compactMap { if case .chunk(let t) = $0.event { t } else { nil } }.joined()
        #expect(markdown.contains("## Section"))
        #expect(markdown.contains("```swift"))
    }

    @Test("an unpaced replay yields the recording's events at once, ignoring recorded times")
    func unpaced() async throws {
        // Times far beyond the test's limit prove that nothing waits for them.
        let events = [
            TimedEvent(.chunk("a"), time: 0), TimedEvent(.chunk("b"), time: 600),
            TimedEvent(.end(reason: nil), time: 900),
        ]
        let url = try write(RecordedStream.text(events))
        defer { try? FileManager.default.removeItem(at: url) }
        let outcome = await collect(ReplayTransport(file: url).events(for: ExecutionRequest()), within: 10)
        #expect(outcome.events == events.map(\.event))
        #expect(outcome.failure == nil)
    }

    @Test("a paced replay waits for recorded times divided by the speed")
    func paced() async throws {
        let events = [
            TimedEvent(.chunk("a"), time: 0.1), TimedEvent(.chunk("b"), time: 0.3),
            TimedEvent(.end(reason: nil), time: 0.4),
        ]
        let url = try write(RecordedStream.text(events))
        defer { try? FileManager.default.removeItem(at: url) }
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = await collect(ReplayTransport(file: url, pace: true, speed: 2).events(for: ExecutionRequest()))
        let elapsed = clock.now - start
        #expect(outcome.events == events.map(\.event))
        #expect(elapsed >= .milliseconds(190))
    }

    @Test("the generated sample replays through the decoder unchanged")
    func sampleReplays() async throws {
        let events = RecordedStream.sample(chunks: 2_000)
        let url = try write(RecordedStream.text(events))
        defer { try? FileManager.default.removeItem(at: url) }
        let outcome = await collect(ReplayTransport(file: url).events(for: ExecutionRequest()))
        #expect(outcome.failure == nil)
        #expect(outcome.events == events.map(\.event))
    }

    @Test("replay faults: missing file, malformed line, missing end")
    func faults() async throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-recording.ndjson")
        #expect(
            await collect(ReplayTransport(file: missing).events(for: ExecutionRequest())).failure?.kind == .transport)
        let malformed = try write(wire(.chunk("a")) + "\nnot json\n" + wire(.end(reason: nil)) + "\n")
        defer { try? FileManager.default.removeItem(at: malformed) }
        let bad = await collect(ReplayTransport(file: malformed).events(for: ExecutionRequest()))
        #expect(bad.events == [.chunk("a")])
        #expect(bad.failure?.kind == .malformedLine(line: 2))
        let unfinished = try write(wire(.chunk("a")) + "\n")
        defer { try? FileManager.default.removeItem(at: unfinished) }
        let cut = await collect(ReplayTransport(file: unfinished).events(for: ExecutionRequest()))
        #expect(cut.events == [.chunk("a")])
        #expect(cut.failure?.kind == .missingEnd)
    }

    @Test("cancelling a paced replay ends it with cancelled")
    func cancel() async throws {
        let events = [
            TimedEvent(.chunk("a"), time: 0), TimedEvent(.chunk("b"), time: 30),
            TimedEvent(.end(reason: nil), time: 31),
        ]
        let url = try write(RecordedStream.text(events))
        defer { try? FileManager.default.removeItem(at: url) }
        let transport = ReplayTransport(file: url, pace: true)
        var seen: [StreamEvent] = []
        var failure: StreamFailure?
        do {
            for try await event in transport.events(for: ExecutionRequest()) {
                seen.append(event)
                await transport.cancel()
            }
        } catch {
            failure = error as? StreamFailure
        }
        #expect(seen == [.chunk("a")])
        #expect(failure?.kind == .cancelled)
    }

    @Test("request data names the recording, not its path")
    func requestData() {
        let transport = ReplayTransport(file: URL(fileURLWithPath: "/private/dir/story.ndjson"))
        let data = transport.requestData(for: ExecutionRequest(promptID: "p"))
        #expect(data["recording"] == "story.ndjson")
        #expect(data["prompt_id"] == "p")
        #expect(!data.jsonText.contains("/private/dir"))
    }
}
