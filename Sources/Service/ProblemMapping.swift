import Diffusion
import HTTP

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
}
