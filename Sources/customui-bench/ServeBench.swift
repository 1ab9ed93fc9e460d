import CustomUIServer
import Dispatch

/// `customui serve`: chunk-to-patch latency, patches per second, 100 concurrent runs, bytes sent.
func serveBenchmarks() throws -> [Figure] {
    final class Box: @unchecked Sendable { var result: Result<[ServerBenchmarks.Figure], Error>? }
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { box.result = .success(try await ServerBenchmarks.measure()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get().map { Figure(name: $0.name, value: $0.value, unit: $0.unit) }
}
