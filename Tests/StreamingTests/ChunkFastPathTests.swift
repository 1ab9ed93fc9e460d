import CustomUICore
import Foundation
import JSONSchema
import Testing
@testable import Streaming

@Suite("Chunk fast path")
struct ChunkFastPathTests {
    static let texts = [
        "plain", "", "é ✓ 🎉", #"quote \" and backslash \\"#, #"\n\t\r\b\f\/"#, #"\u0041\u00e9\ud83c\udf89"#,
        #"\ud83c"#, #"\udf89"#, #"\ud83c\u0041"#, #"\x"#, #"\u12G4"#, "tab\there", "\u{7F}", #"\u0000"#,
    ]
    static let shapes = [
        #"{"event":"chunk","data":{"text":"TEXT"}}"#,
        #"{"event": "chunk", "data": {"text": "TEXT"}}"#,
        #"  { "event" : "chunk" , "data" : { "text" : "TEXT" } , "t" : 0.125 }  "#,
        #"{"event":"chunk","data":{"text":"TEXT"},"t":12}"#,
        #"{"event":"chunk","data":{"text":"TEXT"},"t":-0}"#,
        #"{"event":"chunk","data":{"text":"TEXT"},"t":1.5e3}"#,
        #"{"event":"chunk","data":{"text":"TEXT"},"t":01}"#,
        #"{"event":"chunk","data":{"text":"TEXT"},"t":1.}"#,
        #"{"event":"chunk","data":{"text":"TEXT"},"t":.5}"#,
        #"{"event":"chunk","data":{"text":"TEXT"},"t":1e}"#,
        #"{"event":"chunk","data":{"text":"TEXT"},"t":"1"}"#,
        #"{"event":"chunk","data":{"text":"TEXT","extra":1}}"#,
        #"{"data":{"text":"TEXT"},"event":"chunk"}"#,
        #"{"event":"chunk","data":{"text":"TEXT"}}}"#,
        #"{"event":"chunk","data":{"text":"TEXT"}"#,
        #"{"event":"chunk","data":{"text":"TEXT"},}"#,
        #"{"event":"chunks","data":{"text":"TEXT"}}"#,
    ]

    /// What the general parser makes of a line.
    func general(_ bytes: [UInt8]) -> (text: String, time: Double?)? {
        guard let value = try? JSONParser.parseValue(bytes: bytes),
            case .event(.chunk(let text))? = try? StreamEvent.parse(wire: value)
        else { return nil }
        return (text, value["t"]?.numberValue?.doubleValue)
    }

    @Test("whenever the fast path accepts a line, the general parser reads the same chunk and time")
    func agreesWithGeneralParser() {
        var accepted = 0
        for shape in Self.shapes {
            for text in Self.texts {
                let bytes = Array(shape.replacingOccurrences(of: "TEXT", with: text).utf8)
                let fast = bytes.withUnsafeBufferPointer { ChunkFastPath.parse($0) }
                let slow = general(bytes)
                if let fast {
                    accepted += 1
                    #expect(slow?.text == fast.text, "\(shape) \(text)")
                    #expect(slow?.time == fast.time, "\(shape) \(text)")
                }
                // The decoder as a whole must agree with the general parser on every line.
                let decoded = decodeAll(bytes + [0x0A]).first
                #expect(decoded?.event == slow.map { .chunk($0.text) }, "\(shape) \(text)")
                #expect(decoded?.time == slow?.time, "\(shape) \(text)")
            }
        }
        #expect(accepted >= 40)
    }

    @Test("invalid UTF-8 inside a chunk's text is left to the general parser")
    func invalidUTF8() {
        let bytes = Array(#"{"event":"chunk","data":{"text":""#.utf8) + [0xC3, 0x28] + Array(#""}}"#.utf8)
        #expect(bytes.withUnsafeBufferPointer { ChunkFastPath.parse($0) } == nil)
        #expect(decodeAll(bytes).first?.failure?.kind == .malformedLine(line: 1))
    }
}
