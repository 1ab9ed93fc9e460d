/// Splits a byte stream into Language Server Protocol messages: `Content-Length: N` headers, a
/// blank line, then N bytes of JSON. Malformed headers and oversized messages are reported as
/// events (never thrown), and the stream resynchronises at the next header.
public struct LSPFramer {
    /// What the framer found in the stream.
    public enum Event: Equatable {
        /// A complete message body.
        case message([UInt8])
        /// A header block without a usable `Content-Length`; its bytes were dropped.
        case badHeader(String)
        /// A message longer than `maxMessageBytes`; its body is skipped as it arrives.
        case tooLarge(Int)
    }

    /// The largest body accepted; longer ones are skipped.
    public let maxMessageBytes: Int
    /// The largest header block accepted.
    public let maxHeaderBytes = 8192
    private var buffer: [UInt8] = []
    private var start = 0
    private var skipping = 0

    public init(maxMessageBytes: Int = 64 << 20) { self.maxMessageBytes = maxMessageBytes }

    /// Adds bytes read from the stream; returns the events they complete, in order.
    public mutating func push(_ bytes: some Collection<UInt8>) -> [Event] {
        buffer.append(contentsOf: bytes)
        var events: [Event] = []
        while true {
            if skipping > 0 {
                let n = min(skipping, buffer.count - start)
                start += n
                skipping -= n
                if skipping > 0 { break }
            }
            guard let headerEnd = findHeaderEnd() else {
                if buffer.count - start > maxHeaderBytes {
                    events.append(.badHeader("a header block longer than \(maxHeaderBytes) bytes"))
                    start = buffer.count
                }
                break
            }
            let header = String(decoding: buffer[start..<headerEnd], as: UTF8.self)
            let bodyStart = headerEnd + 4
            guard let length = LSPFramer.contentLength(header) else {
                events.append(.badHeader("no valid Content-Length header"))
                start = bodyStart
                continue
            }
            if length > maxMessageBytes {
                events.append(.tooLarge(length))
                start = bodyStart
                skipping = length
                continue
            }
            guard buffer.count - bodyStart >= length else { break }
            events.append(.message(Array(buffer[bodyStart..<(bodyStart + length)])))
            start = bodyStart + length
        }
        if start > 0, start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        return events
    }

    /// Whether unfinished bytes are waiting (a message cut off by the end of the stream).
    public var hasPartialMessage: Bool { buffer.count > start || skipping > 0 }

    private func findHeaderEnd() -> Int? {
        var i = start
        while i + 3 < buffer.count {
            if buffer[i] == 0x0D, buffer[i + 1] == 0x0A, buffer[i + 2] == 0x0D, buffer[i + 3] == 0x0A { return i }
            i += 1
        }
        return nil
    }

    static func contentLength(_ header: String) -> Int? {
        for line in header.split(separator: "\r\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { continue }
            let digits = parts[1].trimmingCharacters(in: " \t")
            guard !digits.isEmpty, digits.count <= 12, digits.allSatisfy(\.isASCII), let n = Int(digits), n >= 0 else {
                return nil
            }
            return n
        }
        return nil
    }

    /// A message body with its header, ready to write.
    public static func frame(_ body: String) -> [UInt8] {
        let bytes = Array(body.utf8)
        return Array("Content-Length: \(bytes.count)\r\n\r\n".utf8) + bytes
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let c = s.first, set.contains(c) { s.removeFirst() }
        while let c = s.last, set.contains(c) { s.removeLast() }
        return String(s)
    }
}
