// The special-token and length settings of a transformers tokenizer folder, read the way
// `PreTrainedTokenizerBase.from_pretrained` (transformers 4.57.6) reads them for `CLIPTokenizer`.

import Foundation

/// Special tokens, added tokens and the maximum length of a CLIP tokenizer.
///
/// Defaults are those of transformers' `CLIPTokenizer.__init__`: `<|startoftext|>` begins,
/// `<|endoftext|>` ends, stands for unknown pieces and pads. A diffusers folder overrides them in
/// `tokenizer_config.json` and then `special_tokens_map.json` (the later file wins, key by key);
/// each value is either a string or an `AddedToken` object (`{"content": …, "lstrip": …}`).
/// Stable Diffusion 1.x pads with `<|endoftext|>` (id 49407), 2.x with `!` (id 0).
public struct CLIPTokenizerConfiguration: Sendable, Equatable {
    public var beginningOfSequence: AddedToken
    public var endOfSequence: AddedToken
    public var unknown: AddedToken
    /// `nil` when the folder sets `pad_token` to null: such a tokenizer cannot be built.
    public var padding: AddedToken?
    /// `model_max_length`: sequences are truncated and padded to this many ids.
    public var modelMaxLength: Int
    /// `added_tokens_decoder`: tokens with explicit ids that are split off before BPE.
    public var addedTokens: [Int: AddedToken]

    public init(
        beginningOfSequence: AddedToken = AddedToken("<|startoftext|>"),
        endOfSequence: AddedToken = AddedToken("<|endoftext|>"),
        unknown: AddedToken = AddedToken("<|endoftext|>"),
        padding: AddedToken? = AddedToken("<|endoftext|>"),
        modelMaxLength: Int = 77,
        addedTokens: [Int: AddedToken] = [:]
    ) {
        self.beginningOfSequence = beginningOfSequence
        self.endOfSequence = endOfSequence
        self.unknown = unknown
        self.padding = padding
        self.modelMaxLength = modelMaxLength
        self.addedTokens = addedTokens
    }

    /// Stable Diffusion 1.x (`openai/clip-vit-large-patch14`): pads with `<|endoftext|>`.
    public static let stableDiffusion1 = CLIPTokenizerConfiguration()
    /// Stable Diffusion 2.x (OpenCLIP ViT-H/14 in transformers form): pads with `!`.
    public static let stableDiffusion2 = CLIPTokenizerConfiguration(padding: AddedToken("!"))

    /// The largest `model_max_length` accepted; transformers' "unset" value (1e30) is refused.
    public static let maximumModelMaxLength = 1 << 16

    /// Reads `tokenizer_config.json` and `special_tokens_map.json` from `directory`; either may be
    /// absent. Without `model_max_length` the length is 77, CLIP's context.
    public static func load(from directory: URL) throws(TokenizerError) -> CLIPTokenizerConfiguration {
        var configuration = CLIPTokenizerConfiguration()
        for name in ["tokenizer_config.json", "special_tokens_map.json"] {
            let url = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            let data: Data
            do {
                data = try Data(contentsOf: url)
            } catch {
                throw .unreadableFile(path: url.path, reason: "\(error)")
            }
            try configuration.apply(data, path: url.path)
        }
        return configuration
    }

    /// Applies the keys of one configuration file (JSON object) over the current values.
    public mutating func apply(_ data: Data, path: String) throws(TokenizerError) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw .invalidConfiguration(path: path, reason: "not valid JSON")
        }
        guard let root = object as? [String: Any] else {
            throw .invalidConfiguration(path: path, reason: "the top level is not a JSON object")
        }
        if let value = root["bos_token"] {
            beginningOfSequence = try Self.requiredToken(value, key: "bos_token", path: path)
        }
        if let value = root["eos_token"] {
            endOfSequence = try Self.requiredToken(value, key: "eos_token", path: path)
        }
        if let value = root["unk_token"] {
            unknown = try Self.requiredToken(value, key: "unk_token", path: path)
        }
        if let value = root["pad_token"] {
            padding = try Self.token(value, key: "pad_token", path: path)
        }
        if let value = root["model_max_length"] {
            guard let length = value as? Int, (2...Self.maximumModelMaxLength).contains(length) else {
                throw .invalidConfiguration(
                    path: path, reason: "model_max_length must be an integer in 2…\(Self.maximumModelMaxLength)")
            }
            modelMaxLength = length
        }
        if let value = root["added_tokens_decoder"] {
            guard let table = value as? [String: Any] else {
                throw .invalidConfiguration(path: path, reason: "added_tokens_decoder is not an object")
            }
            for (key, entry) in table {
                guard let id = Int(key), id >= 0, id <= Int(Int32.max) else {
                    throw .invalidConfiguration(path: path, reason: "added_tokens_decoder key \"\(key)\" is not an id")
                }
                guard let token = try Self.token(entry, key: "added_tokens_decoder.\(key)", path: path) else {
                    throw .invalidConfiguration(path: path, reason: "added_tokens_decoder.\(key) is null")
                }
                addedTokens[id] = token
            }
        }
    }

    private static func requiredToken(_ value: Any, key: String, path: String) throws(TokenizerError) -> AddedToken {
        guard let token = try token(value, key: key, path: path) else {
            throw .missingSpecialToken(role: key, token: nil)
        }
        return token
    }

    /// A token given as a string, an `AddedToken` object, or null.
    private static func token(_ value: Any, key: String, path: String) throws(TokenizerError) -> AddedToken? {
        if value is NSNull { return nil }
        if let content = value as? String {
            guard !content.isEmpty else { throw .invalidConfiguration(path: path, reason: "\(key) is empty") }
            return AddedToken(content)
        }
        guard let object = value as? [String: Any], let content = object["content"] as? String, !content.isEmpty else {
            throw .invalidConfiguration(path: path, reason: "\(key) is neither a string nor an object with \"content\"")
        }
        func flag(_ name: String) -> Bool { (object[name] as? Bool) ?? false }
        return AddedToken(content, lstrip: flag("lstrip"), rstrip: flag("rstrip"), singleWord: flag("single_word"))
    }
}
