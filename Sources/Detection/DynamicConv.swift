// Follows DiffusionDet `DynamicConv` (diffusiondet/head.py @1efb36d, from Sparse R-CNN): keys
// `dynamic_layer`, `norm1` (LN dim_dynamic), `norm2` (LN d), `out_layer` (d·R² → d), `norm3` (LN d).

import CTensorKernels
import Layers
import Tensor
import Weights

/// Instance interaction of Sparse R-CNN (Sun et al. 2021, §3.3): each proposal feature generates the
/// parameters of two 1×1 convolutions that it applies to its own RoI feature.
///
/// Per box: `params = dynamic_layer(pro)` split into `P₁` (d × d_dyn) and `P₂` (d_dyn × d);
/// `F = relu(LN₂(relu(LN₁(roi·P₁))·P₂))` over the R² RoI cells; the result is `relu(LN₃(out_layer(flatten(F))))`
/// with the cell-major flattening (index `cell·d + channel`) of the official `features.flatten(1)`.
///
/// Cost is dominated by GEMMs: one (N × d)·(d × 2·d·d_dyn) for all dynamic parameters, 2N small
/// per-box products run one per thread, and one (N × R²d)·(R²d × d) for `out_layer`.
struct DynamicConv: Sendable {
    let hiddenDim: Int
    let dynamicDim: Int
    let dynamicLayer: Linear
    let norm1: LayerNorm
    let norm2: LayerNorm
    let outLayer: Linear
    let norm3: LayerNorm

    init(_ scope: ParameterScope, hiddenDim: Int, dynamicDim: Int, poolerResolution: Int) throws(WeightsError) {
        self.hiddenDim = hiddenDim
        self.dynamicDim = dynamicDim
        dynamicLayer = try Linear(scope.scoped("dynamic_layer"), inFeatures: hiddenDim,
                                  outFeatures: 2 * hiddenDim * dynamicDim)
        norm1 = try LayerNorm(scope.scoped("norm1"), dimension: dynamicDim)
        norm2 = try LayerNorm(scope.scoped("norm2"), dimension: hiddenDim)
        outLayer = try Linear(scope.scoped("out_layer"), inFeatures: hiddenDim * poolerResolution * poolerResolution,
                              outFeatures: hiddenDim)
        norm3 = try LayerNorm(scope.scoped("norm3"), dimension: hiddenDim)
    }

    /// - Parameters:
    ///   - proposals: (N, d) proposal features.
    ///   - roiFeatures: (N, R², d) pooled features, cell-major per box.
    /// - Returns: (N, d).
    func callAsFunction(_ proposals: Tensor, roiFeatures: Tensor) throws(TensorError) -> Tensor {
        let boxes = proposals.shape[0], cells = roiFeatures.shape[1]
        let d = hiddenDim, dd = dynamicDim
        let parameters = try dynamicLayer(proposals)  // (N, 2·d·dd)
        let roi = roiFeatures.contiguous()
        var interacted = Tensor(uninitializedShape: [boxes, cells * d])
        let parameterBase = parameters.basePointer, roiBase = roi.basePointer
        let gamma1 = norm1.weight?.contiguous(), beta1 = norm1.bias?.contiguous()
        let gamma2 = norm2.weight?.contiguous(), beta2 = norm2.bias?.contiguous()
        let eps1 = norm1.eps, eps2 = norm2.eps
        interacted.withUnsafeMutableBufferPointer { output in
            guard let outputBase = output.baseAddress else { return }
            ComputeThreads.withSingleThreadedBLAS {
                ParallelLoop.forEachChunk(boxes) { range in
                    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: cells * dd)
                    defer { scratch.deallocate() }
                    for box in range {
                        let first = parameterBase + box * 2 * d * dd
                        let second = first + d * dd
                        // (cells × d)·(d × dd)
                        BLAS.sgemm(m: cells, n: dd, k: d, a: roiBase + box * cells * d, lda: d, b: first, ldb: dd,
                                   c: scratch, ldc: dd)
                        for cell in 0..<cells {
                            let row = scratch + cell * dd
                            tk_layer_norm_row(row, row, dd, gamma1?.basePointer, beta1?.basePointer, eps1)
                            for index in 0..<dd where !(row[index] > 0) && !row[index].isNaN { row[index] = 0 }
                        }
                        // (cells × dd)·(dd × d)
                        let destination = outputBase + box * cells * d
                        BLAS.sgemm(m: cells, n: d, k: dd, a: scratch, lda: dd, b: second, ldb: d, c: destination, ldc: d)
                        for cell in 0..<cells {
                            let row = destination + cell * d
                            tk_layer_norm_row(row, row, d, gamma2?.basePointer, beta2?.basePointer, eps2)
                            for index in 0..<d where !(row[index] > 0) && !row[index].isNaN { row[index] = 0 }
                        }
                    }
                }
            }
        }
        withExtendedLifetime((parameters, roi)) {}
        var result = try norm3(try outLayer(interacted))
        result.applyReLU()
        return result
    }
}
