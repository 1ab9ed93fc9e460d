/// The release of this build, shown by `customui --version` and sent in the transports' `User-Agent`.
public enum CustomUIVersion {
    /// The version number (semantic versioning).
    public static let number = "0.1.0"
    /// `customui/0.1.0`: the `User-Agent` the HTTP transports send.
    public static let userAgent = "customui/\(number)"
}
