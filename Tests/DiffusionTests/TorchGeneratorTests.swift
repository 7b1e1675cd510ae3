import Testing
import Tensor
@testable import Diffusion

/// `TorchGenerator` against torch 2.13's CPU generator (fixtures from make_scheduler_fixtures.py).
@Suite struct TorchGeneratorTests {
    static let seeds: [UInt64] = [0, 42, 1_234_567, (1 << 32) + 5]
    static let sizes = [1, 7, 15, 16, 17, 1000]

    @Test(arguments: seeds, sizes)
    func randnMatchesTorchBitForBit(seed: UInt64, size: Int) throws {
        let expected = try SchedulerFixtures.tensor("randn.\(seed).\(size)", in: SchedulerFixtures.rng).values
        var generator = TorchGenerator(seed: seed)
        let ours = generator.randn(count: size)
        #expect(ours.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    @Test func randnOfALatentShapeMatchesTorch() throws {
        let expected = try SchedulerFixtures.tensor("randn.2024.4x4x64x64", in: SchedulerFixtures.rng)
        var generator = TorchGenerator(seed: 2024)
        let ours = generator.randn(shape: [4, 4, 64, 64])
        #expect(ours.shape == expected.shape)
        let mismatches = zip(ours.scalars, expected.values).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(mismatches == 0)
    }

    @Test func successiveCallsContinueTheStream() throws {
        // randn(3), randn(5), randn(40), randn(1), randn(2,3,5), randn(2): small draws use (and leave
        // behind) the cached second Box–Muller value; large draws use the block path.
        let expected = try SchedulerFixtures.tensor("randn.7.sequence", in: SchedulerFixtures.rng).values
        var generator = TorchGenerator(seed: 7)
        var ours = generator.randn(count: 3) + generator.randn(count: 5) + generator.randn(count: 40)
        ours += generator.randn(count: 1)
        ours += generator.randn(shape: [2, 3, 5]).scalars
        ours += generator.randn(count: 2)
        #expect(ours.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    @Test func randThenRandnMatchesTorch() throws {
        let uniforms = try SchedulerFixtures.tensor("rand.99.37", in: SchedulerFixtures.rng).values
        let normals = try SchedulerFixtures.tensor("rand.99.then_randn.20", in: SchedulerFixtures.rng).values
        var generator = TorchGenerator(seed: 99)
        #expect(generator.rand(count: 37) == uniforms)
        #expect(generator.randn(count: 20).map(\.bitPattern) == normals.map(\.bitPattern))
    }

    @Test func engineIsReferenceMT19937() {
        // The first output of std::mt19937 with its default seed 5489 is 3499211612 (C++11 [rand.predef]
        // fixes the 10000th: 4123659995).
        var generator = TorchGenerator(seed: 5489)
        #expect(generator.nextUInt32() == 3_499_211_612)
        for _ in 0..<9998 { _ = generator.nextUInt32() }
        #expect(generator.nextUInt32() == 4_123_659_995)
    }

    @Test func copiesForkTheStream() {
        var original = TorchGenerator(seed: 3)
        _ = original.randn(count: 5)  // leaves a cached normal behind
        var fork = original
        #expect(original.randn(count: 20) == fork.randn(count: 20))
        #expect(original.seed == 3)
    }

    @Test func emptyDrawsConsumeNothing() {
        var a = TorchGenerator(seed: 11)
        var b = TorchGenerator(seed: 11)
        #expect(a.randn(count: 0).isEmpty)
        #expect(a.randn(count: 4) == b.randn(count: 4))
    }

    @Test func oneGeneratorPerBatchItemLikeRandnTensor() throws {
        var generators = [TorchGenerator(seed: 42), TorchGenerator(seed: 0)]
        let batch = try TorchGenerator.randn(shape: [2, 1000], generators: &generators)
        let first = try SchedulerFixtures.tensor("randn.42.1000", in: SchedulerFixtures.rng).values
        let second = try SchedulerFixtures.tensor("randn.0.1000", in: SchedulerFixtures.rng).values
        #expect(batch.scalars == first + second)
        var one = [TorchGenerator(seed: 1)]
        #expect(throws: SchedulerError.self) { _ = try TorchGenerator.randn(shape: [2, 4], generators: &one) }
    }
}
