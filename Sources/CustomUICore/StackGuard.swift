#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How much of the current thread's stack is left, for recursive evaluators whose depth budget
/// alone cannot know the size of their frames: an AddressSanitizer build makes a frame several
/// times larger, and threads differ in stack size (8 MiB for the main thread, less for others).
///
/// Reading the thread's stack bounds costs a system call (for the main thread, a read of
/// `/proc/self/maps`), so an evaluator makes a guard only once its recursion is deep (`deepEnough`),
/// and then compares addresses, which costs nothing.
public struct StackGuard: Sendable {
    /// Recursion shallower than this never makes a guard.
    public static let deepEnough = 48
    /// The stack left when `isExhausted` turns true: room for the error to be built and reported.
    public static let reserve = 256 << 10

    private let floor: UInt

    #if canImport(Glibc)
        /// glibc's `pthread_getattr_np` (a GNU extension the Glibc module does not declare).
        private typealias GetAttributes = @convention(c) (pthread_t, UnsafeMutablePointer<pthread_attr_t>) -> Int32
        private static let getAttributes: GetAttributes? = dlsym(nil, "pthread_getattr_np").map {
            unsafeBitCast($0, to: GetAttributes.self)
        }
    #endif

    /// A guard for the calling thread.
    public init() {
        var low: UInt = 0
        #if canImport(Glibc)
            var attributes = pthread_attr_t()
            if let getAttributes = Self.getAttributes, getAttributes(pthread_self(), &attributes) == 0 {
                var address: UnsafeMutableRawPointer?
                var size = 0
                if pthread_attr_getstack(&attributes, &address, &size) == 0, let address {
                    low = UInt(bitPattern: address)
                }
                pthread_attr_destroy(&attributes)
            }
        #endif
        floor = low == 0 ? 0 : low + UInt(Self.reserve)
    }

    /// Whether the stack below the caller is within `reserve` of its end.
    @inline(never)
    public func isExhausted() -> Bool {
        guard floor != 0 else { return false }
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) } < floor
    }
}
