import Detection
import ImageIO

/// The 200 body of `POST /v1/detect`: the boxes in input-image pixels, the parameters as
/// used (defaults filled in, the seed drawn if none was given) and where the time went.
struct DetectionResponse: Encodable {
    struct ImageSize: Encodable {
        var width: Int
        var height: Int
    }

    struct Object: Encodable {
        var label: String
        /// The model's class index (0-based, the order of its `class_names`).
        var classID: Int
        var score: Double
        /// `[x1, y1, x2, y2]` in pixels of the uploaded image, clipped to it.
        var box: [Double]

        enum CodingKeys: String, CodingKey {
            case label, score, box
            case classID = "class_id"
        }
    }

    struct Parameters: Encodable {
        var steps: Int
        var boxes: Int
        var scoreThreshold: Double
        var seed: UInt64
        var includeFinalStep: Bool

        enum CodingKeys: String, CodingKey {
            case steps, boxes, seed
            case scoreThreshold = "score_threshold"
            case includeFinalStep = "include_final_step"
        }
    }

    struct Timings: Encodable {
        var decodeMilliseconds: Double
        var backboneMilliseconds: Double
        var headMilliseconds: Double
        /// From the request's arrival to the answer, queueing included.
        var totalMilliseconds: Double
        /// Images in the backbone call this one shared (1 when it ran alone).
        var backboneBatchSize: Int

        enum CodingKeys: String, CodingKey {
            case decodeMilliseconds = "decode_ms"
            case backboneMilliseconds = "backbone_ms"
            case headMilliseconds = "head_ms"
            case totalMilliseconds = "total_ms"
            case backboneBatchSize = "backbone_batch_size"
        }
    }

    var model: String
    var image: ImageSize
    var detections: [Object]
    var params: Parameters
    var timings: Timings

    init(_ result: DetectionModel.Result, image: Image, model: String, parameters: DetectionParameters,
         decodeMilliseconds: Double, totalMilliseconds: Double) {
        self.model = model
        self.image = ImageSize(width: image.width, height: image.height)
        detections = result.detections.map { object in
            Object(label: object.label, classID: object.classIndex, score: Double(object.score),
                   box: [object.x1, object.y1, object.x2, object.y2].map { Double($0) })
        }
        params = Parameters(steps: parameters.steps, boxes: parameters.proposals, scoreThreshold: parameters.scoreThreshold,
                            seed: parameters.seed, includeFinalStep: parameters.includeFinalStep ?? true)
        timings = Timings(decodeMilliseconds: decodeMilliseconds, backboneMilliseconds: result.backboneMilliseconds,
                          headMilliseconds: result.headMilliseconds,
                          totalMilliseconds: totalMilliseconds,
                          backboneBatchSize: result.backboneBatchSize)
    }
}
