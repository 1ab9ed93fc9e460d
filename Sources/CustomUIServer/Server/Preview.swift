import CustomUI
import CustomUICore
import Foundation

/// Watches the author's files (`--watch`) and tells preview pages when one changed.
///
/// Polls size and modification time every 100 ms (no inotify dependency; a few `stat` calls), so a
/// saved template is re-validated and re-rendered within 200 ms: the page reloads and the server
/// reads the file again.
final class FileWatcher: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var stamps: [String: String] = [:]
    private var versions: [String: Int] = [:]
    private var subscribers: [String: [ResponseStream]] = [:]
    private var timer: DispatchSourceTimer?
    /// Watched files by short name.
    let files: [String: String]

    init(files: [String]) {
        var byName: [String: String] = [:]
        for file in files { byName[Catalog.shortName(file)] = file }
        self.files = byName
        for (name, path) in byName {
            stamps[name] = Self.stamp(path)
            versions[name] = 0
        }
    }

    func start() {
        guard !files.isEmpty else { return }
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + .milliseconds(100), repeating: .milliseconds(100))
        timer.setEventHandler { [weak self] in self?.check() }
        timer.resume()
        self.timer = timer
    }

    func stop() {
        timer?.cancel()
        timer = nil
        lock.lock()
        let all = subscribers.values.flatMap { $0 }
        subscribers = [:]
        lock.unlock()
        for stream in all { stream.close() }
    }

    /// The file's current version (bumped on every change).
    func version(_ name: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return versions[name] ?? 0
    }

    /// Adds a page waiting for `name` to change; told at once if it changed since `seen`.
    func subscribe(_ name: String, seen: Int?, _ stream: ResponseStream) {
        lock.lock()
        let current = versions[name] ?? 0
        if let seen, seen != current {
            lock.unlock()
            stream.write("event: changed\ndata: {}\n\n")
            stream.close()
            return
        }
        subscribers[name, default: []].append(stream)
        lock.unlock()
        stream.onDisconnect { [weak self, weak stream] in
            guard let self, let stream else { return }
            self.lock.lock()
            self.subscribers[name]?.removeAll { $0 === stream }
            self.lock.unlock()
        }
    }

    private func check() {
        var changed: [ResponseStream] = []
        lock.lock()
        for (name, path) in files {
            let stamp = Self.stamp(path)
            if stamp != stamps[name] {
                stamps[name] = stamp
                versions[name, default: 0] += 1
                changed += subscribers[name] ?? []
                subscribers[name] = []
            }
        }
        lock.unlock()
        for stream in changed {
            stream.write("event: changed\ndata: {}\n\n")
            stream.close()
        }
    }

    /// Size and modification time (the prompt, props and recording beside the file count too).
    private static func stamp(_ path: String) -> String {
        var parts: [String] = []
        for candidate in [path] + [".prompt.json", ".props.json"].compactMap({ Catalog.sibling(path, $0) }) {
            let attributes = try? FileManager.default.attributesOfItem(atPath: candidate)
            let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
            let date = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            parts.append("\(size)@\(date)")
        }
        return parts.joined(separator: ",")
    }
}

extension Pages {
    /// The bar above a preview: the file, whether it validates, and the recording replayed into it.
    static func previewBar(name: String, valid: Bool, summary: String, recordings: [String], chosen: String?) -> String
    {
        var out = "<div class=\"cui-preview-bar\"><strong>Preview: \(Escape.text(name))</strong>"
        out += "<span class=\"\(valid ? "cui-preview-ok" : "cui-preview-failed")\">\(Escape.text(summary))</span>"
        out += "<span>re-validated when you save</span>"
        if valid, !recordings.isEmpty {
            out +=
                "<form method=\"get\" action=\"/preview\"><input type=\"hidden\" name=\"file\" value=\"\(Escape.text(name))\">"
            out += "<label>Replay <select name=\"replay\">"
            for recording in recordings {
                out +=
                    "<option value=\"\(Escape.text(recording))\"\(recording == chosen ? " selected" : "")>\(Escape.text(recording))</option>"
            }
            out += "</select></label><button type=\"submit\" class=\"cui-button\">Use</button></form>"
        }
        return out + "</div>\n"
    }
}
