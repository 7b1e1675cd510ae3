import ImageIO

/// The contact sheet of a story: its frames side by side, each with its caption under it,
/// as `POST /v1/story` returns it in `sheet_b64_png`.
///
/// Small frames (ShapesWorld models make 32-pixel ones) are enlarged by whole multiples
/// (nearest neighbour, so pixels stay exact) to at least 128 pixels, and captions are
/// word-wrapped to the frame width in the built-in 5×7 font.
enum StorySheet {
    static let minimumFrameSide = 128
    static let margin = 4
    static let captionLines = 4

    static func compose(frames: [Image], captions: [String]) -> Image {
        guard let first = frames.first else { return Image(width: 1, height: 1) }
        let scale = max(1, (minimumFrameSide + first.width - 1) / first.width)
        let side = first.width * scale
        let columns = max(1, side / BitmapFont.advance)
        let textHeight = captionLines * BitmapFont.lineHeight
        let width = frames.count * side + (frames.count + 1) * margin
        let height = side + textHeight + 3 * margin
        var sheet = Image(width: width, height: height, fill: .white)
        for (index, frame) in frames.enumerated() {
            let left = margin + index * (side + margin)
            sheet.paste(frame, x: left, y: margin, scale: scale)
            let lines = wrap(index < captions.count ? captions[index] : "", columns: columns).prefix(captionLines)
            sheet.drawText(lines.joined(separator: "\n"), x: left, y: side + 2 * margin, color: .black)
        }
        return sheet
    }

    /// `text` broken at spaces into lines of at most `columns` characters (longer words are cut).
    static func wrap(_ text: String, columns: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            var word = Substring(word)
            while word.count > columns {
                if !line.isEmpty { lines.append(line); line = "" }
                lines.append(String(word.prefix(columns)))
                word = word.dropFirst(columns)
            }
            if line.isEmpty {
                line = String(word)
            } else if line.count + 1 + word.count <= columns {
                line += " " + word
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }
}

extension Image {
    /// Copies `image` with its top-left corner at (`x`, `y`), each pixel a `scale`×`scale`
    /// block, clipped to this image.
    mutating func paste(_ image: Image, x: Int, y: Int, scale: Int) {
        for row in 0..<image.height {
            for column in 0..<image.width {
                guard let pixel = image.pixel(x: column, y: row) else { continue }
                let color = RGBColor(red: pixel[0], green: pixel[1], blue: pixel[2])
                fillRectangle(x1: x + column * scale, y1: y + row * scale,
                              x2: x + (column + 1) * scale - 1, y2: y + (row + 1) * scale - 1, color: color)
            }
        }
    }
}
