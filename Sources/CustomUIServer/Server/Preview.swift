import CustomUI
import CustomUICore
import Foundation

/// Watches the author's files (`--watch`) and tells preview pages when one changed.
///
/// Polls size and modification time every 100 ms (no inotify dependency; a few `stat` calls), so a
/// saved template is re-validated and re-rendered within 200 ms: the page reloads and the server
/// reads the file again.
final class FileWatcher: Sendable {
    /// What changes as files are saved and pages come and go, behind one lock.
    private struct State {
        var stamps: [String: String] = [:]
        var versions: [String: Int] = [:]
        var subscribers: [String: [ResponseStream]] = [:]
        var timer: Task<Void, Never>?
    }
    private let state: Locked<State>
    /// Watched files by short name.
    let files: [String: String]

    init(files: [String]) {
        var byName: [String: String] = [:]
        for file in files { byName[Catalog.shortName(file)] = file }
        self.files = byName
        var initial = State()
        for (name, path) in byName {
            initial.stamps[name] = Self.stamp(path)
            initial.versions[name] = 0
        }
        state = Locked(initial)
    }

    func start() {
        guard !files.isEmpty else { return }
        // Every 100 ms (a sleeping task holds no thread).
        let timer = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                guard let self, !Task.isCancelled else { return }
                self.check()
            }
        }
        state.withLock { $0.timer = timer }
    }

    func stop() {
        let (timer, all) = state.withLock { state in
            defer {
                state.timer = nil
                state.subscribers = [:]
            }
            return (state.timer, state.subscribers.values.flatMap { $0 })
        }
        timer?.cancel()
        for stream in all { stream.close() }
    }

    /// The file's current version (bumped on every change).
    func version(_ name: String) -> Int {
        state.withLock { $0.versions[name] ?? 0 }
    }

    /// Adds a page waiting for `name` to change; told at once if it changed since `seen`.
    func subscribe(_ name: String, seen: Int?, _ stream: ResponseStream) {
        let stale = state.withLock { state in
            let current = state.versions[name] ?? 0
            if let seen, seen != current { return true }
            state.subscribers[name, default: []].append(stream)
            return false
        }
        if stale {
            stream.write("event: changed\ndata: {}\n\n")
            stream.close()
            return
        }
        stream.onDisconnect { [weak self, weak stream] in
            guard let self, let stream else { return }
            self.state.withLock { $0.subscribers[name]?.removeAll { $0 === stream } }
        }
    }

    private func check() {
        let stamps = files.mapValues { Self.stamp($0) }
        let changed = state.withLock { state in
            var changed: [ResponseStream] = []
            for (name, stamp) in stamps where stamp != state.stamps[name] {
                state.stamps[name] = stamp
                state.versions[name, default: 0] += 1
                changed += state.subscribers[name] ?? []
                state.subscribers[name] = []
            }
            return changed
        }
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
