// Loading a `UNet2DConditionModel` from a diffusers `unet/` folder (diffusers `ModelMixin.from_pretrained`,
// src/diffusers/models/modeling_utils.py @ v0.35.2, for a single safetensors file).

import Foundation
import Weights

extension UNet2DConditionModel {
    /// Loads `directory/config.json` and `directory/diffusion_pytorch_model[.variant].safetensors`.
    ///
    /// Throws `WeightsError.configurationInvalid` naming every unsupported option of the configuration, and one
    /// `WeightsError.loadFailed` listing every missing, unexpected or mis-shaped tensor.
    ///
    /// - Parameters:
    ///   - variant: e.g. `"fp16"`; `nil` takes the plain file, or the `fp16` one when it is the only file.
    ///   - precision: how half-precision weights are held (they are widened to Float32 into the model at load).
    public init(directory: URL, variant: String? = nil,
                precision: WeightsPrecisionPolicy = .keepStored) throws(WeightsError) {
        let configuration = try DiffusersComponentFolder.configuration(Configuration.self, in: directory,
                                                                      className: "UNet2DConditionModel")
        let store = try DiffusersComponentFolder.store(in: directory, variant: variant, precision: precision)
        try self.init(store.root, configuration: configuration)
        try store.finishLoading()
    }
}
