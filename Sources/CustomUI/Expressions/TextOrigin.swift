import CustomUICore

/// Where a piece of decoded text came from, so expression ranges point into the original file even when
/// the XML parser decoded entity/character references (`&lt;` is 4 source bytes but 1 text byte).
///
/// A decoded reference should get a segment of its own: its text offset maps to the start of the
/// reference and the following segment to the byte after it, so a range covering the decoded byte
/// covers the whole reference in the source.
public struct TextOrigin: Sendable {
    /// The file the text was read from.
    public let file: SourceFile
    // Parallel arrays, sorted by text offset; the first segment always starts at text offset 0.
    private let textOffsets: [Int]
    private let sourceOffsets: [Int]

    /// Text that maps 1:1 onto the source starting at `startOffset`.
    public init(file: SourceFile, startOffset: Int) {
        self.file = file
        textOffsets = [0]
        sourceOffsets = [startOffset]
    }

    /// Piecewise text: from each segment's text offset on, text maps 1:1 to source until the next segment.
    public init(file: SourceFile, segments: [(textOffset: Int, sourceOffset: Int)]) {
        self.file = file
        // Sorting and dropping duplicates keeps lookups well defined whatever the caller passes.
        var sorted = segments.sorted { $0.textOffset < $1.textOffset }
        sorted.removeAll { $0.textOffset < 0 }
        var texts: [Int] = []
        var sources: [Int] = []
        for segment in sorted {
            if texts.last == segment.textOffset {
                sources[sources.count - 1] = segment.sourceOffset
            } else {
                texts.append(segment.textOffset)
                sources.append(segment.sourceOffset)
            }
        }
        if texts.first != 0 {
            // Text before the first segment is assumed to run 1:1 up to it.
            let first = sources.first.map { $0 - (texts.first ?? 0) } ?? 0
            texts.insert(0, at: 0)
            sources.insert(max(first, 0), at: 0)
        }
        textOffsets = texts
        sourceOffsets = sources
    }

    /// The source byte offset of a byte offset into the decoded text.
    public func sourceOffset(_ textOffset: Int) -> Int {
        let t = max(textOffset, 0)
        var low = 0
        var high = textOffsets.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if textOffsets[mid] <= t { low = mid } else { high = mid - 1 }
        }
        return sourceOffsets[low] + (t - textOffsets[low])
    }

    /// The source range of a span of the decoded text, given as UTF-8 byte offsets.
    public func range(_ textStart: Int, _ textEnd: Int) -> SourceRange {
        file.range(sourceOffset(textStart), sourceOffset(max(textEnd, textStart)))
    }

    /// An origin for a slice of this text starting at `textOffset`, for text that is parsed separately.
    public func shifted(by textOffset: Int) -> TextOrigin {
        var segments: [(textOffset: Int, sourceOffset: Int)] = [(0, sourceOffset(textOffset))]
        for (t, s) in zip(textOffsets, sourceOffsets) where t > textOffset {
            segments.append((t - textOffset, s))
        }
        return TextOrigin(file: file, segments: segments)
    }
}
