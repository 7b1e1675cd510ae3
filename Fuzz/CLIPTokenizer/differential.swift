// Differential check of the CLIP tokenizer against transformers on large generated case files
// (Tools/reference/make_tokenizer_stress_cases.py). Not a fuzzer entry: build it with the
// tokenizer's sources, e.g.
//   swiftc -O -module-name CLIPDifferential Sources/Text/{AddedToken,ByteLevelEncoding,BytePairEncoder,\
//     CLIPPreTokenizer,CLIPTextNormalizer,CLIPTokenizer,CLIPTokenizerConfiguration,PythonUnicode,\
//     TokenizerError}.swift Fuzz/CLIPTokenizer/differential.swift -o .build/fuzz/clip-differential
//   .build/fuzz/clip-differential /tmp/stress/*.json

import Foundation

struct DifferentialCase: Decodable {
    let p: String
    let ids: [Int32]
}

@main
enum CLIPDifferential {
    static func main() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Tests/Fixtures/clip-tokenizer")
        let tokenizer = try CLIPTokenizer(directory: fixture)
        var total = 0
        var mismatches = 0
        for path in CommandLine.arguments.dropFirst() {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            for item in try JSONDecoder().decode([DifferentialCase].self, from: data) {
                total += 1
                let ids = tokenizer.encode(item.p, padding: false, truncation: false).ids
                guard ids != item.ids else { continue }
                mismatches += 1
                if mismatches <= 10 {
                    print("MISMATCH", item.p.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: " "))
                    print("  transformers:", item.ids)
                    print("  swift:       ", ids)
                }
            }
        }
        print("\(total - mismatches)/\(total) exact")
        if mismatches > 0 { exit(1) }
    }
}
