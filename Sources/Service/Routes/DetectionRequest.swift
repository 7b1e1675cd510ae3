import Foundation
import HTTP

/// A `POST /v1/detect` request, in any of its three encodings:
///
/// - `multipart/form-data`: an `image` file part plus option fields (`curl -F image=@photo.jpg -F steps=4`);
/// - a raw image body (`Content-Type: image/png` or `image/jpeg`) with options in the query string;
/// - JSON: `{"image": "<base64>", "steps": 4, …}`.
///
/// Options: `model`, `steps`, `boxes` (proposals), `score_threshold`, `seed`,
/// `include_final_step`, `format` (`json` or `png`), and the job options `async`, `stream`,
/// `timeout_ms`. `?format=png` or `Accept: image/png` asks for the image with the boxes
/// drawn. The query string is read in every encoding; where the body gives the same option, the
/// body's value wins. A name given twice within the body or within the query is refused.
struct DetectionRequest {
    /// How the answer is encoded.
    enum ResponseFormat: String {
        case json, png
    }

    var imageBytes: [UInt8]
    var model: String?
    var steps: Int?
    var boxes: Int?
    var scoreThreshold: Double?
    var seed: UInt64?
    var includeFinalStep: Bool?
    var format: ResponseFormat
    var jobOptions: JobSubmitter.Options

    static let optionNames: Set<String> = [
        "model", "steps", "boxes", "score_threshold", "seed", "include_final_step", "format",
        "async", "stream", "timeout_ms",
    ]
    /// The largest seed accepted (2⁵³ − 1, exact in a JSON number).
    static let maxSeed = 9_007_199_254_740_991

    /// Reads `request`, checking option types and the ranges in `limits`.
    init(_ request: HTTPRequest, limits: ServiceConfiguration.DetectionSettings) throws(RequestBodyError) {
        let query = try RequestFields(query: request.queryItems)
        var fields = RequestFields()
        let contentType = request.headers["Content-Type"] ?? ""
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        var image: [UInt8]?
        switch mediaType {
        case "multipart/form-data":
            let form: MultipartFormData
            do {
                guard let boundary = try MultipartFormData.boundary(fromContentType: contentType) else {
                    throw RequestBodyError.invalidField("Content-Type", reason: "multipart/form-data needs a boundary")
                }
                form = try MultipartFormData(parsing: request.body, boundary: boundary)
            } catch let error as MultipartError {
                throw .invalidField("body", reason: "malformed multipart/form-data: \(error)")
            } catch let error as RequestBodyError {
                throw error
            } catch {
                throw .invalidField("body", reason: "\(error)")
            }
            for part in form.parts {
                if part.name == "image" {
                    guard image == nil else { throw .invalidField("image", reason: "is given more than once") }
                    image = part.body
                    continue
                }
                guard let text = part.text else { throw .invalidField(part.name, reason: "must be UTF-8 text") }
                try fields.add(part.name, .text(text))
            }
        case "image/png", "image/jpeg", "image/jpg", "application/octet-stream":
            image = request.body
        case "application/json", "":
            guard !request.body.isEmpty else { throw .invalidField("image", reason: "is required (a file part, a raw image body, or base64 in JSON)") }
            let members = try RequestFields(json: request.body)
            for (name, value) in members.values {
                if name == "image" {
                    guard case .text(let text) = value else { throw .invalidField("image", reason: "must be a base64 string") }
                    guard let data = Data(base64Encoded: Self.strippingDataURLPrefix(text), options: .ignoreUnknownCharacters) else {
                        throw .invalidField("image", reason: "is not valid base64")
                    }
                    image = [UInt8](data)
                } else {
                    try fields.add(name, value)
                }
            }
        default:
            throw .unsupportedMediaType(contentType)
        }
        // The body's options win over the query string's (a name repeated within either is refused).
        fields = query.overridden(by: fields)
        try fields.requireOnly(Self.optionNames)
        guard let image, !image.isEmpty else {
            throw .invalidField("image", reason: "is required (a file part, a raw image body, or base64 in JSON)")
        }
        imageBytes = image
        model = try fields.string("model")
        steps = try fields.integer("steps", in: 1...limits.maxSteps)
        boxes = try fields.integer("boxes", in: 1...limits.maxBoxes)
        scoreThreshold = try fields.number("score_threshold", in: 0...1)
        seed = try fields.integer("seed", in: 0...Self.maxSeed).map { UInt64($0) }
        includeFinalStep = try fields.bool("include_final_step")
        if let name = try fields.string("format") {
            guard let format = ResponseFormat(rawValue: name.lowercased()) else {
                throw .invalidField("format", reason: "must be 'json' or 'png'")
            }
            self.format = format
        } else {
            let accept = request.headers["Accept"]?.lowercased() ?? ""
            format = accept.contains("image/png") && !accept.contains("application/json") ? .png : .json
        }
        jobOptions = JobSubmitter.Options(
            async: try fields.bool("async"),
            timeoutMilliseconds: try fields.integer("timeout_ms", in: JobSubmitter.requestableTimeouts),
            stream: try fields.bool("stream"))
        // A stream carries JSON events (the result inside the last one), so it answers in JSON.
        if jobOptions.stream == true { format = .json }
    }

    /// `data:image/png;base64,AAAA` → `AAAA` (browsers' data URLs are accepted as-is).
    private static func strippingDataURLPrefix(_ text: String) -> String {
        guard text.hasPrefix("data:"), let comma = text.firstIndex(of: ",") else { return text }
        return String(text[text.index(after: comma)...])
    }
}
