import Testing
@testable import Tensor

@Suite struct EmbeddingTests {
    @Test func lookupMatchesPyTorch() throws {
        let fixture = try OpFixture("embedding")
        let indices = try fixture.file.tensor(named: "embedding.indices")
        let actual = try Tensor.embedding(indices: indices.integers(), shape: indices.shape, table: fixture.tensor("embedding", "table"))
        expectMatches(actual, try fixture.tensor("embedding", "output"), relative: 0, "embedding")
        #expect(throws: TensorError.self) { try Tensor.embedding(indices: [5], shape: [1], table: .zeros([3, 2])) }
    }

    @Test func timestepEmbeddingsMatchReferences() throws {
        let fixture = try OpFixture("embedding")
        let names = fixture.cases(op: "timestep")
        #expect(names.count == 5)
        for name in names {
            let timesteps = try fixture.tensor(name, "timesteps").scalars
            let style: TimestepEmbeddingStyle = fixture.string(name, "style") == "guided"
                ? .guidedDiffusion
                : .diffusers(flipSinToCos: fixture.bool(name, "flip_sin_to_cos")!, downscaleFrequencyShift: fixture.float(name, "shift")!)
            let actual = try Tensor.timestepEmbedding(timesteps, dimension: fixture.int(name, "dim")!, style: style)
            expectMatches(actual, try fixture.tensor(name, "output"), name)
        }
    }
}
