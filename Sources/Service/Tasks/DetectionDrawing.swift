import Detection
import ImageIO

/// The `format=png` answer of `POST /v1/detect`: the uploaded image with each detection's
/// box outlined in its class colour and labelled with class name and score.
enum DetectionDrawing {
    /// Distinct, saturated outline colours, cycled by class index.
    static let palette: [RGBColor] = [
        RGBColor(red: 255, green: 64, blue: 64), RGBColor(red: 64, green: 220, blue: 64),
        RGBColor(red: 64, green: 128, blue: 255), RGBColor(red: 255, green: 200, blue: 0),
        RGBColor(red: 230, green: 64, blue: 230), RGBColor(red: 0, green: 220, blue: 220),
        RGBColor(red: 255, green: 140, blue: 0), RGBColor(red: 160, green: 100, blue: 255),
    ]

    /// A copy of `image` (alpha dropped) with `detections` drawn, highest score on top.
    static func annotate(_ image: Image, with detections: [Detection]) -> Image {
        var canvas = image.droppingAlpha()
        // Lines and text grow with the image so they stay visible on large photos.
        let thickness = max(1, min(canvas.width, canvas.height) / 200)
        let scale = max(1, min(canvas.width, canvas.height) / 300)
        for detection in detections.sorted(by: { $0.score < $1.score }) {
            let color = palette[detection.classIndex % palette.count]
            let x1 = Self.pixel(detection.x1), y1 = Self.pixel(detection.y1)
            let x2 = Self.pixel(detection.x2), y2 = Self.pixel(detection.y2)
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
    static func pixel(_ value: Float) -> Int {
        guard value.isFinite else { return 0 }
        return Int(min(max(value, -1e9), 1e9).rounded())
    }
}
