import Foundation
import Testing
@testable import HTTP
@testable import Service

@Suite("Ops routes: /healthz under load, /readyz while draining, /metrics after known traffic")
struct OpsRoutesTests {
    @Test func healthStaysFastWhileEveryWorkerComputes() throws {
        let test = try TestService { $0.compute.workers = 2; $0.compute.queueDepth = 4 }
        defer { test.stop() }
        let ids = try (0..<2).map { _ in try test.submitAsync(size: 128, iterations: 100_000) }
        #expect(eventually { test.service.pool.runningCount == 2 })
        var latencies: [Double] = []
        for _ in 0..<200 {
            let started = DispatchTime.now().uptimeNanoseconds
            let response = try test.get("/healthz")
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6)
            #expect(response.status == 200)
            #expect(response.json["status"] as? String == "ok")
        }
        // Both workers were busy the whole time.
        #expect(test.service.pool.runningCount == 2)
        latencies.sort()
        let p99 = latencies[Int(Double(latencies.count) * 0.99) - 1]
        #expect(p99 < 100, "p99 \(p99) ms, median \(latencies[latencies.count / 2]) ms")
        for id in ids { _ = try test.request("DELETE", "/v1/jobs/\(id)") }
        #expect(test.waitUntilIdle())
    }

    @Test func readinessIs503WhileDraining() throws {
        let test = try TestService { $0.shutdown.drainSeconds = 10 }
        // The service's own listener closes at once on shutdown, so watch readiness through
        // a second real listener that serves the same service's routes.
        let side = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), handler: test.service.makeRouter())
        try side.start()
        defer { side.stopAndWait(gracePeriod: 1) }
        let sidePort = side.port
        let ready = try HTTP1.request(port: sidePort, "GET", "/readyz")
        #expect(ready.status == 200)
        #expect(ready.json["status"] as? String == "ok")

        let job = try test.submitAsync(size: 128, iterations: 100_000)
        #expect(eventually { test.service.pool.runningCount == 1 })
        let stopped = DispatchSemaphore(value: 0)
        test.service.shutdown { stopped.signal() }
        #expect(test.service.isDraining)
        let draining = try HTTP1.request(port: sidePort, "GET", "/readyz")
        #expect(draining.status == 503)
        #expect(draining.json["status"] as? String == "draining")
        #expect(try HTTP1.request(port: sidePort, "GET", "/healthz").status == 200)
        // New work is refused while draining.
        let refused = try HTTP1.request(port: sidePort, "POST", "/v1/diagnostics/sgemm", body: "{\"size\":64,\"iterations\":1}")
        #expect(refused.status == 503)
        #expect(refused.json["code"] as? String == "shutting_down")
        #expect(refused.header("Retry-After") != nil)
        // The service's own port no longer accepts.
        #expect(eventually(timeout: 2) { !ServerProcess.isListening(port: test.port) })
        // Cancel the running job so the drain ends now rather than after 10 s.
        #expect(try HTTP1.request(port: sidePort, "DELETE", "/v1/jobs/\(job)").status == 200)
        #expect(stopped.wait(timeout: .now() + 5) == .success)
    }

    @Test func metricsExpositionAfterKnownTraffic() throws {
        let models = try TemporaryDirectory("metrics-models")
        defer { models.remove() }
        let good = try ModelFixtures.writeModel(in: models.url, folder: "good")
        let test = try TestService {
            $0.compute.queueDepth = 5
            $0.models.root = models.path
            $0.models.entries = [.init(name: "good", task: "generate", path: good.path)]
            $0.auth.token = "t"
        }
        defer { test.stop() }
        let auth = [("Authorization", "Bearer t")]
        #expect(eventually { test.service.registry.status(of: "good")?.state == .ready })
        for _ in 0..<3 { #expect(try test.get("/healthz").status == 200) }
        #expect(try test.sgemm("{\"size\":64,\"iterations\":2}", headers: auth).status == 200)
        #expect(try test.get("/v1/jobs/nope", headers: auth).status == 404)
        #expect(try test.get("/v1/models").status == 401)
        #expect(test.waitUntilIdle())
        let succeeded = [("task", "diagnostics.sgemm"), ("outcome", "succeeded")]
        #expect(eventually { test.service.metrics.value(ServiceMetrics.jobs, labels: succeeded) == 1 })
        // The server notices a client's close asynchronously; wait for it before counting.
        #expect(eventually { test.service.openConnectionCount == 0 })

        let response = try test.get("/metrics")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        let text = response.text
        for (family, kind) in [
            ("http_server_requests_total", "counter"), ("http_server_request_duration_seconds", "histogram"),
            ("http_server_connections_active", "gauge"), ("inference_queue_size", "gauge"),
            ("inference_queue_capacity", "gauge"), ("inference_jobs_in_flight", "gauge"),
            ("inference_jobs_total", "counter"), ("inference_job_duration_seconds", "histogram"),
            ("model_memory_bytes", "gauge"), ("diffusion_build_info", "gauge"),
            ("process_resident_memory_bytes", "gauge"), ("process_open_fds", "gauge"), ("process_start_time_seconds", "gauge"),
        ] {
            #expect(text.contains("# TYPE \(family) \(kind)\n"), "\(family)")
            #expect(text.contains("# HELP \(family) "), "\(family)")
        }
        func value(_ sample: String) -> Double? { MetricsText.value(of: sample, in: text) }
        #expect(value("http_server_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"}") == 3)
        #expect(value("http_server_requests_total{route=\"/v1/diagnostics/sgemm\",method=\"POST\",status=\"200\"}") == 1)
        #expect(value("http_server_requests_total{route=\"/v1/jobs/{id}\",method=\"GET\",status=\"404\"}") == 1)
        #expect(value("http_server_requests_total{route=\"/v1/models\",method=\"GET\",status=\"401\"}") == 1)
        #expect(value("http_server_request_duration_seconds_count{route=\"/healthz\",method=\"GET\"}") == 3)
        #expect(value("http_server_request_duration_seconds_bucket{route=\"/healthz\",method=\"GET\",le=\"+Inf\"}") == 3)
        #expect(value("inference_queue_size") == 0)
        #expect(value("inference_jobs_in_flight") == 0)
        #expect(value("inference_queue_capacity") == 5)
        #expect(value("inference_jobs_total{task=\"diagnostics.sgemm\",outcome=\"succeeded\"}") == 1)
        #expect(value("inference_job_duration_seconds_count{task=\"diagnostics.sgemm\"}") == 1)
        #expect(value("model_memory_bytes{model=\"good\"}") == Double(good.bytes))
        #expect(value("diffusion_build_info{version=\"\(DiffusionService.version)\",blas_kernel=\"test-kernel\"}") == 1)
        #expect((value("process_resident_memory_bytes") ?? 0) > 0)
        #expect((value("process_open_fds") ?? 0) > 0)
        #expect((value("process_start_time_seconds") ?? 0) > 1_700_000_000)
        // The scrape's own connection is the only one open.
        #expect(value("http_server_connections_active") == 1)

        // An unloaded model maps nothing any more.
        #expect(try test.request("POST", "/v1/models/good/unload", headers: auth).status == 200)
        let afterUnload = try test.get("/metrics").text
        #expect((MetricsText.value(of: "model_memory_bytes{model=\"good\"}", in: afterUnload) ?? 0) == 0)
    }
}
