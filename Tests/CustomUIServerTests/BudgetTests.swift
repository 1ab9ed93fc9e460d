import Foundation
import Testing

@testable import CustomUIServer

/// The server's budgets at their edges (issue 16): a request body, a request's headers and the
/// runs in flight, one below (or at) and one above each limit; every breach is a refusal that
/// names the limit.
@Suite struct BudgetTests {
    @Test func bodyAtAndAboveTheLimit() async throws {
        let limit = 4096
        let f = try ServerFixture { $0.limits.maxBodyBytes = limit }
        let (_, session) = try await f.open("/ui/local/story-writer")
        // `action=reset&pad=…`: a valid form of exactly `limit` bytes, then one byte more.
        let prefix = "action=reset&pad="
        let atLimit = prefix + String(repeating: "a", count: limit - prefix.utf8.count)
        #expect(atLimit.utf8.count == limit)
        let accepted = try await f.post("/api/session/\(session)/action", atLimit)
        #expect(accepted.status == 200, "\(accepted.status) \(accepted.body)")
        let refused = try await f.post("/api/session/\(session)/action", atLimit + "a")
        #expect(refused.status == 413)
        #expect(refused.body.contains("larger than \(limit) bytes") && refused.body.contains("--max-body-bytes"))
    }

    @Test func headersAtAndAboveTheLimit() async throws {
        let limit = 4096
        let f = try ServerFixture { $0.limits.maxHeaderBytes = limit }
        // The request's header lines: Host, Connection: close (the client's own) and the padding.
        func headerBytes(_ padding: Int) -> Int {
            ("Host".count + 4 + f.host.utf8.count) + ("Connection".count + 4 + "close".count)
                + ("X-Padding".count + 4 + padding)
        }
        let padding = limit - headerBytes(0)
        #expect(headerBytes(padding) == limit)
        let accepted = try await f.get("/", headers: ["X-Padding": String(repeating: "b", count: padding)])
        #expect(accepted.status == 200)
        let refused = try await f.get("/", headers: ["X-Padding": String(repeating: "b", count: padding + 1)])
        #expect(refused.status == 431)
        #expect(refused.body.contains("larger than \(limit) bytes") && refused.body.contains("--max-header-bytes"))
    }

    @Test func runsAtAndAboveTheLimit() async throws {
        let f = try ServerFixture(pace: true, speed: 0.2) { $0.maxConcurrentRuns = 2 }
        var sessions: [String] = []
        for _ in 0..<3 { sessions.append(try await f.open("/ui/local/story-writer").session) }
        let form = "action=run&vars[topic]=a+cat&vars[style]=noir&vars[length]=200"
        // Two runs in flight: the limit.
        #expect(try await f.post("/api/session/\(sessions[0])/action", form).status == 200)
        #expect(try await f.post("/api/session/\(sessions[1])/action", form).status == 200)
        #expect(f.server.runGate.count == 2)
        // A third is refused, naming the limit.
        let refused = try await f.post("/api/session/\(sessions[2])/action", form)
        #expect(refused.status == 422)
        let diagnostics = json(refused.body)["diagnostics"] as? [[String: Any]] ?? []
        let message = diagnostics.first?["message"] as? String ?? ""
        #expect(message.contains("2 runs") && message.contains("--max-runs"), "\(message)")
        #expect(f.server.session(sessions[2])?.currentSession.state.runStatus == "idle", "nothing ran")
        // Cancelling one frees its place.
        #expect(try await f.post("/api/session/\(sessions[0])/action", "action=cancel").status == 200)
        for _ in 0..<600 where f.server.runGate.count > 1 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(f.server.runGate.count == 1)
        #expect(try await f.post("/api/session/\(sessions[2])/action", form).status == 200)
        for id in sessions { _ = try await f.post("/api/session/\(id)/action", "action=cancel") }
    }
}
