import Foundation
import Logging
@testable import Service

/// A real `DiffusionService` on an ephemeral loopback port, with the test's
/// configuration changes applied; `stop()` runs the real shutdown sequence and waits.
final class TestService: @unchecked Sendable {
    let service: DiffusionService
    var port: UInt16 { service.port }

    init(logLevel: Logger.Level = .critical, _ configure: (inout ServiceConfiguration) -> Void = { _ in }) throws {
        var configuration = ServiceConfiguration()
        configuration.server.host = "127.0.0.1"
        configuration.server.port = 0
        configuration.compute.workers = 1
        configuration.compute.queueDepth = 4
        configuration.compute.defaultTimeoutMilliseconds = 30_000
        configuration.shutdown.drainSeconds = 2
        configure(&configuration)
        let logger = Logger(label: "service-tests") { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = logLevel
            return handler
        }
        service = DiffusionService(configuration: configuration, logger: logger, blasKernel: "test-kernel")
        try service.start()
    }

    deinit { stop() }

    private var stopped = false

    /// Shuts the service down (drain, close connections, stop workers) and waits for it.
    func stop() {
        // A test that began the shutdown itself waits for it on its own.
        guard !stopped, !service.isDraining else { return }
        stopped = true
        let done = DispatchSemaphore(value: 0)
        service.shutdown { done.signal() }
        _ = done.wait(timeout: .now() + 15)
    }

    func request(_ method: String, _ path: String, headers: [(String, String)] = [], body: String? = nil,
                 timeout: Double = 20) throws -> ClientResponse {
        try HTTP1.request(port: port, method, path, headers: headers, body: body, timeout: timeout)
    }

    func get(_ path: String, headers: [(String, String)] = []) throws -> ClientResponse {
        try request("GET", path, headers: headers)
    }

    /// `POST /v1/diagnostics/sgemm` with the given JSON body.
    func sgemm(_ body: String, headers: [(String, String)] = [], timeout: Double = 20) throws -> ClientResponse {
        try request("POST", "/v1/diagnostics/sgemm", headers: headers, body: body, timeout: timeout)
    }

    /// Submits an asynchronous sgemm job and returns its id.
    func submitAsync(size: Int, iterations: Int, extra: String = "") throws -> String {
        let response = try sgemm("{\"size\":\(size),\"iterations\":\(iterations),\"async\":true\(extra)}")
        guard response.status == 202, let id = response.json["id"] as? String else {
            throw ClientError(description: "async submission answered \(response.status): \(response.text)")
        }
        return id
    }

    /// The job's state as the store sees it.
    func jobState(_ id: String) -> ComputeJob.State? {
        if case .found(let job) = service.jobs.lookup(id) { return job.state }
        return nil
    }

    /// Waits until the pool is idle: nothing queued, nothing running, no unfinished job.
    @discardableResult
    func waitUntilIdle(timeout: Double = 15) -> Bool {
        eventually(timeout: timeout) {
            service.pool.queuedCount == 0 && service.pool.runningCount == 0 && service.jobs.unfinishedCount == 0
        }
    }

    /// The value of one sample line of `/metrics`, e.g. `inference_queue_size`.
    func metric(_ sample: String) throws -> Double? {
        let text = try get("/metrics").text
        return MetricsText.value(of: sample, in: text)
    }
}

enum MetricsText {
    /// The value of the sample whose name-and-labels part is exactly `sample`.
    static func value(of sample: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            if line[..<space] == sample { return Double(line[line.index(after: space)...]) }
        }
        return nil
    }
}

/// A fresh folder under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init(_ prefix: String = "service-tests") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    var path: String { url.path }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> URL {
        let target = file(name)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: target)
        return target
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}
