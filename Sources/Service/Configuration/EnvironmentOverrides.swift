/// Applies `DIFFUSION_*` environment variables over a file configuration.
///
/// The table below is the whole set; any other `DIFFUSION_` variable is an error,
/// so a misspelt override is caught at start rather than silently ignored.
extension ServiceConfiguration {
    /// Variables read by the service other than through this table.
    public static let passThroughVariables: Set<String> = ["DIFFUSION_CONFIG"]

    public static let environmentVariables: [String] = [
        "DIFFUSION_HOST", "DIFFUSION_PORT", "DIFFUSION_API_TOKEN", "DIFFUSION_WORKERS", "DIFFUSION_THREADS",
        "DIFFUSION_QUEUE_DEPTH", "DIFFUSION_TIMEOUT_MS", "DIFFUSION_DRAIN_SECONDS", "DIFFUSION_LOG_LEVEL",
        "DIFFUSION_MODELS_ROOT",
    ]

    public mutating func applyEnvironment(_ environment: [String: String]) throws(ConfigurationError) {
        for name in environment.keys where name.hasPrefix("DIFFUSION_") {
            guard Self.environmentVariables.contains(name) || Self.passThroughVariables.contains(name) else {
                throw .unknownKey(source: "environment", key: name)
            }
        }
        func integer(_ name: String, _ range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text), range.contains(value) else {
                throw .invalidValue(source: "environment", key: name, reason: "must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
            }
            return value
        }
        if let host = environment["DIFFUSION_HOST"] { server.host = host }
        if let port = try integer("DIFFUSION_PORT", 0...65535) { server.port = UInt16(port) }
        if let token = environment["DIFFUSION_API_TOKEN"] { auth.token = token.isEmpty ? nil : token }
        if let workers = try integer("DIFFUSION_WORKERS", 1...64) { compute.workers = workers }
        if let threads = try integer("DIFFUSION_THREADS", 0...256) { compute.threads = threads }
        if let depth = try integer("DIFFUSION_QUEUE_DEPTH", 0...10_000) { compute.queueDepth = depth }
        if let timeout = try integer("DIFFUSION_TIMEOUT_MS", 1...compute.maxTimeoutMilliseconds) { compute.defaultTimeoutMilliseconds = timeout }
        if let drain = try integer("DIFFUSION_DRAIN_SECONDS", 0...3600) { shutdown.drainSeconds = Double(drain) }
        if let level = environment["DIFFUSION_LOG_LEVEL"] {
            guard LoggingSettings.levels.contains(level) else {
                throw .invalidValue(source: "environment", key: "DIFFUSION_LOG_LEVEL", reason: "must be one of \(LoggingSettings.levels.sorted().joined(separator: ", "))")
            }
            logging.level = level
        }
        if let root = environment["DIFFUSION_MODELS_ROOT"] { models.root = root }
    }
}
