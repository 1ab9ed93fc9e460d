import CustomUICore
import Foundation
import JSONSchema

/// One line of an NDJSON stream after decoding: an event, an event type this version does not know,
/// or a failure positioned at its line.
public struct DecodedLine: Sendable, Hashable {
    /// What the line held.
    public enum Content: Sendable, Hashable {
        /// A known event.
        case event(StreamEvent)
        /// A well-formed event whose `event` name is not one of the nine; transports skip it so that a
        /// newer server's additions do not break older clients.
        case unknown(type: String, payload: Value)
        /// A line that is not JSON, not an event, or longer than the limit (kind `.malformedLine`).
        case failure(StreamFailure)
    }

    /// The 1-based line number, counting blank lines.
    public var line: Int
    /// What the line held.
    public var content: Content
    /// The recorded `t` member (seconds since the stream began), used to pace replays.
    public var time: Double?

    /// A decoded line from its parts.
    public init(line: Int, content: Content, time: Double? = nil) {
        self.line = line
        self.content = content
        self.time = time
    }

    /// The event, when the line held a known one.
    public var event: StreamEvent? {
        if case .event(let event) = content { return event }
        return nil
    }

    /// The failure, when the line was malformed.
    public var failure: StreamFailure? {
        if case .failure(let failure) = content { return failure }
        return nil
    }
}

/// An incremental NDJSON decoder for the Stream Event Protocol.
///
/// Bytes may be split anywhere (inside a UTF-8 sequence, between CR and LF). Complete lines are parsed
/// straight from the bytes handed in; only the unfinished tail is copied, so decoding is O(n) in the
/// bytes fed however they are split. Lines end at LF; a CR before it is dropped; a UTF-8 byte order
/// mark before the first line is skipped; blank lines are skipped but counted. A line longer than
/// `maxLineBytes` is reported as soon as it passes the limit, its remaining bytes are discarded up to
/// the next LF, and decoding continues with the line after it. A malformed line is reported with its
/// number and decoding continues. The decoder never throws: errors are lines.
public struct NDJSONDecoder: Sendable {
    /// The longest line accepted, in bytes, not counting its LF.
    public let maxLineBytes: Int
    private let limits: ResourceLimits
    private var partial: [UInt8] = []
    private var discarding = false
    private var linesEnded = 0

    /// A decoder with a per-line size limit (1 MiB by default).
    public init(maxLineBytes: Int = 1 << 20) {
        self.maxLineBytes = max(1, maxLineBytes)
        limits = ResourceLimits(maxDocumentBytes: self.maxLineBytes + 1)
    }

    /// Decodes every line that `bytes` completes, in order.
    public mutating func feed(_ bytes: some Collection<UInt8>) -> [DecodedLine] {
        var output: [DecodedLine] = []
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            feed(buffer: buffer, into: &output)
        }
        if handled == nil {
            let copy = Array(bytes)
            copy.withUnsafeBufferPointer { feed(buffer: $0, into: &output) }
        }
        return output
    }

    /// Like `feed`, appending to `output` so a caller can reuse one array.
    public mutating func feed(_ bytes: some Collection<UInt8>, into output: inout [DecodedLine]) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            feed(buffer: buffer, into: &output)
        }
        if handled == nil {
            let copy = Array(bytes)
            copy.withUnsafeBufferPointer { feed(buffer: $0, into: &output) }
        }
    }

    /// Decodes the last line when the input did not end with a line feed, and resets the decoder.
    public mutating func finish() -> [DecodedLine] {
        var output: [DecodedLine] = []
        if !discarding, !partial.isEmpty {
            linesEnded += 1
            let line = partial
            line.withUnsafeBufferPointer { decode(line: $0, into: &output) }
        }
        partial = []
        discarding = false
        linesEnded = 0
        return output
    }

    private mutating func feed(buffer: UnsafeBufferPointer<UInt8>, into output: inout [DecodedLine]) {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return }
        var start = 0
        let count = buffer.count
        while start < count {
            guard let found = memchr(base + start, 0x0A, count - start) else { break }
            let newline = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            linesEnded += 1
            let length = newline - start
            if discarding {
                discarding = false
                partial.removeAll(keepingCapacity: true)
            } else if partial.isEmpty {
                if length > maxLineBytes {
                    output.append(tooLong(line: linesEnded))
                } else {
                    decode(line: UnsafeBufferPointer(rebasing: buffer[start..<newline]), into: &output)
                }
            } else if partial.count + length > maxLineBytes {
                output.append(tooLong(line: linesEnded))
                partial.removeAll(keepingCapacity: true)
            } else {
                partial.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<newline]))
                let line = partial
                partial.removeAll(keepingCapacity: true)
                line.withUnsafeBufferPointer { decode(line: $0, into: &output) }
            }
            start = newline + 1
        }
        guard start < count, !discarding else { return }
        if partial.count + (count - start) > maxLineBytes {
            // Report now rather than buffer a runaway line until its end arrives.
            output.append(tooLong(line: linesEnded + 1))
            partial.removeAll()
            discarding = true
        } else {
            partial.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<count]))
        }
    }

    private func tooLong(line: Int) -> DecodedLine {
        let failure = StreamFailure(
            kind: .malformedLine(line: line), errorType: "line_too_long",
            message: "line \(line): longer than the limit of \(maxLineBytes) bytes")
        return DecodedLine(line: line, content: .failure(failure))
    }

    private func decode(line raw: UnsafeBufferPointer<UInt8>, into output: inout [DecodedLine]) {
        var line = raw
        if let last = line.last, last == 0x0D { line = UnsafeBufferPointer(rebasing: line.dropLast()) }
        if linesEnded == 1, line.count >= 3, line[0] == 0xEF, line[1] == 0xBB, line[2] == 0xBF {
            line = UnsafeBufferPointer(rebasing: line.dropFirst(3))
        }
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
        let number = linesEnded
        if let chunk = ChunkFastPath.parse(line) {
            output.append(DecodedLine(line: number, content: .event(.chunk(chunk.text)), time: chunk.time))
            return
        }
        let value: Value
        do {
            value = try JSONParser.parseValue(bytes: line, limits: limits)
        } catch {
            output.append(
                malformed(line: number, "invalid JSON at column \(error.range.start.column): \(error.message)"))
            return
        }
        let time = value["t"]?.numberValue?.doubleValue
        do {
            switch try StreamEvent.parse(wire: value) {
            case .event(let event): output.append(DecodedLine(line: number, content: .event(event), time: time))
            case .unknown(let type, let payload):
                output.append(DecodedLine(line: number, content: .unknown(type: type, payload: payload), time: time))
            }
        } catch {
            output.append(malformed(line: number, error.reason))
        }
    }

    private func malformed(line: Int, _ reason: String) -> DecodedLine {
        let failure = StreamFailure(.malformedLine(line: line), "line \(line): \(reason)")
        return DecodedLine(line: line, content: .failure(failure))
    }
}
