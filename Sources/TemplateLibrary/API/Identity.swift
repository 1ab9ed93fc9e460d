import CustomUICore
import JSONSchema
import Foundation

extension DiagnosticCode {
    /// A shared (PostgreSQL) library needs a signed token and none was given.
    public static let authMissingToken: Self = "auth.missing-token"
    /// The token is not a well-formed HS256 JWT with a `sub` and an `exp`.
    public static let authInvalidToken: Self = "auth.invalid-token"
    /// The token's signature does not match the secret: it was changed, or signed with another key.
    public static let authBadSignature: Self = "auth.bad-signature"
    /// The token's `exp` has passed (or its `nbf` has not come).
    public static let authExpired: Self = "auth.expired"
    /// The JWT secret file is missing, unreadable or empty.
    public static let authNoSecret: Self = "auth.no-secret"
    /// `--user` was given for a shared library, where the user comes from a verified token.
    public static let authUserLabel: Self = "auth.user-label"
}

/// HMAC (RFC 2104) over SHA-256, for HS256 tokens; no crypto library is used.
public enum HMACSHA256 {
    /// The 32-byte MAC of `message` under `key`.
    public static func mac(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        var block = Array(key)
        if block.count > 64 { block = SHA256.digest(block) }
        block += [UInt8](repeating: 0, count: 64 - block.count)
        let inner = SHA256.digest(block.map { $0 ^ 0x36 } + Array(message))
        return SHA256.digest(block.map { $0 ^ 0x5c } + inner)
    }

    /// Whether two byte strings are equal, in time that depends only on their lengths.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}

/// A verified HS256 JSON Web Token (RFC 7519), as Supabase signs them: its `sub` is the user id.
public struct VerifiedToken: Sendable, Hashable {
    /// The `sub` claim: the acting user.
    public var subject: String
    /// The `exp` claim.
    public var expires: Date

    /// Verifies `token` against `secret`: the header must say HS256, the signature must match
    /// (compared in constant time), `sub` must be a non-empty string and `exp` a time still to
    /// come (`nbf`, when present, one that has come). Nothing of the token is echoed in errors.
    public static func verify(_ token: String, secret: [UInt8], now: Date = Date()) throws(LibraryError)
        -> VerifiedToken
    {
        let parts = token.trimmingCharacters(in: .whitespacesAndNewlines).split(
            separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = base64URLDecode(parts[0]),
            let payloadBytes = base64URLDecode(parts[1]), let signature = base64URLDecode(parts[2])
        else {
            throw invalid("it is not three base64url parts separated by dots")
        }
        guard let header = try? JSONParser.parseValue(String(decoding: headerBytes, as: UTF8.self)),
            header.objectValue != nil
        else {
            throw invalid("its header is not a JSON object")
        }
        guard header["alg"]?.stringValue == "HS256" else {
            throw invalid(
                "its algorithm is not HS256 (`alg` is \(header["alg"]?.stringValue.map { "`\($0)`" } ?? "missing"))")
        }
        let signed = Array((parts[0] + "." + parts[1]).utf8)
        guard HMACSHA256.constantTimeEqual(HMACSHA256.mac(key: secret, message: signed), signature) else {
            throw LibraryError(
                .authBadSignature, "the token's signature does not match the JWT secret",
                hint: "the token was changed or signed with another secret; get a new one")
        }
        guard let payload = try? JSONParser.parseValue(String(decoding: payloadBytes, as: UTF8.self)),
            payload.objectValue != nil
        else {
            throw invalid("its payload is not a JSON object")
        }
        guard let subject = payload["sub"]?.stringValue, !subject.isEmpty, subject.count <= 200,
            !subject.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw invalid("it has no `sub` (the user id)")
        }
        guard let exp = payload["exp"]?.numberValue?.doubleValue else {
            throw invalid("it has no `exp` (a token that never expires is not accepted)")
        }
        let expires = Date(timeIntervalSince1970: exp)
        guard expires > now else {
            throw LibraryError(
                .authExpired, "the token expired at \(Timestamp.string(expires))",
                hint: "get a new token and set CUSTOMUI_TOKEN (or send it as `Authorization: Bearer …`)")
        }
        if let nbf = payload["nbf"]?.numberValue?.doubleValue, Date(timeIntervalSince1970: nbf) > now {
            throw LibraryError(
                .authExpired, "the token is not valid before \(Timestamp.string(Date(timeIntervalSince1970: nbf)))",
                hint: "check the clocks of this machine and of whoever issued the token")
        }
        return VerifiedToken(subject: subject, expires: expires)
    }

    /// Signs claims as an HS256 token (for tests and for issuing tokens to a team).
    public static func sign(_ claims: Value, secret: [UInt8]) -> String {
        let header = base64URLEncode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let payload = base64URLEncode(Array(JSONWriter().string(claims).utf8))
        let signature = HMACSHA256.mac(key: secret, message: Array((header + "." + payload).utf8))
        return header + "." + payload + "." + base64URLEncode(signature)
    }

    private static func invalid(_ why: String) -> LibraryError {
        LibraryError(
            .authInvalidToken, "the token is not a valid HS256 JWT: \(why)",
            hint: "set CUSTOMUI_TOKEN to the JWT your team's issuer gave you")
    }

    static func base64URLEncode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(
            of: "/", with: "_"
        ).replacingOccurrences(of: "=", with: "")
    }

    static func base64URLDecode(_ text: Substring) -> [UInt8]? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }

    /// Reads the secret file: its bytes, less one trailing newline. Missing or empty is an error.
    public static func readSecret(path: String?) throws(LibraryError) -> [UInt8] {
        guard let path, !path.isEmpty else {
            throw LibraryError(
                .authNoSecret, "no JWT secret file is configured",
                hint: "set CUSTOMUI_JWT_SECRET_FILE to the file holding the secret your tokens are signed with")
        }
        guard var bytes = FileManager.default.contents(atPath: path).map(Array.init) else {
            throw LibraryError(
                .authNoSecret, "cannot read the JWT secret file `\(path)`", hint: "check the path and its permissions")
        }
        if bytes.last == 0x0A { bytes.removeLast() }
        if bytes.last == 0x0D { bytes.removeLast() }
        guard !bytes.isEmpty else {
            throw LibraryError(.authNoSecret, "the JWT secret file `\(path)` is empty", hint: "put the secret in it")
        }
        return bytes
    }
}

extension LibraryLocation {
    /// The acting user for a library at `location`. For a file, `--user`, `CUSTOMUI_USER` or the
    /// login name, as before. For a shared (PostgreSQL) library, the `sub` of the token in
    /// `CUSTOMUI_TOKEN`, verified against `CUSTOMUI_JWT_SECRET_FILE`; `--user` is refused there.
    public static func actingUser(
        explicit: String?, location: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(LibraryError) -> String {
        guard isPostgres(location) else { return user(explicit: explicit, environment: environment) }
        if let explicit, !explicit.isEmpty {
            throw LibraryError(
                .authUserLabel,
                "`--user` names the user only for a library file; a shared library takes a signed token",
                hint: "drop --user and set CUSTOMUI_TOKEN to your JWT (its `sub` is your user id)")
        }
        guard let token = environment["CUSTOMUI_TOKEN"], !token.isEmpty else {
            throw LibraryError(
                .authMissingToken, "a shared library needs a signed token and CUSTOMUI_TOKEN is not set",
                hint: "set CUSTOMUI_TOKEN to your JWT (HS256, its `sub` is your user id)")
        }
        let secret = try VerifiedToken.readSecret(path: environment["CUSTOMUI_JWT_SECRET_FILE"])
        return try VerifiedToken.verify(token, secret: secret).subject
    }
}
