// Follows detectron2 `BasicBlock` (detectron2/modeling/backbone/resnet.py): keys `conv1`, `conv2`,
// `shortcut` (each with `.norm`), the shortcut only where the channel count changes.

import Tensor
import Weights

/// The two-convolution residual block of ResNet-18/34 (He et al. 2016, Fig. 2):
/// `relu(bn(conv3×3(relu(bn(conv3×3/stride(x))))) + shortcut(x))`.
struct BasicBlock: Sendable {
    let conv1: FrozenNormConv2d
    let conv2: FrozenNormConv2d
    /// 1×1/stride projection with FrozenBN, present when the channels or the resolution change.
    let shortcut: FrozenNormConv2d?

    init(_ scope: ParameterScope, inChannels: Int, outChannels: Int, stride: Int) throws(WeightsError) {
        shortcut = inChannels == outChannels && stride == 1 ? nil
            : try FrozenNormConv2d(scope.scoped("shortcut"), inChannels: inChannels, outChannels: outChannels,
                                   kernelSize: 1, stride: stride, relu: false)
        conv1 = try FrozenNormConv2d(scope.scoped("conv1"), inChannels: inChannels, outChannels: outChannels,
                                     kernelSize: 3, stride: stride, padding: 1, relu: true)
        conv2 = try FrozenNormConv2d(scope.scoped("conv2"), inChannels: outChannels, outChannels: outChannels,
                                     kernelSize: 3, padding: 1, relu: false)
    }

    func callAsFunction(_ x: Tensor, mask: PaddingMask?) throws(TensorError) -> Tensor {
        var out = try conv2(try conv1(x, mask: mask), mask: mask)
        try out.add(try shortcut?(x, mask: mask) ?? x)
        out.applyReLU()
        return out
    }
}
