import CustomUI
import CustomUICore
import Foundation
import TemplateLibrary

@testable import CustomUIServer

/// The repository root (for the examples and starters).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

func example(_ name: String) -> String { "\(repositoryRoot)/Examples/\(name)/\(name).ui.xml" }

/// Copies an example's files into `directory` as `name.*`, the template changed by `edit`.
func draft(
    of example: String, as name: String, in directory: String, edit: (String) -> String
) throws -> String {
    for suffix in [".ui.xml", ".prompt.json", ".props.json", ".stream.ndjson"] {
        let from = "\(repositoryRoot)/Examples/\(example)/\(example)\(suffix)"
        guard FileManager.default.fileExists(atPath: from) else { continue }
        try FileManager.default.copyItem(atPath: from, toPath: "\(directory)/\(name)\(suffix)")
    }
    let file = "\(directory)/\(name).ui.xml"
    try edit(try String(contentsOfFile: file, encoding: .utf8)).write(
        toFile: file, atomically: true, encoding: .utf8)
    return file
}

/// A server on a free loopback port: the examples as local files, a library with the starters
/// (public, by `customui`) and a private UI of `bob`; the viewer is `alice`.
final class ServerFixture: @unchecked Sendable {
    let server: UIServer
    let directory: String
    let library: Library
    var port: Int { server.port }
    var host: String { "127.0.0.1:\(port)" }

    init(
        pace: Bool = false, speed: Double = 1, answers: AnswerSource? = nil, files: [String]? = nil,
        watch: [String] = [], configure: (inout ServerOptions) -> Void = { _ in }
    ) throws {
        directory = NSTemporaryDirectory() + "customui-serve-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        library = try Library(path: directory + "/library.sqlite", recorderUser: "alice")
        _ = try library.installStarters(
            try Library.loadStarters(directory: repositoryRoot + "/Templates"), user: "customui")
        let secret = SourceFile(
            path: "secret.ui.xml",
            text: try String(contentsOfFile: repositoryRoot + "/Templates/quick-answer.ui.xml", encoding: .utf8)
                .replacingOccurrences(of: "name=\"Quick answer\"", with: "name=\"Bob secret\""))
        let prompt = SourceFile(
            path: "p.prompt.json",
            text: try String(contentsOfFile: repositoryRoot + "/Templates/quick-answer.prompt.json", encoding: .utf8))
        _ = try library.publish(
            ui: secret, prompt: prompt, user: "bob", options: PublishOptions(isPublic: false, activate: true))
        var options = ServerOptions(
            user: "alice", answers: answers ?? .replay(file: nil, directory: nil, pace: pace, speed: speed))
        options.port = 0
        options.watch = watch
        configure(&options)
        let catalog = Catalog(
            files: files ?? ["story-writer", "support-reply", "article-summary"].map(example), library: library,
            promptDirectories: [repositoryRoot + "/Templates"])
        server = UIServer(catalog: catalog, options: options)
        try server.start()
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A library UI's id by name.
    func uiID(_ name: String, user: String = "alice") throws -> String {
        try library.entry(name, user: user).uiID
    }

    func get(_ path: String, headers: [String: String] = [:]) async throws -> RawResponse {
        var all = ["Host": host]
        all.merge(headers) { $1 }
        return try await RawHTTP.request(port: port, "GET", path, headers: all)
    }

    func post(_ path: String, _ body: String, headers: [String: String] = [:]) async throws -> RawResponse {
        var all = ["Host": host, "Origin": "http://\(host)", "Content-Type": "application/x-www-form-urlencoded"]
        all.merge(headers) { $1 }
        return try await RawHTTP.request(port: port, "POST", path, headers: all, body: body)
    }

    /// Opens a runner page and returns its session id.
    func open(_ path: String) async throws -> (page: RawResponse, session: String) {
        let page = try await get(path)
        guard let range = page.body.range(of: "data-session=\""),
            let end = page.body[range.upperBound...].firstIndex(of: "\"")
        else {
            throw RawHTTP.Failure("no session in the page (status \(page.status))")
        }
        return (page, String(page.body[range.upperBound..<end]))
    }
}

/// A response read off the socket.
struct RawResponse {
    var status: Int
    var headers: [String: String]
    var body: String
}

/// A minimal HTTP/1.1 client over a socket, so tests choose every header (Host, Origin) themselves.
enum RawHTTP {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard ok == 0 else {
            close(fd)
            throw Failure("connect to \(port) failed")
        }
        var timeout = timeval(tv_sec: 0, tv_usec: 50_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    static func requestText(_ method: String, _ path: String, headers: [String: String], body: String) -> String {
        var text = "\(method) \(path) HTTP/1.1\r\n"
        for (k, v) in headers.sorted(by: { $0.key < $1.key }) { text += "\(k): \(v)\r\n" }
        if method == "POST" { text += "Content-Length: \(body.utf8.count)\r\n" }
        text += "Connection: close\r\n\r\n" + body
        return text
    }

    static func send(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes {
                Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if n <= 0 { return }
            sent += n
        }
    }

    /// Sends a request and reads the whole response (the server closes after it). Waiting sleeps
    /// instead of blocking, so a test never holds one of the few cooperative threads the server's
    /// runs need (on a two-core machine there are two).
    static func request(port: Int, _ method: String, _ path: String, headers: [String: String], body: String = "")
        async throws -> RawResponse
    {
        let fd = try connect(port: port)
        defer { close(fd) }
        send(fd, requestText(method, path, headers: headers, body: body))
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 {
                data += buffer[0..<n]
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                try await Task.sleep(for: .milliseconds(10))
            } else {
                break
            }
        }
        return try parse(data)
    }

    static func parse(_ data: [UInt8]) throws -> RawResponse {
        let text = String(decoding: data, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw Failure("no response head in \(text.prefix(200))") }
        let head = text[..<split.lowerBound].split(separator: "\r\n")
        guard let statusLine = head.first, statusLine.split(separator: " ").count >= 2,
            let status = Int(statusLine.split(separator: " ")[1])
        else {
            throw Failure("bad status line")
        }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        var body = String(text[split.upperBound...])
        if headers["transfer-encoding"] == "chunked" { body = dechunk(body) }
        return RawResponse(status: status, headers: headers, body: body)
    }

    static func dechunk(_ text: String) -> String {
        var bytes = Array(text.utf8)[...]
        var out: [UInt8] = []
        while let lineEnd = bytes.firstIndex(of: 0x0D) {
            let sizeText =
                String(decoding: bytes[bytes.startIndex..<lineEnd], as: UTF8.self).split(separator: ";").first.map(
                    String.init) ?? ""
            guard let size = Int(sizeText, radix: 16), size > 0 else { break }
            let start = lineEnd + 2
            guard start + size <= bytes.endIndex else { break }
            out += bytes[start..<(start + size)]
            bytes = bytes[(start + size + 2)...]
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// An open SSE stream, read event by event.
final class EventStreamReader {
    let fd: Int32
    private var pending: [UInt8] = []
    private(set) var events: [(event: String, data: String)] = []

    init(port: Int, host: String, path: String) throws {
        fd = try RawHTTP.connect(port: port)
        RawHTTP.send(fd, "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nAccept: text/event-stream\r\n\r\n")
    }

    deinit { close() }

    func close() { _ = Foundation.shutdown(fd, Int32(SHUT_RDWR)); _ = Foundation.close(fd) }

    private var raw: [UInt8] = []
    private var headerDone = false
    /// The response status, once the head was read.
    private(set) var status = 0

    /// Reads until `done` holds for the events so far (or the stream ends or times out).
    @discardableResult
    func read(timeout: Double = 120, until done: ([(event: String, data: String)]) -> Bool) async -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(timeout)
        while !done(events) {
            guard Date() < deadline else { return false }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 {
                raw += buffer[0..<n]
                decode()
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                try? await Task.sleep(for: .milliseconds(10))
            } else {
                return false
            }
        }
        return true
    }

    /// Moves whole chunks from `raw` to `pending`, then whole events from `pending` to `events`.
    private func decode() {
        if !headerDone {
            guard let end = findCRLFCRLF() else { return }
            let head = String(decoding: raw[0..<end], as: UTF8.self)
            status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
            raw.removeFirst(end + 4)
            headerDone = true
        }
        while let lineEnd = raw.firstIndex(of: 0x0D), lineEnd + 1 < raw.count {
            guard let size = Int(String(decoding: raw[0..<lineEnd], as: UTF8.self), radix: 16) else { return }
            let start = lineEnd + 2
            guard raw.count >= start + size + 2 else { return }
            pending += raw[start..<(start + size)]
            raw.removeFirst(start + size + 2)
        }
        while let end = pending.indices.dropLast().first(where: { pending[$0] == 0x0A && pending[$0 + 1] == 0x0A }) {
            let block = String(decoding: pending[0..<end], as: UTF8.self)
            pending.removeFirst(end + 2)
            var event = ""
            var data = ""
            for line in block.split(separator: "\n") {
                if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
            }
            if !event.isEmpty { events.append((event, data)) }
        }
    }

    private func findCRLFCRLF() -> Int? {
        guard raw.count >= 4 else { return nil }
        for i in 0...(raw.count - 4)
        where raw[i] == 0x0D && raw[i + 1] == 0x0A && raw[i + 2] == 0x0D && raw[i + 3] == 0x0A { return i }
        return nil
    }
}

/// A patch's JSON as a dictionary.
func json(_ text: String) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
}
