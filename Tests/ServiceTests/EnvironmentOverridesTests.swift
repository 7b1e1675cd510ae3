import Foundation
import Testing
@testable import Service

@Suite("EnvironmentOverrides: DIFFUSION_* over the file")
struct EnvironmentOverridesTests {
    @Test func everyVariableOverridesTheFile() throws {
        var configuration = try ServiceConfiguration.parse(yaml: """
            server: {host: 0.0.0.0, port: 8080}
            compute: {workers: 1, threads: 0, queue_depth: 16, default_timeout_ms: 1000}
            shutdown: {drain_seconds: 25}
            auth: {token: file-token}
            logging: {level: info}
            models: {root: Models}
            """, source: "file.yaml")
        try configuration.applyEnvironment([
            "DIFFUSION_HOST": "127.0.0.1", "DIFFUSION_PORT": "9001", "DIFFUSION_API_TOKEN": "env-token",
            "DIFFUSION_WORKERS": "3", "DIFFUSION_THREADS": "2", "DIFFUSION_QUEUE_DEPTH": "5",
            "DIFFUSION_TIMEOUT_MS": "2500", "DIFFUSION_DRAIN_SECONDS": "7", "DIFFUSION_LOG_LEVEL": "debug",
            "DIFFUSION_MODELS_ROOT": "/srv/models", "DIFFUSION_CONFIG": "ignored-here.yaml",
            "PATH": "/usr/bin", "OTHER_DIFFUSION_X": "ignored",
        ])
        #expect(configuration.server.host == "127.0.0.1")
        #expect(configuration.server.port == 9001)
        #expect(configuration.auth.token == "env-token")
        #expect(configuration.compute.workers == 3)
        #expect(configuration.compute.threads == 2)
        #expect(configuration.compute.queueDepth == 5)
        #expect(configuration.compute.defaultTimeoutMilliseconds == 2500)
        #expect(configuration.shutdown.drainSeconds == 7)
        #expect(configuration.logging.level == "debug")
        #expect(configuration.models.root == "/srv/models")
    }

    @Test func absentVariablesKeepTheFileValues() throws {
        let original = try ServiceConfiguration.parse(yaml: "server: {port: 1234}\nauth: {token: t}\n", source: "f.yaml")
        var configuration = original
        try configuration.applyEnvironment(["HOME": "/root"])
        #expect(configuration == original)
    }

    @Test func emptyTokenVariableTurnsAuthOff() throws {
        var configuration = try ServiceConfiguration.parse(yaml: "auth: {token: t}\n", source: "f.yaml")
        try configuration.applyEnvironment(["DIFFUSION_API_TOKEN": ""])
        #expect(configuration.auth.token == nil)
    }

    @Test func unknownVariableIsRejected() {
        var configuration = ServiceConfiguration()
        #expect(throws: ConfigurationError.unknownKey(source: "environment", key: "DIFFUSION_FOO")) {
            try configuration.applyEnvironment(["DIFFUSION_FOO": "1"])
        }
        #expect(throws: ConfigurationError.unknownKey(source: "environment", key: "DIFFUSION_WORKER")) {
            try configuration.applyEnvironment(["DIFFUSION_WORKER": "2"])
        }
    }

    @Test(arguments: [
        ("DIFFUSION_PORT", "http"), ("DIFFUSION_PORT", "70000"), ("DIFFUSION_WORKERS", "0"), ("DIFFUSION_WORKERS", "two"),
        ("DIFFUSION_QUEUE_DEPTH", "-1"), ("DIFFUSION_TIMEOUT_MS", "0"), ("DIFFUSION_TIMEOUT_MS", "3600001"),
        ("DIFFUSION_DRAIN_SECONDS", "1.5"), ("DIFFUSION_THREADS", "999"),
    ])
    func invalidValuesNameTheVariable(name: String, value: String) {
        var configuration = ServiceConfiguration()
        do {
            try configuration.applyEnvironment([name: value])
            Issue.record("\(name)=\(value) was accepted")
        } catch {
            guard case .invalidValue(let source, let key, let reason) = error else {
                Issue.record("expected invalidValue, got \(error)")
                return
            }
            #expect(source == "environment")
            #expect(key == name)
            #expect(reason.contains("'\(value)'"))
            #expect(error.description.contains(name))
        }
    }

    @Test func invalidLogLevel() {
        var configuration = ServiceConfiguration()
        #expect(throws: ConfigurationError.invalidValue(
            source: "environment", key: "DIFFUSION_LOG_LEVEL",
            reason: "must be one of critical, debug, error, info, notice, trace, warning")) {
            try configuration.applyEnvironment(["DIFFUSION_LOG_LEVEL": "verbose"])
        }
    }

    @Test func everyListedVariableIsAccepted() throws {
        let values = [
            "DIFFUSION_HOST": "::1", "DIFFUSION_PORT": "0", "DIFFUSION_API_TOKEN": "x", "DIFFUSION_WORKERS": "1",
            "DIFFUSION_THREADS": "0", "DIFFUSION_QUEUE_DEPTH": "0", "DIFFUSION_TIMEOUT_MS": "1",
            "DIFFUSION_DRAIN_SECONDS": "0", "DIFFUSION_LOG_LEVEL": "trace", "DIFFUSION_MODELS_ROOT": "m",
        ]
        #expect(Set(values.keys) == Set(ServiceConfiguration.environmentVariables))
        var configuration = ServiceConfiguration()
        try configuration.applyEnvironment(values)
        #expect(configuration.compute.queueDepth == 0)
    }
}
