import CustomUICore

// TEMPORARY: the expressions branch owns this type; this copy lets the template parser build first.
/// Where a piece of decoded text came from, so ranges inside it point into the original file.
public struct TextOrigin: Sendable {
    public let file: SourceFile
    private let textOffsets: [Int]
    private let sourceOffsets: [Int]

    public init(file: SourceFile, startOffset: Int) {
        self.file = file
        textOffsets = [0]
        sourceOffsets = [startOffset]
    }

    public init(file: SourceFile, segments: [(textOffset: Int, sourceOffset: Int)]) {
        self.file = file
        let segments = segments.isEmpty ? [(0, 0)] : segments
        textOffsets = segments.map(\.0)
        sourceOffsets = segments.map(\.1)
    }

    public func sourceOffset(_ textOffset: Int) -> Int {
        var low = 0
        var high = textOffsets.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if textOffsets[mid] <= textOffset { low = mid } else { high = mid - 1 }
        }
        return sourceOffsets[low] + (textOffset - textOffsets[low])
    }

    public func range(_ textStart: Int, _ textEnd: Int) -> SourceRange {
        file.range(sourceOffset(textStart), sourceOffset(textEnd))
    }
}
