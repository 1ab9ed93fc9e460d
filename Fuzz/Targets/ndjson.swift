// NDJSON and SSE decoding: any bytes, fed whole or in chunks chosen by the input, decode alike.
import CustomUICore
import Streaming

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStreamDecoding(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let step = 1 + Int(data[0]) % 32
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    var whole = NDJSONDecoder(maxLineBytes: 4096)
    let expected = whole.feed(bytes) + whole.finish()
    var chunked = NDJSONDecoder(maxLineBytes: 4096)
    var got: [DecodedLine] = []
    for start in stride(from: 0, to: bytes.count, by: step) {
        got += chunked.feed(bytes[start..<min(bytes.count, start + step)])
    }
    got += chunked.finish()
    if got != expected { finding("NDJSON in chunks of \(step) decodes differently") }

    var sseWhole = SSEDecoder(maxLineBytes: 4096)
    let events = sseWhole.feed(bytes) + sseWhole.finish()
    var sseChunked = SSEDecoder(maxLineBytes: 4096)
    var chunkedEvents: [ServerSentEvent] = []
    for start in stride(from: 0, to: bytes.count, by: step) {
        chunkedEvents += sseChunked.feed(bytes[start..<min(bytes.count, start + step)])
    }
    chunkedEvents += sseChunked.finish()
    if chunkedEvents != events { finding("SSE in chunks of \(step) decodes differently") }
    return 0
}
