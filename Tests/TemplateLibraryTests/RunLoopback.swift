import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A request the loopback server received.
struct LoopbackRequest: Sendable {
    var method: String
    var path: String
    var headers: [String: String]
    var body: Data

    /// A header's value (names are kept lowercased).
    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// One step of a scripted response.
enum LoopbackStep: Sendable {
    case write(Data)
    case pause(milliseconds: Int)
}

/// A small HTTP/1.1 server on 127.0.0.1 for driving `customui run` end to end: one request per
/// connection, answered by a script. A write the client no longer reads (it hung up) ends the script.
/// The server stops when it is stopped or dropped: its threads hold only its `Connections`, so a
/// test's server is freed with the test (nothing of it is left alive at exit for LeakSanitizer).
final class LoopbackServer: Sendable {
    typealias Handler = @Sendable (LoopbackRequest) -> [LoopbackStep]

    let port: UInt16
    private let connections: Connections

    init(_ handler: @escaping Handler) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LoopbackError("socket failed") }
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
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw LoopbackError("bind or listen failed")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        let connections = Connections(listener: fd, handler: handler)
        self.connections = connections
        Thread { connections.acceptLoop() }.start()
    }

    deinit { connections.stop() }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far, in order.
    var requests: [LoopbackRequest] { connections.requests }

    /// The requests for paths starting with `prefix`.
    func requests(prefix: String) -> [LoopbackRequest] { requests.filter { $0.path.hasPrefix(prefix) } }

    func stop() { connections.stop() }
}

/// The listening socket, the script and what was received: what the server's threads share.
private final class Connections: @unchecked Sendable {
    private let listener: Int32
    private let handler: LoopbackServer.Handler
    private let lock = NSLock()
    private var received: [LoopbackRequest] = []
    private var stopped = false

    init(listener: Int32, handler: @escaping LoopbackServer.Handler) {
        self.listener = listener
        self.handler = handler
    }

    var requests: [LoopbackRequest] { lock.withLock { received } }

    func stop() {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    func acceptLoop() {
        while !isStopped {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if isStopped { return }
                continue
            }
            Thread { [self] in serve(client) }.start()
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
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
                if !ok || isStopped { return }
            case .pause(let ms):
                usleep(useconds_t(ms * 1000))
                if isStopped { return }
            }
        }
    }

    private func readRequest(_ client: Int32) -> LoopbackRequest? {
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
        var lines = String(decoding: buffer[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        if headers["expect"]?.lowercased() == "100-continue" {
            let reply = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
            _ = send(client, reply, reply.count, Int32(MSG_NOSIGNAL))
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        var body = Array(buffer[(end + 4)...])
        while body.count < length {
            let n = recv(client, &chunk, chunk.count, 0)
            if n <= 0 { break }
            body.append(contentsOf: chunk[0..<n])
        }
        return LoopbackRequest(
            method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: Data(body))
    }
}

struct LoopbackError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Builders for scripted responses.
enum Script {
    static func head(status: Int = 200, contentType: String = "application/x-ndjson", extra: [String: String] = [:])
        -> LoopbackStep
    {
        var text =
            "HTTP/1.1 \(status) \(status == 200 ? "OK" : "Status")\r\nContent-Type: \(contentType)\r\nConnection: close\r\n"
        text += "Transfer-Encoding: chunked\r\n"
        for (name, value) in extra.sorted(by: { $0.key < $1.key }) { text += "\(name): \(value)\r\n" }
        return .write(Data((text + "\r\n").utf8))
    }

    /// One chunk of a chunked body.
    static func chunk(_ text: String) -> LoopbackStep {
        var out = Data(String(text.utf8.count, radix: 16).utf8)
        out.append(contentsOf: [13, 10])
        out.append(Data(text.utf8))
        out.append(contentsOf: [13, 10])
        return .write(out)
    }

    static let lastChunk = LoopbackStep.write(Data("0\r\n\r\n".utf8))

    /// A complete JSON response.
    static func json(status: Int, _ body: String, extra: [String: String] = [:]) -> [LoopbackStep] {
        var text =
            "HTTP/1.1 \(status) Status\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n"
        for (name, value) in extra.sorted(by: { $0.key < $1.key }) { text += "\(name): \(value)\r\n" }
        return [.write(Data((text + "\r\n" + body).utf8))]
    }

    /// A chunked NDJSON response, one chunk per line.
    static func ndjson(_ lines: [String], requestID: String = "req-1") -> [LoopbackStep] {
        [head(extra: ["X-Request-ID": requestID])] + lines.map { chunk($0 + "\n") } + [lastChunk]
    }

    /// A chunked server-sent-events response, one chunk per event.
    static func sse(_ events: [String]) -> [LoopbackStep] {
        [head(contentType: "text/event-stream")] + events.map { chunk($0) } + [lastChunk]
    }

    static func chunkEvent(_ text: String) -> String {
        #"{"event":"chunk","data":{"text":"# + jsonString(text) + "}}"
    }

    static func jsonString(_ text: String) -> String {
        let data = try! JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed])
        let array = String(decoding: data, as: UTF8.self)
        return String(array.dropFirst().dropLast())
    }
}

/// A `customui` process whose standard output is read as it arrives, for signalling mid-stream.
final class CustomUIProcess: @unchecked Sendable {
    let process = Process()
    private let out = Pipe()
    private let err = Pipe()
    private let lock = NSLock()
    private var stdoutData = Data()
    private var stderrData = Data()
    private let readers = DispatchGroup()

    /// Starts `customui arguments` from the repository root with `NO_COLOR`, no inherited token or backend.
    init(_ arguments: [String], environment extra: [String: String] = [:], closeStdoutAfterFirstRead: Bool = false)
        throws
    {
        process.executableURL = URL(fileURLWithPath: customuiExecutable)
        process.arguments = arguments
        process.currentDirectoryURL = repositoryRoot
        var environment = ProcessInfo.processInfo.environment
        for name in ["CUSTOMUI_API_TOKEN", "CUSTOMUI_BACKEND_URL", "CUSTOMUI_PROTOCOL", "CUSTOMUI_LIBRARY"] {
            environment[name] = nil
        }
        environment["NO_COLOR"] = "1"
        for (name, value) in extra { environment[name] = value }
        process.environment = environment
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outHandle = out.fileHandleForReading
        let errHandle = err.fileHandleForReading
        readers.enter()
        Thread { [self] in
            while true {
                let data = outHandle.availableData
                if data.isEmpty { break }
                lock.withLock { stdoutData.append(data) }
                if closeStdoutAfterFirstRead {
                    // The reader goes away, as `| head` does: the next write gets EPIPE.
                    try? outHandle.close()
                    break
                }
            }
            readers.leave()
        }.start()
        readers.enter()
        Thread { [self] in
            let data = errHandle.readDataToEndOfFile()
            lock.withLock { stderrData.append(data) }
            readers.leave()
        }.start()
    }

    var stdout: String { lock.withLock { String(decoding: stdoutData, as: UTF8.self) } }
    var stderr: String { lock.withLock { String(decoding: stderrData, as: UTF8.self) } }

    /// Waits until standard output contains `text` (false after `seconds`).
    func waitForOutput(_ text: String, seconds: Double = 15) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if stdout.contains(text) { return true }
            if !process.isRunning { return stdout.contains(text) }
            usleep(5_000)
        }
        return false
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the process to end (killing it after `seconds`) and for its output to be read.
    @discardableResult
    func wait(seconds: Double = 20) -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { usleep(5_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        _ = readers.wait(timeout: .now() + 5)
        return process.terminationStatus
    }
}

/// Runs `customui arguments` to the end.
func runCustomUI(_ arguments: [String], environment: [String: String] = [:]) throws -> (
    status: Int32, stdout: String, stderr: String, exited: Bool
) {
    let process = try CustomUIProcess(arguments, environment: environment)
    let status = process.wait()
    return (status, process.stdout, process.stderr, process.process.terminationReason == .exit)
}
