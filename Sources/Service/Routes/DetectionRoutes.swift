import Detection
import Foundation
import HTTP
import ImageIO

/// `POST /v1/detect`: DiffusionDet object detection on an uploaded image, as a job on the
/// compute pool (sync, async, or streamed as Server-Sent Events).
///
/// The image is decoded and checked against the configured pixel cap on the request's own
/// thread, so a bad upload is answered (415/413/422) before anything is queued. Its backbone
/// pass goes through the model's `BatchingWindow`: requests arriving together share one call.
struct DetectionRoutes {
    let service: DiffusionService

    func register(in router: inout Router) {
        service.route(.post, "/v1/detect", in: &router) { context in
            let settings = service.configuration.detection
            let request: DetectionRequest
            do throws(RequestBodyError) {
                request = try DetectionRequest(context.request, limits: settings)
            } catch {
                return context.fail(ProblemDetails(for: error))
            }
            guard let (name, model) = service.taskModel(DetectionModel.self, for: DetectionModel.task, requested: request.model, context: context) else { return }
            let decodeStarted = DispatchTime.now().uptimeNanoseconds
            let image: Image
            do throws(ImageError) {
                let limits = ImageLimits(maxPixels: settings.maxImagePixels, maxDimension: settings.maxImageSide,
                                         maxBytes: ImageLimits.default.maxBytes)
                image = try ImageDecoder.decode(request.imageBytes, limits: limits)
            } catch {
                return context.fail(ProblemDetails(for: error))
            }
            let decodeMilliseconds = Double(DispatchTime.now().uptimeNanoseconds - decodeStarted) / 1e6
            let parameters = model.parameters(steps: request.steps, boxes: request.boxes, scoreThreshold: request.scoreThreshold,
                                              seed: request.seed, includeFinalStep: request.includeFinalStep)
            let ticket = model.enqueueBackbone(image)
            let format = request.format
            service.submitter.submit(context, task: DetectionModel.task, model: name, options: request.jobOptions) { job in
                let result = try model.detect(ticket: ticket, parameters: parameters, job: job)
                return try Self.answer(result, image: image, model: name, parameters: parameters, format: format,
                                       decodeMilliseconds: decodeMilliseconds, requestStarted: decodeStarted)
            } whenFinished: {
                model.discardBackbone(ticket)
            }
        }
    }

    /// The job's result as JSON, or as a PNG with the boxes drawn.
    static func answer(_ result: DetectionModel.Result, image: Image, model: String, parameters: DetectionParameters,
                       format: DetectionRequest.ResponseFormat, decodeMilliseconds: Double,
                       requestStarted: UInt64) throws -> ComputeJob.Outcome {
        switch format {
        case .png:
            let annotated = image.drawing(result.detections)
            return .success(body: try PNGEncoder.encode(annotated), contentType: "image/png")
        case .json:
            let total = Double(DispatchTime.now().uptimeNanoseconds - requestStarted) / 1e6
            let response = DetectionResponse(result, image: image, model: model, parameters: parameters,
                                             decodeMilliseconds: decodeMilliseconds, totalMilliseconds: total)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return .success(body: Array(try encoder.encode(response)), contentType: "application/json")
        }
    }
}
