import Diffusion
import HTTP
import ImageIO

/// The one place where the service's typed errors become HTTP problem documents.
///
/// Each layer throws its own error type; routes call `ProblemDetails(for:)` and never
/// pick status codes themselves.
extension ProblemDetails {
    public init(for error: ModelRegistry.AccessError) {
        switch error {
        case .unknownModel(let name):
            self.init(status: .notFound, detail: "no model named '\(name)'", code: "unknown_model", field: "model")
        case .notReady(let name, let state, let reason):
            let because = reason.map { ": \($0)" } ?? ""
            self.init(status: .serviceUnavailable, detail: "model '\(name)' is \(state.rawValue)\(because)",
                      code: "model_not_ready", field: "model")
        }
    }

    public init(for error: ComputePool.SubmissionError) {
        switch error {
        case .queueFull(let seconds):
            self.init(status: .serviceUnavailable, detail: "the job queue is full; retry in \(seconds) s",
                      code: "queue_full", headers: ["Retry-After": String(seconds)])
        case .shuttingDown:
            self.init(status: .serviceUnavailable, detail: "the server is shutting down", code: "shutting_down",
                      headers: ["Retry-After": "5"])
        }
    }

    public init(for error: RequestBodyError) {
        switch error {
        case .unsupportedMediaType(let found):
            self.init(status: .unsupportedMediaType, detail: "expected Content-Type application/json, got '\(found)'",
                      code: "unsupported_media_type", field: "Content-Type")
        case .malformedJSON(let reason):
            self.init(status: .badRequest, detail: "request body is not valid JSON: \(reason)", code: "malformed_json", field: "body")
        case .invalidField(let field, let reason):
            self.init(status: .unprocessableContent, detail: "\(field): \(reason)", code: "invalid_parameter", field: field)
        }
    }

    public init(for error: PipelineError) {
        switch error {
        case .invalidParameter, .invalidInputShape:
            self.init(status: .unprocessableContent, detail: error.description, code: "invalid_parameter", field: error.parameter)
        case .invalidPipelineFolder:
            self.init(status: .serviceUnavailable, detail: error.description, code: "model_not_ready", field: "model")
        }
    }

    /// An uploaded image that cannot be used: 415 for a format other than PNG/JPEG, 413 over the
    /// size limits, 422 for truncated or corrupt data; the field is always `image`.
    public init(for error: ImageError) {
        let status: HTTPStatus
        let code: String
        switch error {
        case .unsupportedFormat:
            (status, code) = (.unsupportedMediaType, "unsupported_image_format")
        case .inputTooLarge, .tooLarge:
            (status, code) = (.contentTooLarge, "image_too_large")
        case .truncated, .corrupt:
            (status, code) = (.unprocessableContent, "invalid_image")
        case .encodingFailed:
            (status, code) = (.internalServerError, "encoding_failed")
        }
        self.init(status: status, detail: error.message, code: code, field: "image")
    }
}
