import Testing
@testable import Weights

@Suite("ParameterLoadReport")
struct ParameterLoadReportTests {

    @Test("an empty report is empty")
    func empty() {
        #expect(ParameterLoadReport().isEmpty)
        #expect(!ParameterLoadReport(missingKeys: ["a"]).isEmpty)
    }

    @Test("the description lists every problem with its full key")
    func description() {
        let report = ParameterLoadReport(
            missingKeys: ["a.weight", "b.weight"], unexpectedKeys: ["c.bias"],
            shapeMismatches: [.init(key: "d.weight", expected: [2, 3], found: [3, 2])],
            unsupportedDataTypes: [.init(key: "e.ids", dataType: .int64)])
        let text = WeightsError.loadFailed(report).description
        #expect(text.contains("2 missing: a.weight, b.weight"))
        #expect(text.contains("1 unexpected: c.bias"))
        #expect(text.contains("shape mismatch for d.weight: expected [2, 3], found [3, 2]"))
        #expect(text.contains("unsupported dtype I64 for e.ids"))
    }
}
