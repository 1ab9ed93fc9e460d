import CustomUI

/// What the access rules need to know about one UI version: who owns it and whether it is public
/// and active (the seeds' row-level security reads exactly these columns).
public struct AccessFacts: Sendable, Hashable {
    /// The owner (`user_id`).
    public var owner: String
    /// `is_public`.
    public var isPublic: Bool
    /// `status`.
    public var status: DefinitionStatus

    /// Facts from their parts.
    public init(owner: String, isPublic: Bool, status: DefinitionStatus) {
        self.owner = owner
        self.isPublic = isPublic
        self.status = status
    }

    /// Whether everyone may see it: the seeds' "Users can view public custom UIs".
    public var isPublished: Bool { isPublic && status == .active }
}

/// Something a user asks to do to a UI, a usage record or a run.
public enum LibraryAction: String, Sendable, CaseIterable, Hashable {
    /// Read a UI version (list, search, show, export).
    case view
    /// Publish a new version of an existing UI.
    case publishVersion = "publish a new version of"
    /// Activate, archive or change the visibility of a UI.
    case changeLifecycle = "change"
    /// Mark a UI featured or not.
    case feature
    /// Rate a UI.
    case rate
    /// Record a run of a UI.
    case recordUsage = "record usage of"
    /// Delete a UI with every version, rating and usage record.
    case delete
}

/// The access rules in one place, after the seeds' row-level security policies: a user sees their
/// own UIs and public active ones, changes only their own, rates anyone else's public UI, and sees
/// only their own usage and runs.
public enum AccessPolicy {
    /// Whether `user` may see the version described by `facts`.
    public static func canView(_ user: String, _ facts: AccessFacts) -> Bool {
        facts.owner == user || facts.isPublished
    }

    /// Checks one action; throws `library.not-found` when the user may not even see the UI (so
    /// private UIs do not leak their existence) and `library.denied` otherwise.
    public static func check(_ action: LibraryAction, user: String, facts: AccessFacts, name: String)
        throws(LibraryError)
    {
        guard canView(user, facts) else { throw notFound(name, user: user) }
        switch action {
        case .view, .recordUsage:
            return
        case .publishVersion, .changeLifecycle, .delete:
            guard facts.owner == user else {
                throw LibraryError.denied(
                    "user `\(user)` may not \(action.rawValue) `\(name)`: it belongs to `\(facts.owner)`",
                    hint: "only a UI's owner changes it; publish your own copy under another name")
            }
        case .feature:
            guard facts.owner == user else {
                throw LibraryError.denied(
                    "user `\(user)` may not feature `\(name)`: it belongs to `\(facts.owner)`",
                    hint: "only a UI's owner changes it")
            }
            guard facts.isPublished else {
                throw LibraryError.denied(
                    "`\(name)` cannot be featured: only public, active UIs can",
                    hint: "activate it and make it public first")
            }
        case .rate:
            guard facts.owner != user else {
                throw LibraryError.denied(
                    "user `\(user)` may not rate their own UI `\(name)`", hint: "ratings are for other users' UIs")
            }
            guard facts.isPublished else {
                throw LibraryError.denied("`\(name)` cannot be rated: only public, active UIs can")
            }
        }
    }

    /// The one answer for a UI that does not exist and for one the user may not see, word for
    /// word, so no command tells a private UI from a missing one.
    public static func notFound(_ reference: String, user: String) -> LibraryError {
        LibraryError(
            .libraryNotFound, "no UI `\(reference)` is visible to user `\(user)`",
            hint: "`customui library list` shows what you can see")
    }

    /// Whether `user` may read a usage record or run owned by `owner`: only their own.
    public static func canViewRecord(_ user: String, owner: String) -> Bool { user == owner }

    /// The SQL form of `canView` for listings over `prompt_custom_uis` aliased `v`, with the user
    /// bound to `?1`; owners see the latest version of their UIs, others the public active one.
    static let visibleVersionSQL =
        "((v.user_id = ?1 AND v.is_latest = TRUE) OR (v.user_id <> ?1 AND v.is_public = TRUE AND v.status = 'active'))"
}
