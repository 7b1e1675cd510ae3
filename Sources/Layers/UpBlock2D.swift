// Follows diffusers `UpBlock2D` (src/diffusers/models/unets/unet_2d_blocks.py @ v0.35.2).
// State-dict keys: `resnets.N`, `upsamplers.0.conv`. (FreeU is not supported.)

import Tensor
import Weights

/// diffusers `UpBlock2D`: `numLayers` × (concatenate the next skip state on channels → ResNet), then an
/// optional nearest ×2 + convolution.
public struct UpBlock2D: Sendable {
    public let resnets: [ResnetBlock2D]
    /// Empty, or the one `Upsample2D`.
    public let upsamplers: [Upsample2D]

    /// Loads the block under `scope`.
    ///
    /// - Parameters:
    ///   - inChannels: channels of the skip state consumed by the last ResNet (the matching down block's input).
    ///   - prevOutputChannel: channels of the incoming hidden states (the previous up block's output).
    ///   - outChannels: channels of this block (and of the skip states consumed by the other ResNets).
    public init(_ scope: ParameterScope, inChannels: Int, prevOutputChannel: Int, outChannels: Int, tembChannels: Int?,
                numLayers: Int = 1, resnet: ResnetBlockSettings = ResnetBlockSettings(),
                addUpsample: Bool = true) throws(WeightsError) {
        var resnets: [ResnetBlock2D] = []
        for index in 0..<numLayers {
            let skipChannels = index == numLayers - 1 ? inChannels : outChannels
            let hiddenChannels = index == 0 ? prevOutputChannel : outChannels
            resnets.append(try resnet.resnet(scope.scoped("resnets").scoped(index), inChannels: hiddenChannels + skipChannels,
                                             outChannels: outChannels, tembChannels: tembChannels))
        }
        self.resnets = resnets
        upsamplers = addUpsample
            ? [try Upsample2D(scope.scoped("upsamplers").scoped(0), channels: outChannels, useConv: true, outChannels: outChannels)]
            : []
    }

    /// Runs the block.
    ///
    /// - Parameters:
    ///   - skipStates: the `resnets.count` skip states for this block in the order the down path produced
    ///     them; they are consumed from the last one, as diffusers pops `res_hidden_states_tuple`.
    ///   - upsampleSize: explicit (height, width) for the upsampler (see ``Upsample2D``).
    public func callAsFunction(_ x: Tensor, skipStates: [Tensor], temb: Tensor? = nil,
                               upsampleSize: (Int, Int)? = nil) throws(TensorError) -> Tensor {
        guard skipStates.count == resnets.count else {
            throw .invalidArgument(op: "up_block_2d", reason: "\(skipStates.count) skip states for \(resnets.count) ResNets")
        }
        var h = x
        for (resnet, skip) in zip(resnets, skipStates.reversed()) {
            h = try resnet(Tensor.concatenate([h, skip], dimension: 1), temb: temb)
        }
        for upsampler in upsamplers { h = try upsampler(h, outputSize: upsampleSize) }
        return h
    }
}
