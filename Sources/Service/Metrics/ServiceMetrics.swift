import Foundation

/// The metric names the service exports, registered once with their help text.
///
/// Names follow Prometheus conventions (base units, `_total` counters) and the OTel
/// HTTP semantic conventions used by Hummingbird; labels are bounded (route patterns,
/// task names, model names from the configuration).
public enum ServiceMetrics {
    public static let requests = "http_server_requests_total"
    public static let requestDuration = "http_server_request_duration_seconds"
    public static let connections = "http_server_connections_active"
    public static let queueDepth = "inference_queue_size"
    public static let queueCapacity = "inference_queue_capacity"
    public static let jobsInFlight = "inference_jobs_in_flight"
    public static let jobs = "inference_jobs_total"
    public static let jobDuration = "inference_job_duration_seconds"
    public static let denoisingSteps = "inference_denoising_steps_total"
    public static let modelBytes = "model_memory_bytes"
    public static let buildInfo = "diffusion_build_info"
    public static let residentMemory = "process_resident_memory_bytes"
    public static let openFileDescriptors = "process_open_fds"
    public static let startTime = "process_start_time_seconds"

    public static func register(in registry: MetricsRegistry) {
        registry.register(requests, .counter, help: "HTTP requests by route pattern, method and status.")
        registry.register(requestDuration, .histogram, help: "HTTP request duration in seconds, by route pattern and method.")
        registry.register(connections, .gauge, help: "Open HTTP connections.")
        registry.register(queueDepth, .gauge, help: "Jobs waiting for a compute worker.")
        registry.register(queueCapacity, .gauge, help: "Jobs the queue holds before new ones get 503.")
        registry.register(jobsInFlight, .gauge, help: "Jobs running on compute workers.")
        registry.register(jobs, .counter, help: "Finished jobs by task and outcome (succeeded, failed, cancelled).")
        registry.register(jobDuration, .histogram, help: "Job run time in seconds by task.")
        registry.register(denoisingSteps, .counter, help: "Denoising steps completed, by task.")
        registry.register(modelBytes, .gauge, help: "Mapped bytes of each ready model.")
        registry.register(buildInfo, .gauge, help: "Build information; the value is always 1.")
        registry.register(residentMemory, .gauge, help: "Resident set size in bytes.")
        registry.register(openFileDescriptors, .gauge, help: "Open file descriptors.")
        registry.register(startTime, .gauge, help: "Process start time, seconds since the Unix epoch.")
    }

    /// Resident set size from /proc/self/statm (Linux), or 0 elsewhere.
    static func residentMemoryBytes() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Entries in /proc/self/fd (Linux), or 0 elsewhere.
    static func openFileDescriptorCount() -> Double {
        Double((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0)
    }
}
