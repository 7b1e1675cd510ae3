import Diffusion
import Foundation
import HTTP
import ImageIO
import Tensor

/// `POST /v1/images/generations`: text-to-image with the SD-family pipeline, as a job on
/// the compute pool (sync, async, or streamed as Server-Sent Events).
///
/// The model is the request's `model`, else the first ready `text-to-image` model.
/// Everything is validated before queueing; each violation is a 422 naming the field.
struct ImageGenerationRoutes {
    let service: DiffusionService

    func register(in router: inout Router) {
        service.route(.post, "/v1/images/generations", in: &router) { context in
            let body: ImageGenerationRequest
            let options: JobSubmitter.Options
            do throws(RequestBodyError) {
                body = try context.request.decodeJSON(ImageGenerationRequest.self)
                options = try context.request.decodeJSON(JobSubmitter.Options.self)
            } catch {
                return context.fail(ProblemDetails(for: error))
            }
            guard let (name, model) = service.taskModel(TextToImageModel.self, for: TextToImageModel.task, requested: body.model, context: context) else { return }
            let parameters: TextToImageParameters
            do throws(RequestBodyError) {
                parameters = try body.parameters(for: model)
            } catch {
                return context.fail(ProblemDetails(for: error))
            }
            do throws(PipelineError) {
                try parameters.validate(vaeScaleFactor: model.pipeline.vaeScaleFactor)
            } catch {
                return context.fail(ProblemDetails(for: error))
            }
            var warnings: [String] = []
            for (field, text) in [("prompt", parameters.prompt), ("negative_prompt", parameters.negativePrompt)] {
                let dropped = model.droppedTokenCount(text)
                if dropped > 0 { warnings.append("\(field): \(dropped) tokens beyond the text encoder's 77 were dropped") }
            }
            let notes = warnings
            service.submitter.submit(context, task: TextToImageModel.task, model: name, options: options) { job in
                try Self.generate(parameters, model: model, name: name, warnings: notes, job: job)
            }
        }
    }

    static func generate(_ parameters: TextToImageParameters, model: TextToImageModel, name: String,
                         warnings: [String], job: ComputeJob) throws -> ComputeJob.Outcome {
        let started = DispatchTime.now().uptimeNanoseconds
        var denoiseStarted: UInt64?
        let images = try model.pipeline.generate(parameters) { step, total in
            if denoiseStarted == nil { denoiseStarted = DispatchTime.now().uptimeNanoseconds }
            try job.checkpoint(step: step, total: total, stage: "denoise")
        }
        let finished = DispatchTime.now().uptimeNanoseconds
        var data: [ImageGenerationResponse.Datum] = []
        let (width, height) = (parameters.width, parameters.height)
        let planeCount = 3 * width * height
        let values = images.contiguous().scalars
        for index in 0..<parameters.imageCount {
            let planes = Array(values[(index * planeCount)..<((index + 1) * planeCount)])
            guard let image = Image(floatPlanes: planes, width: width, height: height, range: .unit) else {
                throw ProblemDetails(status: .internalServerError, detail: "the pipeline returned an image of the wrong size", code: "job_failed")
            }
            let png = try PNGEncoder.encode(image)
            data.append(.init(b64JSON: Data(png).base64EncodedString(), seed: parameters.seed, index: index))
        }
        let total = Double(finished - started) / 1e6
        let denoise = Double(finished - (denoiseStarted ?? started)) / 1e6
        let response = ImageGenerationResponse(
            created: Int(Date().timeIntervalSince1970), data: data, model: name,
            timings: .init(totalMilliseconds: total, denoiseMilliseconds: denoise,
                           stepsPerSecond: Double(parameters.steps) / max(denoise / 1000, 1e-9)),
            warnings: warnings.isEmpty ? nil : warnings)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return .success(body: Array(try encoder.encode(response)), contentType: "application/json")
    }
}
