#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How much of the current thread's stack is left, for recursive evaluators whose depth budget
/// alone cannot know the size of their frames: an AddressSanitizer build makes a frame several
/// times larger, and threads differ in stack size (8 MiB for the main thread, less for others).
///
/// A guard remembers where on the stack it was made (the start of an evaluation); it reads the
/// thread's stack bounds (a system call; for the main thread, a read of `/proc/self/maps`) only
/// once the evaluation has used `armAfter` bytes of stack. Until then a check is one comparison.
public struct StackGuard: Sendable {
    /// Stack an evaluation may use before the guard reads the thread's bounds.
    public static let armAfter: UInt = 32 << 10
    /// The stack left when `isExhausted` turns true: room for the error to be built and reported.
    public static let reserve: UInt = 128 << 10

    private let entry: UInt
    private var floor: UInt?

    /// A guard for an evaluation starting here, on the calling thread.
    public init() {
        entry = Self.here()
    }

    /// Whether the stack below the caller is within `reserve` of its end.
    public mutating func isExhausted() -> Bool {
        let here = Self.here()
        if floor == nil {
            guard entry > here, entry - here > Self.armAfter else { return false }
            floor = Self.stackFloor()
        }
        guard let floor, floor != 0 else { return false }
        return here < floor
    }

    @inline(never)
    private static func here() -> UInt {
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }

    /// The lowest address the thread's stack may use plus `reserve`, or 0 when unknown.
    private static func stackFloor() -> UInt {
        var low: UInt = 0
        #if canImport(Glibc)
            var attributes = pthread_attr_t()
            if let getAttributes, getAttributes(pthread_self(), &attributes) == 0 {
                var address: UnsafeMutableRawPointer?
                var size = 0
                if pthread_attr_getstack(&attributes, &address, &size) == 0, let address {
                    low = UInt(bitPattern: address)
                }
                pthread_attr_destroy(&attributes)
            }
        #endif
        return low == 0 ? 0 : low + reserve
    }

    #if canImport(Glibc)
        /// glibc's `pthread_getattr_np` (a GNU extension the Glibc module does not declare).
        private typealias GetAttributes = @convention(c) (pthread_t, UnsafeMutablePointer<pthread_attr_t>) -> Int32
        private static let getAttributes: GetAttributes? = dlsym(nil, "pthread_getattr_np").map {
            unsafeBitCast($0, to: GetAttributes.self)
        }
    #endif
}
