import CustomUICore
import CustomUIServer
import Dispatch

/// `customui serve`: chunk-to-patch latency, patches per second, 100 concurrent runs, bytes sent.
func serveBenchmarks() throws -> [Figure] {
    final class Box: Sendable { let result = Locked<Result<[ServerBenchmarks.Figure], any Error>?>(nil) }
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    Task {
        let result: Result<[ServerBenchmarks.Figure], any Error>
        do { result = .success(try await ServerBenchmarks.measure()) } catch { result = .failure(error) }
        box.result.withLock { $0 = result }
        done.signal()
    }
    done.wait()
    let result = box.result.withLock { $0 }
    return try result!.get().map { Figure(name: $0.name, value: $0.value, unit: $0.unit) }
}
