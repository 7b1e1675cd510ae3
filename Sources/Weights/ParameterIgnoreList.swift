/// Keys a model allows in its checkpoint without ever reading them, e.g. the
/// `text_model.embeddings.position_ids` buffer that transformers saves with CLIP.
///
/// Each model declares its own list next to its loading code; the generic store has no
/// built-in exceptions. Rules match whole dot-separated components, so `.suffix("position_ids")`
/// matches `embeddings.position_ids` but not `embeddings.my_position_ids`.
public struct ParameterIgnoreList: Sendable, Equatable, ExpressibleByArrayLiteral {
    public enum Rule: Sendable, Equatable {
        /// Exactly this full key.
        case key(String)
        /// Any key whose last components are these (`"position_ids"`, `"attn.bias"`).
        case suffix(String)
        /// Any key under this scope (`"first_stage_model"` matches `first_stage_model.decoder.…`).
        case scope(String)
    }

    public var rules: [Rule]

    public init(_ rules: [Rule]) {
        self.rules = rules
    }

    public init(arrayLiteral rules: Rule...) {
        self.rules = rules
    }

    /// Allows nothing.
    public static let none = ParameterIgnoreList([])

    /// Whether `key` may stay unread.
    public func allows(_ key: String) -> Bool {
        rules.contains { rule in
            switch rule {
            case .key(let exact):
                return key == exact
            case .suffix(let suffix):
                return key == suffix || key.hasSuffix("." + suffix)
            case .scope(let scope):
                return key == scope || key.hasPrefix(scope + ".")
            }
        }
    }

    /// Both lists' rules.
    public func union(_ other: ParameterIgnoreList) -> ParameterIgnoreList {
        ParameterIgnoreList(rules + other.rules)
    }
}
