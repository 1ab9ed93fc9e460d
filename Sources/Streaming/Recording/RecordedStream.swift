import CustomUICore

/// An event with the time it was received, in seconds since the stream began.
public struct TimedEvent: Sendable, Hashable {
    /// The event.
    public var event: StreamEvent
    /// Seconds since the stream began, when known.
    public var time: Double?

    /// A timed event from its parts.
    public init(_ event: StreamEvent, time: Double? = nil) {
        self.event = event
        self.time = time
    }
}

/// The recorded-stream format: one wire event per line, optionally with `"t"` (seconds since the start,
/// millisecond precision), ending with an `end` event. `docs/streaming.md` describes it.
public enum RecordedStream {
    /// One recording line (without its line feed): `{"event":…,"data":…,"t":…}`.
    public static func line(_ timed: TimedEvent) -> String {
        var object = ValueObject([("event", .string(timed.event.typeName)), ("data", timed.event.payload)])
        if let time = timed.time { object["t"] = .double((time * 1000).rounded() / 1000) }
        return Value.object(object).jsonText
    }

    /// A whole recording, each line ended by a line feed.
    public static func text(_ events: [TimedEvent]) -> String {
        var out = ""
        for event in events {
            out += line(event)
            out += "\n"
        }
        return out
    }

    /// A realistic, deterministic stream: a status update, a web search tool call, broker updates,
    /// heartbeats, `chunks` small pieces of markdown spread over `duration` seconds, a completion
    /// with usage and timing, and `end`.
    public static func sample(chunks: Int = 2_000, duration: Double = 30, seed: UInt64 = 42) -> [TimedEvent] {
        var random = SplitMix64(seed: seed)
        var events: [TimedEvent] = []
        let chunkCount = max(1, chunks)
        let step = duration / Double(chunkCount + 8)
        var time = 0.0
        func add(_ event: StreamEvent) {
            time += step
            events.append(TimedEvent(event, time: time))
        }
        add(
            .statusUpdate(
                StatusUpdate(
                    status: "processing", systemMessage: "agent started", userMessage: "Thinking…",
                    metadata: ["request_id": "req-sample-0001"])))
        add(
            .toolEvent(
                ToolEvent(
                    event: "tool_started", callID: "call_1", toolName: "web_search", message: "Searching the web",
                    data: ["arguments": ["query": "streaming markdown rendering"]])))
        add(
            .toolEvent(
                ToolEvent(
                    event: "tool_progress", callID: "call_1", toolName: "web_search", message: "Found 3 results",
                    data: ["count": 3])))
        add(
            .toolEvent(
                ToolEvent(
                    event: "tool_completed", callID: "call_1", toolName: "web_search", message: "Search complete",
                    data: ["results": ["https://example.com/a", "https://example.com/b", "https://example.com/c"]])))
        add(.broker(BrokerUpdate(brokerID: "topic", value: "Streaming renderers", source: "agent")))

        var text = ""
        var emitted = 0
        var paragraph = 0
        while emitted < chunkCount {
            if text.isEmpty {
                text = markdownBlock(paragraph, &random)
                paragraph += 1
            }
            // Model tokens are short: one to eight characters, sometimes a whole word.
            let length = min(text.count, Int(random.next() % 8) + 1)
            let end = text.index(text.startIndex, offsetBy: length)
            add(.chunk(String(text[..<end])))
            text.removeSubrange(..<end)
            emitted += 1
            if emitted % 500 == 0 {
                add(.heartbeat(timestamp: "2026-01-01T00:00:\(String(format2: emitted / 500 % 60))Z"))
            }
            if emitted == chunkCount / 2 {
                add(.broker(BrokerUpdate(brokerID: "progress", value: 0.5, source: "agent")))
            }
        }
        add(.data(["citations": [["title": "Example A", "url": "https://example.com/a"]]]))
        let outputTokens = chunkCount
        add(
            .completion(
                Completion(
                    status: "success",
                    totalUsage: [
                        "input_tokens": 412, "output_tokens": .int(outputTokens),
                        "total_tokens": .int(412 + outputTokens),
                    ],
                    timingStats: ["time_to_first_token_ms": 350, "total_time_ms": .int(Int(duration * 1000))])))
        add(.end(reason: "completed"))
        return events
    }

    private static let words = [
        "stream", "render", "token", "markdown", "slot", "template", "event", "chunk", "model", "latency",
        "incremental", "parser", "buffer", "heading", "list", "table", "answer", "user", "server", "quickly",
    ]

    private static func markdownBlock(_ index: Int, _ random: inout SplitMix64) -> String {
        func sentence() -> String {
            let count = Int(random.next() % 9) + 4
            var parts: [String] = []
            for _ in 0..<count { parts.append(words[Int(random.next() % UInt64(words.count))]) }
            var first = parts[0]
            first = first.prefix(1).uppercased() + first.dropFirst()
            parts[0] = first
            return parts.joined(separator: " ") + "."
        }
        switch index % 6 {
        case 0: return "## Section \(index / 6 + 1)\n\n"
        case 1: return sentence() + " **" + sentence() + "** " + sentence() + "\n\n"
        case 2: return "- " + sentence() + "\n- `code` " + sentence() + "\n- " + sentence() + "\n\n"
        case 3: return "```swift\nlet value = \(index)\nprint(value)\n```\n\n"
        case 4: return "| a | b |\n| --- | --- |\n| \(index) | *\(words[index % words.count])* |\n\n"
        default: return sentence() + " " + sentence() + " [link](https://example.com/\(index))\n\n"
        }
    }
}

/// A small deterministic generator, so recordings are reproducible byte for byte.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension String {
    /// Two-digit zero-padded decimal.
    fileprivate init(format2 value: Int) {
        self = value < 10 ? "0\(value)" : "\(value)"
    }
}
