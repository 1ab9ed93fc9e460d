import Foundation
import Testing
@testable import Streaming

@Suite("SSE decoder")
struct SSEDecoderTests {
    func decode(_ text: String, maxLineBytes: Int = 1 << 20) -> [ServerSentEvent] {
        var decoder = SSEDecoder(maxLineBytes: maxLineBytes)
        return decoder.feed(Array(text.utf8)) + decoder.finish()
    }

    @Test("data lines join with line feeds; event type defaults to message")
    func multiLine() {
        #expect(decode("data: YHOO\ndata: +2\ndata: 10\n\n") == [ServerSentEvent(data: "YHOO\n+2\n10")])
        #expect(decode("event: add\ndata: 73857293\n\n") == [ServerSentEvent(type: "add", data: "73857293")])
    }

    @Test("comments, fields without colons and one stripped space follow the standard")
    func fieldParsing() {
        let text = ": comment\ndata\n\ndata:test\n\ndata:  two spaces\n\nevent\ndata: x\n\n"
        #expect(
            decode(text) == [
                ServerSentEvent(data: ""), ServerSentEvent(data: "test"), ServerSentEvent(data: " two spaces"),
                ServerSentEvent(data: "x"),
            ])
    }

    @Test("CR, LF and CRLF all end lines, even when CR and LF arrive in different feeds")
    func lineEndings() {
        let text = "data: a\r\rdata: b\r\n\r\ndata: c\n\n"
        let expected = [ServerSentEvent(data: "a"), ServerSentEvent(data: "b"), ServerSentEvent(data: "c")]
        #expect(decode(text) == expected)
        let bytes = Array(text.utf8)
        for split in 0...bytes.count {
            var decoder = SSEDecoder()
            let events = decoder.feed(bytes[0..<split]) + decoder.feed(bytes[split...]) + decoder.finish()
            #expect(events == expected, "split at \(split)")
        }
    }

    @Test("a leading BOM is skipped once")
    func bom() {
        #expect(decode("\u{FEFF}data: a\n\n") == [ServerSentEvent(data: "a")])
        #expect(decode("\u{FEFF}\u{FEFF}data: a\n\n").isEmpty)
    }

    @Test("ids persist, ids with NUL are ignored, retry needs digits")
    func idAndRetry() {
        let text = "id: 1\ndata: a\n\ndata: b\n\nid: x\u{0}y\nretry: 1500\ndata: c\n\nretry: 1s\ndata: d\n\n"
        #expect(
            decode(text) == [
                ServerSentEvent(data: "a", id: "1"), ServerSentEvent(data: "b", id: "1"),
                ServerSentEvent(data: "c", id: "1", retry: 1500), ServerSentEvent(data: "d", id: "1"),
            ])
    }

    @Test("an event not closed by a blank line is dropped at the end of the stream")
    func unterminated() {
        #expect(decode("data: a\n\ndata: b") == [ServerSentEvent(data: "a")])
        #expect(decode("data: a\n\ndata: b\n") == [ServerSentEvent(data: "a")])
    }

    @Test("an over-long line sets the failure and decoding continues")
    func overLong() {
        var decoder = SSEDecoder(maxLineBytes: 20)
        let events = decoder.feed(Array(("data: " + String(repeating: "x", count: 50) + "\n\ndata: ok\n\n").utf8))
        #expect(events == [ServerSentEvent(data: "ok")])
        #expect(decoder.failure?.kind == .malformedLine(line: 1))
    }

    @Test("multibyte text split anywhere survives")
    func multibyte() {
        let bytes = Array("data: héllo 🎉\n\n".utf8)
        for split in 0...bytes.count {
            var decoder = SSEDecoder()
            let events = decoder.feed(bytes[0..<split]) + decoder.feed(bytes[split...])
            #expect(events == [ServerSentEvent(data: "héllo 🎉")])
        }
    }
}
