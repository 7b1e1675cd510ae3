import Detection
import Foundation
import ImageIO
import Testing
import Weights
@testable import Service

/// `POST /v1/detect` end to end over real sockets: the random-weight DiffusionDet fixture
/// model (`Tests/Fixtures/diffusiondet/basic18`, parity-tested against the PyTorch reference in
/// DetectionTests) served from a `safetensors` entry. Each encoding must return exactly what the
/// detector returns in-process for the same seed; bad uploads get the documented problems.
@Suite(.serialized) struct DetectionRoutesTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    static let modelFolder = fixtures.appendingPathComponent("diffusiondet/basic18")

    static func start(_ configure: (inout ServiceConfiguration) -> Void = { _ in }) throws -> TestService {
        let test = try TestService {
            $0.models.root = fixtures.path
            $0.models.entries = [
                .init(name: "det", task: "detect", path: "diffusiondet/basic18/model.safetensors"),
                .init(name: "t2i", task: "text-to-image", path: "sd-pipeline/tiny", format: "diffusers", load: .lazy),
            ]
            configure(&$0)
        }
        #expect(eventually(timeout: 60) { (try? test.get("/readyz").status) == 200 }, "the detector loads")
        return test
    }

    /// The fixture's own test image (70×90 RGB), as PNG bytes and decoded.
    static func testImage() throws -> (png: [UInt8], image: Image) {
        let file = try SafetensorsFile(path: fixtures.appendingPathComponent("diffusiondet/basic18.parity.safetensors").path)
        let tensor = try file.tensor(named: "image")
        let pixels = tensor.withUnsafeBytes { Array($0) }
        guard let image = Image(width: tensor.shape[1], height: tensor.shape[0], channels: 3, pixels: pixels) else {
            throw ClientError(description: "fixture image has the wrong size")
        }
        return (try PNGEncoder.encode(image), image)
    }

    /// What the detector returns in-process for `image` with these options.
    static func expected(_ image: Image, steps: Int, boxes: Int, threshold: Double, seed: UInt64) throws -> [[Double]] {
        let detector = try DiffusionDetector(folder: modelFolder)
        let prepared = try detector.preprocess(image)
        let features = try detector.features(for: [prepared])
        var parameters = detector.defaultParameters(seed: seed)
        parameters.steps = steps
        parameters.proposals = boxes
        parameters.scoreThreshold = threshold
        let result = try detector.detect(features: features[0], image: prepared, parameters: parameters, checkpoint: {})
        return result.detections.map { [Double($0.classIndex), Double($0.score), Double($0.x1), Double($0.y1), Double($0.x2), Double($0.y2)] }
    }

    /// The response's detections as rows like `expected`'s.
    static func rows(_ response: ClientResponse) -> [[Double]] {
        let detections = response.json["detections"] as? [[String: Any]] ?? []
        return detections.map { object in
            let box = object["box"] as? [Double] ?? []
            return [Double(object["class_id"] as? Int ?? -1), object["score"] as? Double ?? -1] + box
        }
    }

    static func multipart(image: [UInt8], fields: [(String, String)]) -> (contentType: String, body: [UInt8]) {
        let boundary = "detect-test-boundary"
        var body: [UInt8] = []
        for (name, value) in fields {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"image.png\"\r\nContent-Type: image/png\r\n\r\n".utf8)
        body += image + Array("\r\n--\(boundary)--\r\n".utf8)
        return ("multipart/form-data; boundary=\(boundary)", body)
    }

    static func close(_ a: [[Double]], _ b: [[Double]], tolerance: Double = 1e-4) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { row, other in
            row.count == other.count && zip(row, other).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
        }
    }

    @Test func everyEncodingReturnsTheDetectorsOwnResult() throws {
        let test = try Self.start()
        defer { test.stop() }
        let (png, image) = try Self.testImage()
        let expected = try Self.expected(image, steps: 2, boxes: 40, threshold: 0.3, seed: 11)
        #expect(!expected.isEmpty, "the fixture model finds something at threshold 0.3")

        let json = #"{"image": "\#(Data(png).base64EncodedString())", "steps": 2, "boxes": 40, "score_threshold": 0.3, "seed": 11}"#
        let viaJSON = try test.request("POST", "/v1/detect", body: json, timeout: 60)
        #expect(viaJSON.status == 200, "\(viaJSON.text)")
        let raw = try HTTP1.request(port: test.port, "POST", "/v1/detect?steps=2&boxes=40&score_threshold=0.3&seed=11",
                                    headers: [("Content-Type", "image/png")], bodyBytes: png, timeout: 60)
        #expect(raw.status == 200, "\(raw.text)")
        let form = Self.multipart(image: png, fields: [("steps", "2"), ("boxes", "40"), ("score_threshold", "0.3"), ("seed", "11")])
        let viaForm = try HTTP1.request(port: test.port, "POST", "/v1/detect", headers: [("Content-Type", form.contentType)],
                                        bodyBytes: form.body, timeout: 60)
        #expect(viaForm.status == 200, "\(viaForm.text)")
        for response in [viaJSON, raw, viaForm] {
            #expect(Self.close(Self.rows(response), expected), "\(Self.rows(response)) vs \(expected)")
            #expect(response.json["model"] as? String == "det")
            let size = response.json["image"] as? [String: Any]
            #expect(size?["width"] as? Int == 90 && size?["height"] as? Int == 70)
            let params = response.json["params"] as? [String: Any]
            #expect(params?["steps"] as? Int == 2 && params?["boxes"] as? Int == 40 && params?["seed"] as? Int == 11)
            let timings = response.json["timings"] as? [String: Any]
            for key in ["decode_ms", "backbone_ms", "head_ms", "total_ms"] {
                #expect((timings?[key] as? Double ?? -1) >= 0, "\(key)")
            }
            for row in Self.rows(response) {
                // Boxes are in input pixels, clipped to the image; labels are the model's class names.
                #expect(row[2] >= 0 && row[3] >= 0 && row[4] <= 90 && row[5] <= 70 && row[2] <= row[4] && row[3] <= row[5])
            }
        }
        let labels = Set((viaJSON.json["detections"] as? [[String: Any]] ?? []).compactMap { $0["label"] as? String })
        #expect(labels.isSubset(of: ["circle", "square", "triangle"]))
        #expect(test.waitUntilIdle())
        #expect(Self.detectionModel(test)?.backboneQueue.held == 0)
    }

    static func detectionModel(_ test: TestService) -> DetectionModel? {
        (try? test.service.registry.model(named: "det"))?.taskModel as? DetectionModel
    }

    @Test func formatPNGDrawsTheBoxes() throws {
        let test = try Self.start()
        defer { test.stop() }
        let (png, image) = try Self.testImage()
        let expected = try Self.expected(image, steps: 1, boxes: 40, threshold: 0.3, seed: 5)
        let response = try HTTP1.request(port: test.port, "POST", "/v1/detect?steps=1&boxes=40&score_threshold=0.3&seed=5",
                                         headers: [("Content-Type", "image/png"), ("Accept", "image/png")], bodyBytes: png, timeout: 60)
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "image/png")
        let drawn = try ImageDecoder.decode(response.body)
        #expect(drawn.width == 90 && drawn.height == 70)
        // Exactly the pixels on the drawn boxes and labels changed, so something changed iff there are detections.
        let changed = zip(drawn.pixels, image.pixels).filter { $0 != $1 }.count
        #expect(expected.isEmpty ? changed == 0 : changed > 0)
    }

    /// Problem documents for bad uploads and options; the service keeps serving afterwards.
    @Test func badInputIsAProblemNamingTheField() throws {
        let test = try Self.start { $0.detection.maxImagePixels = 5000 }
        defer { test.stop() }
        let (png, _) = try Self.testImage()  // 6300 pixels: over this test's cap
        let small = try PNGEncoder.encode(Image(width: 40, height: 30, fill: RGBColor(red: 10, green: 20, blue: 30)))
        let gif = Array("GIF89a".utf8) + [UInt8](repeating: 0, count: 32)
        let cases: [(String, String, [UInt8], Int, String)] = [
            ("/v1/detect", "image/png", png, 413, "image"),
            ("/v1/detect", "image/png", gif, 415, "image"),
            ("/v1/detect", "image/png", Array(small.prefix(60)), 422, "image"),
            ("/v1/detect", "image/png", Array("not an image at all".utf8), 415, "image"),
            ("/v1/detect?steps=0", "image/png", small, 422, "steps"),
            ("/v1/detect?boxes=100000", "image/png", small, 422, "boxes"),
            ("/v1/detect?model=nope", "image/png", small, 404, "model"),
            ("/v1/detect?model=t2i", "image/png", small, 422, "model"),
            ("/v1/detect", "text/csv", small, 415, "Content-Type"),
        ]
        for (path, type, body, status, field) in cases {
            let response = try HTTP1.request(port: test.port, "POST", path, headers: [("Content-Type", type)], bodyBytes: body)
            #expect(response.status == status, "\(path) \(type): \(response.text)")
            #expect(response.header("Content-Type") == "application/problem+json", "\(path)")
            #expect(response.json["field"] as? String == field, "\(path): \(response.text)")
        }
        let fine = try HTTP1.request(port: test.port, "POST", "/v1/detect?steps=1", headers: [("Content-Type", "image/png")],
                                     bodyBytes: small, timeout: 60)
        #expect(fine.status == 200, "\(fine.text)")
        #expect(test.waitUntilIdle())
        #expect(Self.detectionModel(test)?.backboneQueue.held == 0)
    }

    /// Requests that arrive together share one backbone call and get what they would alone.
    @Test func concurrentRequestsShareOneBackboneCall() throws {
        let test = try Self.start {
            $0.detection.batchWindowMilliseconds = 400
            $0.detection.maxBatch = 4
            $0.compute.queueDepth = 8
        }
        defer { test.stop() }
        let (png, image) = try Self.testImage()
        let expected = try Self.expected(image, steps: 1, boxes: 40, threshold: 0.3, seed: 3)
        let port = test.port
        let responses = onThreads(4) { _ in
            try? HTTP1.request(port: port, "POST", "/v1/detect?steps=1&boxes=40&score_threshold=0.3&seed=3",
                               headers: [("Content-Type", "image/png")], bodyBytes: png, timeout: 60)
        }
        #expect(responses.count == 4)
        var batchSizes: [Int] = []
        for response in responses {
            guard let response else { Issue.record("no response"); continue }
            #expect(response.status == 200, "\(response.text)")
            // Batched features equal solo ones up to GEMM rounding.
            #expect(Self.close(Self.rows(response), expected, tolerance: 1e-3), "\(Self.rows(response)) vs \(expected)")
            batchSizes.append((response.json["timings"] as? [String: Any])?["backbone_batch_size"] as? Int ?? 0)
        }
        #expect(batchSizes.max() ?? 0 >= 2, "batch sizes \(batchSizes)")
        #expect(test.waitUntilIdle())
        #expect(Self.detectionModel(test)?.backboneQueue.held == 0)
    }

    /// A job cancelled while queued releases its place in the batching window.
    @Test func cancelledJobsLeaveNothingInTheWindow() throws {
        let test = try Self.start { $0.detection.batchWindowMilliseconds = 0 }
        defer { test.stop() }
        let (png, _) = try Self.testImage()
        // Occupy the single worker, then queue a detection asynchronously and cancel it.
        let blocker = try test.submitAsync(size: 1024, iterations: 400)
        let queued = try HTTP1.request(port: test.port, "POST", "/v1/detect?async=true", headers: [("Content-Type", "image/png")],
                                       bodyBytes: png)
        #expect(queued.status == 202)
        let id = queued.json["id"] as? String ?? ""
        #expect(Self.detectionModel(test)?.backboneQueue.held == 1)
        #expect(try test.request("DELETE", "/v1/jobs/\(id)").status == 200)
        _ = try test.request("DELETE", "/v1/jobs/\(blocker)")
        #expect(test.waitUntilIdle())
        #expect(Self.detectionModel(test)?.backboneQueue.held == 0)
    }
}
