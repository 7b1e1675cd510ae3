import Foundation
import Testing
@testable import Service

@Suite("ServiceHandler: request ids, bearer auth, access metrics")
struct ServiceHandlerTests {
    @Test func validRequestIDIsEchoed() throws {
        let test = try TestService()
        defer { test.stop() }
        let id = "client-01:abc_DEF.9"
        #expect(try test.get("/healthz", headers: [("X-Request-ID", id)]).header("X-Request-ID") == id)
        let long = String(repeating: "a", count: 128)
        #expect(try test.get("/healthz", headers: [("X-Request-ID", long)]).header("X-Request-ID") == long)
        // Problem bodies carry it too.
        let problem = try test.get("/v1/jobs/none", headers: [("X-Request-ID", id)])
        #expect(problem.status == 404)
        #expect(problem.header("X-Request-ID") == id)
        #expect(problem.json["request_id"] as? String == id)
        #expect(problem.json["instance"] as? String == "/v1/jobs/none")
    }

    @Test(arguments: [String(repeating: "x", count: 200), "has spaces in it", "semi;colon", "slash/no", "é"])
    func invalidRequestIDIsReplaced(inbound: String) throws {
        let test = try TestService()
        defer { test.stop() }
        let response = try test.get("/v1/jobs/none", headers: [("X-Request-ID", inbound)])
        let echoed = try #require(response.header("X-Request-ID"))
        #expect(echoed != inbound)
        #expect(echoed.count == 32 && echoed.allSatisfy(\.isHexDigit))
        #expect(response.json["request_id"] as? String == echoed)
    }

    @Test func missingRequestIDIsGenerated() throws {
        let test = try TestService()
        defer { test.stop() }
        let first = try #require(try test.get("/healthz").header("X-Request-ID"))
        let second = try #require(try test.get("/healthz").header("X-Request-ID"))
        #expect(first != second)
        #expect(ServiceHandler.requestID(from: nil).count == 32)
        #expect(ServiceHandler.requestID(from: "") != "")
        #expect(ServiceHandler.requestID(from: "ok-id") == "ok-id")
    }

    @Test func bearerTokenProtectsEverythingButProbesAndMetrics() throws {
        let test = try TestService { $0.auth.token = "s3cret-token" }
        defer { test.stop() }
        for (method, path) in [("GET", "/v1/models"), ("GET", "/v1/jobs/abc"), ("POST", "/v1/diagnostics/sgemm"),
                               ("POST", "/v1/models/x/load"), ("GET", "/nowhere")] {
            let response = try test.request(method, path, headers: [("X-Request-ID", "auth-check")],
                                            body: method == "POST" ? "{}" : nil)
            #expect(response.status == 401, "\(method) \(path)")
            #expect(response.header("WWW-Authenticate") == "Bearer realm=\"diffusion\"")
            #expect(response.header("Content-Type") == "application/problem+json")
            #expect(response.json["code"] as? String == "unauthorized")
            #expect(response.json["request_id"] as? String == "auth-check")
        }
        for header in ["Bearer wrong-token", "Bearer s3cret-tokenX", "Basic s3cret-token", "s3cret-token", "Bearer", "bearer  s3cret-token"] {
            #expect(try test.get("/v1/models", headers: [("Authorization", header)]).status == 401, "\(header)")
        }
        #expect(try test.get("/v1/models", headers: [("Authorization", "Bearer s3cret-token")]).status == 200)
        #expect(try test.get("/v1/models", headers: [("Authorization", "bearer s3cret-token")]).status == 200)
        for path in ["/healthz", "/readyz", "/metrics"] {
            #expect(try test.get(path).status == 200, "\(path)")
        }
        // The job routes work with the token.
        let job = try test.sgemm("{\"size\":64,\"iterations\":1}", headers: [("Authorization", "Bearer s3cret-token")])
        #expect(job.status == 200)
    }

    @Test func constantTimeComparison() {
        func equal(_ a: String, _ b: String) -> Bool { ServiceHandler.constantTimeEquals(Array(a.utf8), Array(b.utf8)) }
        #expect(equal("", ""))
        #expect(equal("token", "token"))
        #expect(!equal("token", "tokem"))
        #expect(!equal("token", "token2"))
        #expect(!equal("token2", "token"))
        #expect(!equal("", "a"))
        #expect(!equal("a", ""))
        // A prefix padded with NULs must not compare equal to the longer value.
        #expect(!ServiceHandler.constantTimeEquals([0x61, 0], [0x61]))
        #expect(!ServiceHandler.constantTimeEquals([0x61], [0x61, 0]))
    }

    @Test func unmatchedRoutesAreCountedWithoutTheirPath() throws {
        let test = try TestService()
        defer { test.stop() }
        #expect(try test.get("/secret/path/12345").status == 404)
        #expect(try test.request("DELETE", "/healthz").status == 405)
        let text = try test.get("/metrics").text
        #expect(MetricsText.value(of: "http_server_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"}", in: text) == 1)
        #expect(MetricsText.value(of: "http_server_requests_total{route=\"unmatched\",method=\"DELETE\",status=\"405\"}", in: text) == 1)
        #expect(!text.contains("12345"))
    }
}
