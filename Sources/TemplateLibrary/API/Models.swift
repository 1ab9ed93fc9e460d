import CustomUI
import CustomUICore
import Foundation

/// One version of a library UI as a user sees it: the `prompt_custom_uis` row plus the lineage's
/// figures (uses and ratings are per UI, across versions).
public struct LibraryEntry: Sendable, Hashable {
    /// Every seeds column of the version row (`id` is the version's id).
    public var definition: CustomUIDefinition
    /// The UI's stable id, shared by all its versions.
    public var uiID: String
    /// The gallery category, when one was given.
    public var category: String?
    /// Lowercase tags.
    public var tags: [String]
    /// The canonical template file text of this version.
    public var templateText: String
    /// SHA-256 of `templateText`, 64 hex digits.
    public var contentHash: String
    /// Whether this is the UI's newest version.
    public var isLatest: Bool
    /// Runs of the UI across versions.
    public var uiUseCount: Int
    /// The last run of the UI, across versions.
    public var uiLastUsedAt: String?
    /// Average rating, nil when nobody rated the UI.
    public var ratingAverage: Double?
    /// Number of ratings.
    public var ratingCount: Int

    /// The owner.
    public var owner: String { definition.userID ?? "" }
    /// The version number.
    public var version: Int { definition.version }
    /// The version row's id.
    public var id: String { definition.id ?? "" }
    /// The access facts of this version.
    public var facts: AccessFacts {
        AccessFacts(owner: owner, isPublic: definition.isPublic, status: definition.status)
    }

    /// The row as JSON: the seeds' columns, then the library's (`ui_id`, `category`, `tags`, …).
    public var jsonValue: Value {
        var object = definition.jsonValue.objectValue ?? ValueObject()
        object["ui_id"] = .string(uiID)
        object["category"] = category.map(Value.string) ?? .null
        object["tags"] = .array(tags.map(Value.string))
        object["content_hash"] = .string(contentHash)
        object["is_latest"] = .bool(isLatest)
        object["ui_use_count"] = .int(uiUseCount)
        object["ui_last_used_at"] = uiLastUsedAt.map(Value.string) ?? .null
        object["rating_average"] = ratingAverage.map(Value.double) ?? .null
        object["rating_count"] = .int(ratingCount)
        return .object(object)
    }
}

/// How publishing treats the library's own fields; nil keeps the parent version's value.
public struct PublishOptions: Sendable, Hashable {
    /// `is_public`.
    public var isPublic: Bool?
    /// The gallery category.
    public var category: String?
    /// Tags (replacing the parent's when given).
    public var tags: [String]?
    /// Make the new version active (the previously active one is archived).
    public var activate: Bool
    /// Publish as a new version of this UI (a reference) instead of the owner's UI of the same name.
    public var uiReference: String?

    /// Options that keep everything from the parent version and publish a draft.
    public init(
        isPublic: Bool? = nil, category: String? = nil, tags: [String]? = nil, activate: Bool = false,
        uiReference: String? = nil
    ) {
        self.isPublic = isPublic
        self.category = category
        self.tags = tags
        self.activate = activate
        self.uiReference = uiReference
    }
}

/// What a publish did.
public enum PublishOutcome: Sendable, Hashable {
    /// A new version was written.
    case published(LibraryEntry)
    /// The content equals the latest version's; nothing was written.
    case unchanged(LibraryEntry)

    /// The version published, or the existing one with the same content.
    public var entry: LibraryEntry {
        switch self {
        case .published(let e), .unchanged(let e): e
        }
    }
}

/// How listings are ordered.
public enum LibrarySort: String, Sendable, CaseIterable, Hashable {
    /// Best full-text match first (the default for a search with words; else `recent`).
    case relevance
    /// Highest average rating first, then most ratings.
    case rating
    /// Most runs first.
    case uses
    /// Most recently published or changed first.
    case recent
}

/// A listing or search: words to match and filters, all optional.
public struct LibraryQuery: Sendable, Hashable {
    /// Words matched (as prefixes) against name, description, category and tags.
    public var text: String
    /// Only this category.
    public var category: String?
    /// Only UIs with every one of these tags.
    public var tags: [String]
    /// Only this owner.
    public var owner: String?
    /// Only this status.
    public var status: DefinitionStatus?
    /// Only public (true) or private (false) UIs.
    public var isPublic: Bool?
    /// Only featured (true) or not featured (false) UIs.
    public var isFeatured: Bool?
    /// The order.
    public var sort: LibrarySort
    /// At most this many results.
    public var limit: Int
    /// Results to skip.
    public var offset: Int

    /// A query with no words and no filters, newest first, 50 results.
    public init(
        text: String = "", category: String? = nil, tags: [String] = [], owner: String? = nil,
        status: DefinitionStatus? = nil,
        isPublic: Bool? = nil, isFeatured: Bool? = nil, sort: LibrarySort = .relevance, limit: Int = 50, offset: Int = 0
    ) {
        self.text = text
        self.category = category
        self.tags = tags
        self.owner = owner
        self.status = status
        self.isPublic = isPublic
        self.isFeatured = isFeatured
        self.sort = sort
        self.limit = limit
        self.offset = offset
    }
}

/// A UI's ratings after a rating was given.
public struct RatingSummary: Sendable, Hashable {
    /// The average, 1–5.
    public var average: Double
    /// How many users rated it.
    public var count: Int
    /// Whether the user's earlier rating was replaced.
    public var replaced: Bool
}

/// One run of a library UI (the seeds' `prompt_custom_ui_usage` row).
public struct UsageRecord: Sendable, Hashable {
    /// The usage row's id.
    public var id: String
    /// The version that ran.
    public var customUIID: String
    /// Who ran it.
    public var userID: String
    /// The run, when it was recorded.
    public var runID: String?
    /// How long the run took.
    public var executionTimeMs: Int?
    /// The variable values used.
    public var variablesUsed: [String: String]
    /// Whether it succeeded.
    public var success: Bool
    /// Why it failed.
    public var errorMessage: String?
    /// When.
    public var createdAt: String

    /// The row as JSON with the seeds' column names.
    public var jsonValue: Value {
        var o = ValueObject()
        o["id"] = .string(id)
        o["custom_ui_id"] = .string(customUIID)
        o["user_id"] = .string(userID)
        o["run_id"] = runID.map(Value.string) ?? .null
        o["execution_time_ms"] = executionTimeMs.map(Value.int) ?? .null
        var vars = ValueObject()
        for key in variablesUsed.keys.sorted() { vars[key] = .string(variablesUsed[key] ?? "") }
        o["variables_used"] = .object(vars)
        o["success"] = .bool(success)
        o["error_message"] = errorMessage.map(Value.string) ?? .null
        o["created_at"] = .string(createdAt)
        return .object(o)
    }
}

/// A starter template from `Templates/`: the template, its demo prompt and gallery metadata.
public struct StarterTemplate: Sendable, Hashable {
    /// The file name without `.ui.xml`.
    public var slug: String
    /// The template file.
    public var templateText: String
    /// The demo prompt JSON, when present.
    public var promptText: String?
    /// The gallery category (`form`, `chat`, `dashboard`, …).
    public var category: String
    /// Tags.
    public var tags: [String]
    /// `beginner`, `intermediate` or `advanced`.
    public var difficulty: String
    /// Where it was read from.
    public var path: String
}

/// Time stamps as the seeds store them (ISO 8601, UTC, milliseconds), which also sort as text.
enum Timestamp {
    static func string(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = seconds.rounded(.down)
        var t = time_t(whole)
        var parts = tm()
        gmtime_r(&t, &parts)
        let ms = min(999, max(0, Int(((seconds - whole) * 1000).rounded(.down))))
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), ms)
    }

    /// Reads `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS` with optional `.mmm` and `Z`.
    static func date(_ text: String) -> Date? {
        let scalars = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= scalars.count else { return nil }
            var n = 0
            for b in scalars[from..<(from + count)] {
                guard b >= 48, b <= 57 else { return nil }
                n = n * 10 + Int(b - 48)
            }
            return n
        }
        guard let year = number(0, 4), scalars.count >= 10, scalars[4] == 45, let month = number(5, 2),
            scalars[7] == 45,
            let day = number(8, 2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var hour = 0, minute = 0, second = 0, ms = 0
        if scalars.count > 10 {
            guard scalars.count >= 19, scalars[10] == 84 || scalars[10] == 32, let h = number(11, 2),
                let m = number(14, 2),
                let s = number(17, 2), h < 24, m < 60, s < 61
            else { return nil }
            hour = h
            minute = m
            second = s
            var i = 19
            if i < scalars.count, scalars[i] == 46 {
                guard let f = number(20, 3) else { return nil }
                ms = f
                i = 23
            }
            if i < scalars.count {
                guard scalars[i] == 90, i == scalars.count - 1 else { return nil }
            }
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let t = timegm(&parts)
        return Date(timeIntervalSince1970: Double(t) + Double(ms) / 1000)
    }
}
