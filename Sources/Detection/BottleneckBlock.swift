// Follows detectron2 `BottleneckBlock` (detectron2/modeling/backbone/resnet.py): keys `conv1`, `conv2`,
// `conv3`, `shortcut` (each with `.norm`), the shortcut only where the channel count changes.

import Tensor
import Weights

/// The bottleneck residual block of ResNet-50/101/152 (He et al. 2016, Fig. 5):
/// 1×1 reduce → 3×3 (grouped) → 1×1 expand, each with FrozenBN, plus the shortcut, then ReLU.
/// The stride sits in the 3×3 convolution (torchvision style, `STRIDE_IN_1X1: False`) unless configured.
struct BottleneckBlock: Sendable {
    let conv1: FrozenNormConv2d
    let conv2: FrozenNormConv2d
    let conv3: FrozenNormConv2d
    let shortcut: FrozenNormConv2d?

    init(_ scope: ParameterScope, inChannels: Int, outChannels: Int, bottleneckChannels: Int, stride: Int,
         groups: Int, strideIn1x1: Bool) throws(WeightsError) {
        try scope.requireDivisible(bottleneckChannels, by: groups, key: "num_groups")
        shortcut = inChannels == outChannels && stride == 1 ? nil
            : try FrozenNormConv2d(scope.scoped("shortcut"), inChannels: inChannels, outChannels: outChannels,
                                   kernelSize: 1, stride: stride, relu: false)
        conv1 = try FrozenNormConv2d(scope.scoped("conv1"), inChannels: inChannels, outChannels: bottleneckChannels,
                                     kernelSize: 1, stride: strideIn1x1 ? stride : 1, relu: true)
        conv2 = try FrozenNormConv2d(scope.scoped("conv2"), inChannels: bottleneckChannels,
                                     outChannels: bottleneckChannels, kernelSize: 3, stride: strideIn1x1 ? 1 : stride,
                                     padding: 1, groups: groups, relu: true)
        conv3 = try FrozenNormConv2d(scope.scoped("conv3"), inChannels: bottleneckChannels, outChannels: outChannels,
                                     kernelSize: 1, relu: false)
    }

    func callAsFunction(_ x: Tensor, mask: PaddingMask?) throws(TensorError) -> Tensor {
        var out = try conv3(try conv2(try conv1(x, mask: mask), mask: mask), mask: mask)
        try out.add(try shortcut?(x, mask: mask) ?? x)
        out.applyReLU()
        return out
    }
}

extension ParameterScope {
    /// Throws `configurationInvalid` naming `key` unless `channels` splits into `groups` equal parts.
    func requireDivisible(_ channels: Int, by groups: Int, key: String) throws(WeightsError) {
        guard groups > 0, channels % groups == 0 else {
            throw .configurationInvalid(path: prefix, key: key,
                                        reason: "\(channels) channels are not divisible by \(groups) groups")
        }
    }
}
