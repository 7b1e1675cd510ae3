import Foundation
import HTTP
import Logging
import Synchronization

/// The service: configuration → model registry → compute pool → routes → HTTP server,
/// and the shutdown sequence that reverses it.
///
/// `start()` binds and returns; `runUntilSignalled()` adds SIGTERM/SIGINT handling and
/// parks the main thread, so `main` stays a few lines long.
///
/// Shutdown (SIGTERM/SIGINT or `shutdown`): readiness flips to 503 at once, the listener
/// closes, running jobs get up to `shutdown.drain_seconds`, queued jobs fail with 503,
/// connections close after their last answer, then `completion` runs.
public final class DiffusionService: Sendable {
    public let configuration: ServiceConfiguration
    public let registry: ModelRegistry
    public let pool: ComputePool
    public let jobs: JobStore
    public let metrics = MetricsRegistry()
    public let logger: Logger
    let submitter: JobSubmitter
    private let server = Mutex<HTTPServer?>(nil)
    private let draining = Mutex(false)
    private let startTime = Date()
    /// The OpenBLAS kernel in use, shown in logs and on the build-info metric.
    public let blasKernel: String
    public static let version = "0.1.0"

    public init(configuration: ServiceConfiguration, logger: Logger, blasKernel: String,
                workingDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) {
        self.configuration = configuration
        self.logger = logger
        self.blasKernel = blasKernel
        registry = ModelRegistry(settings: configuration.models, factories: Self.taskModelFactories(for: configuration), workingDirectory: workingDirectory)
        jobs = JobStore(resultTTL: configuration.jobs.resultTTLSeconds)
        let metrics = self.metrics
        ServiceMetrics.register(in: metrics)
        pool = ComputePool(workers: configuration.compute.workers, queueDepth: configuration.compute.queueDepth) { job, ran in
            let outcome = job.state.rawValue
            metrics.increment(ServiceMetrics.jobs, labels: [("task", job.task), ("outcome", outcome)])
            // Jobs that ended while queued count by outcome but have no run time.
            guard ran else { return }
            metrics.observe(ServiceMetrics.jobDuration, labels: [("task", job.task)], job.runDuration ?? 0)
            if let progress = job.progress, progress.stage == "denoise" {
                metrics.increment(ServiceMetrics.denoisingSteps, labels: [("task", job.task)], by: Double(progress.step))
            }
        }
        submitter = JobSubmitter(pool: pool, store: jobs, compute: configuration.compute)
        metrics.set(ServiceMetrics.buildInfo, labels: [("version", Self.version), ("blas_kernel", blasKernel)], to: 1)
        metrics.set(ServiceMetrics.startTime, to: startTime.timeIntervalSince1970.rounded())
        metrics.set(ServiceMetrics.queueCapacity, to: Double(configuration.compute.queueDepth))
    }

    /// True from the first moment of shutdown.
    public var isDraining: Bool { draining.withLock { $0 } }

    /// The bound port (useful when the configuration asked for port 0).
    public var port: UInt16 { server.withLock { $0?.port ?? 0 } }

    /// How each task builds its object from a loaded model, once, at load time.
    static func taskModelFactories(for configuration: ServiceConfiguration) -> [String: ModelRegistry.TaskModelFactory] {
        let detection = configuration.detection
        return [
            TextToImageModel.task: { model in try TextToImageModel(directory: model.directory) },
            DetectionModel.task: { model in try DetectionModel(model: model, settings: detection) },
            StoryModel.task: { model in try StoryModel(directory: model.directory) },
        ]
    }

    /// The routing table (the OpenAPI contract test compares it with `openapi.yaml`).
    public func makeRouter() -> Router {
        var router = Router()
        OpsRoutes(service: self).register(in: &router)
        ModelRoutes(service: self).register(in: &router)
        JobRoutes(service: self).register(in: &router)
        DiagnosticsRoutes(service: self).register(in: &router)
        ImageGenerationRoutes(service: self).register(in: &router)
        DetectionRoutes(service: self).register(in: &router)
        StoryRoutes(service: self).register(in: &router)
        return router
    }

    /// Starts loading eager models and binds the server. Throws when the address is unusable.
    public func start() throws {
        let handler = ServiceHandler(router: makeRouter(), metrics: metrics, logger: logger, token: configuration.auth.token)
        let settings = configuration.server
        let httpServer = HTTPServer(
            configuration: .init(host: settings.host, port: settings.port, backlog: settings.backlog, limits: settings.limits),
            handler: handler)
        try httpServer.start()
        server.withLock { $0 = httpServer }
        logger.notice("listening", metadata: [
            "host": "\(settings.host)", "port": "\(httpServer.port)", "blas_kernel": "\(blasKernel)",
            "workers": "\(configuration.compute.workers)", "threads_per_job": "\(configuration.compute.threadsPerJob)",
            "queue_depth": "\(configuration.compute.queueDepth)",
        ])
        registry.loadEagerModels { [registry, logger] in
            for status in registry.statuses where status.load == "eager" {
                let metadata: Logger.Metadata = ["model": "\(status.name)", "state": "\(status.state.rawValue)",
                                                 "reason": "\(status.failureReason ?? "")"]
                if status.state == .ready { logger.notice("model ready", metadata: metadata) } else { logger.error("model not ready", metadata: metadata) }
            }
        }
    }

    /// Runs the shutdown sequence; `completion` runs once everything is closed.
    public func shutdown(completion: @escaping @Sendable () -> Void) {
        let first = draining.withLock { draining -> Bool in
            defer { draining = true }
            return !draining
        }
        guard first else { return }
        let drainSeconds = configuration.shutdown.drainSeconds
        logger.notice("shutting down", metadata: ["drain_seconds": "\(drainSeconds)", "running": "\(pool.runningCount)", "queued": "\(pool.queuedCount)"])
        let httpServer = server.withLock { $0 }
        let remaining = Mutex(2)
        let finishOne: @Sendable () -> Void = {
            let done = remaining.withLock { count -> Bool in
                count -= 1
                return count == 0
            }
            if done { completion() }
        }
        pool.drain(timeout: drainSeconds, completion: finishOne)
        if let httpServer {
            httpServer.stop(gracePeriod: drainSeconds + 2, completion: finishOne)
        } else {
            finishOne()
        }
    }

    /// Routes SIGTERM/SIGINT into `shutdown` (then exit 0). Call on the main thread before
    /// `start()`, so a signal sent the moment the port opens is neither fatal nor lost;
    /// `runUntilSignalled()` calls it too (it runs once).
    ///
    /// A plain `sigaction` handler writes the signal number to a pipe that a read source
    /// on the main queue drains. (Ignoring the signal and using a Dispatch signal source
    /// lost signals on Linux: one sent before the source was registered, or taken by a
    /// thread that did not block it — compute workers, OpenBLAS threads — was discarded
    /// as ignored, and the process never drained or exited.)
    public func installSignalHandlers() {
        guard SignalPipe.source == nil else { return }
        signal(SIGPIPE, SIG_IGN)
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            logger.error("cannot create the signal pipe; SIGTERM/SIGINT keep their default action")
            return
        }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(ends[0], F_SETFL, fcntl(ends[0], F_GETFL) | O_NONBLOCK)
        _ = fcntl(ends[1], F_SETFL, fcntl(ends[1], F_GETFL) | O_NONBLOCK)
        SignalPipe.writeEnd = ends[1]
        let readEnd = ends[0]
        let source = DispatchSource.makeReadSource(fileDescriptor: readEnd, queue: .main)
        source.setEventHandler { [self] in
            var number: UInt8 = 0
            while read(readEnd, &number, 1) == 1 {
                logger.notice("signal received", metadata: ["signal": "\(Int32(number) == SIGTERM ? "SIGTERM" : "SIGINT")"])
                shutdown {
                    self.logger.notice("stopped")
                    exit(0)
                }
            }
        }
        source.resume()
        SignalPipe.source = source
        for number in [SIGTERM, SIGINT] {
            signal(number) { received in
                var byte = UInt8(truncatingIfNeeded: received)
                _ = write(SignalPipe.writeEnd, &byte, 1)
            }
        }
    }

    /// Installs SIGTERM/SIGINT handling (if not done yet), then parks the main thread;
    /// exits 0 after shutdown.
    public func runUntilSignalled() -> Never {
        installSignalHandlers()
        dispatchMain()
    }

    // MARK: Helpers for routes

    /// Registers a route whose handler receives a `RequestContext`.
    func route(_ method: HTTPMethod, _ pattern: String, in router: inout Router, handler: @escaping @Sendable (RequestContext) -> Void) {
        router.add(method, pattern) { [logger] request, responder in
            let requestID = request.headers["X-Request-ID"] ?? JobStore.makeID()
            var requestLogger = logger
            requestLogger[metadataKey: "request_id"] = "\(requestID)"
            handler(RequestContext(request: request, responder: responder, requestID: requestID, logger: requestLogger))
        }
    }

    /// The model a task request asked for (`requested`, else the task's default) and the
    /// task object its factory built; nil after answering the problem (unknown or unready
    /// model 404/503, a model of another task 422 — all naming the `model` field).
    func taskModel<Model>(_ type: Model.Type, for task: String, requested: String?,
                          context: RequestContext) -> (name: String, model: Model)? {
        let name: String
        let loaded: LoadedModel
        do throws(ModelRegistry.AccessError) {
            if let requested { name = requested } else { name = try registry.defaultModelName(for: task) }
            loaded = try registry.model(named: name)
        } catch {
            context.fail(ProblemDetails(for: error))
            return nil
        }
        guard loaded.task == task, let model = loaded.taskModel as? Model else {
            context.fail(ProblemDetails(status: .unprocessableContent, detail: "model '\(name)' serves '\(loaded.task)', not '\(task)'",
                                        code: "invalid_parameter", field: "model"))
            return nil
        }
        return (name, model)
    }

    /// Admin routes need the configured token (checked by `ServiceHandler`); with no token
    /// configured they are refused outright.
    func requireAdmin(_ context: RequestContext) -> Bool {
        guard configuration.auth.token != nil else {
            context.fail(ProblemDetails(status: .forbidden, detail: "model administration needs auth.token (DIFFUSION_API_TOKEN) to be configured",
                                        code: "admin_disabled", field: "Authorization"))
            return false
        }
        return true
    }

    /// Connections the HTTP server holds open right now.
    var openConnectionCount: Int { server.withLock { $0?.connectionCount ?? 0 } }

    /// Current metrics, with gauges sampled at scrape time.
    func renderMetrics() -> String {
        metrics.set(ServiceMetrics.queueDepth, to: Double(pool.queuedCount))
        metrics.set(ServiceMetrics.jobsInFlight, to: Double(pool.runningCount))
        metrics.set(ServiceMetrics.connections, to: Double(openConnectionCount))
        // Every configured model gets a sample, 0 unless ready, so unloading or failing a
        // model drops its gauge instead of leaving the last mapped size behind.
        let mapped = Dictionary(registry.memoryBytesByModel, uniquingKeysWith: { first, _ in first })
        for status in registry.statuses {
            metrics.set(ServiceMetrics.modelBytes, labels: [("model", status.name)], to: Double(mapped[status.name] ?? 0))
        }
        metrics.set(ServiceMetrics.residentMemory, to: ServiceMetrics.residentMemoryBytes())
        metrics.set(ServiceMetrics.openFileDescriptors, to: ServiceMetrics.openFileDescriptorCount())
        return metrics.render()
    }
}

/// The process-wide state of `installSignalHandlers()`: set once on the main thread before
/// the handlers are installed, then only read (the handler reads `writeEnd`).
private enum SignalPipe {
    nonisolated(unsafe) static var writeEnd: Int32 = -1
    nonisolated(unsafe) static var source: (any DispatchSourceRead)?
}
