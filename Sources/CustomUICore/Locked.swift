#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A value reached only through `withLock`: state shared between threads and tasks, with its lock.
///
/// The shape of swift-nio's `NIOLockedValueBox` and of the standard library's `Synchronization.Mutex`
/// (the same `withLock`, taking and giving back `sending` values, so non-`Sendable` state such as a
/// markdown stream can live inside). It is the project's one lock: a wrapper of a C `pthread_mutex_t`
/// instead of `Mutex`, because the thread sanitizer cannot see `Mutex` on Linux — under contention
/// `Mutex` waits in `FUTEX_LOCK_PI` system calls, which the sanitizer does not model, so correctly
/// locked code is reported as racing (docs/decisions/session-concurrency.md). A pthread mutex it does
/// model, so `swift test --sanitize=thread` checks everything kept in a `Locked`.
///
/// `@unchecked Sendable` because it wraps a C mutex, which the compiler cannot see: the mutex lives
/// at a fixed heap address for the life of the box (a `pthread_mutex_t` must not move), `value` is
/// private and touched only in `withLock`, between `pthread_mutex_lock` and `pthread_mutex_unlock`,
/// and what goes in or comes out is `sending`.
public final class Locked<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    /// A box holding `value`.
    public init(_ value: sending Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let status = pthread_mutex_init(mutex, nil)
        precondition(status == 0, "pthread_mutex_init failed: \(status)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with the value, holding the lock; `body` must not call `withLock` on the same box.
    public func withLock<Result, E: Error>(_ body: (inout sending Value) throws(E) -> sending Result) throws(E)
        -> sending Result
    {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
