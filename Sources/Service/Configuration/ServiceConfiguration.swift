import Foundation
import HTTP
import Tensor
import Yams

/// Everything the service is configured with, from `Config/default.yaml` (or `--config`),
/// then `DIFFUSION_*` environment variables, then command-line flags — later wins.
///
/// Defaults are written here once; the YAML file only needs the keys it changes.
public struct ServiceConfiguration: Sendable, Equatable {
    public var server = ServerSettings()
    public var compute = ComputeSettings()
    public var jobs = JobSettings()
    public var shutdown = ShutdownSettings()
    public var auth = AuthSettings()
    public var logging = LoggingSettings()
    public var models = ModelSettings()
    public var detection = DetectionSettings()
    public var story = StorySettings()

    public init() {}

    public struct ServerSettings: Sendable, Equatable {
        public var host = "0.0.0.0"
        public var port: UInt16 = 8080
        public var backlog: Int32 = 256
        public var limits = HTTPLimits()
    }

    public struct ComputeSettings: Sendable, Equatable {
        /// Jobs run at the same time. One job at a time uses every core through BLAS.
        public var workers = 1
        /// Threads per job for BLAS and our parallel loops; 0 means all cores / workers.
        public var threads = 0
        /// Jobs waiting for a worker before new ones get 503.
        public var queueDepth = 16
        /// Deadline of a job when the request gives none.
        public var defaultTimeoutMilliseconds = 300_000
        /// The longest deadline a request may ask for.
        public var maxTimeoutMilliseconds = 3_600_000
        /// Bound on free tensor buffers kept for reuse between layers and steps (`BufferPool`), in MiB.
        public var bufferPoolMiB = BufferPool.defaultMaximumBytes >> 20

        /// Threads each worker's job may use, resolved against the machine's cores.
        public var threadsPerJob: Int {
            if threads > 0 { return threads }
            return max(1, ProcessInfo.processInfo.activeProcessorCount / max(workers, 1))
        }
    }

    public struct JobSettings: Sendable, Equatable {
        /// How long a finished job's result is kept before `GET /v1/jobs/{id}` answers 410.
        public var resultTTLSeconds: Double = 600
    }

    public struct ShutdownSettings: Sendable, Equatable {
        /// How long SIGTERM waits for running jobs before closing everything.
        public var drainSeconds: Double = 25
    }

    public struct AuthSettings: Sendable, Equatable {
        /// Bearer token required on every route but health, readiness and metrics; nil = open.
        public var token: String?
    }

    public struct LoggingSettings: Sendable, Equatable {
        public var level = "info"
        static let levels: Set<String> = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
    }

    /// Limits and batching of `POST /v1/detect`.
    public struct DetectionSettings: Sendable, Equatable {
        /// Largest accepted upload, in pixels (width × height); larger images get 413.
        public var maxImagePixels = 16_777_216
        /// Largest accepted width or height, in pixels.
        public var maxImageSide = 8192
        /// Most proposal boxes a request may ask for.
        public var maxBoxes = 2000
        /// Most sampling steps a request may ask for.
        public var maxSteps = 16
        /// How long the first of several concurrent requests waits for others to join its
        /// backbone call (dynamic batching); 0 turns batching off.
        public var batchWindowMilliseconds = 5
        /// Most images in one backbone call.
        public var maxBatch = 4
    }

    /// Limits of `POST /v1/story`.
    public struct StorySettings: Sendable, Equatable {
        /// Most captions (frames) per story; a model's own `max_frames` may be lower.
        public var maxCaptions = 8
    }

    public struct ModelSettings: Sendable, Equatable {
        /// The only folder model files are opened from; entries' paths are relative to it.
        public var root = "Models"
        public var entries: [ModelEntry] = []
    }

    /// One model the registry serves.
    public struct ModelEntry: Sendable, Equatable {
        public enum LoadPolicy: String, Sendable, Equatable { case eager, lazy }

        /// An identifier (`[a-z0-9._-]`, not starting with a dot), never a path.
        public var name: String
        /// The task this model serves (`detect`, `segment`, `story`, …, `diagnostics`).
        public var task: String
        /// Folder or file relative to `models.root`.
        public var path: String
        /// `safetensors` (one weights file + `config.json`) or `diffusers` (a pipeline folder).
        public var format: String
        public static let formats: Set<String> = ["safetensors", "diffusers"]
        /// Expected SHA-256 (hex) of the weights file, or of a `diffusers` folder's file
        /// listing (see `PipelineManifest`), verified before first use.
        public var sha256: String?
        public var load: LoadPolicy

        public init(name: String, task: String, path: String, format: String = "safetensors",
                    sha256: String? = nil, load: LoadPolicy = .eager) {
            self.name = name
            self.task = task
            self.path = path
            self.format = format
            self.sha256 = sha256
            self.load = load
        }
    }

    /// True when `name` is a valid model identifier.
    public static func isModelName(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 64, name.first != "." else { return false }
        return name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }
}

extension ServiceConfiguration {
    /// Reads the YAML file at `path`.
    public static func load(file path: String) throws(ConfigurationError) -> ServiceConfiguration {
        guard FileManager.default.fileExists(atPath: path) else { throw .missingFile(path: path) }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadableFile(path: path, reason: "\(error.localizedDescription)")
        }
        return try parse(yaml: text, source: path)
    }

    /// Parses YAML text; `source` names it in errors.
    public static func parse(yaml: String, source: String) throws(ConfigurationError) -> ServiceConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw .syntax(source: source, reason: "\(error)")
        }
        var configuration = ServiceConfiguration()
        guard let root else { return configuration }
        let top = try ConfigurationSection(source: source, path: "", node: root)
        try top.expectOnly(["server", "compute", "jobs", "shutdown", "auth", "logging", "models", "detection", "story"])
        if let server = try top.section("server") { try configuration.server.read(server) }
        if let compute = try top.section("compute") { try configuration.compute.read(compute) }
        if let jobs = try top.section("jobs") {
            try jobs.expectOnly(["ttl_seconds"])
            configuration.jobs.resultTTLSeconds = try jobs.number("ttl_seconds", in: 0...604_800) ?? configuration.jobs.resultTTLSeconds
        }
        if let shutdown = try top.section("shutdown") {
            try shutdown.expectOnly(["drain_seconds"])
            configuration.shutdown.drainSeconds = try shutdown.number("drain_seconds", in: 0...3600) ?? configuration.shutdown.drainSeconds
        }
        if let auth = try top.section("auth") {
            try auth.expectOnly(["token"])
            let token = try auth.string("token")
            configuration.auth.token = (token?.isEmpty ?? true) ? nil : token
        }
        if let logging = try top.section("logging") {
            try logging.expectOnly(["level"])
            if let level = try logging.string("level") {
                guard LoggingSettings.levels.contains(level) else {
                    throw .invalidValue(source: source, key: "logging.level", reason: "must be one of \(LoggingSettings.levels.sorted().joined(separator: ", "))")
                }
                configuration.logging.level = level
            }
        }
        if let models = try top.section("models") { try configuration.models.read(models) }
        if let detection = try top.section("detection") { try configuration.detection.read(detection) }
        if let story = try top.section("story") {
            try story.expectOnly(["max_captions"])
            configuration.story.maxCaptions = try story.integer("max_captions", in: 1...64) ?? configuration.story.maxCaptions
        }
        return configuration
    }
}

extension ServiceConfiguration.ServerSettings {
    mutating func read(_ section: ConfigurationSection) throws(ConfigurationError) {
        try section.expectOnly(["host", "port", "backlog", "max_connections", "limits"])
        host = try section.string("host") ?? host
        port = try section.integer("port", in: 0...65535).map { UInt16($0) } ?? port
        backlog = try section.integer("backlog", in: 1...65535).map { Int32($0) } ?? backlog
        limits.maxConnections = try section.integer("max_connections", in: 1...1_000_000) ?? limits.maxConnections
        guard let limitsSection = try section.section("limits") else { return }
        try limitsSection.expectOnly([
            "request_line_bytes", "header_bytes", "header_count", "body_bytes", "header_timeout_seconds",
            "body_idle_timeout_seconds", "keep_alive_timeout_seconds", "requests_per_connection",
        ])
        limits.maxRequestLineBytes = try limitsSection.integer("request_line_bytes", in: 256...1 << 20) ?? limits.maxRequestLineBytes
        limits.maxHeaderBytes = try limitsSection.integer("header_bytes", in: 1024...1 << 22) ?? limits.maxHeaderBytes
        limits.maxHeaderCount = try limitsSection.integer("header_count", in: 1...10_000) ?? limits.maxHeaderCount
        limits.maxBodyBytes = try limitsSection.integer("body_bytes", in: 0...1 << 31) ?? limits.maxBodyBytes
        limits.headerTimeout = try limitsSection.number("header_timeout_seconds", in: 0.1...3600) ?? limits.headerTimeout
        limits.bodyIdleTimeout = try limitsSection.number("body_idle_timeout_seconds", in: 0.1...3600) ?? limits.bodyIdleTimeout
        limits.keepAliveTimeout = try limitsSection.number("keep_alive_timeout_seconds", in: 0.1...3600) ?? limits.keepAliveTimeout
        limits.maxRequestsPerConnection = try limitsSection.integer("requests_per_connection", in: 1...1_000_000) ?? limits.maxRequestsPerConnection
    }
}

extension ServiceConfiguration.ComputeSettings {
    mutating func read(_ section: ConfigurationSection) throws(ConfigurationError) {
        try section.expectOnly(["workers", "threads", "queue_depth", "default_timeout_ms", "max_timeout_ms", "buffer_pool_mib"])
        workers = try section.integer("workers", in: 1...64) ?? workers
        threads = try section.integer("threads", in: 0...256) ?? threads
        queueDepth = try section.integer("queue_depth", in: 0...10_000) ?? queueDepth
        defaultTimeoutMilliseconds = try section.integer("default_timeout_ms", in: 1...86_400_000) ?? defaultTimeoutMilliseconds
        maxTimeoutMilliseconds = try section.integer("max_timeout_ms", in: 1...86_400_000) ?? maxTimeoutMilliseconds
        bufferPoolMiB = try section.integer("buffer_pool_mib", in: 0...1_048_576) ?? bufferPoolMiB
        guard defaultTimeoutMilliseconds <= maxTimeoutMilliseconds else {
            throw .invalidValue(source: section.source, key: section.key("default_timeout_ms"), reason: "must not exceed max_timeout_ms")
        }
    }
}

extension ServiceConfiguration.ModelSettings {
    mutating func read(_ section: ConfigurationSection) throws(ConfigurationError) {
        try section.expectOnly(["root", "entries"])
        root = try section.string("root") ?? root
        var names: Set<String> = []
        for (index, node) in (try section.sequence("entries") ?? []).enumerated() {
            let entry = try ConfigurationSection(source: section.source, path: section.key("entries[\(index)]"), node: node)
            try entry.expectOnly(["name", "task", "path", "format", "sha256", "load"])
            func required(_ key: String) throws(ConfigurationError) -> String {
                guard let value = try entry.string(key), !value.isEmpty else {
                    throw .invalidValue(source: section.source, key: entry.key(key), reason: "is required")
                }
                return value
            }
            let name = try required("name")
            guard ServiceConfiguration.isModelName(name) else {
                throw .invalidValue(source: section.source, key: entry.key("name"), reason: "must match [a-z0-9._-]+ (not starting with '.'), got '\(name)'")
            }
            guard names.insert(name).inserted else {
                throw .invalidValue(source: section.source, key: entry.key("name"), reason: "duplicates model '\(name)'")
            }
            let path = try required("path")
            guard !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
                throw .invalidValue(source: section.source, key: entry.key("path"), reason: "must be relative to models.root without '..'")
            }
            let format = try entry.string("format") ?? "safetensors"
            guard ServiceConfiguration.ModelEntry.formats.contains(format) else {
                throw .invalidValue(source: section.source, key: entry.key("format"), reason: "must be 'safetensors' or 'diffusers'")
            }
            let sha256 = try entry.string("sha256")?.lowercased()
            if let sha256, sha256.count != 64 || !sha256.allSatisfy(\.isHexDigit) {
                throw .invalidValue(source: section.source, key: entry.key("sha256"), reason: "must be 64 hexadecimal digits")
            }
            let loadText = try entry.string("load") ?? "eager"
            guard let load = ServiceConfiguration.ModelEntry.LoadPolicy(rawValue: loadText) else {
                throw .invalidValue(source: section.source, key: entry.key("load"), reason: "must be 'eager' or 'lazy'")
            }
            entries.append(.init(name: name, task: try required("task"), path: path, format: format, sha256: sha256, load: load))
        }
    }
}

extension ServiceConfiguration.DetectionSettings {
    mutating func read(_ section: ConfigurationSection) throws(ConfigurationError) {
        try section.expectOnly(["max_image_pixels", "max_image_side", "max_boxes", "max_steps", "batch_window_ms", "max_batch"])
        maxImagePixels = try section.integer("max_image_pixels", in: 1...400_000_000) ?? maxImagePixels
        maxImageSide = try section.integer("max_image_side", in: 1...65_535) ?? maxImageSide
        maxBoxes = try section.integer("max_boxes", in: 1...100_000) ?? maxBoxes
        maxSteps = try section.integer("max_steps", in: 1...1000) ?? maxSteps
        batchWindowMilliseconds = try section.integer("batch_window_ms", in: 0...10_000) ?? batchWindowMilliseconds
        maxBatch = try section.integer("max_batch", in: 1...64) ?? maxBatch
    }
}
