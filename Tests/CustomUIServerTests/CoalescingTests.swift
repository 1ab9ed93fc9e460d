import CustomUI
import CustomUICore
import Foundation
import Markdown
import Streaming
import Testing

@testable import CustomUIServer

/// Slot patches that queue for a slow client are merged into one: the page ends with the same
/// slot, from fewer events.
@Suite struct CoalescingTests {
    struct Chunks: StreamTransport {
        let chunks: [String]
        var service: String { "chunks" }
        func requestData(for request: ExecutionRequest) -> Value { .null }
        func events(for request: ExecutionRequest) -> AsyncThrowingStream<StreamEvent, Error> {
            AsyncThrowingStream { continuation in
                for chunk in chunks { continuation.yield(.chunk(chunk)) }
                continuation.yield(.end(reason: "completed"))
                continuation.finish()
            }
        }
        func cancel() async {}
    }

    /// What the runtime does with `slot` events (docs/serve.md), on (settled, tail) or text.
    struct Page {
        var settled = ""
        var tail = ""
        var text = ""
        var slotEvents = 0

        mutating func apply(_ events: String) {
            for block in events.components(separatedBy: "\n\n") where block.hasPrefix("event: slot\n") {
                let data = String(block.dropFirst("event: slot\ndata: ".count))
                guard let patch = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any] else {
                    continue
                }
                slotEvents += 1
                if patch["reset"] as? Bool == true {
                    settled = ""
                    tail = ""
                    text = ""
                }
                if let t = patch["text"] as? String { text += t }
                if let s = patch["settled"] as? String { settled = patch["replace"] as? Bool == true ? s : settled + s }
                if let t = patch["tail"] as? String {
                    tail = (patch["keep"] as? Int).map { String(tail.utf16.prefix($0))! + t } ?? t
                }
            }
        }
    }

    static let template = """
        <custom-ui name="Coalesce" execution-mode="manual">
          <view><run/><slot name="answer" format="FORMAT"/></view>
        </custom-ui>
        """

    func served(format: String) throws -> ServedUI {
        let prompt = SourceFile(
            path: "p.json", text: #"{"messages": [{"role": "user", "content": "Go"}], "settings": {"model_id": "m"}}"#)
        let report = Validator.validate(
            ui: SourceFile(path: "c.ui.xml", text: Self.template.replacingOccurrences(of: "FORMAT", with: format)),
            prompt: prompt)
        return ServedUI(
            reference: "local/c", template: try #require(report.template), prompt: try #require(report.prompt),
            props: nil, recording: nil)
    }

    static let answer = """
        # Plan

        Some **bold** words and a [link](https://example.com) that grows, then a long paragraph that \
        keeps going with more words than fit in one chunk so that the tail is kept and extended. 😀 é 漢

        - one
        - two
          with more

        ```swift
        let x = 1
        ```

        [late]: https://example.com/late

        | a | b |
        | - | - |
        | 1 | 2 |
        """

    @Test(arguments: ["markdown", "text"])
    func aSlowClientGetsTheSameSlotFromFewerPatches(format: String) async throws {
        let ui = try served(format: format)
        var rng = SystemRandomNumberGenerator()
        for round in 0..<6 {
            // Chunks of 1 to 9 characters.
            var chunks: [String] = []
            var rest = Substring(Self.answer)
            while !rest.isEmpty {
                let n = Int.random(in: 1...9, using: &rng)
                chunks.append(String(rest.prefix(n)))
                rest = rest.dropFirst(n)
            }
            let script = chunks
            let live = LiveSession(
                id: "c", ui: ui, user: "u", makeTransport: { _ in Chunks(chunks: script) }, onRunEnd: { _, _ in })
            let fast = ResponseStream(heartbeat: "")
            let slow = ResponseStream(heartbeat: "")
            final class Reader: @unchecked Sendable {
                var page = Page()
            }
            let reader = Reader()
            // The fast client reads every write as it comes; the slow one only at the end.
            fast.onWrite = { [unowned fast] _ in reader.page.apply(fast.drain()) }
            live.subscribe(fast)
            live.subscribe(slow)
            _ = await live.run(message: nil, values: [:])
            reader.page.apply(fast.drain())
            var slowPage = Page()
            slowPage.apply(slow.drain())
            let expected =
                format == "text" ? "" : MarkdownHTMLRenderer.render(MarkdownParser.parse(Self.answer))
            if format == "text" {
                #expect(reader.page.text == Self.answer && slowPage.text == Self.answer, "round \(round)")
            } else {
                #expect(reader.page.settled + reader.page.tail == expected, "round \(round)")
                #expect(slowPage.settled + slowPage.tail == expected, "round \(round)")
            }
            #expect(slow.coalesced > 0 && fast.coalesced == 0)
            #expect(
                slowPage.slotEvents < reader.page.slotEvents,
                "\(slowPage.slotEvents) patches for the slow client, \(reader.page.slotEvents) for the fast one")
        }
    }

    /// Merging follows the page's rules for `keep`: a kept prefix of a kept tail, and a shorter keep.
    @Test func keptTailsMerge() throws {
        func apply(_ patches: [SlotPatch], from start: (String, String)) -> (String, String) {
            var page = Page()
            page.settled = start.0
            page.tail = start.1
            page.apply(patches.map { String(decoding: $0.encoded(), as: UTF8.self) }.joined())
            return (page.settled, page.tail)
        }
        let start = ("<p>a</p>\n", "<p>0123456789abcdef</p>\n")
        let cases: [[SlotPatch]] = [
            [SlotPatch(id: "s", tail: "XY</p>\n", keep: 10), SlotPatch(id: "s", tail: "Z</p>\n", keep: 12)],
            [SlotPatch(id: "s", tail: "XY</p>\n", keep: 10), SlotPatch(id: "s", tail: "Z", keep: 4)],
            [SlotPatch(id: "s", tail: "new"), SlotPatch(id: "s", tail: "+", keep: 2)],
            [SlotPatch(id: "s", settled: "<p>b</p>\n", tail: "t"), SlotPatch(id: "s", settled: "<p>c</p>\n")],
            [SlotPatch(id: "s", settled: "<p>b</p>\n"), SlotPatch(id: "s", settled: "<p>R</p>\n", replace: true)],
            [SlotPatch(id: "s", settled: "x"), SlotPatch(id: "s", reset: true, settled: "y", tail: "z")],
            [SlotPatch(id: "s", reset: true), SlotPatch(id: "s", tail: "q", keep: 0)],
        ]
        for patches in cases {
            let merged = try #require(patches[1].merged(after: patches[0]) as? SlotPatch)
            #expect(apply([merged], from: start) == apply(patches, from: start), "\(patches)")
        }
        // Different slots, or text after markdown, do not merge.
        #expect(SlotPatch(id: "a", tail: "x").merged(after: SlotPatch(id: "b", tail: "y")) == nil)
        #expect(SlotPatch(id: "a", text: "x").merged(after: SlotPatch(id: "a", tail: "y")) == nil)
    }
}
