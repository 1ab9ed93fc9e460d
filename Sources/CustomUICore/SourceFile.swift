/// A position in a source file: a UTF-8 byte offset and the 1-based line and column it falls on.
///
/// Columns count Unicode scalars from the start of the line, so a caret lines up under the
/// character an author sees (tabs are expanded by the diagnostic renderer, not here).
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The UTF-8 byte offset from the start of the file.
    public var offset: Int
    /// The 1-based line.
    public var line: Int
    /// The 1-based column, in Unicode scalars.
    public var column: Int

    /// A location from its parts.
    public init(offset: Int, line: Int, column: Int) {
        self.offset = offset
        self.line = line
        self.column = column
    }

    /// `line:column`.
    public var description: String { "\(line):\(column)" }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool { lhs.offset < rhs.offset }
}

/// A half-open span of a source file, from `start` up to but not including `end`.
public struct SourceRange: Hashable, Sendable, CustomStringConvertible {
    /// The first position in the range.
    public var start: SourceLocation
    /// The position just past the range.
    public var end: SourceLocation

    /// A range from its bounds.
    public init(start: SourceLocation, end: SourceLocation) {
        self.start = start
        self.end = max(start, end)
    }

    /// An empty range at one location.
    public init(at location: SourceLocation) {
        self.init(start: location, end: location)
    }

    /// The smallest range covering both.
    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(start: min(start, other.start), end: max(end, other.end))
    }

    /// `line:column-line:column`.
    public var description: String { "\(start)-\(end)" }
}

/// The text of one source file with a line-start table, so offsets turn into line:column in O(log n).
public final class SourceFile: Sendable {
    /// The path as the user gave it (used in diagnostics).
    public let path: String
    /// The whole text.
    public let text: String
    /// The text's UTF-8 bytes.
    public let bytes: [UInt8]
    /// The byte offset where each line starts; `lineStarts[0] == 0`.
    public let lineStarts: [Int]
    /// The number of Unicode scalars that start before each multiple of 64 bytes, so a column is
    /// found without scanning a whole (possibly megabyte-long, minified) line.
    private let scalarCheckpoints: [Int]

    /// A source file from its text.
    public init(path: String, text: String) {
        self.path = path
        self.text = text
        let bytes = Array(text.utf8)
        self.bytes = bytes
        var starts = [0]
        var i = 0
        while i < bytes.count {
            // \n, \r\n and a lone \r all end a line, as XML and JSON treat them.
            if bytes[i] == 0x0A {
                starts.append(i + 1)
            } else if bytes[i] == 0x0D {
                if i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
                starts.append(i + 1)
            }
            i += 1
        }
        lineStarts = starts
        var checkpoints = [Int]()
        checkpoints.reserveCapacity(bytes.count / 64 + 1)
        var scalars = 0
        for (index, byte) in bytes.enumerated() {
            if index & 63 == 0 { checkpoints.append(scalars) }
            if byte & 0xC0 != 0x80 { scalars += 1 }
        }
        if bytes.count & 63 == 0 { checkpoints.append(scalars) }
        scalarCheckpoints = checkpoints
    }

    /// How many Unicode scalars start before byte `offset`.
    private func scalarsBefore(_ offset: Int) -> Int {
        var count = scalarCheckpoints[offset >> 6]
        var i = offset & ~63
        while i < offset {
            if bytes[i] & 0xC0 != 0x80 { count += 1 }
            i += 1
        }
        return count
    }

    /// The number of lines.
    public var lineCount: Int { lineStarts.count }

    /// The location of a byte offset (clamped to the file).
    public func location(at offset: Int) -> SourceLocation {
        let offset = min(max(offset, 0), bytes.count)
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        let column = scalarsBefore(offset) - scalarsBefore(lineStarts[low]) + 1
        return SourceLocation(offset: offset, line: low + 1, column: column)
    }

    /// The location of the 1-based `line` and scalar `column` (clamped to the file).
    public func location(line: Int, column: Int) -> SourceLocation {
        let lineIndex = min(max(line, 1), lineStarts.count) - 1
        var offset = lineStarts[lineIndex]
        let lineEnd = lineEndOffset(lineIndex)
        var col = 1
        while col < column, offset < lineEnd {
            offset += 1
            while offset < lineEnd, bytes[offset] & 0xC0 == 0x80 { offset += 1 }
            col += 1
        }
        return SourceLocation(offset: offset, line: lineIndex + 1, column: col)
    }

    /// The range between two byte offsets.
    public func range(_ start: Int, _ end: Int) -> SourceRange {
        SourceRange(start: location(at: start), end: location(at: end))
    }

    /// The text of a 1-based line, without its line terminator.
    public func line(_ number: Int) -> Substring {
        guard number >= 1, number <= lineStarts.count else { return "" }
        let start = lineStarts[number - 1]
        let end = lineEndOffset(number - 1)
        return Substring(String(decoding: bytes[start..<end], as: UTF8.self))
    }

    /// The UTF-8 byte offsets of a 1-based line, without its line terminator (empty past the end).
    public func lineByteRange(_ number: Int) -> Range<Int> {
        guard number >= 1, number <= lineStarts.count else { return bytes.count..<bytes.count }
        return lineStarts[number - 1]..<lineEndOffset(number - 1)
    }

    /// The source text covered by a range.
    public func text(in range: SourceRange) -> String {
        let start = min(max(range.start.offset, 0), bytes.count)
        let end = min(max(range.end.offset, start), bytes.count)
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    private func lineEndOffset(_ lineIndex: Int) -> Int {
        var end = lineIndex + 1 < lineStarts.count ? lineStarts[lineIndex + 1] : bytes.count
        while end > lineStarts[lineIndex], bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
        return end
    }
}
