import CustomUICore
import Foundation
import Streaming
import Testing

@testable import CustomUI

/// A session used from several tasks and threads at once (issue 19, item 2): one task runs it, threads read its state,
/// try a second run and cancel it. Run it under the thread sanitizer too:
/// `swift test --sanitize=thread --scratch-path .build-tsan --filter SessionConcurrencyTests`.
@Suite struct SessionConcurrencyTests {
    /// Streams `chunks`, one every `gap`, then waits for `cancel()`, which ends the stream as cancelled.
    final class HeldTransport: StreamTransport, Sendable {
        let chunks: [String]
        let gap: Duration
        /// The open streams and how many chunks have been handed to the session; one lock, so that
        /// once `cancel()` returns no further chunk is sent.
        private let streams = Locked<(open: [AsyncThrowingStream<StreamEvent, Error>.Continuation], sent: Int)>(([], 0))
        var sent: Int { streams.withLock { $0.sent } }

        init(chunks: [String], gap: Duration) {
            self.chunks = chunks
            self.gap = gap
        }

        var service: String { "test" }
        func requestData(for request: ExecutionRequest) -> Value { ["messages": .int(request.messages.count)] }

        func events(for request: ExecutionRequest) -> AsyncThrowingStream<StreamEvent, Error> {
            let (stream, continuation) = AsyncThrowingStream<StreamEvent, Error>.makeStream()
            streams.withLock { $0.open.append(continuation) }
            Task {
                for chunk in chunks {
                    try? await Task.sleep(for: gap)
                    let enqueued = streams.withLock { streams in
                        guard case .enqueued = continuation.yield(.chunk(chunk)) else { return false }
                        streams.sent += 1
                        return true
                    }
                    guard enqueued else { return }
                }
                // Held open: only a cancel ends this stream.
            }
            return stream
        }

        func cancel() async {
            streams.withLock { streams in
                for continuation in streams.open {
                    continuation.finish(throwing: StreamFailure(.cancelled, "the run was cancelled"))
                }
                streams.open = []
            }
        }
    }

    /// What the tasks share: the run's result, how many reads were checked, what the second run got.
    final class Shared: Sendable {
        let finished = Locked<[Diagnostic]?>(nil)
        let reads = Locked<(count: Int, torn: Int)>((0, 0))
        let readersDone = Locked(0)
        let texts = Locked(0)
        let refusal = Locked<(preflight: [Diagnostic], second: [Diagnostic])>(([], []))
        var running: Bool { finished.withLock { $0 == nil } }
    }

    static let statuses: Set<String> = ["idle", "running", "streaming", "completed", "failed", "cancelled"]

    @Test("a run, a refused second run, a cancel and readers on other threads leave one consistent result")
    func aSessionSharedBetweenTasks() async throws {
        let chunks = (0..<400).map { "Word \($0) *of* the **story**.\($0 % 25 == 24 ? "\n\n" : " ")" }
        let full = chunks.joined()
        let transport = HeldTransport(chunks: chunks, gap: .microseconds(100))
        let recorder = MemoryRunRecorder()
        let session = try SessionTests.storySession(transport, recorder: recorder)
        let shared = Shared()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                let result = await session.run { update in
                    if case .text = update { shared.texts.withLock { $0 += 1 } }
                }
                shared.finished.withLock { $0 = result }
            }
            // Readers, on threads of their own (not the tasks' pool, which they would crowd): every
            // state they see is whole (the slot is a prefix of the answer, the status one of the run's
            // statuses), however the run's writes interleave with their reads.
            for _ in 0..<2 {
                Thread {
                    defer { shared.readersDone.withLock { $0 += 1 } }
                    while shared.running {
                        let state = session.state
                        let slot = state.slots["story"] ?? ""
                        let whole = full.hasPrefix(slot) && Self.statuses.contains(state.runStatus)
                        _ = session.run
                        _ = session.task
                        _ = session.lastMarkdownUpdate
                        _ = session.markdownHTML
                        _ = session.recordingErrors
                        session.setVariable("length", "300")
                        shared.reads.withLock { $0.count += 1 }
                        if !whole { shared.reads.withLock { $0.torn += 1 } }
                        usleep(50)
                    }
                }.start()
            }
            // Once text is streaming: a second run is refused without disturbing the first, then a cancel.
            group.addTask {
                // (and the readers have read while it streams)
                while transport.sent < chunks.count / 4 || shared.reads.withLock({ $0.count }) < 20 {
                    try? await Task.sleep(for: .milliseconds(1))
                }
                let preflight = session.preflight(message: nil)
                let second = await session.run()
                shared.refusal.withLock { $0 = (preflight, second) }
                await session.cancel()
            }
        }
        let diagnostics = shared.finished.withLock { $0 } ?? []
        let (refusedWhileRunning, second) = shared.refusal.withLock { $0 }
        while shared.readersDone.withLock({ $0 }) < 2 { try await Task.sleep(for: .milliseconds(1)) }
        let (readsChecked, torn) = shared.reads.withLock { $0 }

        for refused in [refusedWhileRunning, second] {
            #expect(refused.contains { $0.code == .runRefused && $0.message == "a run is already in progress" })
        }
        #expect(readsChecked >= 20)
        #expect(torn == 0)
        // The run ended as cancelled, keeping exactly the chunks it was given, in every place it keeps them.
        #expect(diagnostics.map(\.code) == [.runCancelled])
        let state = session.state
        #expect(state.runStatus == "cancelled")
        #expect(state.streamingSlots.isEmpty)
        let sent = transport.sent
        #expect(sent >= chunks.count / 4)
        let kept = chunks.prefix(sent).joined()
        #expect(state.slots["story"] == kept)
        #expect(shared.texts.withLock { $0 } == sent)
        #expect(session.markdownHTML["story"] == MarkdownHTMLRendererCheck.oneShot(kept))
        #expect(session.task?.responseText == kept)
        #expect(session.task?.status == .cancelled)
        let recorded = try #require(recorder.tasks.values.first)
        #expect(recorder.tasks.count == 1)
        #expect(recorded.responseText == kept && recorded.status == .cancelled)
        #expect(recorder.runs.values.first?.status == .cancelled)
        #expect(session.recordingErrors.isEmpty)
        // Nothing is left in flight: the next run may start.
        #expect(!session.preflight(message: nil).contains { $0.message == "a run is already in progress" })
    }
}
