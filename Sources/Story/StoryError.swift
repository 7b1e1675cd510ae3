// Typed failures of the Story module (loading a story folder, validating a story request).

/// Why a story folder could not be used or a story request was refused.
///
/// Weights and configuration problems surface as `WeightsError` (which names the key or tensor at fault);
/// these cases cover what only the story layer can judge.
public enum StoryError: Error, Equatable, Sendable {
    /// The folder is not a usable story folder (a file is missing, or components disagree in width).
    case invalidStoryFolder(path: String, reason: String)
    /// A request parameter is out of range; `parameter` names it as the API spells it.
    case invalidParameter(parameter: String, reason: String)
}

extension StoryError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .invalidStoryFolder(path, reason): return "invalid story folder \(path): \(reason)"
        case let .invalidParameter(parameter, reason): return "invalid \(parameter): \(reason)"
        }
    }

    /// The request parameter at fault, if any.
    public var parameter: String? {
        if case let .invalidParameter(parameter, _) = self { return parameter }
        return nil
    }
}
