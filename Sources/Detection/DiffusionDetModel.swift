// The typed parameter tree of a DiffusionDet checkpoint (ShoufaChen/DiffusionDet @1efb36d state dict):
// `backbone.*` (detectron2 ResNet + FPN) and `head.*` (`DynamicHead`).

import Weights

/// DiffusionDet's modules, loaded from a `ParameterStore` with the official state-dict keys.
public struct DiffusionDetModel: Sendable {
    public let configuration: DiffusionDetConfiguration
    /// `backbone`: ResNet bottom-up plus FPN.
    public let backbone: FeaturePyramidNetwork
    /// `head`: time MLP plus the `RCNNHead` stages.
    public let head: DynamicHead

    /// The float64 diffusion buffers the official module registers; recomputed here, so a checkpoint may
    /// hold them unread.
    public static let allowedExtraKeys = ParameterIgnoreList([
        "betas", "alphas_cumprod", "alphas_cumprod_prev", "sqrt_alphas_cumprod", "sqrt_one_minus_alphas_cumprod",
        "log_one_minus_alphas_cumprod", "sqrt_recip_alphas_cumprod", "sqrt_recipm1_alphas_cumprod",
        "posterior_variance", "posterior_log_variance_clipped", "posterior_mean_coef1", "posterior_mean_coef2",
    ].map(ParameterIgnoreList.Rule.key))

    /// Builds every module from `store` (F32 or F16 tensors) and then checks, in one report, that the store
    /// held exactly the expected tensors: missing, unexpected and mis-shaped keys are listed together
    /// in `WeightsError.loadFailed`.
    public init(store: ParameterStore, configuration: DiffusionDetConfiguration) throws(WeightsError) {
        try self.init(unchecked: store, configuration: configuration)
        try store.finishLoading(ignoring: Self.allowedExtraKeys)
    }

    /// Builds the modules without the final check (problems stay recorded in `store.report()`).
    init(unchecked store: ParameterStore, configuration: DiffusionDetConfiguration) throws(WeightsError) {
        self.configuration = configuration
        backbone = try FeaturePyramidNetwork(store.scoped("backbone"), configuration: configuration)
        head = try DynamicHead(store.scoped("head"), configuration: configuration)
    }
}
