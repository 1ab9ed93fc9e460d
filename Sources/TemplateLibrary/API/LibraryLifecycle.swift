import CustomUICore
import Foundation

extension Library {
    // MARK: - Lifecycle

    /// Makes a version (the latest by default) the UI's active one; the previously active version
    /// is archived, so a UI has at most one active version.
    @discardableResult
    public func activate(_ reference: String, version: Int? = nil, user: String) throws(LibraryError) -> LibraryEntry {
        try changeLifecycle(reference, user: user) { uiID, latest, now in
            let target = version ?? latest.version
            guard
                let row = try db.query(
                    "SELECT id, status FROM prompt_custom_uis WHERE ui_id = ? AND version = ?", [uiID, target]
                ).first,
                let id = row["id"].string
            else {
                throw LibraryError(.libraryNotFound, "`\(reference)` has no version \(target)")
            }
            try db.query(
                "UPDATE prompt_custom_uis SET status = 'archived', updated_at = ? WHERE ui_id = ? AND status = 'active' AND id <> ?",
                [now, uiID, id])
            try db.query(
                "UPDATE prompt_custom_uis SET status = 'active', published_at = coalesce(published_at, ?), updated_at = ? WHERE id = ?",
                [now, now, id])
            return id
        }
    }

    /// Archives a UI (every version) or one version; archived versions are hidden from others.
    @discardableResult
    public func archive(_ reference: String, version: Int? = nil, user: String) throws(LibraryError) -> LibraryEntry {
        try changeLifecycle(reference, user: user) { uiID, latest, now in
            if let version {
                guard
                    let id = try db.query(
                        "SELECT id FROM prompt_custom_uis WHERE ui_id = ? AND version = ?", [uiID, version]
                    ).first?["id"].string
                else {
                    throw LibraryError(.libraryNotFound, "`\(reference)` has no version \(version)")
                }
                try db.query(
                    "UPDATE prompt_custom_uis SET status = 'archived', updated_at = ? WHERE id = ?", [now, id])
                return id
            }
            try db.query(
                "UPDATE prompt_custom_uis SET status = 'archived', updated_at = ? WHERE ui_id = ? AND status <> 'archived'",
                [now, uiID])
            return latest.id
        }
    }

    /// Makes every version of a UI public or private.
    @discardableResult
    public func setPublic(_ reference: String, _ isPublic: Bool, user: String) throws(LibraryError) -> LibraryEntry {
        try changeLifecycle(reference, user: user) { uiID, latest, now in
            try db.query(
                "UPDATE prompt_custom_uis SET is_public = ?, updated_at = ? WHERE ui_id = ?", [isPublic, now, uiID])
            return latest.id
        }
    }

    /// Marks a UI featured (it must be public and active) or not.
    @discardableResult
    public func feature(_ reference: String, _ featured: Bool, user: String) throws(LibraryError) -> LibraryEntry {
        try write(user: user) { () throws -> LibraryEntry in
            let (lineage, latest) = try resolveLineage(reference, user: user)
            let uiID = lineage["ui_id"].string ?? ""
            let published = try entries("WHERE v.ui_id = ? AND v.is_public = TRUE AND v.status = 'active'", [uiID])
                .first
            let facts = featured ? (published ?? latest).facts : latest.facts
            try AccessPolicy.check(featured ? .feature : .changeLifecycle, user: user, facts: facts, name: reference)
            try db.query(
                "UPDATE prompt_custom_uis SET is_featured = ?, updated_at = ? WHERE ui_id = ?",
                [featured, Timestamp.string(Date()), uiID])
            return try latestVersion(uiID: uiID) ?? latest
        }
    }

    private func changeLifecycle(
        _ reference: String, user: String,
        _ change: (_ uiID: String, _ latest: LibraryEntry, _ now: String) throws -> String
    ) throws(LibraryError) -> LibraryEntry {
        try write(user: user) { () throws -> LibraryEntry in
            let (lineage, latest) = try resolveLineage(reference, user: user)
            try AccessPolicy.check(.changeLifecycle, user: user, facts: latest.facts, name: reference)
            let id = try change(lineage["ui_id"].string ?? "", latest, Timestamp.string(Date()))
            guard let entry = try entries("WHERE v.id = ?", [id]).first else {
                throw LibraryError(.libraryNotFound, "no UI `\(reference)`")
            }
            return entry
        }
    }
}
