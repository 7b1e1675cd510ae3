/// The 200 body of `POST /v1/story`, and the `frame` events it streams.
struct StoryResponse: Encodable {
    struct Frame: Encodable {
        var index: Int
        var caption: String
        var b64PNG: String
        /// The story's seed (every generated frame's noise comes from one generator).
        var seed: UInt64
        /// False for the first frame of a continuation, which the request supplied.
        var generated: Bool

        enum CodingKeys: String, CodingKey {
            case index, caption, seed, generated
            case b64PNG = "b64_png"
        }
    }

    struct Timings: Encodable {
        var totalMilliseconds: Double
        var framesMilliseconds: [Double]

        enum CodingKeys: String, CodingKey {
            case totalMilliseconds = "total_ms"
            case framesMilliseconds = "frames_ms"
        }
    }

    var frames: [Frame]
    var sheetB64PNG: String
    var model: String
    var mode: String
    var steps: Int
    var guidanceScale: Float
    var timings: Timings

    enum CodingKeys: String, CodingKey {
        case frames, model, mode, steps, timings
        case sheetB64PNG = "sheet_b64_png"
        case guidanceScale = "guidance_scale"
    }
}
