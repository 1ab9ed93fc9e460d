// `customui serve`'s request path without sockets: a request (method, target, headers, body) built
// from the input goes through the server's gate and router, as libmicrohttpd hands it over.
import CustomUI
import CustomUICore
import CustomUIServer
import Foundation

/// The examples as local files (the catalog reads prompt ids once).
let catalog: Catalog = {
    // The repository: the target runs as .build-fuzz/fuzz/serve, from any directory.
    let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
    let root = URL(fileURLWithPath: executable).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    let examples = (try? FileManager.default.contentsOfDirectory(atPath: root + "/Examples")) ?? []
    let files = examples.sorted().map { "\(root)/Examples/\($0)/\($0).ui.xml" }
        .filter { FileManager.default.fileExists(atPath: $0) }
    if files.isEmpty { finding("no examples under \(root)/Examples") }
    return Catalog(files: files, library: nil, promptDirectories: [root + "/Templates"])
}()

/// Input: `METHOD TARGET\n`, header lines `name: value\n`, an empty line, the body. The first
/// byte chooses whether the gate's headers (Host, Origin, Content-Type) are added when missing.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzServeRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let flags = data[0]
    let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let blank = input.firstRange(of: [0x0A, 0x0A])
    let head = String(decoding: input[..<(blank?.lowerBound ?? input.endIndex)], as: UTF8.self)
    let body = blank.map { Array(input[$0.upperBound...]) } ?? []
    var lines = head.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard !lines.isEmpty else { return 0 }
    let requestLine = lines.removeFirst().split(separator: " ", maxSplits: 1).map(String.init)
    let method = requestLine.first ?? "GET"
    let target = requestLine.count > 1 ? requestLine[1] : "/"
    let pathEnd = target.firstIndex(of: "?") ?? target.endIndex
    let query = target[pathEnd...].dropFirst().split(separator: "&").map { pair in
        let parts = pair.split(separator: "=", maxSplits: 1).map { $0.removingPercentEncoding ?? String($0) }
        return (name: parts.first ?? "", value: parts.count > 1 ? parts[1] : "")
    }
    var headers: [String: String] = [:]
    for line in lines {
        let parts = line.split(separator: ":", maxSplits: 1)
        guard parts.count == 2 else { continue }
        headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces)
    }
    var options = ServerOptions(user: "fuzz", answers: .replay(file: nil, directory: nil, pace: false, speed: 1))
    options.port = 0
    let server = UIServer(catalog: catalog, options: options)
    if flags & 1 == 0 {
        headers["host"] = headers["host"] ?? "127.0.0.1:0"
        if method == "POST" {
            headers["origin"] = headers["origin"] ?? "http://127.0.0.1:0"
            headers["content-type"] = headers["content-type"] ?? "application/x-www-form-urlencoded"
        }
    }
    let request = HTTPRequest(
        method: method, path: String(target[..<pathEnd]).removingPercentEncoding ?? String(target[..<pathEnd]),
        query: query, headers: headers, body: body)
    let response = server.handle(request)
    if !(100...599).contains(response.status) { finding("status \(response.status)") }
    for (name, value) in response.headers where (name + value).utf8.contains(where: { $0 < 0x20 }) {
        finding("a header with a control byte: \(name): \(value)")
    }
    if case .bytes(let bytes) = response.body { checkLinear(bytes.count, size, floor: 4 << 20, "response") }
    server.stop()
    return 0
}
