// libFuzzer entry point for the CLIP tokenizer (Sources/Text). Built by build.sh together with the
// tokenizer's source files; see Fuzz/README.md.
//
// The first input byte picks what is fuzzed:
//   byte % 16 != 0  the rest, decoded as UTF-8 (invalid bytes become U+FFFD, as a JSON decoder
//                   would reject or replace them), is tokenized with the real vocabulary under the
//                   SD-1 and SD-2 configurations; the invariants below must hold;
//   byte % 16 == 0  the rest is split at its first NUL into a vocab.json and a merges.txt, and a
//                   tokenizer is built from them: it must either throw TokenizerError or tokenize.

import Foundation

private let fixtureDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent()
    .appendingPathComponent("Tests/Fixtures/clip-tokenizer", isDirectory: true)

private let tokenizers: (sd1: CLIPTokenizer, sd2: CLIPTokenizer) = {
    do {
        let sd1 = try CLIPTokenizer(directory: fixtureDirectory)
        let sd2 = try CLIPTokenizer(
            vocabularyURL: fixtureDirectory.appendingPathComponent("vocab.json"),
            mergesURL: fixtureDirectory.appendingPathComponent("merges.txt"),
            configuration: .stableDiffusion2)
        return (sd1, sd2)
    } catch {
        fatalError("cannot load \(fixtureDirectory.path): \(error)")
    }
}()

private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant violated: \(message())") }
}

private func checkInvariants(_ tokenizer: CLIPTokenizer, _ text: String) {
    let encoding = tokenizer.encode(text)
    check(encoding.ids.count == 77 && encoding.attentionMask.count == 77, "length 77")
    check(encoding.ids.first == tokenizer.beginningOfSequenceID, "begins with BOS")
    let real = encoding.attentionMask.prefix(while: { $0 == 1 }).count
    check(real >= 2 && encoding.attentionMask.dropFirst(real).allSatisfy { $0 == 0 }, "mask is 1…1 0…0")
    check(encoding.ids[real - 1] == tokenizer.endOfSequenceID, "EOS closes the text")
    check(encoding.ids.dropFirst(real).allSatisfy { $0 == tokenizer.paddingID }, "padding ids")
    check(encoding.ids.allSatisfy { $0 >= 0 && Int($0) < tokenizer.vocabularySize }, "ids in the vocabulary")
    let full = tokenizer.tokenIDs(text)
    check(Array(encoding.ids[1..<(real - 1)]) == Array(full.prefix(75)), "truncation keeps the prefix")
    check(tokenizer.tokenize(text).count == full.count, "tokens and ids agree")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let mode = bytes[0]
    let rest = bytes.dropFirst()
    if mode % 16 != 0 {
        let text = String(decoding: rest, as: UTF8.self)
        checkInvariants(tokenizers.sd1, text)
        checkInvariants(tokenizers.sd2, text)
    } else {
        let split = rest.firstIndex(of: 0) ?? rest.endIndex
        let vocabulary = Data(rest[rest.startIndex..<split])
        let merges = String(decoding: rest[split...].dropFirst(), as: UTF8.self)
        do {
            let tokenizer = try CLIPTokenizer(
                vocabularyJSON: vocabulary, mergesText: merges, configuration: .stableDiffusion1)
            _ = tokenizer.encode(merges)
            _ = tokenizer.tokenize(String(decoding: vocabulary, as: UTF8.self))
        } catch {
            _ = error.description
        }
    }
    return 0
}
