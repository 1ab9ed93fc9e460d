import CustomUI
import CustomUICore
import Foundation
import Testing

@testable import TemplateLibrary

/// Two `customui serve` processes on one PostgreSQL library: a publish is on both galleries at once.
@Suite struct PostgresServeTests {
    /// A started `customui serve` and its address.
    struct Served {
        let process: Process
        let port: Int
    }

    static func serve(_ environment: [String: String]) throws -> Served {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: customuiExecutable)
        process.arguments = ["serve", "--port", "0"]
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !text.contains("/ (Ctrl-C") {
            let data = out.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        guard let range = text.range(of: "http://127.0.0.1:"),
            let port = Int(text[range.upperBound...].prefix(while: \.isNumber))
        else {
            process.terminate()
            throw PostgresCluster.Failure(description: "serve did not start: \(text)")
        }
        return Served(process: process, port: port)
    }

    /// `GET /` over a plain socket, with a bearer token when given.
    static func gallery(port: Int, bearer: String? = nil) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw PostgresCluster.Failure(description: "cannot connect to \(port)") }
        let authorization = bearer.map { "Authorization: Bearer \($0)\r\n" } ?? ""
        let request = "GET / HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\(authorization)Connection: close\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var response = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            response.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: response, as: UTF8.self)
    }

    @Test func twoServersSeeEachOthersPublishAtOnce() throws {
        guard postgresAvailable() else { return }
        try #require(
            FileManager.default.isExecutableFile(atPath: customuiExecutable), "build the customui product first")
        let cluster = try PostgresCluster.shared()
        let database = try cluster.newDatabase()
        let url = cluster.url(role: "customui_app", database: database)
        let dir = TemporaryDirectory()
        try "serve-secret".write(toFile: dir.file("secret"), atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["CUSTOMUI_LIBRARY"] = url
        environment["CUSTOMUI_JWT_SECRET_FILE"] = dir.file("secret")
        // The server holds only the secret; each request brings its own token (none: anonymous).
        environment["CUSTOMUI_TOKEN"] = nil
        environment["CUSTOMUI_USER"] = nil
        let first = try Self.serve(environment)
        defer {
            first.process.terminate()
            first.process.waitUntilExit()
        }
        let second = try Self.serve(environment)
        defer {
            second.process.terminate()
            second.process.waitUntilExit()
        }
        #expect(!(try Self.gallery(port: first.port)).contains("Fresh from elsewhere"))
        // Published through a third connection (as another server's or a CLI's publish would be).
        let publisher = try Library.open(url)
        _ = try publisher.publish(
            ui: template("Fresh from elsewhere"), user: "alice", options: PublishOptions(isPublic: true, activate: true)
        )
        #expect(try Self.gallery(port: first.port).contains("Fresh from elsewhere"))
        #expect(try Self.gallery(port: second.port).contains("Fresh from elsewhere"))
        _ = try publisher.publish(ui: template("Alice private"), user: "alice", options: PublishOptions(activate: true))
        #expect(!(try Self.gallery(port: second.port)).contains("Alice private"), "the viewer sees no private UI")
        let alice = VerifiedToken.sign(
            ["sub": "alice", "exp": .int(Int(Date().timeIntervalSince1970) + 600)], secret: Array("serve-secret".utf8))
        #expect(try Self.gallery(port: second.port, bearer: alice).contains("Alice private"), "her token: her rows")
        let forged = VerifiedToken.sign(
            ["sub": "alice", "exp": .int(Int(Date().timeIntervalSince1970) + 600)], secret: Array("guessed".utf8))
        let refused = try Self.gallery(port: first.port, bearer: forged)
        #expect(refused.hasPrefix("HTTP/1.1 401") && refused.contains("auth.bad-signature"))
        #expect(!refused.contains("Alice private") && !refused.contains(forged))
    }

    /// On a shared library the server needs the JWT secret (it verifies every request's token) and
    /// refuses `--user`.
    @Test func aSharedLibraryServerNeedsTheSecretAndNoUserLabel() throws {
        guard postgresAvailable() else { return }
        try #require(
            FileManager.default.isExecutableFile(atPath: customuiExecutable), "build the customui product first")
        let cluster = try PostgresCluster.shared()
        let url = cluster.url(role: "customui_app", database: try cluster.newDatabase())
        func serve(_ arguments: [String], secret: String?) throws -> (status: Int32, error: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: customuiExecutable)
            process.arguments = ["serve", "--port", "0", "--library", url] + arguments
            var environment = ProcessInfo.processInfo.environment
            environment["CUSTOMUI_JWT_SECRET_FILE"] = secret
            environment["CUSTOMUI_TOKEN"] = nil
            process.environment = environment
            let err = Pipe()
            process.standardOutput = FileHandle.nullDevice
            process.standardError = err
            try process.run()
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }
        let noSecret = try serve([], secret: nil)
        #expect(noSecret.status != 0 && noSecret.error.contains("auth.no-secret"))
        let dir = TemporaryDirectory()
        try "s".write(toFile: dir.file("secret"), atomically: true, encoding: .utf8)
        let labelled = try serve(["--user", "alice"], secret: dir.file("secret"))
        #expect(labelled.status != 0 && labelled.error.contains("--user"))
    }
}
