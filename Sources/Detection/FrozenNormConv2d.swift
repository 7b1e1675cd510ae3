// Follows detectron2 `layers.Conv2d` with `norm=FrozenBatchNorm2d` (detectron2/layers/wrappers.py,
// detectron2/layers/batch_norm.py): keys `weight` (out, in/groups, k, k) and `norm.{weight,bias,running_mean,running_var}`.

import Layers
import Tensor
import Weights

/// A bias-free convolution followed by `FrozenBatchNorm2d` (eps 1e-5) and optionally ReLU, with the norm
/// folded into the convolution at load: `W' = W·γ/√(σ²+ε)`, `b' = β − μ·γ/√(σ²+ε)`.
///
/// Folding is exact algebra (the frozen statistics are constants); it only reorders float rounding, and
/// saves one pass over every ResNet activation.
struct FrozenNormConv2d: Sendable {
    /// Folded weight (out, in/groups, k, k).
    let weight: Tensor
    /// Folded bias (out).
    let bias: Tensor
    let parameters: Conv2DParameters
    let appliesReLU: Bool

    init(_ scope: ParameterScope, inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1,
         padding: Int = 0, groups: Int = 1, relu: Bool) throws(WeightsError) {
        let raw = try Conv2d(scope, inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize,
                             stride: stride, padding: padding, groups: groups, bias: false)
        let norm = scope.scoped("norm")
        let gamma = try norm.tensor("weight", shape: [outChannels]).scalars
        let beta = try norm.tensor("bias", shape: [outChannels]).scalars
        let mean = try norm.tensor("running_mean", shape: [outChannels]).scalars
        let variance = try norm.tensor("running_var", shape: [outChannels]).scalars
        // FrozenBatchNorm2d: scale = weight · rsqrt(running_var + eps), bias = bias − running_mean · scale (float32).
        let scale = (0..<outChannels).map { gamma[$0] / (variance[$0] + 1e-5).squareRoot() }
        let bias = (0..<outChannels).map { beta[$0] - mean[$0] * scale[$0] }
        var weight = raw.weight.contiguous()
        let perOutput = weight.elementCount / max(outChannels, 1)
        weight.withUnsafeMutableBufferPointer { values in
            for channel in 0..<outChannels {
                for index in (channel * perOutput)..<((channel + 1) * perOutput) { values[index] *= scale[channel] }
            }
        }
        self.weight = weight
        self.bias = Tensor(shape: [outChannels], values: bias)
        parameters = raw.parameters
        appliesReLU = relu
    }

    var outChannels: Int { weight.shape[0] }

    /// `x` (N, C, H, W) → conv → folded norm → ReLU (when configured) → padding mask (when given).
    func callAsFunction(_ x: Tensor, mask: PaddingMask?) throws(TensorError) -> Tensor {
        var y = try Tensor.conv2d(x, weight: weight, bias: bias, parameters: parameters)
        if appliesReLU { y.applyReLU() }
        mask?.apply(to: &y)
        return y
    }
}

extension Tensor {
    /// ReLU in place (no copy when the storage is not shared).
    mutating func applyReLU() {
        withUnsafeMutableBufferPointer { values in
            ParallelLoop.forEachChunk(values.count, minimumPerChunk: 1 << 16) { range in
                for index in range where !(values[index] > 0) && !values[index].isNaN { values[index] = 0 }
            }
        }
    }
}
