import CustomUICore
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One streaming HTTP request: a URLSession of its own whose data delegate hands each received buffer
/// to the framer and yields the events at once, an inactivity watchdog, and fault mapping.
///
/// The session retains this object as its delegate until it is invalidated; every way a call ends
/// invalidates it, which breaks that cycle.
final class HTTPStreamCall: NSObject, URLSessionDataDelegate, Sendable {
    /// What changes as the call runs; the watchdog, `cancel` and the delegate queue all reach it.
    private struct State {
        var continuation: AsyncThrowingStream<StreamEvent, Error>.Continuation?
        var session: URLSession?
        var task: URLSessionDataTask?
        var watchdog: Task<Void, Never>?
        var status: Int?
        var errorBody = Data()
        var finished = false
        /// The consumer's stream was ended by a cancel while the request id is still awaited.
        var detached = false
        var sawResponse = false
        var lastActivity = ContinuousClock.now
        var knownRequestID: String?
        var retryAfter: String?
    }
    private let state = Locked(State())
    /// Only the delegate queue (serial) decodes, so this lock is never contended; it is what lets the
    /// compiler check that.
    private let framer: Locked<any EventFramer>
    private let timeout: Duration
    private let token: String?
    private let tokenVariable: String
    private let onFinish: @Sendable (HTTPStreamCall) -> Void

    init(
        framer: any EventFramer, timeout: Duration, token: String?,
        tokenVariable: String = TransportConfiguration.defaultTokenVariable,
        onFinish: @escaping @Sendable (HTTPStreamCall) -> Void
    ) {
        self.framer = Locked(framer)
        self.tokenVariable = tokenVariable
        self.timeout = timeout
        self.token = token
        self.onFinish = onFinish
    }

    /// The server's request id: the `X-Request-ID` response header, else the first event carrying `request_id`.
    var requestID: String? {
        state.withLock { $0.knownRequestID }
    }

    func start(_ request: URLRequest, continuation: AsyncThrowingStream<StreamEvent, Error>.Continuation) {
        let configuration = URLSessionConfiguration.ephemeral
        // URLSession's own timeout is a backstop only; the watchdog below resets on events.
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        configuration.timeoutIntervalForRequest = seconds + 30
        configuration.timeoutIntervalForResource = 7 * 24 * 3600
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: self, delegateQueue: queue)
        let task = session.dataTask(with: request)
        state.withLock { state in
            state.continuation = continuation
            state.session = session
            state.task = task
            state.lastActivity = .now
        }
        let timeout = self.timeout
        let watchdog = Task { [weak self] in
            var deadline = ContinuousClock.now + timeout
            while !Task.isCancelled {
                try? await Task.sleep(until: deadline, clock: .continuous)
                guard let self, !Task.isCancelled else { return }
                let last = self.state.withLock { $0.lastActivity }
                if ContinuousClock.now - last >= timeout {
                    self.fail(
                        StreamFailure(
                            .timeout,
                            "nothing arrived from the server for \(Self.seconds(timeout)) (the inactivity timeout)"))
                    return
                }
                deadline = last + timeout
            }
        }
        state.withLock { $0.watchdog = watchdog }
        task.resume()
    }

    /// Ends the call with `failure` unless it already ended; returns whether this call ended it.
    @discardableResult
    func fail(_ failure: StreamFailure) -> Bool {
        guard let continuation = close() else { return false }
        continuation.finish(throwing: failure.redacting(token))
        return true
    }

    private func succeed() {
        close()?.finish()
    }

    /// Cancels the call: the consumer's stream ends with `failure` at once. When the server's request
    /// id is not known yet (no `X-Request-ID`, no event naming it), the response goes on being read
    /// for at most `limit` to learn it, so that the cancel request can name the request; then the
    /// connection closes. Returns whether this call was running, and the id.
    func cancel(_ failure: StreamFailure, awaitingIDFor limit: Duration) async -> (ended: Bool, id: String?) {
        enum Step {
            case over
            case now(String?)
            case awaiting(AsyncThrowingStream<StreamEvent, Error>.Continuation)
        }
        let step: Step = state.withLock { state in
            guard !state.finished, !state.detached, let continuation = state.continuation else { return .over }
            if state.knownRequestID != nil || limit <= .zero { return .now(state.knownRequestID) }
            state.detached = true
            state.continuation = nil
            return .awaiting(continuation)
        }
        switch step {
        case .over:
            return (false, nil)
        case .now(let id):
            return (fail(failure), id)
        case .awaiting(let continuation):
            continuation.finish(throwing: failure.redacting(token))
            let deadline = ContinuousClock.now + limit
            while ContinuousClock.now < deadline {
                let (id, over) = state.withLock { ($0.knownRequestID, $0.finished) }
                if id != nil || over { break }
                try? await Task.sleep(for: .milliseconds(10))
            }
            _ = close()
            return (true, requestID)
        }
    }

    /// Marks the call finished and releases the session, returning the continuation (nil once a cancel
    /// has ended the consumer's stream) to finish outside the lock.
    private func close() -> AsyncThrowingStream<StreamEvent, Error>.Continuation? {
        let (wasOpen, continuation, session, watchdog):
            (Bool, AsyncThrowingStream<StreamEvent, Error>.Continuation?, URLSession?, Task<Void, Never>?) =
                state.withLock { state in
                    guard !state.finished else { return (false, nil, nil, nil) }
                    state.finished = true
                    defer {
                        state.continuation = nil
                        state.session = nil
                        state.task = nil
                        state.watchdog = nil
                    }
                    return (true, state.continuation, state.session, state.watchdog)
                }
        guard wasOpen else { return nil }
        watchdog?.cancel()
        session?.invalidateAndCancel()
        onFinish(self)
        return continuation
    }

    // MARK: URLSessionDataDelegate

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        let http = response as? HTTPURLResponse
        state.withLock { state in
            state.sawResponse = true
            state.status = http?.statusCode
            if let id = http?.value(forHTTPHeaderField: "X-Request-ID"), !id.isEmpty { state.knownRequestID = id }
            state.retryAfter = http?.value(forHTTPHeaderField: "Retry-After")
            state.lastActivity = .now
        }
        completionHandler(.allow)
    }

    /// Redirects are refused: following one would carry the bearer token to wherever it points, and a
    /// POST turned into a GET is not the request the user made. The 3xx response becomes an HTTP error.
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let (ok, continuation, detached): (Bool, AsyncThrowingStream<StreamEvent, Error>.Continuation?, Bool) =
            state.withLock { state in
                guard !state.finished else { return (true, nil, false) }
                // Any bytes are activity: SSE comments and blank keep-alive lines are how servers say
                // they are still thinking, and they reset the inactivity timeout like events do.
                state.lastActivity = .now
                if let status = state.status, !(200..<300).contains(status) {
                    if state.errorBody.count < 64 << 10 {
                        state.errorBody.append(data.prefix((64 << 10) - state.errorBody.count))
                    }
                    return (false, nil, false)
                }
                return (true, state.continuation, state.detached)
            }
        guard ok else { return }
        if detached {
            // Cancelled before the request id was known: read on only to learn it.
            let (events, _) = framer.withLock { $0.feed(data) }
            let id = events.lazy.compactMap(Self.requestID(in:)).first
            if let id { state.withLock { if $0.knownRequestID == nil { $0.knownRequestID = id } } }
            return
        }
        guard let continuation else { return }
        let (events, failure) = framer.withLock { $0.feed(data) }
        deliver(events, failure, to: continuation)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        let (done, status, sawResponse, body, retryAfter) = state.withLock {
            ($0.finished, $0.status, $0.sawResponse, $0.errorBody, $0.retryAfter)
        }
        guard !done else { return }
        if let error {
            fail(Self.failure(for: error, afterResponse: sawResponse))
            return
        }
        if let status, !(200..<300).contains(status) {
            fail(
                httpFailure(
                    status: status, body: body, retryAfter: retryAfter, tokenVariable: tokenVariable,
                    hasToken: token != nil))
            return
        }
        guard let continuation = state.withLock({ $0.continuation }) else { return }
        let (events, failure) = framer.withLock { $0.finish() }
        if deliver(events, failure, to: continuation) { return }
        fail(StreamFailure(.missingEnd, "the stream ended without an `end` event"))
    }

    /// Yields events up to `end` or `failure`; returns whether the call ended.
    @discardableResult
    private func deliver(
        _ events: [StreamEvent], _ failure: StreamFailure?,
        to continuation: AsyncThrowingStream<StreamEvent, Error>.Continuation
    ) -> Bool {
        if !events.isEmpty {
            state.withLock { state in
                state.lastActivity = .now
                if state.knownRequestID == nil {
                    for event in events {
                        if let id = Self.requestID(in: event) {
                            state.knownRequestID = id
                            break
                        }
                    }
                }
            }
        }
        for event in events {
            switch event {
            case .error(let serverError): continuation.yield(.error(serverError.redacting(token)))
            default: continuation.yield(event)
            }
            if case .end = event {
                succeed()
                return true
            }
        }
        if let failure {
            fail(failure)
            return true
        }
        return false
    }

    /// `120 s`, `200 ms`: a timeout as people write it.
    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 { return "\(seconds) s" }
        return "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000) ms"
    }

    static func requestID(in event: StreamEvent) -> String? {
        let payload = event.payload
        return payload["request_id"]?.stringValue ?? payload["metadata"]?["request_id"]?.stringValue
    }

    static func failure(for error: Error, afterResponse: Bool) -> StreamFailure {
        let code = (error as? URLError)?.code
        switch code {
        case .cancelled?: return StreamFailure(.cancelled, "the request was cancelled")
        case .timedOut?: return StreamFailure(.timeout, "the request timed out")
        case .cannotConnectToHost?:
            return StreamFailure(.connectionRefused, "could not connect to the server (connection refused)")
        default:
            if afterResponse {
                return StreamFailure(
                    .connectionLost, "the connection was lost mid-stream: \(error.localizedDescription)")
            }
            if code == .networkConnectionLost {
                return StreamFailure(.connectionLost, "the connection was closed before a response arrived")
            }
            return StreamFailure(.transport, "the request failed: \(error.localizedDescription)")
        }
    }
}

/// The calls a transport has running, so `cancel()` can reach them.
final class CallRegistry: Sendable {
    private let calls = Locked<[ObjectIdentifier: HTTPStreamCall]>([:])

    func add(_ call: HTTPStreamCall) { calls.withLock { $0[ObjectIdentifier(call)] = call } }
    func remove(_ call: HTTPStreamCall) { calls.withLock { _ = $0.removeValue(forKey: ObjectIdentifier(call)) } }
    func all() -> [HTTPStreamCall] { calls.withLock { Array($0.values) } }
    var count: Int { calls.withLock { $0.count } }
}
