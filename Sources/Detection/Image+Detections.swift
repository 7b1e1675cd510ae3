// Drawing detections onto the image they came from: the `format=png` answer of `POST /v1/detect` and the
// `--out` file of `diffusion-cli detect` share this one implementation.

import ImageIO

extension Image {
    /// Distinct, saturated outline colours, cycled by class index.
    public static let detectionPalette: [RGBColor] = [
        RGBColor(red: 255, green: 64, blue: 64), RGBColor(red: 64, green: 220, blue: 64),
        RGBColor(red: 64, green: 128, blue: 255), RGBColor(red: 255, green: 200, blue: 0),
        RGBColor(red: 230, green: 64, blue: 230), RGBColor(red: 0, green: 220, blue: 220),
        RGBColor(red: 255, green: 140, blue: 0), RGBColor(red: 160, green: 100, blue: 255),
    ]

    /// A copy of the image (alpha dropped) with each detection's box outlined in its class colour and
    /// labelled with class name and score (percent), the highest score drawn last so it stays on top.
    ///
    /// Lines and text grow with the image (1 px and scale 1 up to 200 and 300 px on the short side) so
    /// they stay visible on large photos. Boxes are in this image's pixels (`Detection` coordinates).
    public func drawing(_ detections: [Detection]) -> Image {
        var canvas = droppingAlpha()
        let thickness = max(1, min(canvas.width, canvas.height) / 200)
        let scale = max(1, min(canvas.width, canvas.height) / 300)
        for detection in detections.sorted(by: { $0.score < $1.score }) {
            let color = Self.detectionPalette[detection.classIndex % Self.detectionPalette.count]
            let x1 = Self.pixelIndex(detection.x1), y1 = Self.pixelIndex(detection.y1)
            let x2 = Self.pixelIndex(detection.x2), y2 = Self.pixelIndex(detection.y2)
            canvas.drawRectangle(x1: x1, y1: y1, x2: x2, y2: y2, color: color, thickness: thickness)
            let label = "\(detection.label) \(Int((detection.score * 100).rounded()))%"
            let textHeight = BitmapFont.lineHeight * scale
            let textY = y1 - textHeight >= 0 ? y1 - textHeight : y1 + thickness
            let size = BitmapFont.size(of: label, scale: scale)
            canvas.fillRectangle(x1: x1, y1: textY, x2: x1 + size.width, y2: textY + size.height, color: .black)
            canvas.drawText(label, x: x1 + 1, y: textY + 1, color: color, scale: scale)
        }
        return canvas
    }

    /// A box coordinate as a pixel index (non-finite values, which a model should never give, as 0).
    static func pixelIndex(_ value: Float) -> Int {
        guard value.isFinite else { return 0 }
        return Int(min(max(value, -1e9), 1e9).rounded())
    }
}
