import Foundation
import ImageIO
import Testing
import Weights
@testable import Service

/// `POST /v1/images/generations` end to end: the tiny random-weight diffusers pipeline of
/// `Tests/Fixtures/sd-pipeline` served from a `format: diffusers` model entry, images
/// compared with diffusers' own output for the same request (PNG-quantised).
@Suite struct ImageGenerationRoutesTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func start() throws -> TestService {
        let test = try TestService {
            $0.models.root = fixtures.path
            $0.models.entries = [.init(name: "tiny-sd", task: "text-to-image", path: "sd-pipeline/tiny", format: "diffusers")]
        }
        #expect(eventually(timeout: 60) { (try? test.get("/readyz").status) == 200 }, "the pipeline loads")
        return test
    }

    /// diffusers' images for a fixture case, [N, 3, H, W] in 0…1.
    static func expected(_ name: String) throws -> (values: [Float], shape: [Int]) {
        let file = try SafetensorsFile(path: fixtures.appendingPathComponent("sd-pipeline/expected.safetensors").path)
        let tensor = try file.tensor(named: "\(name).image")
        return (try tensor.floats(), tensor.shape)
    }

    @Test func generationMatchesDiffusersThroughHTTP() throws {
        let test = try Self.start()
        defer { test.stop() }
        // The fixture case `t2i_euler_a_batch2`: two images from one seeded generator.
        let body = """
            {"prompt": "an astronaut riding a horse on mars", "negative_prompt": "blurry, low quality", "n": 2,
             "size": "32x32", "steps": 20, "guidance_scale": 7.5, "scheduler": "euler_a", "seed": 4,
             "response_format": "b64_json"}
            """
        let response = try test.request("POST", "/v1/images/generations", headers: [("Content-Type", "application/json")],
                                         body: body, timeout: 120)
        #expect(response.status == 200, "\(response.text)")
        let json = response.json
        #expect(json["model"] as? String == "tiny-sd")
        let data = try #require(json["data"] as? [[String: Any]])
        #expect(data.count == 2)
        let (expected, shape) = try Self.expected("t2i_euler_a_batch2")
        #expect(shape == [2, 3, 32, 32])
        let planeCount = 3 * 32 * 32
        for (index, item) in data.enumerated() {
            #expect(item["seed"] as? Int == 4)
            let png = try #require((item["b64_json"] as? String).flatMap { Data(base64Encoded: $0) })
            let image = try ImageDecoder.decode([UInt8](png))
            #expect(image.width == 32 && image.height == 32)
            let planes = image.floatPlanes(range: .unit)
            let reference = expected[(index * planeCount)..<((index + 1) * planeCount)]
            let error = zip(planes, reference).map { abs($0 - $1) }.max() ?? 1
            // 8-bit PNG quantisation is at most half a level off, plus the pipeline's 1e-5 parity.
            #expect(error <= 0.5 / 255 + 1e-3, "image \(index): max abs error \(error)")
        }
        let timings = try #require(json["timings"] as? [String: Any])
        #expect((timings["steps_per_second"] as? Double ?? 0) > 0)
    }

    @Test(arguments: [
        ("{\"prompt\": \"\"}", "prompt"),
        ("{\"prompt\": \"x\", \"size\": \"30x32\"}", "size"),
        ("{\"prompt\": \"x\", \"size\": \"big\"}", "size"),
        ("{\"prompt\": \"x\", \"size\": \"128x16\"}", "size"),  // over 4× the fixture's native 16 px
        ("{\"prompt\": \"x\", \"steps\": 0}", "steps"),
        ("{\"prompt\": \"x\", \"steps\": 151}", "steps"),
        ("{\"prompt\": \"x\", \"guidance_scale\": 31}", "guidance_scale"),
        ("{\"prompt\": \"x\", \"n\": 5}", "n"),
        ("{\"prompt\": \"x\", \"scheduler\": \"lms\"}", "scheduler"),
        ("{\"prompt\": \"x\", \"response_format\": \"url\"}", "response_format"),
        ("{\"prompt\": 7}", "prompt"),
        ("{\"steps\": 5}", "prompt"),
    ])
    func invalidRequestsNameTheField(body: String, field: String) throws {
        let test = try Self.start()
        defer { test.stop() }
        let response = try test.request("POST", "/v1/images/generations", headers: [("Content-Type", "application/json")], body: body)
        #expect(response.status == 422)
        #expect(response.header("Content-Type") == "application/problem+json")
        #expect(response.json["field"] as? String == field)
    }

    @Test func unknownModelIs404AndLongPromptsWarn() throws {
        let test = try Self.start()
        defer { test.stop() }
        let missing = try test.request("POST", "/v1/images/generations", headers: [("Content-Type", "application/json")],
                                       body: "{\"prompt\": \"x\", \"model\": \"nope\"}")
        #expect(missing.status == 404)
        #expect(missing.json["field"] as? String == "model")
        let long = String(repeating: "red circle ", count: 60)
        let response = try test.request("POST", "/v1/images/generations", headers: [("Content-Type", "application/json")],
                                        body: "{\"prompt\": \"\(long)\", \"steps\": 2, \"seed\": 1}", timeout: 120)
        #expect(response.status == 200)
        let warnings = response.json["warnings"] as? [String] ?? []
        #expect(warnings.contains { $0.hasPrefix("prompt:") })
    }

    /// The bundled ShapesWorld model, exactly as `Config/default.yaml` lists it (digest
    /// verified, pipeline built), answers at its native size.
    @Test func bundledModelFromTheEmbeddedDefaultGenerates() throws {
        let repository = Self.fixtures.deletingLastPathComponent().deletingLastPathComponent()
        let defaults = try ServiceConfiguration.load(file: repository.appendingPathComponent("Config/default.yaml").path)
        let test = try TestService {
            $0.models.root = repository.appendingPathComponent(defaults.models.root).path
            $0.models.entries = defaults.models.entries
        }
        defer { test.stop() }
        #expect(eventually(timeout: 60) { (try? test.get("/readyz").status) == 200 }, "the bundled model loads and verifies")
        let status = try test.get("/v1/models/shapesworld-t2i").json
        #expect(status["state"] as? String == "ready")
        #expect(status["architecture"] as? String == "StableDiffusionPipeline")
        let response = try test.request("POST", "/v1/images/generations", headers: [("Content-Type", "application/json")],
                                        body: "{\"prompt\": \"a red circle\", \"steps\": 10, \"guidance_scale\": 5, \"seed\": 7}",
                                        timeout: 120)
        #expect(response.status == 200)
        let item = try #require((response.json["data"] as? [[String: Any]])?.first)
        let png = try #require((item["b64_json"] as? String).flatMap { Data(base64Encoded: $0) })
        let image = try ImageDecoder.decode([UInt8](png))
        #expect(image.width == 32 && image.height == 32)
    }
}
