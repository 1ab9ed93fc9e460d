import CustomUICore
import Foundation
import Testing
@testable import Streaming

@Suite("Stream events")
struct EventDecodingTests {
    static let cases: [(String, StreamEvent)] = [
        (#"{"event":"chunk","data":{"text":"Hi"}}"#, .chunk("Hi")),
        (
            #"{"event":"status_update","data":{"status":"searching","system_message":"s","user_message":"u","metadata":{"n":1}}}"#,
            .statusUpdate(StatusUpdate(status: "searching", systemMessage: "s", userMessage: "u", metadata: ["n": 1]))
        ),
        (
            #"{"event":"tool_event","data":{"event":"tool_started","call_id":"c1","tool_name":"web","message":"m","data":{"a":true}}}"#,
            .toolEvent(ToolEvent(event: "tool_started", callID: "c1", toolName: "web", message: "m", data: ["a": true]))
        ),
        (
            #"{"event":"completion","data":{"status":"success","output":"x","total_usage":{"input_tokens":3},"timing_stats":{"ms":5}}}"#,
            .completion(
                Completion(status: "success", output: "x", totalUsage: ["input_tokens": 3], timingStats: ["ms": 5]))
        ),
        (#"{"event":"data","data":{"anything":[1,"two"]}}"#, .data(["anything": [1, "two"]])),
        (
            #"{"event":"error","data":{"error_type":"rate_limit","message":"slow down","user_message":"Try later","code":"429"}}"#,
            .error(
                StreamFailure(
                    kind: .server, errorType: "rate_limit", message: "slow down", userMessage: "Try later", code: "429")
            )
        ),
        (
            #"{"event":"broker","data":{"broker_id":"b","value":{"x":0.1},"source":"agent"}}"#,
            .broker(BrokerUpdate(brokerID: "b", value: ["x": 0.1], source: "agent"))
        ),
        (
            #"{"event":"heartbeat","data":{"timestamp":"2026-01-01T00:00:00Z"}}"#,
            .heartbeat(timestamp: "2026-01-01T00:00:00Z")
        ),
        (#"{"event":"heartbeat"}"#, .heartbeat(timestamp: nil)),
        (#"{"event":"end","data":{"reason":"done"}}"#, .end(reason: "done")),
        (#"{"event":"end","data":{}}"#, .end(reason: nil)),
    ]

    @Test("every event type decodes with its payload", arguments: cases)
    func decodesEveryType(line: String, expected: StreamEvent) {
        let decoded = decodeAll(line + "\n")
        #expect(decoded.count == 1)
        #expect(decoded.first?.event == expected)
        #expect(decoded.first?.line == 1)
    }

    @Test("all nine types are covered by the table")
    func nineTypes() {
        let covered = Set(Self.cases.map(\.1.typeName))
        #expect(covered == Set(StreamEvent.typeNames))
        #expect(StreamEvent.typeNames.count == 9)
    }

    @Test("events round-trip through their wire form, extras included")
    func roundTrip() {
        var events = sampleEvents
        events.append(
            .toolEvent(ToolEvent(event: "e", callID: "c", toolName: "t", extra: ValueObject([("new_field", 7)]))))
        events.append(.error(StreamFailure(kind: .server, errorType: "x", message: "y", code: "c")))
        let text = events.map(wire).joined(separator: "\n")
        #expect(decodeAll(text).compactMap(\.event) == events)
    }

    @Test("unknown members are kept in extra")
    func extrasKept() {
        let decoded = decodeAll(#"{"event":"status_update","data":{"status":"ok","progress":0.5,"request_id":"r1"}}"#)
        guard case .statusUpdate(let update)? = decoded.first?.event else {
            Issue.record("expected a status update, got \(decoded)")
            return
        }
        #expect(update.extra["progress"] == 0.5)
        #expect(update.extra["request_id"] == "r1")
        #expect(update.value["progress"] == 0.5)
    }

    @Test("numeric codes and timestamps are kept as text")
    func numericCodes() {
        let decoded = decodeAll(
            #"{"event":"error","data":{"error_type":"e","message":"m","code":500}}"# + "\n"
                + #"{"event":"heartbeat","data":{"timestamp":1700000000.5}}"#)
        #expect(
            decoded.map(\.event) == [
                .error(StreamFailure(kind: .server, errorType: "e", message: "m", code: "500")),
                .heartbeat(timestamp: "1700000000.5"),
            ])
    }

    @Test("an unknown event type is reported as unknown, not as an error")
    func unknownType() {
        let decoded = decodeAll(#"{"event":"thinking","data":{"text":"hmm"}}"# + "\n" + wire(.end(reason: nil)))
        #expect(decoded.first?.content == .unknown(type: "thinking", payload: ["text": "hmm"]))
        #expect(decoded.last?.event == .end(reason: nil))
    }

    @Test(
        "events missing required members are malformed lines naming the member",
        arguments: [
            (#"{"event":"chunk","data":{}}"#, "missing member `text`"),
            (#"{"event":"chunk","data":{"text":5}}"#, "member `text` must be a string, found integer"),
            (#"{"event":"tool_event","data":{"event":"x","tool_name":"t"}}"#, "missing member `call_id`"),
            (#"{"event":"broker","data":{"broker_id":"b"}}"#, "missing member `value`"),
            (#"{"event":"error","data":{"message":"m"}}"#, "missing member `error_type`"),
            (#"{"data":{}}"#, "missing member `event`"),
            (#"{"event":3}"#, "member `event` must be a string"),
            (#"[1,2]"#, "expected a JSON object, found array"),
            (#"{"event":"chunk","data":"text"}"#, "member `data` must be an object"),
        ])
    func malformedShapes(line: String, reason: String) {
        let decoded = decodeAll("\n" + line + "\n")
        let failure = decoded.first?.failure
        #expect(failure?.kind == .malformedLine(line: 2))
        #expect(failure?.message.hasPrefix("line 2: ") == true)
        #expect(failure?.message.contains(reason) == true, "\(failure?.message ?? "nil")")
    }

    @Test("completion usage accepts the seeds' and OpenAI's names")
    func usage() {
        #expect(
            Completion(status: "s", totalUsage: ["input_tokens": 3, "output_tokens": 4]).usage
                == TokenUsage(input: 3, output: 4, total: 7))
        #expect(
            Completion(status: "s", totalUsage: ["prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 9]).usage
                == TokenUsage(input: 1, output: 2, total: 9))
        #expect(Completion(status: "s").usage == nil)
    }

    @Test("failure descriptions carry a stable code")
    func failureCodes() {
        #expect(StreamFailure(.connectionRefused, "x").diagnosticCode == "stream.connection-refused")
        #expect(StreamFailure(.missingEnd, "x").description == "stream.missing-end: x")
        #expect(StreamFailure(.http(status: 500), "x").errorType == "http_error")
    }
}
