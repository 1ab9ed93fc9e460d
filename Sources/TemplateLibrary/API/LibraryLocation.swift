import Foundation

/// Where the library lives and who is acting, resolved the same way by every command.
public enum LibraryLocation {
    /// `--library PATH`, else `$CUSTOMUI_LIBRARY`, else `$XDG_DATA_HOME/customui/library.sqlite`,
    /// else `~/.local/share/customui/library.sqlite`.
    public static func path(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> String
    {
        if let explicit, !explicit.isEmpty { return explicit }
        if let path = environment["CUSTOMUI_LIBRARY"], !path.isEmpty { return path }
        let base: String
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") {
            base = xdg
        } else {
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
            base = (home as NSString).appendingPathComponent(".local/share")
        }
        return ((base as NSString).appendingPathComponent("customui") as NSString).appendingPathComponent(
            "library.sqlite")
    }

    /// `--user NAME`, else `$CUSTOMUI_USER`, else the login name.
    public static func user(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> String
    {
        if let explicit, !explicit.isEmpty { return explicit }
        if let user = environment["CUSTOMUI_USER"], !user.isEmpty { return user }
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return environment["USER"] ?? environment["LOGNAME"] ?? "unknown"
    }
}
