import CustomUICore
import Foundation
import Testing
@testable import Streaming

@Suite("NDJSON decoder")
struct NDJSONDecoderTests {
    /// Multi-line input with a BOM, CRLF, a blank line, multibyte UTF-8 and a malformed line.
    static let tricky: [UInt8] =
        [0xEF, 0xBB, 0xBF]
        + Array(
            (wire(.chunk("héllo ✓ 🎉")) + "\r\n\n" + wire(.statusUpdate(StatusUpdate(status: "s"))) + "\n{bad\n   \n"
                + wire(.end(reason: "r"))).utf8)

    @Test("splitting the input at every byte position gives the same lines")
    func everySplit() {
        let whole = decodeAll(Self.tricky)
        #expect(whole.count == 4)
        #expect(whole.map(\.line) == [1, 3, 4, 6])
        for split in 0...Self.tricky.count {
            var decoder = NDJSONDecoder()
            let lines = decoder.feed(Self.tricky[0..<split]) + decoder.feed(Self.tricky[split...]) + decoder.finish()
            #expect(lines == whole, "split at \(split)")
        }
    }

    @Test("one byte at a time gives the same lines")
    func byteAtATime() {
        var decoder = NDJSONDecoder()
        var lines: [DecodedLine] = []
        for byte in Self.tricky { lines += decoder.feed([byte]) }
        lines += decoder.finish()
        #expect(lines == decodeAll(Self.tricky))
    }

    @Test("random splits of a generated stream give the generated events", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func randomSplits(seed: UInt64) {
        let events = RecordedStream.sample(chunks: 300, seed: seed)
        let bytes = Array(RecordedStream.text(events).utf8)
        var random = SplitMix64(seed: seed)
        var decoder = NDJSONDecoder()
        var lines: [DecodedLine] = []
        var offset = 0
        while offset < bytes.count {
            let size = Int(random.next() % 200) + 1
            let end = min(bytes.count, offset + size)
            lines += decoder.feed(bytes[offset..<end])
            offset = end
        }
        lines += decoder.finish()
        #expect(lines.compactMap(\.event) == events.map(\.event))
        #expect(lines.map(\.time) == events.map { $0.time.map { ($0 * 1000).rounded() / 1000 } })
    }

    @Test("CRLF, a BOM and blank lines are accepted and blank lines counted")
    func crlfBOMBlank() {
        let text = "\u{FEFF}" + wire(.chunk("a")) + "\r\n\r\n  \t\r\n" + wire(.chunk("b")) + "\r\n"
        let lines = decodeAll(text)
        #expect(lines.map(\.event) == [.chunk("a"), .chunk("b")])
        #expect(lines.map(\.line) == [1, 4])
    }

    @Test("a BOM at the start of a later line is tolerated, as RFC 8259 lets JSON parsers do")
    func lateBOM() {
        let lines = decodeAll(wire(.chunk("a")) + "\n\u{FEFF}" + wire(.chunk("b")))
        #expect(lines.map(\.event) == [.chunk("a"), .chunk("b")])
    }

    @Test("a malformed JSON line is reported with its number and decoding continues")
    func malformedJSON() {
        let lines = decodeAll(
            wire(.chunk("a")) + "\n{\"event\": \"chunk\", \"data\": {\"text\": \"x\"\n" + wire(.end(reason: nil)) + "\n"
        )
        #expect(lines.count == 3)
        #expect(lines[1].failure?.kind == .malformedLine(line: 2))
        #expect(lines[1].failure?.message.hasPrefix("line 2: invalid JSON at column") == true)
        #expect(lines[2].event == .end(reason: nil))
    }

    @Test("an over-long line is reported once with its number and the next line still decodes")
    func overLong() {
        let long = wire(.chunk(String(repeating: "x", count: 500)))
        let text = wire(.chunk("a")) + "\n" + long + "\n" + wire(.chunk("b")) + "\n"
        let whole = decodeAll(text, maxLineBytes: 100)
        #expect(whole.count == 3)
        #expect(whole[1].failure?.kind == .malformedLine(line: 2))
        #expect(whole[1].failure?.errorType == "line_too_long")
        #expect(whole[2].event == .chunk("b"))
        #expect(whole[2].line == 3)
        // Fed byte by byte, the error comes as soon as the limit is passed, before the line ends.
        var decoder = NDJSONDecoder(maxLineBytes: 100)
        let bytes = Array(text.utf8)
        var firstErrorAt: Int?
        var lines: [DecodedLine] = []
        for (index, byte) in bytes.enumerated() {
            let out = decoder.feed([byte])
            if firstErrorAt == nil, out.contains(where: { $0.failure != nil }) { firstErrorAt = index }
            lines += out
        }
        lines += decoder.finish()
        #expect(lines == whole)
        let secondLineStart = wire(.chunk("a")).utf8.count + 1
        #expect(firstErrorAt == secondLineStart + 100)
    }

    @Test("a line of exactly the limit is accepted")
    func exactLimit() {
        let line = wire(.chunk("abc"))
        #expect(decodeAll(line + "\n", maxLineBytes: line.utf8.count).first?.event == .chunk("abc"))
        #expect(decodeAll(line + "\n", maxLineBytes: line.utf8.count - 1).first?.failure != nil)
    }

    @Test("the last line needs no line feed, and finish resets the decoder")
    func finishResets() {
        var decoder = NDJSONDecoder()
        #expect(decoder.feed(Array(wire(.chunk("a")).utf8)).isEmpty)
        #expect(decoder.finish().map(\.event) == [.chunk("a")])
        #expect(decoder.feed(Array((wire(.chunk("b")) + "\n").utf8)).map(\.line) == [1])
    }

    @Test("invalid UTF-8 and control bytes are malformed lines, never crashes")
    func garbage() {
        let bytes: [UInt8] = [0xFF, 0xFE, 0x00, 0x0A, 0x7B, 0x22, 0xC3, 0x0A, 0x5D, 0x0A]
        let lines = decodeAll(bytes)
        #expect(
            lines.map { $0.failure?.kind } == [
                .malformedLine(line: 1), .malformedLine(line: 2), .malformedLine(line: 3),
            ])
    }

    @Test("recorded times are read from `t`")
    func times() {
        let lines = decodeAll(RecordedStream.line(TimedEvent(.chunk("a"), time: 0.125)))
        #expect(lines.first?.time == 0.125)
        #expect(lines.first?.event == .chunk("a"))
    }
}
