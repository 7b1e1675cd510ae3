import Foundation
import HTTP
import ImageIO
import Story

/// `POST /v1/story`: AR-LDM story generation, frame by frame, as a job on the compute pool.
///
/// Synchronous by default (the whole story and its contact sheet in one answer), `202` with
/// `async`, or streamed (`stream` / `Accept: text/event-stream`): `progress` events
/// (`frame`, `step`, `total`), a `frame` event with each PNG as soon as it is decoded, then
/// `completed` with the job (whose result is the full answer). A client that disconnects
/// mid-story cancels the frames not yet generated.
struct StoryRoutes {
    let service: DiffusionService

    func register(in router: inout Router) {
        service.route(.post, "/v1/story", in: &router) { context in
            let body: StoryRequest
            let options: JobSubmitter.Options
            do throws(RequestBodyError) {
                body = try context.request.decodeJSON(StoryRequest.self)
                options = try context.request.decodeJSON(JobSubmitter.Options.self)
            } catch {
                return context.fail(ProblemDetails(for: error))
            }
            guard let (name, model) = service.taskModel(StoryModel.self, for: StoryModel.task, requested: body.model, context: context) else { return }
            let request: ValidatedStoryRequest
            do throws(RequestBodyError) {
                request = try body.validated(for: model, maxCaptions: service.configuration.story.maxCaptions)
            } catch {
                return context.fail(ProblemDetails(for: error))
            }
            var givenFrames: [Image] = []
            if let bytes = request.firstFrame {
                do throws(ImageError) {
                    givenFrames = [try ImageDecoder.decode(bytes)]
                } catch {
                    var problem = ProblemDetails(for: error)
                    problem.field = "first_frame"
                    return context.fail(problem)
                }
                guard givenFrames[0].width == model.frameSize, givenFrames[0].height == model.frameSize else {
                    return context.fail(ProblemDetails(
                        status: .unprocessableContent,
                        detail: "first_frame is \(givenFrames[0].width)×\(givenFrames[0].height); the model's frames are \(model.frameSize)×\(model.frameSize)",
                        code: "invalid_parameter", field: "first_frame"))
                }
            }
            let frames = givenFrames
            service.submitter.submit(context, task: StoryModel.task, model: name, options: options) { job in
                try Self.generate(request, givenFrames: frames, model: model, name: name, job: job)
            }
        }
    }

    static func generate(_ request: ValidatedStoryRequest, givenFrames: [Image], model: StoryModel, name: String,
                         job: ComputeJob) throws -> ComputeJob.Outcome {
        let started = DispatchTime.now().uptimeNanoseconds
        var frameStarted = started
        let parameters = StoryParameters(captions: request.captions, givenFrames: givenFrames.compactMap(model.frameTensor),
                                         steps: request.steps, guidanceScale: request.guidanceScale, seed: request.seed)
        var frames: [StoryResponse.Frame] = []
        var images: [Image] = []
        var frameMilliseconds: [Double] = []
        for (index, image) in givenFrames.enumerated() {
            frames.append(.init(index: index, caption: request.captions[index], b64PNG: Data(try PNGEncoder.encode(image)).base64EncodedString(),
                                seed: request.seed, generated: false))
            images.append(image)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        _ = try model.pipeline.generate(parameters, checkpoint: { progress in
            try job.checkpoint(step: progress.step, total: progress.steps, stage: "frame \(progress.frame)")
        }, onFrame: { frame in
            let image = try model.image(of: frame)
            let entry = StoryResponse.Frame(index: frame.index, caption: request.captions[frame.index],
                                            b64PNG: Data(try PNGEncoder.encode(image)).base64EncodedString(),
                                            seed: request.seed, generated: true)
            frames.append(entry)
            images.append(image)
            let now = DispatchTime.now().uptimeNanoseconds
            frameMilliseconds.append(Double(now - frameStarted) / 1e6)
            frameStarted = now
            job.publish(event: "frame", json: Array(try encoder.encode(entry)))
        })
        let sheet = StorySheet.compose(frames: images, captions: request.captions)
        let response = StoryResponse(
            frames: frames, sheetB64PNG: Data(try PNGEncoder.encode(sheet)).base64EncodedString(), model: name,
            mode: request.mode.rawValue, steps: request.steps, guidanceScale: request.guidanceScale,
            timings: .init(totalMilliseconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6,
                           framesMilliseconds: frameMilliseconds))
        return .success(body: Array(try encoder.encode(response)), contentType: "application/json")
    }
}
