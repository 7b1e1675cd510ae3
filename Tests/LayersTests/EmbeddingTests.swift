import Testing
import Weights
@testable import Layers
@testable import Tensor

@Suite struct EmbeddingTests {
    @Test func matchesTorchEmbedding() throws {
        try checkParity("norms", module: "Embedding") { scope, c in
            let layer = try Embedding(scope, count: c.requiredInt("count"), dimension: c.requiredInt("dimension"))
            let indices = try c.integers("indices")
            let shape = try c.input("indices").shape
            let rows = stride(from: 0, to: indices.count, by: shape[1]).map { Array(indices[$0..<($0 + shape[1])]) }
            let byRows = try layer(rows)
            #expect(byRows.scalars == (try layer(indices, shape: shape)).scalars)
            return ["output": byRows]
        }
    }

    @Test func rejectsOutOfRangeIndex() throws {
        try checkParity("norms", module: "Embedding") { scope, c in
            let layer = try Embedding(scope, count: c.requiredInt("count"), dimension: c.requiredInt("dimension"))
            #expect(throws: TensorError.self) { try layer([[0, layer.count]]) }
            return ["output": try layer(c.integers("indices"), shape: c.input("indices").shape)]
        }
    }
}
