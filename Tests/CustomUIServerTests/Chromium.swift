import Foundation

/// A headless Chromium driven over the DevTools protocol on `--remote-debugging-pipe` (the browser
/// reads commands on fd 3 and writes replies and events on fd 4, each a JSON text ending in NUL).
final class Chromium {
    /// Why the browser tests cannot run here, or nil when they can. Without chromium they skip,
    /// unless `CI` is set, where they are required.
    static var unavailable: String? {
        executable == nil
            ? "chromium is not installed (Debian: apt-get install chromium; .ci/setup installs it as root)" : nil
    }

    static var executable: String? {
        for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        return nil
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    let pid: pid_t
    private let commands: Int32
    private let replies: Int32
    private let profile: String
    private var nextID = 1
    private var buffer: [UInt8] = []
    /// Events received, in order (`method`, `params`, `sessionId`).
    private(set) var events: [[String: Any]] = []

    init(width: Int = 1280, height: Int = 900) throws {
        guard let executable = Self.executable else { throw Failure("no chromium") }
        profile = NSTemporaryDirectory() + "customui-chromium-\(UUID().uuidString)"
        var toBrowser: [Int32] = [0, 0]
        var fromBrowser: [Int32] = [0, 0]
        guard pipe(&toBrowser) == 0, pipe(&fromBrowser) == 0 else { throw Failure("pipe") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toBrowser[0], 3)
        posix_spawn_file_actions_adddup2(&actions, fromBrowser[1], 4)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        for fd in [toBrowser[1], fromBrowser[0]] { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let arguments = [
            executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
            "--disable-sync",
            "--disable-extensions", "--mute-audio", "--hide-scrollbars", "--user-data-dir=\(profile)",
            "--remote-debugging-pipe",
            "--window-size=\(width),\(height)", "about:blank",
        ]
        let argv = arguments.map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, nil, argv, environ)
        close(toBrowser[0])
        close(fromBrowser[1])
        guard rc == 0 else {
            close(toBrowser[1])
            close(fromBrowser[0])
            throw Failure("cannot start chromium (\(rc))")
        }
        pid = child
        commands = toBrowser[1]
        replies = fromBrowser[0]
    }

    deinit {
        close(commands)
        close(replies)
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        try? FileManager.default.removeItem(atPath: profile)
    }

    /// Sends a command and waits for its reply (events that arrive meanwhile are kept).
    @discardableResult
    func send(_ method: String, _ params: [String: Any] = [:], session: String? = nil, timeout: Double = 30) throws
        -> [String: Any]
    {
        let id = nextID
        nextID += 1
        var message: [String: Any] = ["id": id, "method": method, "params": params]
        if let session { message["sessionId"] = session }
        var data = try JSONSerialization.data(withJSONObject: message)
        data.append(0)
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(commands, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { throw Failure("chromium closed its pipe") }
                offset += n
            }
        }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            for reply in try pump(until: deadline) where reply["id"] as? Int == id {
                if let error = reply["error"] as? [String: Any] {
                    throw Failure("\(method): \(error["message"] ?? error)")
                }
                return reply["result"] as? [String: Any] ?? [:]
            }
        }
        throw Failure("\(method): no reply in \(timeout) s")
    }

    /// Reads what arrives before `deadline` (at least one message, unless time runs out); returns replies, keeps events.
    private func pump(until deadline: Date) throws -> [[String: Any]] {
        var replies: [[String: Any]] = []
        while replies.isEmpty {
            let wait = Int32(max(0, min(deadline.timeIntervalSinceNow, 1)) * 1000)
            var descriptor = pollfd(fd: self.replies, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, wait)
            if ready < 0 { throw Failure("poll failed") }
            if ready == 0 {
                if Date() >= deadline { return [] }
                continue
            }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let n = read(self.replies, &chunk, chunk.count)
            if n <= 0 { throw Failure("chromium exited") }
            buffer += chunk[0..<n]
            while let end = buffer.firstIndex(of: 0) {
                let message = Array(buffer[0..<end])
                buffer.removeFirst(end + 1)
                guard let object = (try? JSONSerialization.jsonObject(with: Data(message))) as? [String: Any] else {
                    continue
                }
                if object["id"] != nil { replies.append(object) } else { events.append(object) }
            }
        }
        return replies
    }

    /// Opens a new tab and returns it.
    func newPage(width: Int = 1280, height: Int = 900, mobile: Bool = false) throws -> BrowserPage {
        let target = try send("Target.createTarget", ["url": "about:blank"])
        guard let targetID = target["targetId"] as? String else { throw Failure("no target") }
        let attached = try send("Target.attachToTarget", ["targetId": targetID, "flatten": true])
        guard let session = attached["sessionId"] as? String else { throw Failure("no session") }
        let page = BrowserPage(browser: self, session: session, targetID: targetID)
        try page.call("Page.enable")
        try page.call("Runtime.enable")
        try page.call("Log.enable")
        try page.call(
            "Emulation.setDeviceMetricsOverride",
            ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile])
        // Counts CSP violations the page reports (CDP-injected, so the page's own CSP does not apply).
        try page.call(
            "Page.addScriptToEvaluateOnNewDocument",
            [
                "source":
                    "window.__violations = []; document.addEventListener('securitypolicyviolation', function (e) { window.__violations.push(e.violatedDirective + ' ' + e.blockedURI); });"
            ])
        return page
    }

    /// Events for one page session.
    func events(for session: String) -> [[String: Any]] { events.filter { $0["sessionId"] as? String == session } }

    /// Lets events arrive for a while.
    func idle(_ seconds: Double) {
        _ = try? pump(until: Date().addingTimeInterval(seconds))
    }
}

/// One tab.
final class BrowserPage {
    unowned let browser: Chromium
    let session: String
    let targetID: String

    init(browser: Chromium, session: String, targetID: String) {
        self.browser = browser
        self.session = session
        self.targetID = targetID
    }

    @discardableResult
    func call(_ method: String, _ params: [String: Any] = [:]) throws -> [String: Any] {
        try browser.send(method, params, session: session)
    }

    /// Navigates and waits for the load event.
    func navigate(_ url: String) async throws {
        let before = browser.events(for: session).count
        try call("Page.navigate", ["url": url])
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if browser.events(for: session).dropFirst(before).contains(where: {
                $0["method"] as? String == "Page.loadEventFired"
            }) {
                return
            }
            browser.idle(0.005)
            try await Task.sleep(for: .milliseconds(50))
        }
        throw Chromium.Failure("\(url) did not load")
    }

    /// Evaluates an expression in the page (from the test, over CDP) and returns its value.
    func value(_ expression: String) throws -> Any? {
        let result = try call(
            "Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true])
        if let exception = result["exceptionDetails"] as? [String: Any] {
            throw Chromium.Failure("\(expression): \(exception)")
        }
        return (result["result"] as? [String: Any])?["value"]
    }

    func string(_ expression: String) throws -> String { (try value(expression) as? String) ?? "" }
    func number(_ expression: String) throws -> Int { (try value(expression) as? NSNumber)?.intValue ?? -1 }

    /// Waits until `expression` is true, sleeping between looks (a test must not hold one of the
    /// few cooperative threads the server's runs need).
    func wait(_ expression: String, timeout: Double = 120) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try value(expression) as? Bool == true { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw Chromium.Failure("timed out waiting for \(expression)")
    }

    /// Console errors, uncaught exceptions and logged CSP or security problems so far.
    func problems() throws -> [String] {
        var found: [String] = []
        for event in browser.events(for: session) {
            let method = event["method"] as? String
            let params = event["params"] as? [String: Any] ?? [:]
            if method == "Runtime.exceptionThrown" { found.append("exception: \(params["exceptionDetails"] ?? "")") }
            if method == "Runtime.consoleAPICalled", params["type"] as? String == "error" {
                found.append("console.error: \(params["args"] ?? "")")
            }
            if method == "Log.entryAdded", let entry = params["entry"] as? [String: Any],
                entry["level"] as? String == "error"
            {
                found.append("log: \(entry["text"] ?? "")")
            }
        }
        let violations = (try value("JSON.stringify(window.__violations || [])") as? String) ?? "[]"
        if violations != "[]" { found.append("CSP violations: \(violations)") }
        return found
    }

    /// A PNG of the page (whole page when `full`).
    func screenshot(to path: String, full: Bool = true) throws {
        let result = try call("Page.captureScreenshot", ["format": "png", "captureBeyondViewport": full])
        guard let data = (result["data"] as? String).flatMap({ Data(base64Encoded: $0) }) else {
            throw Chromium.Failure("no screenshot")
        }
        try data.write(to: URL(fileURLWithPath: path))
    }
}
