// The quantity a diffusion model is trained to predict (diffusers `prediction_type`).

/// What the denoising network outputs.
///
/// - `epsilon`: the added noise ε (Ho et al. 2020, "Denoising Diffusion Probabilistic Models", arXiv:2006.11239).
/// - `vPrediction`: the velocity v = α_t·ε − σ_t·x₀ (Salimans & Ho 2022, "Progressive Distillation for
///   Fast Sampling of Diffusion Models", arXiv:2202.00512 §4); used by Stable Diffusion 2.x 768-px models.
/// - `sample`: the clean sample x₀ directly.
public enum PredictionType: String, Sendable, Codable, CaseIterable {
    case epsilon
    case vPrediction = "v_prediction"
    case sample
}
