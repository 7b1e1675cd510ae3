// Mirrors transformers' slow `CLIPTokenizer` (4.57.6, `models/clip/tokenization_clip.py`) without
// ftfy, as diffusers pipelines call it: `tokenizer(prompt, padding="max_length",
// max_length=tokenizer.model_max_length, truncation=True)`.

import Foundation

/// The byte-level BPE tokenizer of CLIP's text encoder, loaded from a transformers/diffusers
/// tokenizer folder (`vocab.json`, `merges.txt`, optional `tokenizer_config.json` and
/// `special_tokens_map.json`).
///
/// Encoding a prompt runs, in order: splitting off added tokens (``AddedTokenSplitter``), text
/// cleaning (``CLIPTextNormalizer``), pre-tokenization (``CLIPPreTokenizer``), mapping each
/// pre-token's UTF-8 through ``ByteLevelEncoding`` and merging with ``BytePairEncoder``, vocabulary
/// lookup (unknown pieces become the unknown token), then truncation, the begin/end tokens and
/// right padding. The result equals transformers' ids and attention mask for every valid string
/// (see `Tests/Fixtures/clip-tokenizer/parity.json`). A value of this type is immutable apart
/// from an internal, lock-protected cache, and may be shared between threads.
///
/// Known limits, none of which the real CLIP folders reach: vocabulary keys are decoded as Swift
/// strings, so two keys that differ only by Unicode normalization would collapse into one
/// (Python keeps both); added tokens that occur inside one another are matched longest-first at
/// the leftmost position, which can differ from transformers' `Trie.split` in contrived cases;
/// a single pre-token longer than 2³¹ bytes is not supported.
public struct CLIPTokenizer: Sendable {
    /// The ids and attention mask of one encoded text.
    public struct Encoding: Sendable, Equatable {
        /// Token ids: begin token, text, end token, then padding.
        public var ids: [Int32]
        /// 1 for the begin token, the text and the end token; 0 for padding.
        public var attentionMask: [Int32]
    }

    public let configuration: CLIPTokenizerConfiguration
    /// `len(tokenizer.encoder)`: the number of entries of `vocab.json`.
    public let vocabularySize: Int
    public let beginningOfSequenceID: Int32
    public let endOfSequenceID: Int32
    public let unknownID: Int32
    public let paddingID: Int32

    private let encoder: BytePairEncoder
    /// The id of every interned symbol (added tokens first, then the vocabulary, else unknown).
    private let symbolIDs: [Int32]
    private let splitter: AddedTokenSplitter
    private let addedTokenIDs: [Int32]
    private let literalSpecialIDs: (start: Int32, end: Int32)
    private let cache = BytePairCache()

    private static let startLiteral = Array("<|startoftext|>".utf8)
    private static let endLiteral = Array("<|endoftext|>".utf8)

    /// Loads the tokenizer folder at `directory`.
    public init(directory: URL) throws(TokenizerError) {
        try self.init(
            vocabularyURL: directory.appendingPathComponent("vocab.json"),
            mergesURL: directory.appendingPathComponent("merges.txt"),
            configuration: CLIPTokenizerConfiguration.load(from: directory))
    }

    /// Loads `vocab.json` and `merges.txt` from the given files.
    public init(vocabularyURL: URL, mergesURL: URL, configuration: CLIPTokenizerConfiguration) throws(TokenizerError) {
        let vocabulary = try Self.read(vocabularyURL)
        let merges = try Self.read(mergesURL)
        guard let mergesText = String(validating: merges, as: UTF8.self) else {
            throw .invalidMerges(path: mergesURL.path, line: 0, reason: "not valid UTF-8")
        }
        try self.init(
            vocabularyJSON: vocabulary, vocabularyPath: vocabularyURL.path,
            mergesText: mergesText, mergesPath: mergesURL.path, configuration: configuration)
    }

    /// Builds a tokenizer from the contents of `vocab.json` and `merges.txt`.
    public init(
        vocabularyJSON: Data, vocabularyPath: String = "vocab.json",
        mergesText: String, mergesPath: String = "merges.txt",
        configuration: CLIPTokenizerConfiguration
    ) throws(TokenizerError) {
        let vocabulary: [String: Int]
        do {
            vocabulary = try JSONDecoder().decode([String: Int].self, from: vocabularyJSON)
        } catch {
            throw .invalidVocabulary(path: vocabularyPath, reason: "not a JSON object of token → integer id")
        }
        var vocabularyByBytes: [[UInt8]: Int32] = [:]
        vocabularyByBytes.reserveCapacity(vocabulary.count)
        for (token, id) in vocabulary {
            guard (0...Int(Int32.max)).contains(id) else {
                throw .invalidVocabulary(path: vocabularyPath, reason: "id \(id) of \"\(token)\" is out of range")
            }
            vocabularyByBytes[Array(token.utf8)] = Int32(id)
        }
        let encoder = try BytePairEncoder(mergesText: mergesText, path: mergesPath)

        // Added tokens: the configured ones with their ids, then each special token, with the id
        // of an added token of the same content or else its vocabulary id.
        var addedByContent: [[UInt8]: Int32] = [:]
        var addedTokens: [AddedToken] = []
        var addedIDs: [Int32] = []
        for (id, token) in configuration.addedTokens.sorted(by: { $0.key < $1.key }) {
            guard (0...Int(Int32.max)).contains(id), !token.content.isEmpty else {
                throw .invalidConfiguration(
                    path: "added_tokens_decoder", reason: "token \"\(token.content)\" has an invalid id or no content")
            }
            addedByContent[Array(token.content.utf8)] = Int32(id)
            addedTokens.append(token)
            addedIDs.append(Int32(id))
        }
        func specialID(_ token: AddedToken?, role: String) throws(TokenizerError) -> Int32 {
            guard let token else { throw .missingSpecialToken(role: role, token: nil) }
            let key = Array(token.content.utf8)
            if let id = addedByContent[key] { return id }
            guard let id = vocabularyByBytes[key] else { throw .missingSpecialToken(role: role, token: token.content) }
            addedByContent[key] = id
            addedTokens.append(token)
            addedIDs.append(id)
            return id
        }
        beginningOfSequenceID = try specialID(configuration.beginningOfSequence, role: "bos_token")
        endOfSequenceID = try specialID(configuration.endOfSequence, role: "eos_token")
        unknownID = try specialID(configuration.unknown, role: "unk_token")
        paddingID = try specialID(configuration.padding, role: "pad_token")
        let unknownVocabularyID = vocabularyByBytes[Array(configuration.unknown.content.utf8)] ?? unknownID

        func lookup(_ bytes: [UInt8]) -> Int32 {
            addedByContent[bytes] ?? vocabularyByBytes[bytes] ?? unknownVocabularyID
        }
        self.configuration = configuration
        self.vocabularySize = vocabulary.count
        self.encoder = encoder
        self.symbolIDs = encoder.symbolBytes.map(lookup)
        self.splitter = AddedTokenSplitter(tokens: addedTokens)
        self.addedTokenIDs = addedIDs
        self.literalSpecialIDs = (lookup(Self.startLiteral), lookup(Self.endLiteral))
    }

    /// `tokenizer.tokenize(text)`: the token strings, without begin/end tokens.
    public func tokenize(_ text: String) -> [String] {
        var tokens: [String] = []
        forEachToken(in: text, limit: .max) { piece in
            switch piece {
            case .added(let index): tokens.append(splitter.tokens[index].content)
            case .literal(let isStart): tokens.append(isStart ? "<|startoftext|>" : "<|endoftext|>")
            case .symbols(let symbols):
                for symbol in symbols {
                    tokens.append(String(decoding: encoder.symbolBytes[Int(symbol)], as: UTF8.self))
                }
            }
            return true
        }
        return tokens
    }

    /// The ids of `text` without begin/end tokens, truncation or padding (at most `limit` of them:
    /// the rest of the text is then not tokenized, which gives the same prefix).
    public func tokenIDs(_ text: String, limit: Int = .max) -> [Int32] {
        var ids: [Int32] = []
        guard limit > 0 else { return ids }
        forEachToken(in: text, limit: limit) { piece in
            switch piece {
            case .added(let index): ids.append(addedTokenIDs[index])
            case .literal(let isStart): ids.append(isStart ? literalSpecialIDs.start : literalSpecialIDs.end)
            case .symbols(let symbols):
                for symbol in symbols { ids.append(symbolIDs[Int(symbol)]) }
            }
            return ids.count < limit
        }
        if ids.count > limit { ids.removeLast(ids.count - limit) }
        return ids
    }

    /// Encodes `text` as transformers does with `padding="max_length", truncation=True` and
    /// `max_length` (default ``CLIPTokenizerConfiguration/modelMaxLength``): at most
    /// `maxLength − 2` text ids between the begin and end tokens, then padding to `maxLength`.
    /// Without `padding` the result stops after the end token; without `truncation` it keeps
    /// every id. `maxLength` is clamped to 2…``CLIPTokenizerConfiguration/maximumModelMaxLength``.
    public func encode(_ text: String, maxLength: Int? = nil, padding: Bool = true, truncation: Bool = true) -> Encoding {
        let requested = maxLength ?? configuration.modelMaxLength
        let length = min(max(2, requested), CLIPTokenizerConfiguration.maximumModelMaxLength)
        var ids = [beginningOfSequenceID]
        ids.append(contentsOf: tokenIDs(text, limit: truncation ? length - 2 : .max))
        ids.append(endOfSequenceID)
        var mask = [Int32](repeating: 1, count: ids.count)
        if padding, ids.count < length {
            let missing = length - ids.count
            ids.append(contentsOf: repeatElement(paddingID, count: missing))
            mask.append(contentsOf: repeatElement(0, count: missing))
        }
        return Encoding(ids: ids, attentionMask: mask)
    }

    // MARK: - Pipeline

    private enum TokenPiece {
        case added(Int)
        case literal(isStart: Bool)
        case symbols([Int32])
    }

    /// Runs the pipeline, handing each piece to `body` until it returns false.
    private func forEachToken(in text: String, limit: Int, _ body: (TokenPiece) -> Bool) {
        for piece in splitter.split(Array(text.unicodeScalars)) {
            switch piece {
            case .token(let index):
                if !body(.added(index)) { return }
            case .text(let fragment):
                for word in CLIPTextNormalizer.words(fragment) {
                    for range in CLIPPreTokenizer.split(word) {
                        var utf8: [UInt8] = []
                        for scalar in word[range] { utf8.append(contentsOf: scalar.utf8) }
                        if utf8 == Self.startLiteral {
                            if !body(.literal(isStart: true)) { return }
                        } else if utf8 == Self.endLiteral {
                            if !body(.literal(isStart: false)) { return }
                        } else if !body(.symbols(bytePairSymbols(utf8))) {
                            return
                        }
                    }
                }
            }
        }
    }

    private func bytePairSymbols(_ utf8: [UInt8]) -> [Int32] {
        if let cached = cache.value(for: utf8) { return cached }
        let symbols = encoder.encode(utf8: utf8)
        cache.store(symbols, for: utf8)
        return symbols
    }

    private static func read(_ url: URL) throws(TokenizerError) -> Data {
        guard FileManager.default.fileExists(atPath: url.path) else { throw .missingFile(path: url.path) }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw .unreadableFile(path: url.path, reason: "\(error)")
        }
    }
}
