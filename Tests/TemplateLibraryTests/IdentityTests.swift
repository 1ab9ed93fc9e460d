import CustomUICore
import Foundation
import Testing

@testable import TemplateLibrary

/// HMAC-SHA256 against RFC 4231, and HS256 tokens: accepted only when signed with the secret,
/// unexpired and naming a user; every refusal has its own code and a hint.
@Suite struct IdentityTests {
    static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    static func hexString(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// RFC 4231 test cases 1–4, 6 and 7 (case 5 is a truncated MAC).
    @Test(arguments: [
        (
            String(repeating: "0b", count: 20), "4869205468657265",
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        ),
        (
            "4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        ),
        (
            String(repeating: "aa", count: 20), String(repeating: "dd", count: 50),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
        ),
        (
            "0102030405060708090a0b0c0d0e0f10111213141516171819", String(repeating: "cd", count: 50),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
        ),
        (
            String(repeating: "aa", count: 131),
            "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374",
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        ),
        (
            String(repeating: "aa", count: 131),
            "5468697320697320612074657374207573696e672061206c6172676572207468616e20626c6f636b2d73697a65206b657920616e642061206c6172676572207468616e20626c6f636b2d73697a6520646174612e20546865206b6579206e6565647320746f20626520686173686564206265666f7265206265696e6720757365642062792074686520484d414320616c676f726974686d2e",
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
        ),
    ])
    func rfc4231(key: String, data: String, expected: String) {
        #expect(Self.hexString(HMACSHA256.mac(key: Self.hex(key), message: Self.hex(data))) == expected)
    }

    @Test func constantTimeComparison() {
        #expect(HMACSHA256.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!HMACSHA256.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!HMACSHA256.constantTimeEqual([1, 2, 3], [1, 2]))
        #expect(HMACSHA256.constantTimeEqual([], []))
    }

    let secret = Array("team-secret-at-least-32-bytes-long!".utf8)
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func token(_ claims: Value, secret: [UInt8]? = nil) -> String {
        VerifiedToken.sign(claims, secret: secret ?? self.secret)
    }

    func code(_ token: String) -> DiagnosticCode? {
        libraryErrorCode { _ = try VerifiedToken.verify(token, secret: secret, now: now) }
    }

    @Test func aValidTokenNamesItsSubject() throws {
        let t = token(["sub": "user-42", "exp": .int(1_800_000_060)])
        let verified = try VerifiedToken.verify(t, secret: secret, now: now)
        #expect(verified.subject == "user-42")
        #expect(verified.expires == Date(timeIntervalSince1970: 1_800_000_060))
        // A token made by another implementation (Python's hmac module) verifies too.
        #expect(
            try VerifiedToken.verify(
                "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiZXhwIjo0MTAyNDQ0ODAwfQ.Z4XPmdfuEKHNqnKa1B0aMcEW3-rCDAj-dVzxUWGBz04",
                secret: Array("your-256-bit-secret".utf8), now: now
            ).subject == "1234567890")
    }

    @Test func refusalsHaveTheirOwnCodes() {
        #expect(code(token(["sub": "u", "exp": .int(1_799_999_999)])) == .authExpired)
        #expect(code(token(["sub": "u", "exp": .int(1_800_000_060), "nbf": .int(1_800_000_030)])) == .authExpired)
        #expect(
            code(token(["sub": "u", "exp": .int(1_800_000_060)], secret: Array("other".utf8))) == .authBadSignature)
        #expect(code(token(["exp": .int(1_800_000_060)])) == .authInvalidToken, "no sub")
        #expect(code(token(["sub": "u"])) == .authInvalidToken, "no exp")
        #expect(code("not a token") == .authInvalidToken)
        #expect(code("a.b") == .authInvalidToken)
        #expect(code("") == .authInvalidToken)
        // Tampered: the payload changed to another user, the signature kept.
        let good = token(["sub": "alice", "exp": .int(1_800_000_060)])
        let parts = good.split(separator: ".").map(String.init)
        let forged = VerifiedToken.base64URLEncode(Array(#"{"sub":"admin","exp":1800000060}"#.utf8))
        #expect(code(parts[0] + "." + forged + "." + parts[2]) == .authBadSignature)
        // alg none, unsigned: refused before any signature is looked at.
        let none = VerifiedToken.base64URLEncode(Array(#"{"alg":"none"}"#.utf8))
        #expect(code(none + "." + parts[1] + ".") == .authInvalidToken)
    }

    @Test func theActingUserOfASharedLibraryComesFromTheToken() throws {
        let dir = TemporaryDirectory()
        let secretFile = dir.file("jwt-secret")
        try (String(decoding: secret, as: UTF8.self) + "\n").write(
            toFile: secretFile, atomically: true, encoding: .utf8)
        let url = "postgres://app:pw@db/lib"
        let valid = token(["sub": "carol", "exp": .int(Int(Date().timeIntervalSince1970) + 600)])
        var env = ["CUSTOMUI_TOKEN": valid, "CUSTOMUI_JWT_SECRET_FILE": secretFile]
        #expect(try LibraryLocation.actingUser(explicit: nil, location: url, environment: env) == "carol")
        #expect(
            libraryErrorCode {
                _ = try LibraryLocation.actingUser(explicit: "mallory", location: url, environment: env)
            }
                == .authUserLabel)
        env["CUSTOMUI_TOKEN"] = nil
        #expect(
            libraryErrorCode { _ = try LibraryLocation.actingUser(explicit: nil, location: url, environment: env) }
                == .authMissingToken)
        env = ["CUSTOMUI_TOKEN": valid, "CUSTOMUI_JWT_SECRET_FILE": dir.file("missing")]
        #expect(
            libraryErrorCode { _ = try LibraryLocation.actingUser(explicit: nil, location: url, environment: env) }
                == .authNoSecret)
        // A library file keeps the plain label.
        #expect(
            try LibraryLocation.actingUser(explicit: "dave", location: dir.file("lib.sqlite"), environment: [:])
                == "dave")
    }
}
