import Foundation
import Testing
@testable import HTTP
@testable import Service

@Suite("ServiceConfiguration: YAML file parsing and validation")
struct ServiceConfigurationTests {
    static let source = "/etc/diffusion/test.yaml"

    func parse(_ yaml: String) throws(ConfigurationError) -> ServiceConfiguration {
        try ServiceConfiguration.parse(yaml: yaml, source: Self.source)
    }

    func expectError(_ yaml: String, _ expected: ConfigurationError, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try parse(yaml)
            Issue.record("expected \(expected), parsed fine", sourceLocation: sourceLocation)
        } catch {
            #expect(error == expected, sourceLocation: sourceLocation)
            #expect(error.description.contains(Self.source), sourceLocation: sourceLocation)
        }
    }

    @Test func defaults() throws {
        let configuration = ServiceConfiguration()
        #expect(configuration.server.host == "0.0.0.0")
        #expect(configuration.server.port == 8080)
        #expect(configuration.server.backlog == 256)
        #expect(configuration.server.limits == HTTPLimits())
        #expect(configuration.compute.workers == 1)
        #expect(configuration.compute.threads == 0)
        #expect(configuration.compute.queueDepth == 16)
        #expect(configuration.compute.defaultTimeoutMilliseconds == 300_000)
        #expect(configuration.compute.maxTimeoutMilliseconds == 3_600_000)
        #expect(configuration.compute.bufferPoolMiB == 768)
        #expect(configuration.compute.threadsPerJob == max(1, ProcessInfo.processInfo.activeProcessorCount))
        #expect(configuration.jobs.resultTTLSeconds == 600)
        #expect(configuration.shutdown.drainSeconds == 25)
        #expect(configuration.auth.token == nil)
        #expect(configuration.logging.level == "info")
        #expect(configuration.models.root == "Models")
        #expect(configuration.models.entries.isEmpty)
        // An empty file and a file of comments are the defaults too.
        #expect(try parse("") == configuration)
        #expect(try parse("# nothing\n") == configuration)
    }

    /// The embedded default is the built-in defaults plus the bundled models it lists.
    @Test func embeddedDefaultFileEqualsBuiltInDefaultsPlusBundledModels() throws {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        let file = root.appendingPathComponent("Config/default.yaml").path
        var configuration = try ServiceConfiguration.load(file: file)
        #expect(configuration.models.entries.map(\.name) == ["shapesworld-t2i", "shapesworld-detect", "shapesworld-story"])
        configuration.models.entries = []
        #expect(configuration == ServiceConfiguration())
    }

    @Test func everySectionIsParsed() throws {
        let configuration = try parse("""
            server:
              host: 127.0.0.1
              port: 9000
              backlog: 64
              max_connections: 50
              limits:
                request_line_bytes: 4096
                header_bytes: 16384
                header_count: 50
                body_bytes: 1048576
                header_timeout_seconds: 5
                body_idle_timeout_seconds: 6.5
                keep_alive_timeout_seconds: 7
                requests_per_connection: 10
            compute:
              workers: 2
              threads: 3
              queue_depth: 8
              default_timeout_ms: 1000
              max_timeout_ms: 2000
              buffer_pool_mib: 64
            jobs:
              ttl_seconds: 1.5
            shutdown:
              drain_seconds: 4
            auth:
              token: s3cret
            logging:
              level: debug
            models:
              root: /srv/models
              entries:
                - name: unet-tiny
                  task: generate
                  path: unet/model.safetensors
                  sha256: ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789
                  load: lazy
                - name: det.v2
                  task: detect
                  path: det.safetensors
            detection:
              max_image_pixels: 1000000
              max_image_side: 2000
              max_boxes: 300
              max_steps: 8
              batch_window_ms: 0
              max_batch: 2
            story:
              max_captions: 5
            """)
        #expect(configuration.server.host == "127.0.0.1")
        #expect(configuration.server.port == 9000)
        #expect(configuration.server.backlog == 64)
        var limits = HTTPLimits()
        limits.maxConnections = 50
        limits.maxRequestLineBytes = 4096
        limits.maxHeaderBytes = 16384
        limits.maxHeaderCount = 50
        limits.maxBodyBytes = 1_048_576
        limits.headerTimeout = 5
        limits.bodyIdleTimeout = 6.5
        limits.keepAliveTimeout = 7
        limits.maxRequestsPerConnection = 10
        #expect(configuration.server.limits == limits)
        #expect(configuration.compute.workers == 2)
        #expect(configuration.compute.threads == 3)
        #expect(configuration.compute.threadsPerJob == 3)
        #expect(configuration.compute.queueDepth == 8)
        #expect(configuration.compute.defaultTimeoutMilliseconds == 1000)
        #expect(configuration.compute.maxTimeoutMilliseconds == 2000)
        #expect(configuration.compute.bufferPoolMiB == 64)
        #expect(configuration.jobs.resultTTLSeconds == 1.5)
        #expect(configuration.shutdown.drainSeconds == 4)
        #expect(configuration.auth.token == "s3cret")
        #expect(configuration.logging.level == "debug")
        #expect(configuration.models.root == "/srv/models")
        #expect(configuration.models.entries == [
            .init(name: "unet-tiny", task: "generate", path: "unet/model.safetensors", format: "safetensors",
                  sha256: "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789", load: .lazy),
            .init(name: "det.v2", task: "detect", path: "det.safetensors", format: "safetensors", sha256: nil, load: .eager),
        ])
        #expect(configuration.detection == .init(maxImagePixels: 1_000_000, maxImageSide: 2000, maxBoxes: 300, maxSteps: 8,
                                                 batchWindowMilliseconds: 0, maxBatch: 2))
        #expect(configuration.story.maxCaptions == 5)
    }

    @Test func emptyTokenMeansOpen() throws {
        #expect(try parse("auth:\n  token: \"\"\n").auth.token == nil)
    }

    @Test func unknownKeysAreNamedWithTheirPath() {
        expectError("serverr:\n  port: 1\n", .unknownKey(source: Self.source, key: "serverr"))
        expectError("server:\n  prot: 1\n", .unknownKey(source: Self.source, key: "server.prot"))
        expectError("server:\n  limits:\n    body: 1\n", .unknownKey(source: Self.source, key: "server.limits.body"))
        expectError("compute:\n  worker: 1\n", .unknownKey(source: Self.source, key: "compute.worker"))
        expectError("jobs:\n  ttl: 1\n", .unknownKey(source: Self.source, key: "jobs.ttl"))
        expectError("detection:\n  window_ms: 1\n", .unknownKey(source: Self.source, key: "detection.window_ms"))
        expectError("story:\n  frames: 1\n", .unknownKey(source: Self.source, key: "story.frames"))
        expectError("models:\n  entries:\n    - name: a\n      task: t\n      path: a.safetensors\n      shasum: x\n",
                    .unknownKey(source: Self.source, key: "models.entries[0].shasum"))
    }

    @Test func wrongTypesAreNamed() {
        expectError("server:\n  port: eighty\n", .wrongType(source: Self.source, key: "server.port", expected: "an integer"))
        expectError("server: 8080\n", .wrongType(source: Self.source, key: "server", expected: "a mapping"))
        expectError("compute:\n  workers: [1, 2]\n", .wrongType(source: Self.source, key: "compute.workers", expected: "an integer"))
        expectError("jobs:\n  ttl_seconds: soon\n", .wrongType(source: Self.source, key: "jobs.ttl_seconds", expected: "a number"))
        expectError("auth:\n  token: {a: 1}\n", .wrongType(source: Self.source, key: "auth.token", expected: "a string"))
        expectError("models:\n  entries: one\n", .wrongType(source: Self.source, key: "models.entries", expected: "a list"))
        expectError("- a\n- b\n", .wrongType(source: Self.source, key: "(top level)", expected: "a mapping"))
    }

    @Test func outOfRangeValuesAreNamed() {
        expectError("server:\n  port: 70000\n",
                    .invalidValue(source: Self.source, key: "server.port", reason: "must be in 0...65535, got 70000"))
        expectError("compute:\n  workers: 0\n",
                    .invalidValue(source: Self.source, key: "compute.workers", reason: "must be in 1...64, got 0"))
        expectError("compute:\n  queue_depth: -1\n",
                    .invalidValue(source: Self.source, key: "compute.queue_depth", reason: "must be in 0...10000, got -1"))
        expectError("compute:\n  default_timeout_ms: 5000\n  max_timeout_ms: 1000\n",
                    .invalidValue(source: Self.source, key: "compute.default_timeout_ms", reason: "must not exceed max_timeout_ms"))
        expectError("logging:\n  level: loud\n",
                    .invalidValue(source: Self.source, key: "logging.level",
                                  reason: "must be one of critical, debug, error, info, notice, trace, warning"))
    }

    static func entry(_ fields: String) -> String {
        "models:\n  entries:\n    - " + fields.split(separator: "\n").joined(separator: "\n      ") + "\n"
    }

    @Test func modelEntriesAreValidated() {
        let source = Self.source
        expectError(Self.entry("name: ../etc\ntask: t\npath: a.safetensors"),
                    .invalidValue(source: source, key: "models.entries[0].name",
                                  reason: "must match [a-z0-9._-]+ (not starting with '.'), got '../etc'"))
        expectError(Self.entry("name: Big\ntask: t\npath: a.safetensors"),
                    .invalidValue(source: source, key: "models.entries[0].name",
                                  reason: "must match [a-z0-9._-]+ (not starting with '.'), got 'Big'"))
        expectError(Self.entry("name: a/b\ntask: t\npath: a.safetensors"),
                    .invalidValue(source: source, key: "models.entries[0].name",
                                  reason: "must match [a-z0-9._-]+ (not starting with '.'), got 'a/b'"))
        expectError(Self.entry("name: a\ntask: t\npath: ../outside/a.safetensors"),
                    .invalidValue(source: source, key: "models.entries[0].path", reason: "must be relative to models.root without '..'"))
        expectError(Self.entry("name: a\ntask: t\npath: sub/../../a.safetensors"),
                    .invalidValue(source: source, key: "models.entries[0].path", reason: "must be relative to models.root without '..'"))
        expectError(Self.entry("name: a\ntask: t\npath: /etc/passwd"),
                    .invalidValue(source: source, key: "models.entries[0].path", reason: "must be relative to models.root without '..'"))
        expectError(Self.entry("name: a\ntask: t\npath: a.safetensors\nsha256: abc"),
                    .invalidValue(source: source, key: "models.entries[0].sha256", reason: "must be 64 hexadecimal digits"))
        expectError(Self.entry("name: a\ntask: t\npath: a.safetensors\nsha256: " + String(repeating: "g", count: 64)),
                    .invalidValue(source: source, key: "models.entries[0].sha256", reason: "must be 64 hexadecimal digits"))
        expectError(Self.entry("name: a\ntask: t\npath: a.safetensors\nload: later"),
                    .invalidValue(source: source, key: "models.entries[0].load", reason: "must be 'eager' or 'lazy'"))
        expectError(Self.entry("name: a\ntask: t\npath: a.pt\nformat: pickle"),
                    .invalidValue(source: source, key: "models.entries[0].format", reason: "must be 'safetensors' or 'diffusers'"))
        expectError(Self.entry("name: a\npath: a.safetensors"),
                    .invalidValue(source: source, key: "models.entries[0].task", reason: "is required"))
        expectError(Self.entry("name: a\ntask: t\npath: a.safetensors") + "    - name: a\n      task: t\n      path: b.safetensors\n",
                    .invalidValue(source: source, key: "models.entries[1].name", reason: "duplicates model 'a'"))
    }

    @Test func modelNames() {
        for good in ["a", "unet-tiny", "det.v2", "x_1", String(repeating: "a", count: 64)] {
            #expect(ServiceConfiguration.isModelName(good), "\(good)")
        }
        for bad in ["", ".hidden", "..", "a/b", "A", "a b", "é", String(repeating: "a", count: 65), "a\0b"] {
            #expect(!ServiceConfiguration.isModelName(bad), "\(bad)")
        }
    }

    @Test func syntaxErrorsAndMissingFilesNameTheFile() throws {
        do {
            _ = try parse("server: [unclosed\n")
            Issue.record("invalid YAML parsed")
        } catch {
            guard case .syntax(let source, _) = error else { Issue.record("expected syntax error, got \(error)"); return }
            #expect(source == Self.source)
        }
        let missing = "/nonexistent/\(UUID().uuidString).yaml"
        #expect(throws: ConfigurationError.missingFile(path: missing)) { try ServiceConfiguration.load(file: missing) }
        #expect(ConfigurationError.missingFile(path: missing).description.contains(missing))

        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write("bad.yaml", "compute:\n  workers: 100\n")
        #expect(throws: ConfigurationError.invalidValue(source: file.path, key: "compute.workers", reason: "must be in 1...64, got 100")) {
            try ServiceConfiguration.load(file: file.path)
        }
    }
}
