// Image+Drawing: rectangles and labels for annotated outputs (e.g. `/v1/detect?format=png`).

extension Image {
    /// Coordinates far outside any image are clamped to ±2⁴⁰ first, so arithmetic on
    /// caller-supplied boxes (model output, request parameters) can never overflow.
    static func safeCoordinate(_ value: Int) -> Int {
        min(max(value, -(1 << 40)), 1 << 40)
    }

    /// Sets one pixel if it lies inside the image (alpha, if any, becomes opaque).
    public mutating func setPixel(x: Int, y: Int, color: RGBColor) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let index = (y * width + x) * channels
        pixels[index] = color.red
        pixels[index + 1] = color.green
        pixels[index + 2] = color.blue
        if channels == 4 { pixels[index + 3] = 255 }
    }

    /// Fills the rectangle with inclusive corners (`x1`, `y1`) and (`x2`, `y2`), in either
    /// order, clipped to the image. Nothing happens when it lies wholly outside.
    public mutating func fillRectangle(x1: Int, y1: Int, x2: Int, y2: Int, color: RGBColor) {
        let x1 = Self.safeCoordinate(x1), x2 = Self.safeCoordinate(x2)
        let y1 = Self.safeCoordinate(y1), y2 = Self.safeCoordinate(y2)
        let left = max(min(x1, x2), 0), right = min(max(x1, x2), width - 1)
        let top = max(min(y1, y2), 0), bottom = min(max(y1, y2), height - 1)
        guard left <= right, top <= bottom else { return }
        for y in top...bottom {
            for x in left...right { setPixel(x: x, y: y, color: color) }
        }
    }

    /// Outlines the rectangle with inclusive corners (`x1`, `y1`) and (`x2`, `y2`) (in either
    /// order) with a border `thickness` pixels wide, growing inwards, clipped to the image.
    /// Coordinates may lie outside the image — a box that leaves the frame keeps its visible
    /// edges only. A thickness below 1 draws nothing.
    public mutating func drawRectangle(x1: Int, y1: Int, x2: Int, y2: Int, color: RGBColor, thickness: Int = 1) {
        guard thickness >= 1 else { return }
        let x1 = Self.safeCoordinate(x1), x2 = Self.safeCoordinate(x2)
        let y1 = Self.safeCoordinate(y1), y2 = Self.safeCoordinate(y2)
        let left = min(x1, x2), right = max(x1, x2), top = min(y1, y2), bottom = max(y1, y2)
        // Clamp the band width so huge thicknesses cannot overflow or loop for long.
        let band = min(thickness, (right - left) / 2 + 1, (bottom - top) / 2 + 1)
        fillRectangle(x1: left, y1: top, x2: right, y2: top + band - 1, color: color)
        fillRectangle(x1: left, y1: bottom - band + 1, x2: right, y2: bottom, color: color)
        fillRectangle(x1: left, y1: top, x2: left + band - 1, y2: bottom, color: color)
        fillRectangle(x1: right - band + 1, y1: top, x2: right, y2: bottom, color: color)
    }

    /// Draws `text` with the built-in 5×7 ``BitmapFont`` with its top-left corner at
    /// (`x`, `y`), each font pixel a `scale`×`scale` block (1…64), clipped to the image.
    /// Lowercase letters are drawn as capitals; characters without a glyph as a hollow box;
    /// `\n` starts a new line.
    public mutating func drawText(_ text: String, x: Int, y: Int, color: RGBColor, scale: Int = 1) {
        let scale = min(max(scale, 1), 64)
        let x = Self.safeCoordinate(x)
        var penX = x, penY = Self.safeCoordinate(y)
        for character in text {
            if penY >= height { break }  // every later line is below the image
            if character == "\n" {
                penX = x
                penY += BitmapFont.lineHeight * scale
                continue
            }
            let rows = BitmapFont.glyph(for: character)
            for (row, bits) in rows.enumerated() {
                for column in 0..<BitmapFont.glyphWidth where bits & (0x10 >> UInt8(column)) != 0 {
                    let px = penX + column * scale, py = penY + row * scale
                    fillRectangle(x1: px, y1: py, x2: px + scale - 1, y2: py + scale - 1, color: color)
                }
            }
            penX = min(penX + BitmapFont.advance * scale, 1 << 41)
        }
    }
}
