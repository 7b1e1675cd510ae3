// Follows detectron2 `BasicStem` (detectron2/modeling/backbone/resnet.py): key `conv1` (+ `conv1.norm`).

import Tensor
import Weights

/// The ResNet stem: 7×7/2 convolution (pad 3) with FrozenBN and ReLU, then 3×3/2 max-pooling (pad 1).
struct BasicStem: Sendable {
    let conv1: FrozenNormConv2d

    init(_ scope: ParameterScope, inChannels: Int = 3, outChannels: Int) throws(WeightsError) {
        conv1 = try FrozenNormConv2d(scope.scoped("conv1"), inChannels: inChannels, outChannels: outChannels,
                                     kernelSize: 7, stride: 2, padding: 3, relu: true)
    }

    /// (N, 3, H, W) → (N, C, H/4, W/4).
    func callAsFunction(_ x: Tensor, mask: PaddingMask?) throws(TensorError) -> Tensor {
        var y = try conv1(x, mask: mask).maxPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1))
        mask?.apply(to: &y)
        return y
    }
}
