import CustomUICore
import Foundation

/// Replays a recorded NDJSON stream from a file, the built-in default so everything runs offline.
///
/// The file is decoded exactly as a live NDJSON body would be, so a malformed line or a missing `end`
/// fails a replay as it would fail a live run. With `pace`, each event waits until its recorded `t`
/// (seconds since the start) divided by `speed`; events without `t` follow at once.
public struct ReplayTransport: StreamTransport {
    /// The recording.
    public let file: URL
    /// Whether to wait for each event's recorded time.
    public var pace: Bool
    /// How many times faster than recorded to replay (2 halves every wait); zero or less means no waits.
    public var speed: Double
    /// The longest line accepted, in bytes.
    public var maxLineBytes: Int
    private let running = ReplayRegistry()

    /// A replay of `file`, unpaced by default.
    public init(file: URL, pace: Bool = false, speed: Double = 1, maxLineBytes: Int = 1 << 20) {
        self.file = file
        self.pace = pace
        self.speed = speed
        self.maxLineBytes = maxLineBytes
    }

    /// `replay`.
    public var service: String { "replay" }

    /// `{ recording: file name }` plus the request summary: what was asked, not where it was stored.
    public func requestData(for request: ExecutionRequest) -> Value {
        var object = request.recordValue.objectValue ?? ValueObject()
        object["recording"] = .string(file.lastPathComponent)
        return .object(object)
    }

    /// Streams the recording's events.
    public func events(for request: ExecutionRequest) -> AsyncThrowingStream<StreamEvent, Error> {
        let (stream, continuation) = AsyncThrowingStream<StreamEvent, Error>.makeStream()
        let file = self.file
        let pace = self.pace && speed > 0
        let speed = self.speed
        let maxLineBytes = self.maxLineBytes
        let running = self.running
        let id = UUID()
        let task = Task {
            do {
                try await Self.replay(
                    file: file, pace: pace, speed: speed, maxLineBytes: maxLineBytes, into: continuation)
                continuation.finish()
            } catch let failure as StreamFailure {
                continuation.finish(throwing: failure)
            } catch {
                continuation.finish(throwing: StreamFailure(.cancelled, "the run was cancelled"))
            }
            running.remove(id)
        }
        running.add(id, task: task, continuation: continuation)
        continuation.onTermination = { termination in
            if case .cancelled = termination { task.cancel() }
        }
        return stream
    }

    /// Stops every replay; their streams throw `.cancelled`.
    public func cancel() async {
        for (task, continuation) in running.removeAll() {
            continuation.finish(throwing: StreamFailure(.cancelled, "the run was cancelled"))
            task.cancel()
        }
    }

    private static func replay(
        file: URL, pace: Bool, speed: Double, maxLineBytes: Int,
        into continuation: AsyncThrowingStream<StreamEvent, Error>.Continuation
    ) async throws {
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw StreamFailure(
                .transport, "cannot read the recording `\(file.lastPathComponent)`: \(error.localizedDescription)")
        }
        var decoder = NDJSONDecoder(maxLineBytes: maxLineBytes)
        let start = ContinuousClock.now
        let blockSize = 64 << 10
        var offset = 0
        var lines: [DecodedLine] = []
        while offset <= data.count {
            lines.removeAll(keepingCapacity: true)
            if offset < data.count {
                let end = min(offset + blockSize, data.count)
                decoder.feed(data[(data.startIndex + offset)..<(data.startIndex + end)], into: &lines)
                offset = end
            } else {
                lines = decoder.finish()
                offset += 1
            }
            for line in lines {
                try Task.checkCancellation()
                switch line.content {
                case .failure(let failure): throw failure
                case .unknown: continue
                case .event(let event):
                    if pace, let time = line.time, time > 0 {
                        try await Task.sleep(
                            until: start + .milliseconds(Int64((time / speed * 1000).rounded())), clock: .continuous)
                    }
                    if case .error(var failure) = event {
                        failure.sourceLine = line.line
                        continuation.yield(.error(failure))
                    } else {
                        continuation.yield(event)
                    }
                    if case .end = event { return }
                }
            }
        }
        throw StreamFailure(.missingEnd, "the recording ended without an `end` event")
    }
}

/// The replays a transport has running.
private final class ReplayRegistry: Sendable {
    private typealias Running = (Task<Void, Never>, AsyncThrowingStream<StreamEvent, Error>.Continuation)
    private let running = Locked<[UUID: Running]>([:])

    func add(_ id: UUID, task: Task<Void, Never>, continuation: AsyncThrowingStream<StreamEvent, Error>.Continuation) {
        running.withLock { $0[id] = (task, continuation) }
    }

    func remove(_ id: UUID) { running.withLock { _ = $0.removeValue(forKey: id) } }

    func removeAll() -> [(Task<Void, Never>, AsyncThrowingStream<StreamEvent, Error>.Continuation)] {
        running.withLock { running in
            defer { running.removeAll() }
            return Array(running.values)
        }
    }
}
