import Foundation

/// A value reached only through `withLock`: state shared between threads and tasks, with its lock.
///
/// The shape of swift-nio's `NIOLockedValueBox` and of the standard library's `Synchronization.Mutex`
/// (the same `withLock`, taking and giving back `sending` values, so non-`Sendable` state such as a
/// markdown stream can live inside). It is built on a pthread mutex (`NSLock`) instead of `Mutex`
/// because the thread sanitizer cannot see `Mutex` on Linux: under contention `Mutex` waits in
/// `FUTEX_LOCK_PI` system calls, which the sanitizer does not model, so correctly locked code is
/// reported as racing (docs/decisions/session-concurrency.md). A pthread mutex it does model, so
/// `swift test --sanitize=thread` checks everything kept in a `Locked`.
///
/// `@unchecked Sendable` because the compiler cannot see the lock: `value` is private and touched
/// only in `withLock`, between `lock()` and `unlock()`, and what goes in or comes out is `sending`.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    /// A box holding `value`.
    public init(_ value: sending Value) {
        self.value = value
    }

    /// Runs `body` with the value, holding the lock; `body` must not call `withLock` on the same box.
    public func withLock<Result, E: Error>(_ body: (inout sending Value) throws(E) -> sending Result) throws(E)
        -> sending Result
    {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
