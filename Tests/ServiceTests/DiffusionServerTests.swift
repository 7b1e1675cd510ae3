import Foundation
import Testing
@testable import Service

#if canImport(Glibc)
import Glibc
#endif

/// The real `diffusion-server` binary as a child process.
@Suite("diffusion-server executable: precedence, invalid configuration, SIGTERM drain")
struct DiffusionServerTests {
    static func config(port: UInt16, extra: String = "") -> String {
        """
        server:
          host: 127.0.0.1
          port: \(port)
        compute:
          workers: 1
          queue_depth: 4
        shutdown:
          drain_seconds: 20
        logging:
          level: info
        \(extra)
        """
    }

    /// Starts the binary, returns it with the port its "listening" line reports.
    static func launch(_ directory: TemporaryDirectory, arguments: [String], environment: [String: String] = [:]) throws -> (ServerProcess, UInt16) {
        let server = try ServerProcess(arguments: arguments, environment: environment, directory: directory.url)
        do {
            return (server, try server.waitUntilListening())
        } catch {
            server.signal(SIGKILL)
            throw error
        }
    }

    static func stop(_ server: ServerProcess) -> Int32? {
        server.signal(SIGTERM)
        return server.waitForExit(timeout: 10)
    }

    @Test func flagsOverrideEnvironmentOverrideFile() throws {
        let directory = try TemporaryDirectory("server-precedence")
        defer { directory.remove() }
        let filePort = try ServerProcess.freePort(), environmentPort = try ServerProcess.freePort(), flagPort = try ServerProcess.freePort()
        try directory.write("service.yaml", Self.config(port: filePort).replacingOccurrences(of: "queue_depth: 4", with: "queue_depth: 7"))

        // File only.
        var (server, port) = try Self.launch(directory, arguments: ["--config", "service.yaml"])
        #expect(port == filePort)
        #expect(try HTTP1.request(port: port, "GET", "/healthz").status == 200)
        var metrics = try HTTP1.request(port: port, "GET", "/metrics").text
        #expect(MetricsText.value(of: "inference_queue_capacity", in: metrics) == 7)
        #expect(Self.stop(server) == 0)

        // Environment over the file (DIFFUSION_CONFIG names the file).
        (server, port) = try Self.launch(directory, arguments: [], environment: [
            "DIFFUSION_CONFIG": "service.yaml", "DIFFUSION_PORT": String(environmentPort), "DIFFUSION_QUEUE_DEPTH": "3",
        ])
        #expect(port == environmentPort)
        metrics = try HTTP1.request(port: port, "GET", "/metrics").text
        #expect(MetricsText.value(of: "inference_queue_capacity", in: metrics) == 3)
        #expect(Self.stop(server) == 0)

        // Flags over both.
        (server, port) = try Self.launch(directory, arguments: ["--config", "service.yaml", "--port", String(flagPort), "--host", "127.0.0.1"],
                                         environment: ["DIFFUSION_PORT": String(environmentPort), "DIFFUSION_HOST": "0.0.0.0"])
        #expect(port == flagPort)
        #expect(!ServerProcess.isListening(port: environmentPort))
        let listening = try #require(server.logLines.first { $0["message"] as? String == "listening" })
        #expect(listening["host"] as? String == "127.0.0.1")
        #expect((listening["blas_kernel"] as? String)?.isEmpty == false)
        #expect(Self.stop(server) == 0)
    }

    @Test func portZeroIsReportedInTheListeningLine() throws {
        let directory = try TemporaryDirectory("server-port0")
        defer { directory.remove() }
        try directory.write("service.yaml", Self.config(port: 0))
        let (server, port) = try Self.launch(directory, arguments: ["--config", "service.yaml"])
        #expect(port != 0)
        let response = try HTTP1.request(port: port, "GET", "/healthz", headers: [("X-Request-ID", "probe-1")])
        #expect(response.status == 200)
        // SIGINT drains and exits 0 like SIGTERM.
        server.signal(SIGINT)
        #expect(server.waitForExit(timeout: 10) == 0)
        // Every line on standard error is one JSON object with the standard fields.
        let lines = server.standardError.split(separator: "\n")
        #expect(!lines.isEmpty)
        #expect(lines.count == server.logLines.count, "non-JSON lines in: \(server.standardError)")
        #expect(server.logLines.allSatisfy { $0["ts"] is String && $0["level"] is String && $0["label"] is String && $0["message"] is String })
        #expect(server.logLines.contains { $0["message"] as? String == "signal received" && $0["signal"] as? String == "SIGINT" })
        // The JSON access log has the request, with its id.
        let access = server.logLines.first { $0["message"] as? String == "request" && $0["path"] as? String == "/healthz" }
        #expect(access?["request_id"] as? String == "probe-1")
        #expect(access?["status"] as? String == "200" || access?["status"] as? Int == 200)
        #expect(server.logLines.contains { $0["message"] as? String == "stopped" })
    }

    /// A signal sent the instant the port opens (no traffic yet) still drains and exits 0:
    /// handlers are installed before binding and a signal is never dropped as ignored.
    @Test(arguments: [SIGTERM, SIGINT, SIGTERM, SIGINT])
    func signalAtStartupIsNeverLost(number: Int32) throws {
        let directory = try TemporaryDirectory("server-early-signal")
        defer { directory.remove() }
        try directory.write("service.yaml", Self.config(port: 0))
        let (server, _) = try Self.launch(directory, arguments: ["--config", "service.yaml"])
        server.signal(number)
        let status = server.waitForExit(timeout: 10)
        if status == nil { server.signal(SIGKILL) }
        #expect(status == 0, "stderr: \(server.standardError)")
        #expect(server.process.terminationReason == .exit)
    }

    static let invalidCases: [(name: String, file: String?, arguments: [String], environment: [String: String], mentions: [String])] = [
        ("unknown key", "server:\n  host: 127.0.0.1\n  prot: 1\n", [], [:], ["server.prot", "bad.yaml"]),
        ("wrong type", "compute:\n  workers: many\n", [], [:], ["compute.workers", "bad.yaml"]),
        ("bad value", "models:\n  entries:\n    - name: ../x\n      task: t\n      path: a.safetensors\n", [], [:],
         ["models.entries[0].name", "bad.yaml"]),
        ("bad sha256", "models:\n  entries:\n    - name: x\n      task: t\n      path: a.safetensors\n      sha256: 12\n", [], [:],
         ["models.entries[0].sha256", "bad.yaml"]),
        ("missing file", nil, ["--config", "nowhere.yaml"], [:], ["nowhere.yaml", "does not exist"]),
        ("unknown variable", "server:\n  host: 127.0.0.1\n", [], ["DIFFUSION_FOO": "1"], ["DIFFUSION_FOO", "environment"]),
        ("bad variable", "server:\n  host: 127.0.0.1\n", [], ["DIFFUSION_WORKERS": "lots"], ["DIFFUSION_WORKERS", "environment"]),
        ("bad flag", "server:\n  host: 127.0.0.1\n", ["--port", "70000"], [:], ["--port", "command line"]),
        ("unknown flag", "server:\n  host: 127.0.0.1\n", ["--prot", "1"], [:], ["--prot", "command line"]),
    ]

    @Test(arguments: 0..<invalidCases.count)
    func invalidConfigurationExits2BeforeBinding(index: Int) throws {
        let invalid = Self.invalidCases[index]
        let directory = try TemporaryDirectory("server-invalid")
        defer { directory.remove() }
        let port = try ServerProcess.freePort()
        var environment = invalid.environment
        environment["DIFFUSION_PORT"] = String(port)
        if let file = invalid.file { try directory.write("bad.yaml", file) }
        let arguments = invalid.file == nil ? invalid.arguments : ["--config", "bad.yaml"] + invalid.arguments
        let server = try ServerProcess(arguments: arguments, environment: environment, directory: directory.url)
        let status = server.waitForExit(timeout: 20)
        #expect(status == 2, "\(invalid.name): exit \(String(describing: status))")
        let lines = server.standardError.split(separator: "\n")
        #expect(lines.count == 1, "\(invalid.name): \(server.standardError)")
        for part in invalid.mentions {
            #expect(server.standardError.contains(part), "\(invalid.name): '\(part)' not in \(server.standardError)")
        }
        #expect(!server.standardError.contains("listening"))
        #expect(!ServerProcess.isListening(port: port))
    }

    @Test func sigtermLetsTheRunningJobFinishRefusesTheQueuedOneAndExits0() throws {
        let directory = try TemporaryDirectory("server-sigterm")
        defer { directory.remove() }
        try directory.write("service.yaml", Self.config(port: try ServerProcess.freePort()))
        let (server, port) = try Self.launch(directory, arguments: ["--config", "service.yaml"])

        // Calibrate: how many 128×128 products make about 2.5 s on this machine now.
        let probe = try HTTP1.request(port: port, "POST", "/v1/diagnostics/sgemm", body: "{\"size\":128,\"iterations\":50}")
        #expect(probe.status == 200)
        let perIteration = max((probe.json["seconds"] as? Double ?? 0.01) / 50, 1e-5)
        let iterations = min(100_000, max(50, Int(2.5 / perIteration)))

        func gauge(_ name: String) -> Double? {
            (try? HTTP1.request(port: port, "GET", "/metrics").text).flatMap { MetricsText.value(of: name, in: $0) }
        }
        // The probe's answer is sent before its worker is free: wait until nothing runs.
        #expect(eventually { gauge("inference_jobs_in_flight") == 0 })
        let first = Background { () -> ClientResponse? in
            try? HTTP1.request(port: port, "POST", "/v1/diagnostics/sgemm", body: "{\"size\":128,\"iterations\":\(iterations)}", timeout: 30)
        }
        #expect(eventually { gauge("inference_jobs_in_flight") == 1 && gauge("inference_queue_size") == 0 })
        let second = Background { () -> ClientResponse? in
            try? HTTP1.request(port: port, "POST", "/v1/diagnostics/sgemm", body: "{\"size\":64,\"iterations\":1}", timeout: 30)
        }
        #expect(eventually { gauge("inference_queue_size") == 1 })

        let signalled = Date()
        server.signal(SIGTERM)
        let queued = try #require(second.wait() ?? nil)
        #expect(queued.status == 503, "\(queued.text)")
        #expect(queued.json["code"] as? String == "shutting_down")
        let running = try #require(first.wait() ?? nil)
        #expect(running.status == 200, "\(running.text)")
        #expect(running.json["checksum"] as? Double == 16384)
        #expect(running.json["iterations"] as? Int == iterations)
        #expect(running.header("Connection")?.lowercased() == "close")
        let status = server.waitForExit(timeout: 20)
        #expect(status == 0)
        #expect(Date().timeIntervalSince(signalled) < 20)
        #expect(!ServerProcess.isListening(port: port))
        let messages = server.logLines.compactMap { $0["message"] as? String }
        #expect(messages.contains("signal received"))
        #expect(messages.contains("shutting down"))
        #expect(messages.last == "stopped")
    }
}
