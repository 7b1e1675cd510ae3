/// Where a configured model stands in its life cycle.
public enum ModelState: String, Sendable, Codable {
    case unloaded, loading, ready, failed
}

/// What `GET /v1/models/{name}` reports about one model.
public struct ModelStatus: Sendable, Encodable, Equatable {
    public var name: String
    public var task: String
    public var path: String
    public var format: String
    public var load: String
    public var state: ModelState
    public var bytes: Int?
    public var parameters: Int?
    public var dtype: String?
    public var architecture: String?
    public var loadSeconds: Double?
    public var sha256: String?
    public var failureReason: String?

    enum CodingKeys: String, CodingKey {
        case name, task, path, format, load, state, bytes, parameters, dtype, architecture, sha256
        case loadSeconds = "load_seconds"
        case failureReason = "failure_reason"
    }
}
