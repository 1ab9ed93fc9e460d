import CustomUICore
import Testing

@testable import TemplateLibrary

/// SQLite's failures become the `library.*` code a user can act on.
@Suite struct LibraryErrorCodeTests {
    @Test func aLockHeldPastTheTimeoutIsBusy() {
        // SQLITE_BUSY (5) and SQLITE_LOCKED (6), as SQLite reports a lock another process holds.
        for code: Int32 in [5, 6] {
            let error = LibraryError.from(SQLiteError(code: code, message: "database is locked"), path: "lib.sqlite")
            #expect(error.code == .libraryBusy)
            #expect(error.message.contains("`lib.sqlite`") && error.hint != nil)
        }
    }
}
