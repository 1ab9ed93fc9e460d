// The language server's JSON-RPC framing and message handling: the stream framed whole and in
// chunks chosen by the input gives the same messages; each message goes to one language server.
import CustomUI
import CustomUICore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLanguageServer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let step = 1 + Int(data[0]) % 64
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    // A small body limit so that the skipping of oversized messages is reached too.
    var whole = LSPFramer(maxMessageBytes: 16 << 10)
    let expected = whole.push(bytes)
    var chunked = LSPFramer(maxMessageBytes: 16 << 10)
    var events: [LSPFramer.Event] = []
    for start in stride(from: 0, to: bytes.count, by: step) {
        events += chunked.push(bytes[start..<min(bytes.count, start + step)])
    }
    if events != expected { finding("LSP framing in chunks of \(step) differs") }
    if whole.hasPartialMessage != chunked.hasPartialMessage { finding("partial message state differs") }
    let server = LanguageServer()
    var out = 0
    for case .message(let body) in events {
        for reply in server.handle(body) {
            out += reply.utf8.count
            if reply.utf8.contains(where: { $0 < 0x20 }) { finding("a reply with a raw control byte: \(reply)") }
        }
    }
    // Replies quote documents and their diagnostics; each message yields a bounded amount.
    checkLinear(out, bytes.count, "language server replies")
    return 0
}
