import CustomUICore
import Foundation
import JSONSchema

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A request the test server received.
struct ReceivedRequest: Sendable {
    var method: String
    var path: String
    var headers: [(name: String, value: String)]
    var body: Data

    /// A header's value, matched case-insensitively.
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body as JSON.
    var json: Value? { try? JSONParser.parseValue(bytes: body) }

    /// Everything the server saw, as one string, for leak checks.
    var rawText: String {
        "\(method) \(path)\n" + headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n") + "\n"
            + String(decoding: body, as: UTF8.self)
    }
}

/// One step of a scripted response.
enum ResponseStep: Sendable {
    /// Writes bytes.
    case write(Data)
    /// Waits.
    case pause(milliseconds: Int)
    /// Waits until the gate opens (or 60 s pass).
    case wait(Gate)
    /// Stops responding until the server stops (or 60 s pass), to trip timeouts.
    case hang
}

/// A one-shot signal a test opens to let a scripted response continue.
final class Gate: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    func open() { semaphore.signal() }
    func wait() { _ = semaphore.wait(timeout: .now() + 60) }
}

/// A tiny HTTP/1.1 server on 127.0.0.1 for tests: one request per connection, scripted responses.
final class TestHTTPServer: @unchecked Sendable {
    typealias Handler = @Sendable (ReceivedRequest) -> [ResponseStep]

    let port: UInt16
    private let listener: Int32
    private let handler: Handler
    private let lock = NSLock()
    private var received: [ReceivedRequest] = []
    private var stopped = false
    private let stopSignal = DispatchSemaphore(value: 0)

    /// Starts a server answering every request with `handler`'s script.
    init(_ handler: @escaping Handler) throws {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError("socket failed") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw ServerError("bind or listen failed")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    /// The server's root URL.
    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// Every request received so far, in order.
    var requests: [ReceivedRequest] { lock.withLock { received } }

    /// Waits (briefly) until a request for `path` has arrived.
    func request(path: String, within seconds: Double = 30) async -> ReceivedRequest? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let found = requests.first(where: { $0.path == path }) { return found }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    /// Stops accepting and releases hanging responses.
    func stop() {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for _ in 0..<64 { stopSignal.signal() }
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func acceptLoop() {
        while !isStopped {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if isStopped { return }
                continue
            }
            let thread = Thread { [self] in serve(client) }
            thread.start()
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let request = readRequest(client) else { return }
        lock.withLock { received.append(request) }
        for step in handler(request) {
            switch step {
            case .write(let data):
                let ok = data.withUnsafeBytes { buffer -> Bool in
                    guard let base = buffer.baseAddress else { return true }
                    var sent = 0
                    while sent < buffer.count {
                        let n = send(client, base + sent, buffer.count - sent, Int32(MSG_NOSIGNAL))
                        if n <= 0 { return false }
                        sent += n
                    }
                    return true
                }
                if !ok { return }
            case .pause(let ms): usleep(useconds_t(ms * 1000))
            case .wait(let gate): gate.wait()
            case .hang: _ = stopSignal.wait(timeout: .now() + 60)
            }
        }
    }

    private func readRequest(_ client: Int32) -> ReceivedRequest? {
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        let separator: [UInt8] = [13, 10, 13, 10]
        var headerEnd: Int?
        while headerEnd == nil {
            let n = recv(client, &chunk, chunk.count, 0)
            if n <= 0 { return nil }
            buffer.append(contentsOf: chunk[0..<n])
            if buffer.count >= 4 {
                for i in 0...(buffer.count - 4) where Array(buffer[i..<(i + 4)]) == separator {
                    headerEnd = i
                    break
                }
            }
        }
        guard let end = headerEnd else { return nil }
        let head = String(decoding: buffer[0..<end], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(
                (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var request = ReceivedRequest(
            method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: Data())
        if request.header("Expect")?.lowercased() == "100-continue" {
            let reply = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
            _ = send(client, reply, reply.count, Int32(MSG_NOSIGNAL))
        }
        let length = Int(request.header("Content-Length") ?? "0") ?? 0
        var body = Array(buffer[(end + 4)...])
        while body.count < length {
            let n = recv(client, &chunk, chunk.count, 0)
            if n <= 0 { break }
            body.append(contentsOf: chunk[0..<n])
        }
        request.body = Data(body)
        return request
    }
}

struct ServerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Builders for scripted responses.
enum Reply {
    /// A status line and headers; `chunked` selects chunked transfer coding, otherwise the body runs until close.
    static func head(
        status: Int = 200, contentType: String = "application/x-ndjson", chunked: Bool = true,
        contentLength: Int? = nil, extra: [String: String] = [:]
    ) -> ResponseStep {
        var text =
            "HTTP/1.1 \(status) \(status == 200 ? "OK" : "Status")\r\nContent-Type: \(contentType)\r\nConnection: close\r\n"
        if chunked { text += "Transfer-Encoding: chunked\r\n" }
        if let contentLength { text += "Content-Length: \(contentLength)\r\n" }
        for (name, value) in extra.sorted(by: { $0.key < $1.key }) { text += "\(name): \(value)\r\n" }
        return .write(Data((text + "\r\n").utf8))
    }

    /// One chunk of a chunked body.
    static func chunk(_ text: String) -> ResponseStep { chunk(Data(text.utf8)) }

    /// One chunk of a chunked body.
    static func chunk(_ data: Data) -> ResponseStep {
        var out = Data(String(data.count, radix: 16).utf8)
        out.append(contentsOf: [13, 10])
        out.append(data)
        out.append(contentsOf: [13, 10])
        return .write(out)
    }

    /// The last chunk.
    static let lastChunk = ResponseStep.write(Data("0\r\n\r\n".utf8))

    /// A complete response with a JSON body and a length.
    static func json(status: Int, _ body: String, extra: [String: String] = [:]) -> [ResponseStep] {
        [
            head(
                status: status, contentType: "application/json", chunked: false, contentLength: body.utf8.count,
                extra: extra),
            .write(Data(body.utf8)),
        ]
    }

    /// A chunked NDJSON response: one chunk per line.
    static func ndjson(_ lines: [String], extra: [String: String] = [:]) -> [ResponseStep] {
        [head(extra: extra)] + lines.map { chunk($0 + "\n") } + [lastChunk]
    }
}

/// A loopback port with nothing listening, for connection-refused tests.
func closedPort() throws -> UInt16 {
    let server = try TestHTTPServer { _ in [] }
    let port = server.port
    server.stop()
    return port
}
