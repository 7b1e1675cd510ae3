import Foundation
import Testing
@testable import Service

/// The job surface over real sockets with the real workload, `POST /v1/diagnostics/sgemm`
/// (repeated `cblas_sgemm`, a checkpoint after each product).
@Suite("Jobs over HTTP: sync, async, queueing, deadlines, cancellation, TTL, SSE")
struct JobRoutesTests {
    /// Long enough to still be running whenever a test looks (minutes of sgemm); every
    /// test that starts one cancels it.
    static let long = "{\"size\":128,\"iterations\":100000}"

    static func waitRunning(_ test: TestService, _ count: Int = 1) -> Bool {
        eventually { test.service.pool.runningCount == count }
    }

    @Test(arguments: [64, 128])
    func synchronousJobReturnsTheExactChecksum(size: Int) throws {
        let test = try TestService()
        defer { test.stop() }
        let response = try test.sgemm("{\"size\":\(size),\"iterations\":3}")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        let body = response.json
        // C = A·B with A = 1/n and B = 1 has every element exactly 1 (n a power of two).
        #expect(body["checksum"] as? Double == Double(size * size))
        #expect(body["size"] as? Int == size)
        #expect(body["iterations"] as? Int == 3)
        #expect((body["gflops"] as? Double ?? 0) > 0)
        let id = try #require(response.header("X-Job-ID"))
        let job = try test.get("/v1/jobs/\(id)")
        #expect(job.status == 200)
        #expect(job.json["state"] as? String == "succeeded")
        #expect(job.json["task"] as? String == "diagnostics.sgemm")
        #expect((job.json["result"] as? [String: Any])?["checksum"] as? Double == Double(size * size))
        #expect((job.json["progress"] as? [String: Any])?["step"] as? Int == 3)
    }

    @Test func defaultBodyRunsTheDefaultWorkload() throws {
        let test = try TestService()
        defer { test.stop() }
        let response = try test.request("POST", "/v1/diagnostics/sgemm")
        #expect(response.status == 200)
        #expect(response.json["size"] as? Int == 256)
        #expect(response.json["checksum"] as? Double == 65536)
    }

    @Test func invalidRequestsAreRefusedBeforeQueueing() throws {
        let test = try TestService()
        defer { test.stop() }
        let tooBig = try test.sgemm("{\"size\":0}")
        #expect(tooBig.status == 422)
        #expect(tooBig.json["field"] as? String == "size")
        let wrongType = try test.sgemm("{\"iterations\":\"many\"}")
        #expect(wrongType.status == 422)
        #expect(wrongType.json["field"] as? String == "iterations")
        let malformed = try test.sgemm("{\"size\":")
        #expect(malformed.status == 400)
        #expect(malformed.json["code"] as? String == "malformed_json")
        let media = try test.request("POST", "/v1/diagnostics/sgemm", headers: [("Content-Type", "text/plain")], body: "{}")
        #expect(media.status == 415)
        let timeout = try test.sgemm("{\"timeout_ms\":0}")
        #expect(timeout.status == 422)
        #expect(timeout.json["field"] as? String == "timeout_ms")
        let header = try test.sgemm("{}", headers: [("X-Request-Timeout", "soon")])
        #expect(header.status == 422)
        #expect(header.json["field"] as? String == "X-Request-Timeout")
        #expect(test.service.jobs.count == 0)
    }

    @Test func asynchronousSubmissionAnswers202WithLocation() throws {
        let test = try TestService()
        defer { test.stop() }
        let viaHeader = try test.sgemm("{\"size\":64,\"iterations\":5}", headers: [("Prefer", "respond-async, wait=10")])
        let viaBody = try test.sgemm("{\"size\":64,\"iterations\":5,\"async\":true}")
        for response in [viaHeader, viaBody] {
            #expect(response.status == 202)
            let id = try #require(response.json["id"] as? String)
            #expect(response.header("Location") == "/v1/jobs/\(id)")
            #expect(response.json["poll_url"] as? String == "/v1/jobs/\(id)")
            #expect(response.json["events_url"] as? String == "/v1/jobs/\(id)/events")
            #expect(["queued", "running", "succeeded"].contains(response.json["status"] as? String ?? ""))
            #expect(response.json["queue_position"] is Int)
            var snapshot: [String: Any] = [:]
            #expect(try eventually {
                snapshot = try test.get("/v1/jobs/\(id)").json
                return snapshot["state"] as? String == "succeeded"
            })
            #expect((snapshot["result"] as? [String: Any])?["checksum"] as? Double == 4096)
            let progress = snapshot["progress"] as? [String: Any] ?? [:]
            #expect(progress["step"] as? Int == 5 && progress["total"] as? Int == 5 && progress["stage"] as? String == "sgemm")
            #expect(snapshot["created"] is String && snapshot["started"] is String && snapshot["finished"] is String)
        }
    }

    @Test func oneWorkerRunsQueuedJobsOneAtATimeInOrder() throws {
        let test = try TestService { $0.compute.workers = 1; $0.compute.queueDepth = 8 }
        defer { test.stop() }
        let ids = try (0..<4).map { _ in try test.submitAsync(size: 64, iterations: 40) }
        #expect(test.waitUntilIdle())
        let jobs = ids.compactMap { id -> ComputeJob? in
            if case .found(let job) = test.service.jobs.lookup(id) { return job }
            return nil
        }
        #expect(jobs.count == 4)
        #expect(jobs.allSatisfy { $0.state == .succeeded })
        for (earlier, later) in zip(jobs, jobs.dropFirst()) {
            let finished = try #require(earlier.finishedAt), started = try #require(later.startedAt)
            #expect(started >= finished, "job \(later.id) started before \(earlier.id) finished")
        }
    }

    @Test func fullQueueAnswers503WithRetryAfter() throws {
        let test = try TestService { $0.compute.workers = 1; $0.compute.queueDepth = 1 }
        defer { test.stop() }
        let running = try test.submitAsync(size: 128, iterations: 100_000)
        #expect(Self.waitRunning(test))
        let queued = try test.submitAsync(size: 64, iterations: 1)
        let refused = try test.sgemm("{\"size\":64,\"iterations\":1}", headers: [("X-Request-ID", "overflow-1")])
        #expect(refused.status == 503)
        #expect(refused.header("Content-Type") == "application/problem+json")
        #expect(Int(refused.header("Retry-After") ?? "") ?? 0 >= 1)
        #expect(refused.json["code"] as? String == "queue_full")
        #expect(refused.json["request_id"] as? String == "overflow-1")
        #expect(refused.json["status"] as? Int == 503)
        let asyncRefused = try test.sgemm("{\"async\":true}")
        #expect(asyncRefused.status == 503)
        #expect(try test.request("DELETE", "/v1/jobs/\(queued)").status == 200)
        #expect(try test.request("DELETE", "/v1/jobs/\(running)").status == 200)
        #expect(test.waitUntilIdle())
        #expect(test.jobState(running) == .cancelled)
        #expect(test.jobState(queued) == .cancelled)
        // Both count as cancelled jobs; only the one that ran has a run time.
        #expect(try eventually { try test.metric("inference_jobs_total{task=\"diagnostics.sgemm\",outcome=\"cancelled\"}") == 2 })
        #expect(try test.metric("inference_job_duration_seconds_count{task=\"diagnostics.sgemm\"}") == 1)
    }

    @Test(arguments: ["body", "header"])
    func deadlineAnswers504AndStopsTheJob(source: String) throws {
        let test = try TestService()
        defer { test.stop() }
        let started = Date()
        let response = source == "body"
            ? try test.sgemm("{\"size\":128,\"iterations\":100000,\"timeout_ms\":300}")
            : try test.sgemm(Self.long, headers: [("X-Request-Timeout", "300")])
        let elapsed = Date().timeIntervalSince(started)
        #expect(response.status == 504)
        #expect(response.json["code"] as? String == "deadline_exceeded")
        #expect(elapsed >= 0.3 && elapsed < 5, "answered after \(elapsed) s")
        let id = try #require(response.header("X-Job-ID"))
        // The job stops at its next checkpoint: the worker is free again and the job failed.
        #expect(test.waitUntilIdle(timeout: 5))
        #expect(test.jobState(id) == .failed)
        let snapshot = try test.get("/v1/jobs/\(id)").json
        #expect(snapshot["state"] as? String == "failed")
        #expect((snapshot["error"] as? [String: Any])?["code"] as? String == "deadline_exceeded")
    }

    @Test func queuedSynchronousJobPastItsDeadlineAnswers504AndFreesItsSlot() throws {
        let test = try TestService { $0.compute.workers = 1; $0.compute.queueDepth = 1 }
        defer { test.stop() }
        let blocker = try test.submitAsync(size: 128, iterations: 100_000)
        #expect(Self.waitRunning(test))
        let started = Date()
        let response = try test.sgemm("{\"size\":64,\"iterations\":1,\"timeout_ms\":300}")
        #expect(response.status == 504)
        #expect(Date().timeIntervalSince(started) < 5)
        let id = try #require(response.header("X-Job-ID"))
        #expect(test.jobState(id) == .failed)
        // The expired job no longer holds the only queue slot.
        #expect(test.service.pool.queuedCount == 0)
        #expect(try test.submitAsync(size: 64, iterations: 1).isEmpty == false)
        #expect(try test.request("DELETE", "/v1/jobs/\(blocker)").status == 200)
        #expect(test.waitUntilIdle())
    }

    @Test func asynchronousJobPastItsDeadlineFails() throws {
        let test = try TestService()
        defer { test.stop() }
        let id = try test.submitAsync(size: 128, iterations: 100_000, extra: ",\"timeout_ms\":200")
        #expect(test.waitUntilIdle(timeout: 5))
        let snapshot = try test.get("/v1/jobs/\(id)").json
        #expect(snapshot["state"] as? String == "failed")
        #expect((snapshot["error"] as? [String: Any])?["status"] as? Int == 504)
    }

    @Test func clientDisconnectCancelsTheSynchronousJob() throws {
        let test = try TestService()
        defer { test.stop() }
        let client = try BlockingHTTPClient(port: test.port)
        try client.sendRequest("POST", "/v1/diagnostics/sgemm", body: Self.long)
        #expect(Self.waitRunning(test))
        let closed = Date()
        client.close()
        // Minutes of work stop at the next checkpoint: the worker is free within moments.
        #expect(test.waitUntilIdle(timeout: 5))
        #expect(Date().timeIntervalSince(closed) < 5)
        let cancelled = [("task", "diagnostics.sgemm"), ("outcome", "cancelled")]
        #expect(eventually { test.service.metrics.value(ServiceMetrics.jobs, labels: cancelled) == 1 })
        #expect(try test.metric("inference_jobs_in_flight") == 0)
        #expect(try test.metric("inference_queue_size") == 0)
        // The access metrics record the abandoned request once: the HTTP layer still writes
        // the job's 409 (job_cancelled) answer after the peer's FIN, so it is counted as 409.
        #expect(try eventually {
            let text = try test.get("/metrics").text
            let counted = ["409", "499"].compactMap {
                MetricsText.value(of: "http_server_requests_total{route=\"/v1/diagnostics/sgemm\",method=\"POST\",status=\"\($0)\"}", in: text)
            }
            return counted.reduce(0, +) == 1
        })
    }

    @Test func clientDisconnectCancelsAQueuedSynchronousJob() throws {
        let test = try TestService()
        defer { test.stop() }
        let running = try test.submitAsync(size: 128, iterations: 100_000)
        #expect(Self.waitRunning(test))
        let client = try BlockingHTTPClient(port: test.port)
        try client.sendRequest("POST", "/v1/diagnostics/sgemm", body: "{\"size\":64,\"iterations\":1}")
        #expect(eventually { test.service.pool.queuedCount == 1 })
        client.close()
        #expect(eventually(timeout: 5) { test.service.pool.queuedCount == 0 })
        #expect(test.service.jobs.unfinishedCount == 1)
        #expect(try test.request("DELETE", "/v1/jobs/\(running)").status == 200)
        #expect(test.waitUntilIdle())
    }

    @Test func deleteCancelsThenConflictsAndUnknownIs404() throws {
        let test = try TestService()
        defer { test.stop() }
        let id = try test.submitAsync(size: 128, iterations: 100_000)
        #expect(Self.waitRunning(test))
        let first = try test.request("DELETE", "/v1/jobs/\(id)")
        #expect(first.status == 200)
        #expect(first.json["id"] as? String == id)
        #expect(test.waitUntilIdle(timeout: 5))
        let snapshot = try test.get("/v1/jobs/\(id)").json
        #expect(snapshot["state"] as? String == "cancelled")
        #expect((snapshot["error"] as? [String: Any])?["code"] as? String == "job_cancelled")
        let second = try test.request("DELETE", "/v1/jobs/\(id)")
        #expect(second.status == 409)
        #expect(second.json["code"] as? String == "job_finished")
        let unknown = try test.request("DELETE", "/v1/jobs/0123456789abcdef0123456789abcdef")
        #expect(unknown.status == 404)
        #expect(unknown.json["code"] as? String == "unknown_job")
        #expect(try test.get("/v1/jobs/nope").status == 404)
        #expect(try test.get("/v1/jobs/nope/events").status == 404)
    }

    @Test func finishedJobsExpireAfterTheirTTL() throws {
        let test = try TestService { $0.jobs.resultTTLSeconds = 0.3 }
        defer { test.stop() }
        let id = try test.submitAsync(size: 64, iterations: 1)
        #expect(test.waitUntilIdle())
        Thread.sleep(forTimeInterval: 0.4)
        let gone = try test.get("/v1/jobs/\(id)")
        #expect(gone.status == 410)
        #expect(gone.json["code"] as? String == "job_expired")
        #expect(try test.request("DELETE", "/v1/jobs/\(id)").status == 410)
        #expect(try test.get("/v1/jobs/\(id)/events").status == 410)
        #expect(test.service.jobs.count == 0)
    }

    static func events(_ text: String) -> [(event: String, data: String)] {
        text.components(separatedBy: "\n\n").compactMap { block in
            var event: String?, data: [String] = []
            for line in block.split(separator: "\n") {
                if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
            }
            return event.map { ($0, data.joined(separator: "\n")) }
        }
    }

    @Test(arguments: ["body", "accept"])
    func streamingSubmissionAnswersWithEventsThenTheResult(mode: String) throws {
        let test = try TestService()
        defer { test.stop() }
        let body = mode == "body" ? "{\"size\": 32, \"iterations\": 5, \"stream\": true}" : "{\"size\": 32, \"iterations\": 5}"
        let headers: [(String, String)] = mode == "accept" ? [("Accept", "text/event-stream")] : []
        let response = try test.request("POST", "/v1/diagnostics/sgemm", headers: headers, body: body)
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/event-stream")
        #expect(response.header("X-Job-ID") != nil)
        let events = Self.events(response.text)
        #expect(events.last?.event == "completed")
        let final = try #require(events.last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.data.utf8)) as? [String: Any] })
        #expect((final["result"] as? [String: Any])?["checksum"] as? Double == 1024)
    }

    @Test func eventStreamDeliversProgressThenCompletedWithTheResult() throws {
        let test = try TestService { $0.compute.queueDepth = 2 }
        defer { test.stop() }
        // Hold the only worker so the watched job is still queued when the stream opens.
        let blocker = try test.submitAsync(size: 128, iterations: 100_000)
        #expect(Self.waitRunning(test))
        let id = try test.submitAsync(size: 64, iterations: 20)
        let stream = try BlockingHTTPClient(port: test.port)
        try stream.sendRequest("GET", "/v1/jobs/\(id)/events", headers: [("Connection", "close")])
        #expect(stream.receive(until: { $0.contains("event: queued") }, timeout: 5))
        #expect(try test.request("DELETE", "/v1/jobs/\(blocker)").status == 200)
        let raw = stream.readUntilClosed()
        let response = try #require(ClientResponse.parse(raw)?.0)
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/event-stream")
        let events = Self.events(response.text)
        let names = events.map(\.event)
        #expect(names.first == "queued")
        #expect(names.contains("started"))
        #expect(names.last == "completed")
        let steps = events.filter { $0.event == "progress" }.compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.data.utf8)) as? [String: Any])?["step"] as? Int
        }
        // Progress is coalesced while a write is pending (a job this small outruns the
        // socket), so the steps seen are the first one and then strictly increasing.
        #expect(steps.first == 1)
        #expect(zip(steps, steps.dropFirst()).allSatisfy { $0 < $1 })
        #expect(steps.allSatisfy { (1...20).contains($0) })
        let final = try #require(events.last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.data.utf8)) as? [String: Any] })
        #expect(final["state"] as? String == "succeeded")
        #expect((final["result"] as? [String: Any])?["checksum"] as? Double == 4096)
    }

    @Test(arguments: ["cancelled", "failed"])
    func eventStreamEndsWithTheFailureState(ending: String) throws {
        let test = try TestService()
        defer { test.stop() }
        let extra = ending == "failed" ? ",\"timeout_ms\":500" : ""
        let id = try test.submitAsync(size: 128, iterations: 100_000, extra: extra)
        #expect(Self.waitRunning(test))
        let stream = try BlockingHTTPClient(port: test.port)
        try stream.sendRequest("GET", "/v1/jobs/\(id)/events", headers: [("Connection", "close")])
        #expect(stream.receive(until: { $0.contains("event: progress") }, timeout: 5))
        if ending == "cancelled" { #expect(try test.request("DELETE", "/v1/jobs/\(id)").status == 200) }
        let response = try #require(ClientResponse.parse(stream.readUntilClosed())?.0)
        let events = Self.events(response.text)
        #expect(events.first?.event == "started")
        #expect(events.last?.event == ending)
        let final = events.last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.data.utf8)) as? [String: Any] } ?? [:]
        #expect(final["state"] as? String == ending)
        #expect((final["error"] as? [String: Any])?["code"] as? String == (ending == "failed" ? "deadline_exceeded" : "job_cancelled"))
    }

    @Test func requestedDeadlinesAreClampedToTheConfiguredMaximum() throws {
        let test = try TestService { $0.compute.defaultTimeoutMilliseconds = 300; $0.compute.maxTimeoutMilliseconds = 400 }
        defer { test.stop() }
        let started = Date()
        let response = try test.sgemm("{\"size\":128,\"iterations\":100000,\"timeout_ms\":600000}")
        #expect(response.status == 504)
        #expect(Date().timeIntervalSince(started) < 5)
        // With no deadline in the request, the configured default applies.
        let defaulted = try test.sgemm(Self.long)
        #expect(defaulted.status == 504)
        #expect(test.waitUntilIdle(timeout: 5))
    }

    @Test func eventStreamOfAFinishedJobEndsAtOnce() throws {
        let test = try TestService()
        defer { test.stop() }
        let id = try test.submitAsync(size: 64, iterations: 2)
        #expect(test.waitUntilIdle())
        let response = try test.get("/v1/jobs/\(id)/events")
        #expect(Self.events(response.text).map(\.event) == ["started", "completed"])
    }

    @Test func gaugesReturnToZeroAndNothingLeaksAfterABurst() throws {
        let test = try TestService { $0.compute.workers = 1; $0.compute.queueDepth = 3 }
        defer { test.stop() }
        // Hold the only worker, so exactly queue_depth of the burst are accepted.
        let blocker = try test.submitAsync(size: 128, iterations: 100_000)
        #expect(Self.waitRunning(test))
        let burst = Background {
            onThreads(12) { index -> Int in
                let body = index % 3 == 0 ? "{\"size\":64,\"iterations\":30,\"async\":true}" : "{\"size\":64,\"iterations\":30}"
                return (try? test.sgemm(body).status) ?? -1
            }
        }
        let refused = [("route", "/v1/diagnostics/sgemm"), ("method", "POST"), ("status", "503")]
        #expect(eventually { test.service.metrics.value(ServiceMetrics.requests, labels: refused) == 9 })
        #expect(test.service.pool.queuedCount == 3)
        #expect(try test.request("DELETE", "/v1/jobs/\(blocker)").status == 200)
        let statuses = try #require(burst.wait())
        #expect(statuses.allSatisfy { [200, 202, 503].contains($0) }, "\(statuses)")
        #expect(statuses.filter { $0 == 503 }.count == 9, "\(statuses)")
        #expect(test.waitUntilIdle())
        let accepted = statuses.filter { $0 == 200 || $0 == 202 }.count
        let succeeded = [("task", "diagnostics.sgemm"), ("outcome", "succeeded")]
        #expect(eventually { Int(test.service.metrics.value(ServiceMetrics.jobs, labels: succeeded)) == accepted })
        #expect(try test.metric("inference_queue_size") == 0)
        #expect(try test.metric("inference_jobs_in_flight") == 0)
        #expect(test.service.jobs.unfinishedCount == 0)
        // Refused submissions leave nothing behind in the job store (the burst plus the blocker).
        #expect(test.service.jobs.count == accepted + 1)
        #expect(test.service.pool.queuedCount == 0 && test.service.pool.runningCount == 0)
        // Every connection closed: only the scrape's own is open while it renders.
        #expect(try eventually { try test.metric("http_server_connections_active") == 1 })
    }
}
