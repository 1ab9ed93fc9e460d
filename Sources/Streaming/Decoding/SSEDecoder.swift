/// One server-sent event, as the WHATWG HTML standard's event stream interpretation dispatches it.
public struct ServerSentEvent: Sendable, Hashable {
    /// The `event` field, or `message` when none was given.
    public var type: String
    /// The `data` fields joined with line feeds.
    public var data: String
    /// The last event id seen so far (ids persist across events, as the standard says).
    public var id: String?
    /// The reconnection time in milliseconds, when this event (or a data-less block before it) set one.
    public var retry: Int?

    /// An event from its parts.
    public init(type: String = "message", data: String, id: String? = nil, retry: Int? = nil) {
        self.type = type
        self.data = data
        self.id = id
        self.retry = retry
    }
}

/// An incremental `text/event-stream` decoder following the WHATWG rules.
///
/// Lines end at CRLF, LF or CR (a CR at the end of one feed and an LF at the start of the next are one
/// line ending); a byte order mark at the start is skipped; lines starting with `:` are comments; a
/// field's value loses one leading space; `id` values containing NUL and non-numeric `retry` values are
/// ignored; a blank line dispatches the event if it has data. An event not closed by a blank line when
/// the stream ends is discarded, as the standard requires. A line longer than `maxLineBytes` sets
/// `failure` and is discarded up to its end; decoding then continues.
public struct SSEDecoder: Sendable {
    /// The longest line accepted, in bytes.
    public let maxLineBytes: Int
    /// The first over-long line's failure, if one occurred.
    public private(set) var failure: StreamFailure?
    private var line: [UInt8] = []
    private var discarding = false
    private var afterCR = false
    private var atStart = true
    private var lineNumber = 0
    private var eventType = ""
    private var data: [UInt8] = []
    private var hasData = false
    private var lastEventID: String?
    private var retry: Int?

    /// A decoder with a per-line size limit (1 MiB by default).
    public init(maxLineBytes: Int = 1 << 20) {
        self.maxLineBytes = max(1, maxLineBytes)
    }

    /// Returns the events that `bytes` completes, in order.
    public mutating func feed(_ bytes: some Collection<UInt8>) -> [ServerSentEvent] {
        var output: [ServerSentEvent] = []
        let handled: Void? = bytes.withContiguousStorageIfAvailable { feed(buffer: $0, into: &output) }
        if handled == nil {
            let copy = Array(bytes)
            copy.withUnsafeBufferPointer { feed(buffer: $0, into: &output) }
        }
        return output
    }

    /// Ends the stream: a last line without a line ending is processed, an undispatched event is dropped.
    public mutating func finish() -> [ServerSentEvent] {
        var output: [ServerSentEvent] = []
        if !line.isEmpty, !discarding { endLine(into: &output) }
        line = []
        discarding = false
        afterCR = false
        atStart = true
        eventType = ""
        data = []
        hasData = false
        return output
    }

    private mutating func feed(buffer: UnsafeBufferPointer<UInt8>, into output: inout [ServerSentEvent]) {
        var index = 0
        let count = buffer.count
        if afterCR, index < count {
            afterCR = false
            if buffer[index] == 0x0A { index += 1 }
        }
        var start = index
        while index < count {
            let byte = buffer[index]
            if byte == 0x0A || byte == 0x0D {
                append(UnsafeBufferPointer(rebasing: buffer[start..<index]), into: &output)
                if discarding {
                    discarding = false
                    line.removeAll(keepingCapacity: true)
                    lineNumber += 1
                } else {
                    endLine(into: &output)
                }
                if byte == 0x0D {
                    if index + 1 < count {
                        if buffer[index + 1] == 0x0A { index += 1 }
                    } else {
                        afterCR = true
                    }
                }
                index += 1
                start = index
            } else {
                index += 1
            }
        }
        append(UnsafeBufferPointer(rebasing: buffer[start..<count]), into: &output)
    }

    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>, into output: inout [ServerSentEvent]) {
        guard !bytes.isEmpty, !discarding else { return }
        if line.count + bytes.count > maxLineBytes {
            if failure == nil {
                failure = StreamFailure(
                    kind: .malformedLine(line: lineNumber + 1), errorType: "line_too_long",
                    message: "line \(lineNumber + 1): longer than the limit of \(maxLineBytes) bytes")
            }
            line.removeAll()
            discarding = true
            return
        }
        line.append(contentsOf: bytes)
    }

    private mutating func endLine(into output: inout [ServerSentEvent]) {
        lineNumber += 1
        defer { line.removeAll(keepingCapacity: true) }
        var start = 0
        if atStart {
            atStart = false
            if line.count >= 3, line[0] == 0xEF, line[1] == 0xBB, line[2] == 0xBF { start = 3 }
        }
        if start == line.count {
            dispatch(into: &output)
            return
        }
        if line[start] == 0x3A { return }  // a comment
        let colon = line[start...].firstIndex(of: 0x3A)
        let nameEnd = colon ?? line.count
        var valueStart = colon.map { $0 + 1 } ?? line.count
        if valueStart < line.count, line[valueStart] == 0x20 { valueStart += 1 }
        let name = line[start..<nameEnd]
        let value = line[valueStart...]
        if name.elementsEqual("data".utf8) {
            data.append(contentsOf: value)
            data.append(0x0A)
            hasData = true
        } else if name.elementsEqual("event".utf8) {
            eventType = String(decoding: value, as: UTF8.self)
        } else if name.elementsEqual("id".utf8) {
            if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
        } else if name.elementsEqual("retry".utf8) {
            if !value.isEmpty, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let ms = Int(String(decoding: value, as: UTF8.self))
            {
                retry = ms
            }
        }
    }

    private mutating func dispatch(into output: inout [ServerSentEvent]) {
        defer {
            eventType = ""
            data.removeAll(keepingCapacity: true)
            hasData = false
        }
        guard hasData else { return }
        defer { retry = nil }
        data.removeLast()  // the standard drops the final line feed
        output.append(
            ServerSentEvent(
                type: eventType.isEmpty ? "message" : eventType, data: String(decoding: data, as: UTF8.self),
                id: lastEventID, retry: retry))
    }
}
