internal import CMicroHTTPD
import Foundation

/// One HTTP request as the server's handler sees it: the whole body read (within the limit).
public struct HTTPRequest: Sendable {
    /// `GET`, `POST`, …
    public var method: String
    /// The path, percent-decoded by libmicrohttpd, without the query.
    public var path: String
    /// Query arguments in order.
    public var query: [(name: String, value: String)]
    /// Headers by lowercased name (the last value of a repeated header).
    public var headers: [String: String]
    /// The body (empty for GET).
    public var body: [UInt8]

    /// A request from its parts (tests build requests without a socket).
    public init(
        method: String, path: String, query: [(name: String, value: String)] = [], headers: [String: String] = [:],
        body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The first query argument named `name`.
    public func queryValue(_ name: String) -> String? { query.first { $0.name == name }?.value }
}

/// What the handler answers: a status, headers and a body, whole or streamed.
public struct HTTPResponse: Sendable {
    /// A response body.
    public enum Body: Sendable {
        /// The whole body.
        case bytes([UInt8])
        /// Written later, as it is produced (chunked).
        case stream(ResponseStream)
    }

    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Body

    /// A response from its parts.
    public init(status: Int, headers: [(name: String, value: String)] = [], body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A whole text body with its content type.
    public init(status: Int, contentType: String, text: String, headers: [(name: String, value: String)] = []) {
        self.init(status: status, headers: [("Content-Type", contentType)] + headers, body: .bytes(Array(text.utf8)))
    }
}

/// Limits the server enforces before a handler sees a request.
public struct HTTPLimits: Sendable {
    /// Largest request body; larger ones get 413 without being read.
    public var maxBodyBytes: Int = 256 << 10
    /// Largest request header section: every header line's name, `: `, value and line end
    /// counted (larger ones get 431 naming the limit).
    public var maxHeaderBytes: Int = 32 << 10
    /// Memory per connection for the request line and headers (libmicrohttpd's pool; raised to
    /// hold `maxHeaderBytes` with room to spare, so the limit above is the one a client meets).
    public var connectionMemory: Int = 64 << 10
    /// Open connections at most (SSE streams count).
    public var maxConnections: Int = 512
    /// Seconds of silence before an idle connection is closed (streams are kept alive by heartbeats).
    public var idleTimeoutSeconds: Int = 60
    /// Threads polling sockets (libmicrohttpd's pool); handlers must not block them.
    public var threads: Int = 2

    /// The defaults.
    public init() {}

    /// The most `--max-body-bytes` may be set to.
    public static let bodyCeiling = 16 << 20
    /// The most `--max-header-bytes` may be set to.
    public static let headerCeiling = 256 << 10
    /// The most `--max-connections` may be set to.
    public static let connectionCeiling = 4096

    /// The connection memory libmicrohttpd gets: enough for the largest header section allowed.
    var effectiveConnectionMemory: Int { max(connectionMemory, maxHeaderBytes * 2 + (16 << 10)) }
}

/// An error starting the server.
public struct HTTPServerError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// An HTTP/1.1 server on GNU libmicrohttpd (see docs/decisions/server-threading.md): an internal
/// pool of polling threads (epoll), handlers called on them, streamed bodies written through
/// suspended connections so an idle stream holds no thread.
///
/// `@unchecked Sendable` because it wraps libmicrohttpd's daemon handle (a C pointer, which Swift
/// cannot check): the handle is set in `start` and cleared in `stop`, both under `lock`, and
/// libmicrohttpd itself is thread-safe for the calls made on it from other threads.
public final class HTTPServer: @unchecked Sendable {
    /// Handles a complete request on a polling thread; must return quickly (start long work elsewhere).
    public typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse

    // The daemon handle: set once in `start`, cleared in `stop` (both under `lock`).
    private var daemon: OpaquePointer?
    private let handler: Handler
    private let limits: HTTPLimits
    private let lock = NSLock()
    private var streams: [ObjectIdentifier: ResponseStream] = [:]
    private var heartbeat: DispatchSourceTimer?
    /// The port bound (the kernel's choice when 0 was asked for).
    public private(set) var port: Int = 0

    /// A server that will answer with `handler`.
    public init(limits: HTTPLimits = HTTPLimits(), handler: @escaping Handler) {
        self.limits = limits
        self.handler = handler
    }

    deinit { stop() }

    /// Binds `host` (an IPv4 or IPv6 literal) and `port` (0: any free port) and starts serving.
    public func start(host: String, port: Int) throws(HTTPServerError) {
        var flags = MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_AUTO.rawValue | MHD_ALLOW_SUSPEND_RESUME.rawValue
        let cls = Unmanaged.passUnretained(self).toOpaque()
        let pool = UInt32(max(1, limits.threads))
        var started: OpaquePointer?
        if host.contains(":") {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(port).bigEndian)
            guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else {
                throw HTTPServerError(description: "`\(host)` is not an IP address")
            }
            flags |= MHD_USE_IPv6.rawValue
            started = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    start(flags: flags, address: $0, cls: cls, pool: pool)
                }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
                throw HTTPServerError(description: "`\(host)` is not an IP address")
            }
            started = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    start(flags: flags, address: $0, cls: cls, pool: pool)
                }
            }
        }
        guard let started else {
            throw HTTPServerError(
                description: "cannot listen on \(host):\(port) (in use, or not an address of this machine)")
        }
        lock.lock()
        daemon = started
        self.port = Int(cui_mhd_bound_port(started))
        lock.unlock()
        // Heartbeats keep idle streams open through proxies and find closed tabs: a suspended
        // connection does not notice its client leaving until something is written to it.
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + .seconds(5), repeating: .seconds(5))
        timer.setEventHandler { [weak self] in self?.beat() }
        timer.resume()
        heartbeat = timer
    }

    private func start(flags: UInt32, address: UnsafePointer<sockaddr>, cls: UnsafeMutableRawPointer, pool: UInt32)
        -> OpaquePointer?
    {
        cui_mhd_start(
            flags, address, accessHandler, cls, completedHandler, UInt32(limits.maxConnections),
            UInt32(limits.idleTimeoutSeconds),
            limits.effectiveConnectionMemory, pool)
    }

    /// Ends every stream and stops the daemon (suspended connections are resumed first, as libmicrohttpd requires).
    public func stop() {
        heartbeat?.cancel()
        heartbeat = nil
        lock.lock()
        let open = Array(streams.values)
        let running = daemon
        daemon = nil
        lock.unlock()
        guard let running else { return }
        for stream in open { stream.close() }
        // Give the polling threads a moment to write the streams' ends before the sockets close.
        if !open.isEmpty { usleep(50_000) }
        MHD_stop_daemon(running)
    }

    /// How many streamed responses are open.
    public var openStreams: Int {
        lock.lock()
        defer { lock.unlock() }
        return streams.count
    }

    private func beat() {
        lock.lock()
        let open = Array(streams.values)
        lock.unlock()
        for stream in open { stream.heartbeat() }
    }

    fileprivate func register(_ stream: ResponseStream) {
        lock.lock()
        streams[ObjectIdentifier(stream)] = stream
        lock.unlock()
    }

    fileprivate func unregister(_ stream: ResponseStream) {
        lock.lock()
        streams[ObjectIdentifier(stream)] = nil
        lock.unlock()
    }

    /// The state of one request between libmicrohttpd's calls: headers read, body growing.
    fileprivate final class PendingRequest {
        var request: HTTPRequest
        var tooLarge = false
        init(request: HTTPRequest) { self.request = request }
    }

    fileprivate func handle(
        _ connection: OpaquePointer, url: String, method: String, upload: UnsafePointer<CChar>?,
        uploadSize: UnsafeMutablePointer<Int>,
        state: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    ) -> MHD_Result {
        guard let raw = state.pointee else {
            // First call: headers are complete, the body (if any) follows.
            var request = HTTPRequest(method: method, path: url)
            let headers = Self.values(connection, CUI_MHD_HEADER_KIND, lowercase: true)
            let headerBytes = headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
            if headerBytes > limits.maxHeaderBytes {
                return queue(
                    connection,
                    Pages.plainError(
                        431,
                        "the request headers are larger than \(limits.maxHeaderBytes) bytes (the server's --max-header-bytes)"
                    ))
            }
            request.headers = headers.reduce(into: [:]) { $0[$1.name] = $1.value }
            request.query = Self.values(connection, CUI_MHD_GET_ARGUMENT_KIND, lowercase: false)
            if let length = request.headers["content-length"].flatMap(Int.init), length > limits.maxBodyBytes {
                return queue(
                    connection,
                    Pages.plainError(
                        413,
                        "the request body is larger than \(limits.maxBodyBytes) bytes (the server's --max-body-bytes)"))
            }
            state.pointee = Unmanaged.passRetained(PendingRequest(request: request)).toOpaque()
            return CUI_MHD_YES
        }
        let pending = Unmanaged<PendingRequest>.fromOpaque(raw).takeUnretainedValue()
        if uploadSize.pointee > 0 {
            if let upload, !pending.tooLarge {
                if pending.request.body.count + uploadSize.pointee > limits.maxBodyBytes {
                    pending.tooLarge = true
                    pending.request.body = []
                } else {
                    upload.withMemoryRebound(to: UInt8.self, capacity: uploadSize.pointee) {
                        pending.request.body.append(
                            contentsOf: UnsafeBufferPointer(start: $0, count: uploadSize.pointee))
                    }
                }
            }
            uploadSize.pointee = 0
            return CUI_MHD_YES
        }
        if pending.tooLarge {
            return queue(
                connection,
                Pages.plainError(
                    413, "the request body is larger than \(limits.maxBodyBytes) bytes (the server's --max-body-bytes)")
            )
        }
        return queue(connection, handler(pending.request))
    }

    fileprivate func completed(_ state: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) {
        guard let state, let raw = state.pointee else { return }
        Unmanaged<PendingRequest>.fromOpaque(raw).release()
        state.pointee = nil
    }

    private func queue(_ connection: OpaquePointer, _ response: HTTPResponse) -> MHD_Result {
        let mhd: OpaquePointer?
        switch response.body {
        case .bytes(let bytes):
            mhd = bytes.withUnsafeBytes { buffer in
                MHD_create_response_from_buffer(
                    buffer.count, UnsafeMutableRawPointer(mutating: buffer.baseAddress), CUI_MHD_RESPMEM_MUST_COPY)
            }
        case .stream(let stream):
            stream.attach(connection: connection, server: self)
            register(stream)
            mhd = MHD_create_response_from_callback(
                CUI_MHD_SIZE_UNKNOWN, 16 << 10, streamReader, Unmanaged.passRetained(stream).toOpaque(), streamFreed)
        }
        guard let mhd else { return CUI_MHD_NO }
        for (name, value) in response.headers { _ = MHD_add_response_header(mhd, name, value) }
        let result = MHD_queue_response(connection, UInt32(response.status), mhd)
        MHD_destroy_response(mhd)
        return result
    }

    private static func values(_ connection: OpaquePointer, _ kind: MHD_ValueKind, lowercase: Bool) -> [(
        name: String, value: String
    )] {
        final class Box {
            var items: [(name: String, value: String)] = []
            var lowercase = false
        }
        let box = Box()
        box.lowercase = lowercase
        _ = MHD_get_connection_values(
            connection, kind,
            { cls, _, key, value in
                guard let cls, let key else { return CUI_MHD_YES }
                let box = Unmanaged<Box>.fromOpaque(cls).takeUnretainedValue()
                let name = String(cString: key)
                box.items.append((box.lowercase ? name.lowercased() : name, value.map { String(cString: $0) } ?? ""))
                return CUI_MHD_YES
            }, Unmanaged.passUnretained(box).toOpaque())
        return box.items
    }
}

private let accessHandler: MHD_AccessHandlerCallback = { cls, connection, url, method, _, upload, uploadSize, state in
    guard let cls, let connection, let uploadSize, let state else { return CUI_MHD_NO }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
    return server.handle(
        connection, url: url.map { String(cString: $0) } ?? "/", method: method.map { String(cString: $0) } ?? "GET",
        upload: upload,
        uploadSize: uploadSize, state: state)
}

private let completedHandler: MHD_RequestCompletedCallback = { cls, _, state, _ in
    guard let cls else { return }
    Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue().completed(state)
}

private let streamReader: MHD_ContentReaderCallback = { cls, _, buffer, max in
    guard let cls, let buffer else { return -2 }
    return Unmanaged<ResponseStream>.fromOpaque(cls).takeUnretainedValue().read(into: buffer, max: max)
}

private let streamFreed: MHD_ContentReaderFreeCallback = { cls in
    guard let cls else { return }
    let stream = Unmanaged<ResponseStream>.fromOpaque(cls).takeRetainedValue()
    stream.detach()
}

/// A write that may be merged with the one before it while both wait to be sent (a slow client
/// gets one slot patch for several, not a queue of them).
public protocol CoalescingWrite: Sendable {
    /// This write merged after `earlier` (written before it and not yet sent), or nil when the two
    /// cannot be merged (the earlier one is then sent first, as it is).
    func merged(after earlier: any CoalescingWrite) -> (any CoalescingWrite)?
    /// The bytes to send.
    func encoded() -> [UInt8]
}

/// A response body written as it is produced (SSE events, a page streamed as chunked HTML).
///
/// Writers append from any thread; libmicrohttpd reads on its polling thread. When nothing is
/// waiting the connection is suspended (no thread is held, nothing polls) and the next write
/// resumes it. `onDisconnect` runs once when the connection ends, whether the body was closed
/// or the client went away.
///
/// `@unchecked Sendable` because it holds libmicrohttpd's connection handle (a C pointer, which
/// Swift cannot check): every field, the handle included, is read and written under `lock`, and
/// `MHD_resume_connection` may be called from any thread.
public final class ResponseStream: @unchecked Sendable {
    // Every field below is guarded by `lock`; `connection` is a libmicrohttpd handle, used only
    // for suspend and resume while the response is alive.
    private let lock = NSLock()
    private var buffer: [UInt8] = []
    private var sent = 0
    /// The last write, when it may still merge with the next (encoded into `buffer` when another
    /// write comes that it cannot merge with, or when the connection reads).
    private var pending: (any CoalescingWrite)?
    /// How many writes were merged into an earlier one.
    public private(set) var coalesced = 0
    private var closed = false
    private var suspended = false
    private var connection: OpaquePointer?
    private weak var server: HTTPServer?
    private var disconnectHandlers: [@Sendable () -> Void] = []
    private var ended = false
    /// What a heartbeat writes (an SSE comment by default).
    public let heartbeatBytes: [UInt8]
    /// Bytes written so far.
    public private(set) var bytesWritten = 0
    /// Called after each write with the bytes written (the benchmark times patches leaving the server with it).
    public var onWrite: (@Sendable (Int) -> Void)?

    /// A stream; `heartbeat` is written every few seconds while it is open and idle (empty: none).
    public init(heartbeat: String = ": keep-alive\n\n") {
        heartbeatBytes = Array(heartbeat.utf8)
    }

    /// Runs `handler` once when the connection ends (at once if it already has).
    public func onDisconnect(_ handler: @escaping @Sendable () -> Void) {
        lock.lock()
        if ended {
            lock.unlock()
            handler()
            return
        }
        disconnectHandlers.append(handler)
        lock.unlock()
    }

    /// Whether the connection has ended.
    public var isEnded: Bool {
        lock.lock()
        defer { lock.unlock() }
        return ended
    }

    /// Appends text to send.
    public func write(_ text: String) { write(Array(text.utf8)) }

    /// Appends bytes to send.
    public func write(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        lock.lock()
        guard !closed, !ended else {
            lock.unlock()
            return
        }
        flushPending()
        buffer.append(contentsOf: bytes)
        bytesWritten += bytes.count
        wake()
        let observer = onWrite
        lock.unlock()
        observer?(bytes.count)
    }

    /// Appends a write that merges with the one before it if that one is still waiting.
    public func write(coalescing item: any CoalescingWrite) {
        lock.lock()
        guard !closed, !ended else {
            lock.unlock()
            return
        }
        if let earlier = pending, let merged = item.merged(after: earlier) {
            pending = merged
            coalesced += 1
        } else {
            flushPending()
            pending = item
        }
        wake()
        let observer = onWrite
        lock.unlock()
        observer?(0)
    }

    /// Encodes the waiting mergeable write into the buffer (lock held).
    private func flushPending() {
        guard let item = pending else { return }
        pending = nil
        let bytes = item.encoded()
        buffer.append(contentsOf: bytes)
        bytesWritten += bytes.count
    }

    /// Ends the body after what was written.
    public func close() {
        lock.lock()
        closed = true
        wake()
        lock.unlock()
    }

    func heartbeat() {
        guard !heartbeatBytes.isEmpty else { return }
        lock.lock()
        if !closed, !ended, buffer.count == sent, pending == nil {
            buffer.append(contentsOf: heartbeatBytes)
            wake()
        }
        lock.unlock()
    }

    /// Takes what is buffered and not yet sent (for a stream with no connection: tests, benchmarks).
    func drain() -> String {
        lock.lock()
        defer { lock.unlock() }
        flushPending()
        let text = String(decoding: buffer[sent...], as: UTF8.self)
        buffer.removeAll()
        sent = 0
        return text
    }

    /// Resumes a suspended connection (lock held).
    private func wake() {
        if suspended, let connection {
            suspended = false
            MHD_resume_connection(connection)
        }
    }

    fileprivate func attach(connection: OpaquePointer, server: HTTPServer) {
        lock.lock()
        self.connection = connection
        self.server = server
        lock.unlock()
    }

    fileprivate func read(into out: UnsafeMutablePointer<CChar>, max: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        if buffer.count == sent { flushPending() }
        let waiting = buffer.count - sent
        if waiting > 0 {
            let n = min(waiting, max)
            buffer.withUnsafeBufferPointer { source in
                out.withMemoryRebound(to: UInt8.self, capacity: n) {
                    $0.update(from: source.baseAddress! + sent, count: n)
                }
            }
            sent += n
            if sent == buffer.count {
                buffer.removeAll(keepingCapacity: buffer.count < 1 << 16)
                sent = 0
            }
            return n
        }
        if closed { return -1 }
        // Nothing to send: park the connection until the next write.
        if let connection {
            suspended = true
            MHD_suspend_connection(connection)
        }
        return 0
    }

    fileprivate func detach() {
        lock.lock()
        ended = true
        connection = nil
        suspended = false
        let handlers = disconnectHandlers
        disconnectHandlers = []
        let server = self.server
        lock.unlock()
        server?.unregister(self)
        for handler in handlers { handler() }
    }
}
