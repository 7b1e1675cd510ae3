import Foundation
import Synchronization
import Testing
@testable import HTTP
@testable import Service
import Weights

/// The registry with real safetensors files in a temporary `models.root`, over HTTP.
@Suite("ModelRegistry: loading, verification, failures, confinement, admin routes")
struct ModelRegistryTests {
    /// A models root with one good model of each kind and one broken model of each kind.
    struct Fixture {
        let root: TemporaryDirectory
        let outside: TemporaryDirectory
        let good: (path: String, sha256: String, bytes: Int)
        var entries: [ServiceConfiguration.ModelEntry] = []

        init() throws {
            root = try TemporaryDirectory("models")
            outside = try TemporaryDirectory("outside")
            let base = root.url
            good = try ModelFixtures.writeModel(in: base, folder: "good")
            let lazy = try ModelFixtures.writeModel(in: base, folder: "lazy", className: nil)
            let wrongSHA = try ModelFixtures.writeModel(in: base, folder: "wrongsha")
            // Truncated: the header promises more data than the file holds.
            let truncated = try ModelFixtures.writeModel(in: base, folder: "truncated")
            let truncatedURL = base.appendingPathComponent(truncated.path)
            let truncatedBytes = try Data(contentsOf: truncatedURL)
            try truncatedBytes.prefix(truncatedBytes.count - 20).write(to: truncatedURL)
            // Corrupt header: a sane length followed by bytes that are not JSON.
            try FileManager.default.createDirectory(at: base.appendingPathComponent("corrupt"), withIntermediateDirectories: true)
            var corrupt: [UInt8] = [16, 0, 0, 0, 0, 0, 0, 0]
            corrupt += Array("{\"a\": not json!!".utf8)
            try Data(corrupt).write(to: base.appendingPathComponent("corrupt/model.safetensors"))
            // Escape: a symlink inside the root pointing at a real model outside it.
            let outsideModel = try ModelFixtures.writeModel(in: outside.url, folder: "secret")
            try FileManager.default.createDirectory(at: base.appendingPathComponent("escape"), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(
                at: base.appendingPathComponent("escape/model.safetensors"),
                withDestinationURL: outside.url.appendingPathComponent(outsideModel.path))
            entries = [
                .init(name: "good", task: "generate", path: good.path, sha256: good.sha256, load: .eager),
                .init(name: "lazy", task: "generate", path: lazy.path, load: .lazy),
                .init(name: "wrongsha", task: "generate", path: wrongSHA.path, sha256: String(repeating: "0", count: 64)),
                .init(name: "missing", task: "generate", path: "missing/model.safetensors"),
                .init(name: "truncated", task: "generate", path: truncated.path),
                .init(name: "corrupt", task: "generate", path: "corrupt/model.safetensors"),
                .init(name: "escape", task: "generate", path: "escape/model.safetensors"),
            ]
        }

        func remove() {
            root.remove()
            outside.remove()
        }
    }

    static func start(_ fixture: Fixture, token: String? = nil, entries: [ServiceConfiguration.ModelEntry]? = nil) throws -> TestService {
        let test = try TestService {
            $0.models.root = fixture.root.path
            $0.models.entries = entries ?? fixture.entries
            $0.auth.token = token
        }
        // Eager loading runs in the background after start.
        #expect(eventually { !test.service.registry.statuses.contains { $0.load == "eager" && ($0.state == .unloaded || $0.state == .loading) } })
        return test
    }

    static func model(_ list: [String: Any], _ name: String) -> [String: Any] {
        (list["data"] as? [[String: Any]] ?? []).first { $0["name"] as? String == name } ?? [:]
    }

    @Test func brokenModelsFailWithReasonsWhileOthersServe() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let test = try Self.start(fixture)
        defer { test.stop() }

        let list = try test.get("/v1/models")
        #expect(list.status == 200)
        #expect(list.json["object"] as? String == "list")
        let names = (list.json["data"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(names == ["good", "lazy", "wrongsha", "missing", "truncated", "corrupt", "escape"])

        let good = Self.model(list.json, "good")
        #expect(good["state"] as? String == "ready")
        #expect(good["bytes"] as? Int == fixture.good.bytes)
        #expect(good["parameters"] as? Int == ModelFixtures.parameterCount)
        #expect(good["dtype"] as? String == "F16+F32")
        #expect(good["architecture"] as? String == "TinyUNet")
        #expect(good["sha256"] as? String == fixture.good.sha256)
        #expect(good["task"] as? String == "generate")
        #expect(good["load_seconds"] is Double)
        #expect(good["failure_reason"] == nil)

        #expect(Self.model(list.json, "lazy")["state"] as? String == "unloaded")

        let expectations: [(String, String)] = [
            ("wrongsha", "SHA-256"), ("missing", "does not exist"), ("truncated", "truncated"),
            ("corrupt", "not valid JSON"), ("escape", "outside the models folder"),
        ]
        for (name, reasonPart) in expectations {
            let status = Self.model(list.json, name)
            #expect(status["state"] as? String == "failed", "\(name)")
            let reason = status["failure_reason"] as? String ?? ""
            #expect(reason.localizedCaseInsensitiveContains(reasonPart) || (name == "truncated" && reason.contains("past")),
                    "\(name): \(reason)")
            #expect(status["parameters"] == nil)
        }

        let one = try test.get("/v1/models/good")
        #expect(one.status == 200)
        #expect(one.json["name"] as? String == "good")
        let unknown = try test.get("/v1/models/nope")
        #expect(unknown.status == 404)
        #expect(unknown.json["code"] as? String == "unknown_model")
        #expect(unknown.header("Content-Type") == "application/problem+json")
        // Names are identifiers, never paths.
        #expect([400, 404].contains(try test.get("/v1/models/..%2F..%2Fetc%2Fpasswd").status))

        // Readiness names each failed eager model and why.
        let ready = try test.get("/readyz")
        #expect(ready.status == 503)
        #expect(ready.json["status"] as? String == "models_not_ready")
        let blocking = ready.json["models"] as? [[String: Any]] ?? []
        #expect(Set(blocking.compactMap { $0["name"] as? String }) == ["wrongsha", "missing", "truncated", "corrupt", "escape"])
        #expect(blocking.allSatisfy { $0["state"] as? String == "failed" && ($0["reason"] as? String)?.isEmpty == false })
        // Health does not depend on models.
        #expect(try test.get("/healthz").status == 200)
    }

    @Test func requestsForAFailedModelGet503NamingModelAndReason() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let registry = ModelRegistry(settings: .init(root: fixture.root.path, entries: fixture.entries))
        #expect(throws: ModelRegistry.AccessError.self) { try registry.load("corrupt") }
        do {
            _ = try registry.model(named: "corrupt")
            Issue.record("failed model served")
        } catch {
            guard case .notReady(let name, let state, let reason) = error else { Issue.record("\(error)"); return }
            #expect(name == "corrupt" && state == .failed && reason != nil)
            let problem = ProblemDetails(for: error)
            #expect(problem.status == 503)
            #expect(problem.code == "model_not_ready")
            #expect(problem.detail.contains("corrupt") && problem.detail.contains(reason ?? "?"))
        }
        #expect(throws: ModelRegistry.AccessError.unknownModel("nope")) { try registry.model(named: "nope") }
        #expect(ProblemDetails(for: ModelRegistry.AccessError.unknownModel("nope")).status == 404)
    }

    @Test func lazyModelLoadsOnFirstUse() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let test = try Self.start(fixture, entries: [fixture.entries[0], fixture.entries[1]])
        defer { test.stop() }
        // Only a lazy model is unloaded: ready.
        #expect(try test.get("/readyz").status == 200)
        #expect(try test.get("/readyz").json["status"] as? String == "ok")
        #expect(try test.get("/v1/models/lazy").json["state"] as? String == "unloaded")
        let model = try test.service.registry.model(named: "lazy")
        #expect(model.parameterCount == ModelFixtures.parameterCount)
        #expect(model.architecture == nil)
        let status = try test.get("/v1/models/lazy").json
        #expect(status["state"] as? String == "ready")
        #expect(status["architecture"] == nil)
        // The same mapping is handed out again.
        #expect(try test.service.registry.model(named: "lazy") === model)
    }

    @Test func sha256IsVerifiedBeforeUse() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let registry = ModelRegistry(settings: .init(root: fixture.root.path, entries: fixture.entries))
        let model = try registry.load("good")
        #expect(model.name == "good")
        #expect(registry.status(of: "good")?.sha256 == fixture.good.sha256)
        // Change one data byte: same size, same header, different digest → failed.
        let url = fixture.root.url.appendingPathComponent(fixture.good.path)
        var bytes = try Data(contentsOf: url)
        bytes[bytes.count - 1] ^= 0xFF
        try bytes.write(to: url)
        #expect(throws: ModelRegistry.AccessError.self) { try registry.load("good") }
        let status = try #require(registry.status(of: "good"))
        #expect(status.state == .failed)
        #expect(status.failureReason?.contains("SHA-256") == true)
        #expect(status.failureReason?.contains(fixture.good.sha256) == true)
    }

    @Test func modelsOutsideTheRootAreNeverOpened() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        // A symlinked folder pointing outside, and a root that is itself reached through a symlink.
        try FileManager.default.createSymbolicLink(at: fixture.root.url.appendingPathComponent("linkdir"),
                                                   withDestinationURL: fixture.outside.url.appendingPathComponent("secret"))
        let registry = ModelRegistry(settings: .init(root: fixture.root.path, entries: [
            .init(name: "viafolder", task: "t", path: "linkdir/model.safetensors"),
            .init(name: "viafile", task: "t", path: "escape/model.safetensors"),
            .init(name: "dotdot", task: "t", path: "good/../../outside/model.safetensors"),
            .init(name: "folder", task: "t", path: "good"),
        ]))
        for name in ["viafolder", "viafile"] {
            #expect(throws: ModelRegistry.AccessError.self) { try registry.load(name) }
            #expect(registry.status(of: name)?.failureReason?.contains("outside the models folder") == true, "\(name)")
        }
        #expect(throws: ModelRegistry.AccessError.self) { try registry.load("dotdot") }
        #expect(registry.status(of: "dotdot")?.state == .failed)
        #expect(throws: ModelRegistry.AccessError.self) { try registry.load("folder") }
        #expect(registry.status(of: "folder")?.failureReason?.contains("is a folder") == true)

        // config.json is opened too: a symlink from it to a file outside is refused the same way.
        let planted = try ModelFixtures.writeModel(in: fixture.root.url, folder: "planted", className: nil)
        let secretConfig = try fixture.outside.write("secret.json", "{\"_class_name\": \"Secret\"}")
        try FileManager.default.createSymbolicLink(at: fixture.root.url.appendingPathComponent("planted/config.json"),
                                                   withDestinationURL: secretConfig)
        let plantedRegistry = ModelRegistry(settings: .init(root: fixture.root.path, entries: [
            .init(name: "planted", task: "t", path: planted.path),
        ]))
        #expect(throws: ModelRegistry.AccessError.self) { try plantedRegistry.load("planted") }
        let plantedStatus = plantedRegistry.status(of: "planted")
        #expect(plantedStatus?.state == .failed)
        #expect(plantedStatus?.architecture == nil)
        #expect(plantedStatus?.failureReason?.contains("config.json") == true)
        #expect(plantedStatus?.failureReason?.contains("outside the models folder") == true)

        let linkedRoot = fixture.outside.url.appendingPathComponent("rootlink")
        try FileManager.default.createSymbolicLink(at: linkedRoot, withDestinationURL: fixture.root.url)
        let throughLink = ModelRegistry(settings: .init(root: linkedRoot.path, entries: [fixture.entries[0]]))
        #expect(try throughLink.load("good").parameterCount == ModelFixtures.parameterCount)
    }

    /// An unload that arrives while the weights are still being verified wins: the model
    /// ends unloaded, not ready.
    @Test func unloadDuringLoadingWins() throws {
        let root = try TemporaryDirectory("big-model")
        defer { root.remove() }
        // 64 MiB with a digest to verify: loading takes long enough to be watched.
        var writer = SafetensorsWriter()
        try writer.add("big", dataType: .float32, shape: [16 << 20], bytes: [UInt8](repeating: 0, count: 64 << 20))
        let file = root.file("big.safetensors")
        try writer.write(to: file)
        let digest = try SHA256Digest.ofFile(at: file).hexadecimal
        let registry = ModelRegistry(settings: .init(root: root.path, entries: [
            .init(name: "big", task: "t", path: "big.safetensors", sha256: digest, load: .lazy),
        ]))
        let loader = Background { () -> String in
            do { return "loaded \(try registry.load("big").name)" } catch { return "\(error)" }
        }
        #expect(eventually(timeout: 5) { registry.status(of: "big")?.state == .loading })
        // While loading: a second load is refused, a use gets 503 "loading".
        #expect(throws: ModelRegistry.AccessError.notReady(name: "big", state: .loading, reason: nil)) { try registry.load("big") }
        try registry.unload("big")
        let outcome = loader.wait()
        #expect(outcome?.contains("unloaded") == true, "\(outcome ?? "no outcome")")
        #expect(registry.status(of: "big")?.state == .unloaded)
        #expect(registry.memoryBytesByModel.isEmpty)
        // And it loads normally afterwards.
        #expect(try registry.load("big").parameterCount == 16 << 20)
        #expect(registry.status(of: "big")?.state == .ready)
    }

    @Test func adminRoutesNeedAConfiguredToken() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let open = try Self.start(fixture, entries: [fixture.entries[0]])
        defer { open.stop() }
        let refused = try open.request("POST", "/v1/models/good/unload")
        #expect(refused.status == 403)
        #expect(refused.json["code"] as? String == "admin_disabled")
        #expect(try open.request("POST", "/v1/models/good/load").status == 403)
        #expect(open.service.registry.status(of: "good")?.state == .ready)
    }

    @Test func adminLoadAndUnloadWithBearerToken() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let test = try Self.start(fixture, token: "admin-token", entries: Array(fixture.entries.prefix(2)))
        defer { test.stop() }
        let auth = [("Authorization", "Bearer admin-token")]
        #expect(try test.request("POST", "/v1/models/good/unload").status == 401)
        #expect(try test.request("POST", "/v1/models/good/unload", headers: [("Authorization", "Bearer wrong")]).status == 401)
        #expect(test.service.registry.status(of: "good")?.state == .ready)

        let unloaded = try test.request("POST", "/v1/models/good/unload", headers: auth)
        #expect(unloaded.status == 200)
        #expect(unloaded.json["state"] as? String == "unloaded")
        #expect(try test.get("/v1/models/good", headers: auth).json["state"] as? String == "unloaded")
        // An unloaded eager model blocks readiness.
        #expect(try test.get("/readyz").status == 503)

        let loaded = try test.request("POST", "/v1/models/good/load", headers: auth)
        #expect(loaded.status == 200)
        #expect(loaded.json["state"] as? String == "ready")
        #expect(loaded.json["parameters"] as? Int == ModelFixtures.parameterCount)
        #expect(try test.get("/readyz").status == 200)

        let lazy = try test.request("POST", "/v1/models/lazy/load", headers: auth)
        #expect(lazy.status == 200)
        #expect(lazy.json["state"] as? String == "ready")

        #expect(try test.request("POST", "/v1/models/nope/load", headers: auth).status == 404)
        #expect(try test.request("POST", "/v1/models/nope/unload", headers: auth).status == 404)
    }

    @Test func aRepairedModelLoadsOnRequest() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let test = try Self.start(fixture, token: "t", entries: [fixture.entries[0], fixture.entries[3]])
        defer { test.stop() }
        #expect(test.service.registry.status(of: "missing")?.state == .failed)
        let failed = try test.request("POST", "/v1/models/missing/load", headers: [("Authorization", "Bearer t")])
        #expect(failed.status == 503)
        #expect(failed.json["code"] as? String == "model_not_ready")
        #expect((failed.json["detail"] as? String)?.contains("missing") == true)
        try ModelFixtures.writeModel(in: fixture.root.url, folder: "missing")
        let repaired = try test.request("POST", "/v1/models/missing/load", headers: [("Authorization", "Bearer t")])
        #expect(repaired.status == 200)
        #expect(repaired.json["state"] as? String == "ready")
        #expect(repaired.json["failure_reason"] == nil)
        #expect(try test.get("/readyz").status == 200)
    }
}

/// `format: diffusers`: a pipeline folder verified by one digest over all its files,
/// every component mapped, and the task's factory run once at load time.
@Suite struct PipelineFolderTests {
    /// `model_index.json` plus `unet/` and `vae/` components written with the real writer.
    static func writePipeline(in root: URL, folder: String) throws -> URL {
        let directory = root.appendingPathComponent(folder)
        for component in ["unet", "vae"] {
            _ = try ModelFixtures.writeModel(in: directory, folder: component)
        }
        try Data("{\"_class_name\": \"StableDiffusionPipeline\"}".utf8).write(to: directory.appendingPathComponent("model_index.json"))
        return directory
    }

    /// The documented operator command, run for real.
    static func shellDigest(of folder: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "cd '\(folder.path)' && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return String(output.prefix(64))
    }

    @Test func folderDigestMatchesTheDocumentedCommandAndLoads() throws {
        let root = try TemporaryDirectory("pipeline-root")
        defer { root.remove() }
        let folder = try Self.writePipeline(in: root.url, folder: "tiny")
        let expected = try Self.shellDigest(of: folder)
        #expect(expected.count == 64)
        let manifest = try PipelineManifest(folder: folder, root: root.url.resolvingSymlinksInPath())
        #expect(try manifest.digest() == expected)
        #expect(manifest.relativePaths == ["./model_index.json", "./unet/config.json", "./unet/model.safetensors",
                                           "./vae/config.json", "./vae/model.safetensors"])

        let built = Mutex(0)
        var settings = ServiceConfiguration.ModelSettings()
        settings.root = root.path
        settings.entries = [
            .init(name: "tiny", task: "text-to-image", path: "tiny", format: "diffusers", sha256: expected),
            .init(name: "tampered", task: "text-to-image", path: "tiny", format: "diffusers", sha256: String(repeating: "a", count: 64)),
            .init(name: "file", task: "text-to-image", path: "tiny/unet/model.safetensors", format: "diffusers"),
        ]
        let registry = ModelRegistry(settings: settings, factories: ["text-to-image": { model in
            built.withLock { $0 += 1 }
            return model.weights.count
        }])
        let model = try registry.load("tiny")
        #expect(model.weights.count == 2)
        #expect(model.parameterCount == 2 * ModelFixtures.parameterCount)
        #expect(model.architecture == "StableDiffusionPipeline")
        #expect(model.taskModel as? Int == 2)
        #expect(built.withLock { $0 } == 1)
        #expect(registry.status(of: "tiny")?.state == .ready)
        #expect(registry.status(of: "tiny")?.bytes == manifest.totalBytes)

        #expect(throws: ModelRegistry.AccessError.self) { try registry.load("tampered") }
        #expect(registry.status(of: "tampered")?.failureReason?.contains("checksum") == true
                || registry.status(of: "tampered")?.failureReason?.contains("SHA") == true)
        #expect(throws: ModelRegistry.AccessError.self) { try registry.load("file") }
        #expect(registry.status(of: "file")?.failureReason?.contains("format diffusers needs the pipeline folder") == true)
    }
}
