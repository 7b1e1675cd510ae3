import Foundation
import Testing
@testable import Text

@Suite("ByteLevelEncoding")
struct ByteLevelEncodingTests {
    @Test("256 distinct scalars; printable bytes stand for themselves; the rest from U+0100")
    func table() {
        let scalars = ByteLevelEncoding.scalarForByte
        #expect(Set(scalars).count == 256)
        #expect(scalars[Int(UInt8(ascii: "a"))] == "a")
        #expect(scalars[0xE9] == "\u{E9}")
        #expect(scalars[0x00] == "\u{100}")
        #expect(scalars[0x20] == "\u{120}")  // space → Ġ
        #expect(scalars[0xAD] == "\u{143}")  // the last remapped byte
        for byte in 0..<256 {
            #expect(ByteLevelEncoding.byte(for: scalars[byte]) == UInt8(byte))
        }
        #expect(ByteLevelEncoding.byte(for: " ") == nil)
        #expect(ByteLevelEncoding.byte(for: "\u{144}") == nil)
    }

    @Test("vocabulary order: printable bytes first, as ids 0…255 of the real vocabulary")
    func vocabularyOrder() throws {
        let order = ByteLevelEncoding.vocabularyOrder
        #expect(order.count == 256 && Set(order).count == 256)
        #expect(order.first == UInt8(ascii: "!"))
        let data = try Data(contentsOf: clipTokenizerDirectory.appendingPathComponent("vocab.json"))
        let vocabulary = try JSONDecoder().decode([String: Int].self, from: data)
        for (id, byte) in order.enumerated() {
            let character = String(ByteLevelEncoding.scalarForByte[Int(byte)])
            #expect(vocabulary[character] == id)
            #expect(vocabulary[character + "</w>"] == id + 256)
        }
    }

    @Test("encode maps every UTF-8 byte to its character")
    func encode() {
        #expect(String(decoding: ByteLevelEncoding.encode(Array("a b".utf8)), as: UTF8.self) == "a\u{120}b")
        #expect(String(decoding: ByteLevelEncoding.encode(Array("é".utf8)), as: UTF8.self) == "\u{C3}\u{A9}")
    }
}
