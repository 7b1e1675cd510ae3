// The two residual block kinds of detectron2's ResNet, as one value type.

import Tensor
import Weights

/// One residual block of a `ResNet` stage: `BasicBlock` (depth 18/34) or `BottleneckBlock` (50/101/152).
enum ResNetBlock: Sendable {
    case basic(BasicBlock)
    case bottleneck(BottleneckBlock)

    func callAsFunction(_ x: Tensor, mask: PaddingMask?) throws(TensorError) -> Tensor {
        switch self {
        case .basic(let block): return try block(x, mask: mask)
        case .bottleneck(let block): return try block(x, mask: mask)
        }
    }
}
