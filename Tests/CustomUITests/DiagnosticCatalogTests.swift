import CustomUICore
import Foundation
import Testing

@testable import CustomUI

/// Every catalogued code is produced by its example at exactly the marked position.
@Suite struct DiagnosticCatalogTests {
    @Test(arguments: DiagnosticCatalog.entries.filter { $0.example != nil }.map(\.code.rawValue))
    func exampleProducesCodeAtMarker(code: String) throws {
        let entry = try #require(DiagnosticCatalog.info(DiagnosticCode(rawValue: code)))
        let (files, report) = try #require(entry.example).validate()
        let offset = try #require(files.markerOffset, "example has no marker")
        let matching = report.diagnostics.filter { $0.code.rawValue == code }
        let located = matching.filter { $0.file == files.markerPath && $0.range?.start.offset == offset }
        let renderer = DiagnosticRenderer(sources: report.sources)
        #expect(
            !located.isEmpty,
            "expected \(code) at \(files.markerPath ?? "?") offset \(offset); got:\n\(renderer.render(report.diagnostics))"
        )
    }

    @Test func everyCodeHasAnExampleOrATest() {
        for entry in DiagnosticCatalog.entries where entry.example == nil {
            #expect(entry.testedBy != nil, "\(entry.code) has neither an example nor a covering test")
        }
        let codes = DiagnosticCatalog.entries.map(\.code)
        #expect(Set(codes).count == codes.count, "a code is catalogued twice")
    }

    @Test func expressionCodesAreCatalogued() {
        let catalogued = Set(DiagnosticCatalog.entries.map(\.code))
        for code in DiagnosticCode.expressionCodes + DiagnosticCode.promptMessageCodes {
            #expect(catalogued.contains(code), "\(code) is missing from the catalogue")
        }
    }
}
