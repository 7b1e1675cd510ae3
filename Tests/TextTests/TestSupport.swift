import Foundation
import Text

/// The committed CLIP tokenizer folder `Tests/Fixtures/clip-tokenizer` (real vocabulary, built by
/// `Tools/reference/make_clip_vocab.py`).
let clipTokenizerDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()
    .deletingLastPathComponent()
    .appendingPathComponent("Fixtures/clip-tokenizer", isDirectory: true)

/// The tokenizer with the Stable Diffusion 1.x configuration, loaded once.
let sharedCLIPTokenizer: CLIPTokenizer = {
    do {
        return try CLIPTokenizer(directory: clipTokenizerDirectory)
    } catch {
        fatalError("cannot load the CLIP tokenizer fixture: \(error)")
    }
}()

/// The same vocabulary with the Stable Diffusion 2.x configuration (pad token `!`).
let sharedCLIPTokenizerSD2: CLIPTokenizer = {
    do {
        let configuration = try CLIPTokenizerConfiguration.load(
            from: clipTokenizerDirectory.appendingPathComponent("sd2", isDirectory: true))
        return try CLIPTokenizer(
            vocabularyURL: clipTokenizerDirectory.appendingPathComponent("vocab.json"),
            mergesURL: clipTokenizerDirectory.appendingPathComponent("merges.txt"),
            configuration: configuration)
    } catch {
        fatalError("cannot load the CLIP tokenizer fixture: \(error)")
    }
}()

/// A scratch folder removed when the test ends.
func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("TextTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url)
}
