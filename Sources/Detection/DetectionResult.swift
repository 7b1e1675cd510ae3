// What a detection request returns.

/// One detected object in original-image pixels.
public struct Detection: Sendable, Equatable {
    /// Index into the model's `class_names`.
    public var classIndex: Int
    /// `class_names[classIndex]`.
    public var label: String
    /// Sigmoid class score in 0…1.
    public var score: Float
    public var x1: Float
    public var y1: Float
    public var x2: Float
    public var y2: Float

    public init(classIndex: Int, label: String, score: Float, x1: Float, y1: Float, x2: Float, y2: Float) {
        self.classIndex = classIndex
        self.label = label
        self.score = score
        self.x1 = x1
        self.y1 = y1
        self.x2 = x2
        self.y2 = y2
    }
}

/// Wall-clock seconds spent in each part of a detection.
public struct DetectionTimings: Sendable, Equatable {
    /// The backbone call that produced the features (shared by every image of a batched call).
    public var backboneSeconds: Double
    /// All head evaluations and the sampler's bookkeeping of this request.
    public var headSeconds: Double

    public init(backboneSeconds: Double, headSeconds: Double) {
        self.backboneSeconds = backboneSeconds
        self.headSeconds = headSeconds
    }
}

/// The detections of one request, sorted by descending score, plus diagnostics.
public struct DetectionResult: Sendable, Equatable {
    public var detections: [Detection]
    public var timings: DetectionTimings
    /// Boxes that survived box renewal at each step (max class score above the renewal threshold).
    public var keptCounts: [Int]

    public init(detections: [Detection], timings: DetectionTimings, keptCounts: [Int]) {
        self.detections = detections
        self.timings = timings
        self.keptCounts = keptCounts
    }
}
