import Foundation
import ImageIO
import Story
import Tensor
import Testing
@testable import Service

/// `POST /v1/story` end to end over real sockets: the story fixture folder
/// (`Tests/Fixtures/story/tiny`, parity-tested against `Tools/reference/arldm_ref.py` in
/// StoryTests) served as a `diffusers`-format entry. Frames must be the pipeline's own frames for
/// the same seed, to within rounding (``expectSameFrames(_:_:sourceLocation:)``); streaming sends each
/// frame as it is done.
@Suite(.serialized) struct StoryRoutesTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let folder = repository.appendingPathComponent("Tests/Fixtures/story/tiny")

    static func start() throws -> TestService {
        let test = try TestService {
            // The fixture links the bundled base model's components, so the root spans both.
            $0.models.root = repository.path
            $0.models.entries = [.init(name: "story", task: "story", path: "Tests/Fixtures/story/tiny", format: "diffusers")]
        }
        #expect(eventually(timeout: 60) { (try? test.get("/readyz").status) == 200 }, "the story model loads")
        return test
    }

    /// PNGs of the frames the pipeline generates in-process.
    static func expectedFrames(_ captions: [String], given: [Image] = [], steps: Int, seed: UInt64) throws -> [[UInt8]] {
        let model = try StoryModel(directory: folder)
        let parameters = StoryParameters(captions: captions, givenFrames: given.compactMap(model.frameTensor), steps: steps,
                                         guidanceScale: 5, seed: seed)
        return try model.pipeline.generate(parameters).map { try PNGEncoder.encode(model.image(of: $0)) }
    }

    static func framePNGs(_ response: ClientResponse) -> [[UInt8]] {
        let frames = response.json["frames"] as? [[String: Any]] ?? []
        return frames.map { Array(Data(base64Encoded: $0["b64_png"] as? String ?? "") ?? Data()) }
    }

    /// Checks the served frames against the pipeline's own, decoded, to within rounding: the same count and
    /// sizes, every channel value within 2 of 255, and under 1% of the values different.
    ///
    /// Not byte equality, because other suites in this process compute at the same time. Their
    /// ``ComputeThreads/withSingleThreadedBLAS(_:)`` regions switch OpenBLAS's process-wide thread count, and
    /// OpenBLAS 0.3.21's sgemm rounds differently on one thread and on several, so a frame computed during such
    /// a region can differ slightly (measured: `diffusion-cli story` on this fixture at 1 and 2 threads differs
    /// in one value, by 1/255; under concurrent story suites, the same one value).
    /// A wrong seed, caption or history changes most values by far more.
    static func expectSameFrames(_ served: [[UInt8]], _ expected: [[UInt8]],
                                 sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(served.count == expected.count, sourceLocation: sourceLocation)
        for (index, (servedPNG, expectedPNG)) in zip(served, expected).enumerated() {
            guard let servedImage = try? ImageDecoder.decode(servedPNG), let expectedImage = try? ImageDecoder.decode(expectedPNG),
                  servedImage.width == expectedImage.width, servedImage.height == expectedImage.height,
                  servedImage.pixels.count == expectedImage.pixels.count else {
                Issue.record("frame \(index): not a PNG of the expected size", sourceLocation: sourceLocation)
                continue
            }
            let differences = zip(servedImage.pixels, expectedImage.pixels).map { abs(Int($0) - Int($1)) }
            let largest = differences.max() ?? 0
            let changed = differences.filter { $0 > 0 }.count
            #expect(largest <= 2 && changed * 100 < differences.count,
                    "frame \(index): \(changed) of \(differences.count) values differ, by up to \(largest)",
                    sourceLocation: sourceLocation)
        }
    }

    static let captions = ["Mia is a red circle on the left.", "She moves to the right.", "She grows bigger."]

    @Test func framesAreThePipelinesOwn() throws {
        let test = try Self.start()
        defer { test.stop() }
        let captionsJSON = Self.captions.map { "\"\($0)\"" }.joined(separator: ",")
        let response = try test.request("POST", "/v1/story", body: #"{"captions": [\#(captionsJSON)], "steps": 4, "seed": 7, "guidance_scale": 5}"#,
                                        timeout: 120)
        #expect(response.status == 200, "\(response.text)")
        let expected = try Self.expectedFrames(Self.captions, steps: 4, seed: 7)
        Self.expectSameFrames(Self.framePNGs(response), expected)
        let frames = response.json["frames"] as? [[String: Any]] ?? []
        #expect(frames.map { $0["index"] as? Int } == [0, 1, 2])
        #expect(frames.map { $0["caption"] as? String } == Self.captions)
        #expect(frames.allSatisfy { $0["generated"] as? Bool == true && $0["seed"] as? Int == 7 })
        #expect(response.json["mode"] as? String == "visualization")
        // The sheet: three enlarged frames side by side, captions below.
        let sheet = try ImageDecoder.decode(Array(Data(base64Encoded: response.json["sheet_b64_png"] as? String ?? "") ?? Data()))
        #expect(sheet.width == 3 * 128 + 4 * StorySheet.margin)
        #expect(sheet.height > 128)
        let timings = response.json["timings"] as? [String: Any]
        #expect((timings?["frames_ms"] as? [Double])?.count == 3)
    }

    @Test func streamingSendsEachFrameAsItIsDone() throws {
        let test = try Self.start()
        defer { test.stop() }
        let client = try BlockingHTTPClient(port: test.port, receiveTimeout: 120)
        defer { client.close() }
        let captionsJSON = Self.captions.prefix(2).map { "\"\($0)\"" }.joined(separator: ",")
        try client.sendRequest("POST", "/v1/story", headers: [("Accept", "text/event-stream"), ("Connection", "close")],
                               body: #"{"captions": [\#(captionsJSON)], "steps": 3, "seed": 2}"#)
        let text = String(decoding: client.readUntilClosed(timeout: 120), as: UTF8.self)
        let names = text.split(separator: "\n").filter { $0.hasPrefix("event: ") }.map { String($0.dropFirst(7)) }
        #expect(names.first == "queued" || names.first == "started")
        #expect(names.last == "completed", "\(names)")
        #expect(names.filter { $0 == "frame" }.count == 2)
        // The first frame is sent before the second frame's steps run.
        if let firstFrame = names.firstIndex(of: "frame") {
            #expect(names[firstFrame...].contains("progress"), "\(names)")
        }
        let expected = try Self.expectedFrames(Array(Self.captions.prefix(2)), steps: 3, seed: 2)
        let frameData = text.components(separatedBy: "event: frame\n").dropFirst().compactMap { chunk -> [UInt8]? in
            guard let line = chunk.split(separator: "\n").first(where: { $0.hasPrefix("data: ") }),
                  let object = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8)) as? [String: Any],
                  let base64 = object["b64_png"] as? String, let data = Data(base64Encoded: base64) else { return nil }
            return Array(data)
        }
        Self.expectSameFrames(frameData, expected)
    }

    @Test func continuationKeepsTheGivenFirstFrame() throws {
        let test = try Self.start()
        defer { test.stop() }
        let first = try PNGEncoder.encode(Image(width: 32, height: 32, fill: RGBColor(red: 200, green: 30, blue: 30)))
        let body = #"{"captions": ["Mia is red.", "She moves up."], "mode": "continuation", "first_frame": "\#(Data(first).base64EncodedString())", "steps": 3, "seed": 9}"#
        let response = try test.request("POST", "/v1/story", body: body, timeout: 120)
        #expect(response.status == 200, "\(response.text)")
        let pngs = Self.framePNGs(response)
        #expect(pngs.count == 2)
        #expect(pngs.first == first)
        let given = try ImageDecoder.decode(first)
        let expected = try Self.expectedFrames(["Mia is red.", "She moves up."], given: [given], steps: 3, seed: 9)
        Self.expectSameFrames(Array(pngs.dropFirst()), expected)
        let frames = response.json["frames"] as? [[String: Any]] ?? []
        #expect(frames.map { $0["generated"] as? Bool } == [false, true])
    }

    @Test func invalidRequestsNameTheirField() throws {
        let test = try Self.start()
        defer { test.stop() }
        let wrongSize = Data(try PNGEncoder.encode(Image(width: 16, height: 16))).base64EncodedString()
        let long = Array(repeating: "circle", count: 20).joined(separator: " ")
        let cases: [(String, Int, String)] = [
            (#"{"captions": []}"#, 422, "captions"),
            (#"{"captions": ["a","b","c","d","e","f"]}"#, 422, "captions"),
            (#"{"captions": ["a red circle", "  "]}"#, 422, "captions[1]"),
            (#"{"captions": ["\#(long)"]}"#, 422, "captions[0]"),
            (#"{"captions": ["a", "b"], "mode": "continuation"}"#, 422, "first_frame"),
            (#"{"captions": ["a", "b"], "mode": "continuation", "first_frame": "\#(wrongSize)"}"#, 422, "first_frame"),
            (#"{"captions": ["a", "b"], "mode": "continuation", "first_frame": "AAAA"}"#, 415, "first_frame"),
            (#"{"captions": ["a"], "first_frame": "AAAA", "mode": "visualization"}"#, 422, "first_frame"),
            (#"{"captions": ["a"], "mode": "sequel"}"#, 422, "mode"),
            (#"{"captions": ["a"], "scheduler": "euler"}"#, 422, "scheduler"),
            (#"{"captions": ["a"], "size": "64x64"}"#, 422, "size"),
            (#"{"captions": ["a"], "steps": 0}"#, 422, "steps"),
            (#"{"captions": ["a"], "guidance_scale": 31}"#, 422, "guidance_scale"),
            (#"{"captions": "a"}"#, 422, "captions"),
            (#"{"captions": ["a"], "model": "nope"}"#, 404, "model"),
        ]
        for (body, status, field) in cases {
            let response = try test.request("POST", "/v1/story", body: body)
            #expect(response.status == status, "\(body): \(response.text)")
            #expect(response.json["field"] as? String == field, "\(body): \(response.text)")
        }
        #expect(test.waitUntilIdle())
    }

    /// The bundled `shapesworld-story`, exactly as `Config/default.yaml` lists it (digest verified, pipeline
    /// built), tells a story over HTTP with the frames of the in-process pipeline on the same folder.
    @Test func bundledModelFromTheEmbeddedDefaultTellsAStory() throws {
        let defaults = try ServiceConfiguration.load(file: Self.repository.appendingPathComponent("Config/default.yaml").path)
        let test = try TestService {
            $0.models.root = Self.repository.appendingPathComponent(defaults.models.root).path
            $0.models.entries = defaults.models.entries
        }
        defer { test.stop() }
        #expect(eventually(timeout: 60) { (try? test.get("/readyz").status) == 200 }, "the bundled models load and verify")
        let status = try test.get("/v1/models/shapesworld-story").json
        #expect(status["state"] as? String == "ready")
        let captions = ["Kiki is a red circle.", "It moves to the right."]
        let response = try test.request("POST", "/v1/story",
                                        body: #"{"captions": ["\#(captions[0])", "\#(captions[1])"], "steps": 5, "seed": 3}"#,
                                        timeout: 120)
        #expect(response.status == 200, "\(response.text)")
        #expect(response.json["model"] as? String == "shapesworld-story")
        let model = try StoryModel(directory: Self.repository.appendingPathComponent("Models/shapesworld-story"))
        let parameters = StoryParameters(captions: captions, steps: 5, guidanceScale: model.pipeline.configuration.guidanceScale,
                                         seed: 3)
        let expected = try model.pipeline.generate(parameters).map { try PNGEncoder.encode(model.image(of: $0)) }
        Self.expectSameFrames(Self.framePNGs(response), expected)
    }
}
