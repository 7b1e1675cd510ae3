// Timing of SD-1.5-shaped layers, run only with LAYERS_BENCH=1 (not part of the normal suite):
//   LAYERS_BENCH=1 [LAYERS_BENCH_THREADS=1] OPENBLAS_CORETYPE=SkylakeX swift test -c release -Xswiftc -enable-testing --filter LayerBenchmarks
// The layers are built from an empty store (zero placeholder weights): GEMM, norm and softmax costs do
// not depend on the values, and no checkpoint is needed.

import Foundation
import Testing
import Weights
@testable import Layers
@testable import Tensor

@Suite(.enabled(if: ProcessInfo.processInfo.environment["LAYERS_BENCH"] != nil))
struct LayerBenchmarks {
    /// Median wall time of `body` in milliseconds over `runs` runs after one warm-up.
    func milliseconds(runs: Int = 5, _ body: () throws -> Tensor) rethrows -> Double {
        _ = try body()
        var times: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return times.sorted()[runs / 2]
    }

    @Test func sd15Shapes() throws {
        let store = try ParameterStore(files: [])
        let root = store.root
        if let requested = ProcessInfo.processInfo.environment["LAYERS_BENCH_THREADS"].flatMap(Int.init) {
            ComputeThreads.setCount(requested)
        }
        let threads = ComputeThreads.count
        // Down block 0 of SD 1.5 at 512² (latent 64²): 320 channels, 8 heads of 40, context 77×768.
        let x = Tensor(repeating: 0.5, shape: [1, 320, 64, 64])
        let temb = Tensor(repeating: 0.1, shape: [1, 1280])
        let context = Tensor(repeating: 0.1, shape: [1, 77, 768])
        let resnet = try ResnetBlock2D(root, inChannels: 320, outChannels: 320, tembChannels: 1280, groups: 32)
        let transformer = try Transformer2DModel(root, configuration: .init(numAttentionHeads: 8, attentionHeadDim: 40,
                                                                            inChannels: 320, crossAttentionDim: 768))
        let block = transformer.transformerBlocks[0]
        guard let crossAttention = block.attn2 else {
            Issue.record("the SD block has no cross-attention")
            return
        }
        let tokens = Tensor(repeating: 0.1, shape: [1, 4096, 320])
        // VAE decoder mid block at 512² output: 512 channels, 64² pixels, one head of 512.
        let vaeX = Tensor(repeating: 0.5, shape: [1, 512, 64, 64])
        let vaeAttention = try Attention(root, queryDim: 512, heads: 1, headDim: 512, bias: true, normNumGroups: 32,
                                         eps: 1e-6, residualConnection: true)
        let heads = Tensor(repeating: 0.1, shape: [1, 8, 4096, 40])
        let scores = Tensor(repeating: 0.1, shape: [8, 4096, 4096])
        let results: [(String, Double)] = [
            ("ResnetBlock2D 320ch 64x64", try milliseconds { try resnet(x, temb: temb) }),
            ("Transformer2DModel 320ch 64x64 ctx77", try milliseconds { try transformer(x, encoderHiddenStates: context) }),
            ("  attn1 (self, 4096 tokens, 8x40)", try milliseconds { try block.attn1(tokens) }),
            ("  attn2 (cross, 77 keys)", try milliseconds { try crossAttention(tokens, encoderHiddenStates: context) }),
            ("  ff (GEGLU 320->1280)", try milliseconds { try block.ff(tokens) }),
            ("VAE Attention 512ch 64x64", try milliseconds(runs: 3) { try vaeAttention(vaeX) }),
            ("  Tensor SDPA alone (8 heads, 4096x4096, d 40)", try milliseconds(runs: 3) {
                try Tensor.scaledDotProductAttention(query: heads, key: heads, value: heads)
            }),
            ("  Tensor softmax alone (8x4096 rows of 4096)", try milliseconds(runs: 3) { try scores.softmax() }),
        ]
        for (name, time) in results { print("bench \(name): \(String(format: "%.1f", time)) ms (\(threads) threads)") }
    }
}
