// The failures of loading a tokenizer folder. Tokenizing itself never fails: every valid
// Unicode string has an encoding.

/// Why a tokenizer could not be built from its files.
///
/// Every case names the file (or the configuration key) at fault, so a user who brings a
/// malformed diffusers `tokenizer/` folder learns what to fix. Loading never traps on bad input.
public enum TokenizerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A required file (`vocab.json`, `merges.txt`) does not exist.
    case missingFile(path: String)
    /// A file exists but could not be read.
    case unreadableFile(path: String, reason: String)
    /// `vocab.json` is not a JSON object mapping token strings to non-negative integer ids.
    case invalidVocabulary(path: String, reason: String)
    /// A line of `merges.txt` is not two whitespace-separated symbols (`line` counts from 1).
    case invalidMerges(path: String, line: Int, reason: String)
    /// `tokenizer_config.json` or `special_tokens_map.json` is not valid JSON of the expected shape.
    case invalidConfiguration(path: String, reason: String)
    /// A special token (`role` is `bos_token`, `eos_token`, `unk_token` or `pad_token`) is unset or
    /// is neither in the vocabulary nor among the configured added tokens.
    case missingSpecialToken(role: String, token: String?)

    public var description: String {
        switch self {
        case .missingFile(let path):
            "tokenizer file not found: \(path)"
        case .unreadableFile(let path, let reason):
            "cannot read tokenizer file \(path): \(reason)"
        case .invalidVocabulary(let path, let reason):
            "invalid vocabulary \(path): \(reason)"
        case .invalidMerges(let path, let line, let reason):
            "invalid merges file \(path), line \(line): \(reason)"
        case .invalidConfiguration(let path, let reason):
            "invalid tokenizer configuration \(path): \(reason)"
        case .missingSpecialToken(let role, let token):
            if let token {
                "special token \(role) \"\(token)\" is not in the vocabulary"
            } else {
                "special token \(role) is not set"
            }
        }
    }
}
