// Timing of one 77-token encode with the Stable Diffusion 1.x text encoder's shape (CLIP ViT-L/14 text:
// 12 layers, 768 wide, 12 heads), run only with CLIP_BENCH=1 (not part of the normal suite):
//   CLIP_BENCH=1 [CLIP_BENCH_THREADS=1] OPENBLAS_CORETYPE=SkylakeX \
//     swift test -c release -Xswiftc -enable-testing --skip-build --filter CLIPTextModelBenchmarks
// The model is built from an empty store (zero placeholder weights): the GEMM, norm and softmax costs do not
// depend on the values, and no checkpoint is needed.

import Foundation
import Tensor
import Testing
import Text
import Weights

@Suite(.enabled(if: ProcessInfo.processInfo.environment["CLIP_BENCH"] != nil))
struct CLIPTextModelBenchmarks {
    @Test func stableDiffusion1Encode() throws {
        if let requested = ProcessInfo.processInfo.environment["CLIP_BENCH_THREADS"].flatMap(Int.init) {
            ComputeThreads.setCount(requested)
        }
        let model = try CLIPTextModel(try ParameterStore(files: []).root, configuration: .stableDiffusion1)
        let ids = [[49406, 320, 1125, 539, 320, 2368, 49407] + Array(repeating: 49407, count: 70)]
        for batch in [1, 2] {
            let rows = Array(repeating: ids[0], count: batch)
            _ = try model.promptEmbeddings(inputIDs: rows)
            var times: [Double] = []
            for _ in 0..<7 {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try model.promptEmbeddings(inputIDs: rows)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            let sorted = times.sorted()
            print("CLIP SD1 text encode b\(batch)×77, \(ComputeThreads.count) thread(s), kernel \(BLASRuntime.kernelName): "
                  + "median \(sorted[3]) ms (min \(sorted[0]), max \(sorted[6]))")
        }
    }
}
