import Testing
@testable import ImageIO

@Suite("BitmapFont")
struct BitmapFontTests {
    @Test("letters, digits and punctuation have distinct 5×7 glyphs")
    func coverage() {
        let characters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:;-_!?%()/'\"+=#<>[]*&")
        var seen = Set<[UInt8]>()
        for character in characters {
            let glyph = BitmapFont.glyph(for: character)
            #expect(glyph.count == 7)
            #expect(glyph.allSatisfy { $0 < 0x20 }, "\(character) is wider than 5 pixels")
            #expect(glyph != BitmapFont.missing, "\(character) has no glyph")
            #expect(seen.insert(glyph).inserted, "\(character) duplicates another glyph")
        }
        #expect(BitmapFont.glyph(for: "q") == BitmapFont.glyph(for: "Q"))
        #expect(BitmapFont.glyph(for: "é") == BitmapFont.missing)
    }

    @Test("text size")
    func size() {
        #expect(BitmapFont.size(of: "AB") == (11, 7))
        #expect(BitmapFont.size(of: "AB\nC", scale: 2) == (22, 32))
        #expect(BitmapFont.size(of: "") == (0, 0))
    }
}
