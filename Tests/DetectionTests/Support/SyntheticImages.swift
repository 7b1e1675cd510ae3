import ImageIO

/// Small deterministic test pictures: a grey background with a few filled rectangles.
enum SyntheticImages {
    static func shapes(width: Int, height: Int, alpha: UInt8? = nil) -> Image {
        var image = Image(width: width, height: height, fill: RGBColor(red: 90, green: 100, blue: 110), alpha: alpha)
        image.fillRectangle(x1: width / 8, y1: height / 6, x2: width / 2, y2: height / 2,
                            color: RGBColor(red: 230, green: 40, blue: 30))
        image.fillRectangle(x1: width / 2, y1: height / 2, x2: width - 4, y2: height - 3,
                            color: RGBColor(red: 20, green: 200, blue: 60))
        return image
    }
}
