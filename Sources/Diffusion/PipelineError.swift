// Errors of the task pipelines (`StableDiffusionPipeline` and its image-to-image / inpainting entry points).

/// A request a pipeline cannot run, or a pipeline folder it cannot load. Each case names the offending
/// parameter or file so that callers (the HTTP layer) can report it as a client error.
public enum PipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A generation parameter is outside what the pipeline accepts (`parameter` is the Swift property name:
    /// `width`, `height`, `steps`, `imageCount`, `guidanceScale`, `strength`, …).
    case invalidParameter(parameter: String, reason: String)
    /// An input image or mask tensor has the wrong shape (`parameter` is `image` or `mask`).
    case invalidInputShape(parameter: String, shape: [Int], expected: [Int])
    /// The diffusers folder is incomplete or its components do not fit together.
    case invalidPipelineFolder(path: String, reason: String)

    /// The parameter a request error is about (nil for folder errors).
    public var parameter: String? {
        switch self {
        case .invalidParameter(let parameter, _), .invalidInputShape(let parameter, _, _): return parameter
        case .invalidPipelineFolder: return nil
        }
    }

    public var description: String {
        switch self {
        case .invalidParameter(let parameter, let reason):
            return "invalid \(parameter): \(reason)"
        case .invalidInputShape(let parameter, let shape, let expected):
            return "invalid \(parameter): shape \(shape), expected \(expected)"
        case .invalidPipelineFolder(let path, let reason):
            return "invalid pipeline folder \(path): \(reason)"
        }
    }
}
