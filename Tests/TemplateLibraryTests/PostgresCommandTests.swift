import CustomUI
import CustomUICore
import Foundation
import JSONSchema
import Testing

@testable import TemplateLibrary

/// The commands on a PostgreSQL library, through the built executable: the user comes from a
/// verified token, `--user` is refused, and no password reaches the output.
@Suite struct PostgresCommandTests {
    typealias Outcome = CLI.Outcome

    func customui(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Outcome {
        try CLI.run(arguments, environment: extra)
    }

    @Test func tokensNameTheUserAndPasswordsStayHidden() throws {
        var transcript = ""
        func call(_ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
            let outcome = try customui(arguments, environment: environment)
            transcript += outcome.all
            return outcome
        }
        guard postgresAvailable() else { return }
        try #require(
            FileManager.default.isExecutableFile(atPath: customuiExecutable), "build the customui product first")
        let cluster = try PostgresCluster.shared()
        let dir = TemporaryDirectory()
        let secret = "a-team-secret-for-the-tests"
        try secret.write(toFile: dir.file("secret"), atomically: true, encoding: .utf8)
        func token(_ user: String, expires: Int = 600) -> String {
            VerifiedToken.sign(
                ["sub": .string(user), "exp": .int(Int(Date().timeIntervalSince1970) + expires)],
                secret: Array(secret.utf8))
        }
        func env(_ user: String) -> [String: String] {
            ["CUSTOMUI_TOKEN": token(user), "CUSTOMUI_JWT_SECRET_FILE": dir.file("secret")]
        }
        // The owner creates the schema; the engine's URL carries a password that must never show.
        let name = "c_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        try cluster.superuser("CREATE DATABASE \(name) OWNER customui_owner")
        var r = try call(["library", "migrate", "--library", cluster.url(role: "customui_owner", database: name)])
        #expect(r.status == 0, "\(r.all)")
        #expect(r.stdout.contains("schema version \(PostgresSchema.currentVersion)"))
        let url = cluster.url(role: "customui_app", database: name, password: "hunter2")
        let lib = ["--library", url]

        r = try call(
            ["publish", "Examples/story-writer/story-writer.ui.xml", "--public", "--activate"] + lib,
            environment: env("alice"))
        #expect(r.status == 0, "\(r.all)")
        #expect(r.stdout.contains("published `Story writer` version 1"))
        r = try call(["library", "list", "--format", "json"] + lib, environment: env("bob"))
        #expect(r.status == 0, "\(r.all)")
        #expect(try JSONParser.parseValue(r.stdout)["uis"]?.arrayValue?.first?["user_id"] == "alice")
        r = try call(["library", "archive", "alice/Story writer"] + lib, environment: env("bob"))
        #expect(r.status == 1)
        #expect(r.stderr.contains("library.denied"))

        // No token, a label, a forged or expired token: refused with a code and a hint.
        r = try call(["library", "list"] + lib)
        #expect(r.status == 1 && r.stderr.contains("auth.missing-token") && r.stderr.contains("hint"))
        r = try call(["library", "list", "--user", "alice"] + lib, environment: env("bob"))
        #expect(r.status == 1 && r.stderr.contains("auth.user-label"))
        var forged = env("bob")
        forged["CUSTOMUI_JWT_SECRET_FILE"] = dir.file("missing")
        r = try call(["library", "list"] + lib, environment: forged)
        #expect(r.stderr.contains("auth.no-secret"))
        forged = env("bob")
        forged["CUSTOMUI_TOKEN"] = VerifiedToken.sign(
            ["sub": "alice", "exp": .int(Int(Date().timeIntervalSince1970) + 600)], secret: Array("guess".utf8))
        r = try call(["library", "list"] + lib, environment: forged)
        #expect(r.status == 1 && r.stderr.contains("auth.bad-signature"))
        forged["CUSTOMUI_TOKEN"] = token("bob", expires: -5)
        r = try call(["library", "list"] + lib, environment: forged)
        #expect(r.status == 1 && r.stderr.contains("auth.expired"))

        // A database without the schema: the error names the URL without its password.
        r = try call(
            ["library", "list", "--library", cluster.url(role: "customui_app", password: "hunter2")],
            environment: env("bob"))
        #expect(r.status == 2 && r.stderr.contains("library.not-a-library") && r.stderr.contains("***"))

        // `library copy` from a file to the database and back.
        let file = dir.file("lib.sqlite")
        r = try call([
            "publish", "Examples/story-writer/story-writer.ui.xml", "--user", "carol", "--library", file,
        ])
        #expect(r.status == 0, "\(r.all)")
        let ownerURL = cluster.url(role: "customui_owner", database: name, password: "hunter2")
        r = try call(["library", "copy", file, ownerURL])
        #expect(r.status == 0, "\(r.all)")
        #expect(r.stdout.contains("copied 1 UI"))
        r = try call(["library", "list", "--format", "json"] + lib, environment: env("carol"))
        #expect(
            try JSONParser.parseValue(r.stdout)["uis"]?.arrayValue?.count == 2, "carol's draft and alice's public UI")
        r = try call(["library", "copy", ownerURL, dir.file("back.sqlite")])
        #expect(r.status == 0, "\(r.all)")
        #expect(r.stdout.contains("copied 2 UIs"))
        r = try call(["library", "copy", file, ownerURL])
        #expect(r.status == 1 && r.stderr.contains("library.exists"), "copying twice is refused")
        #expect(!transcript.contains("hunter2"), "no password in any output")
    }
}
