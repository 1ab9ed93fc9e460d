import CustomUICore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Hands signals to a Swift handler on a thread of its own, with no moment at which one is lost.
///
/// `install` sets a C handler with `sigaction` (one system call, so a signal arrives either before it
/// and has its default effect, or after it and is relayed); the handler only writes the signal's
/// number into a pipe, which is async-signal-safe, and the relay's thread reads the pipe and calls
/// `handler`. A signal that arrives before the thread reads is kept in the pipe. `SA_RESTART`
/// keeps the handler from interrupting the other threads' system calls.
///
/// The relay's thread unblocks the signals it relays, so they are delivered even when every other
/// thread blocks them (a process started from a dispatch worker thread inherits a mask that blocks
/// them all). Until it has, a signal stays pending, not lost, as the handler is already in place.
///
/// (A dispatch signal source had a window: its signal must be ignored first, which also discards
/// one already pending, and the source takes over only once the dispatch manager thread has
/// registered it, some time after `resume()`; a signal in between was lost.)
///
/// One relay at a time per process: `install` replaces the handler, `uninstall` restores each
/// signal's default action, so a signal after it has its default effect.
enum SignalRelay {
    /// The pipe's write end, set once before the first handler is installed (so the C handler
    /// reads an initialised global and does nothing else).
    nonisolated(unsafe) private static var writeEnd: Int32 = -1
    private static let current = Locked<(@Sendable (Int32) -> Void)?>(nil)
    /// Whether the thread runs, and the signals it is to unblock.
    private static let state = Locked<(started: Bool, signals: Set<Int32>)>((false, []))
    /// Written into the pipe to make the thread unblock `state.signals` (no signal is numbered 0).
    private static let unblock: UInt8 = 0

    /// Relays `signals` to `handler` until `uninstall`.
    static func install(_ signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) {
        current.withLock { $0 = handler }
        let first = state.withLock { state in
            defer { state.started = true }
            state.signals.formUnion(signals)
            return !state.started
        }
        if first { start() }
        // Without the pipe (no file descriptors left) the signals keep their default action.
        guard writeEnd >= 0 else { return }
        for number in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                let saved = errno
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(SignalRelay.writeEnd, &byte, 1)
                errno = saved
            }
            action.sa_flags = SA_RESTART
            sigemptyset(&action.sa_mask)
            sigaction(number, &action, nil)
        }
        var byte = unblock
        _ = write(writeEnd, &byte, 1)
    }

    /// Gives `signals` back their default action; relayed signals not yet handled are dropped.
    static func uninstall(_ signals: [Int32]) {
        for number in signals { signal(number, SIG_DFL) }
        current.withLock { $0 = nil }
    }

    /// Makes the pipe and starts the thread that reads it (once per process).
    private static func start() {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        // A full pipe (thousands of signals not yet read) drops the signal rather than blocking the handler.
        _ = fcntl(ends[1], F_SETFL, fcntl(ends[1], F_GETFL) | O_NONBLOCK)
        writeEnd = ends[1]
        let readEnd = ends[0]
        let thread = Thread {
            var byte: UInt8 = 0
            while true {
                let count = read(readEnd, &byte, 1)
                if count < 0, errno == EINTR { continue }
                guard count == 1 else { return }
                if byte == unblock {
                    var set = sigset_t()
                    sigemptyset(&set)
                    for number in state.withLock({ $0.signals }) { sigaddset(&set, number) }
                    pthread_sigmask(SIG_UNBLOCK, &set, nil)
                } else {
                    current.withLock { $0 }?(Int32(byte))
                }
            }
        }
        thread.name = "customui signals"
        thread.start()
    }
}
