import CustomUICore
import Foundation
@testable import Streaming

/// What a consumer saw: the events in order and the failure that ended the stream, if any.
struct Outcome: Sendable {
    var events: [StreamEvent]
    var failure: StreamFailure?
    var otherError: String?

    var text: String {
        events.map { if case .chunk(let t) = $0 { t } else { "" } }.joined()
    }
    var types: [String] { events.map(\.typeName) }
}

/// Collects a stream, giving up (and recording that) after `seconds` so no test hangs.
func collect(_ stream: AsyncThrowingStream<StreamEvent, Error>, within seconds: Double = 60) async -> Outcome {
    await withTaskGroup(of: Outcome?.self) { group in
        group.addTask {
            var events: [StreamEvent] = []
            do {
                for try await event in stream { events.append(event) }
                return Outcome(events: events)
            } catch let failure as StreamFailure {
                return Outcome(events: events, failure: failure)
            } catch {
                return Outcome(events: events, otherError: "\(error)")
            }
        }
        group.addTask {
            try? await Task.sleep(for: .seconds(seconds))
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first ?? Outcome(events: [], otherError: "timed out after \(seconds) s")
    }
}

/// One wire line for an event.
func wire(_ event: StreamEvent) -> String { RecordedStream.line(TimedEvent(event)) }

/// Decodes a whole input in one feed plus finish.
func decodeAll(_ text: String, maxLineBytes: Int = 1 << 20) -> [DecodedLine] {
    decodeAll(Array(text.utf8), maxLineBytes: maxLineBytes)
}

/// Decodes a whole input in one feed plus finish.
func decodeAll(_ bytes: [UInt8], maxLineBytes: Int = 1 << 20) -> [DecodedLine] {
    var decoder = NDJSONDecoder(maxLineBytes: maxLineBytes)
    return decoder.feed(bytes) + decoder.finish()
}

/// A configuration for a test server with a known token.
func configuration(_ server: TestHTTPServer, token: String? = testToken, timeout: Duration = .seconds(5))
    -> TransportConfiguration
{
    TransportConfiguration(
        baseURL: server.baseURL, environment: token.map { ["CUSTOMUI_API_TOKEN": $0] } ?? [:], timeout: timeout,
        cancelRequestTimeout: .seconds(2))
}

let testToken = "sk-test-SECRET-7f3a9c"

/// A small stream with one of each common event.
let sampleEvents: [StreamEvent] = [
    .statusUpdate(StatusUpdate(status: "processing", userMessage: "Working")),
    .chunk("Hello, "),
    .toolEvent(ToolEvent(event: "tool_started", callID: "c1", toolName: "search", data: ["q": "swift"])),
    .chunk("world ✓"),
    .broker(BrokerUpdate(brokerID: "topic", value: "AI", source: "agent")),
    .heartbeat(timestamp: "2026-01-01T00:00:00Z"),
    .data(["k": [1, 2]]),
    .completion(
        Completion(status: "success", totalUsage: ["input_tokens": 10, "output_tokens": 2, "total_tokens": 12])),
    .end(reason: "completed"),
]
