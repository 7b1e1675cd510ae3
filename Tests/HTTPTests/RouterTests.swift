import Foundation
import Testing
@testable import HTTP

/// Route matching (no sockets needed: `Router.match` is pure). Answers over the wire
/// (404/405/501 problem documents, OPTIONS, HEAD) are in `RawRequestTable.methods`.
@Suite struct RouterTests {
    private var router: Router {
        var router = Router()
        router.get("/v1/jobs/{id}") { _, _ in }
        router.delete("/v1/jobs/{id}") { _, _ in }
        router.post("/v1/jobs") { _, _ in }
        router.get("/v1/jobs/{id}/events") { _, _ in }
        router.get("/v1/jobs/latest") { _, _ in }
        return router
    }

    @Test func bindsParameters() {
        guard case .found(let route, let parameters) = router.match(method: .get, segments: ["v1", "jobs", "42"]) else {
            Issue.record("no match"); return
        }
        #expect(route.pattern == "/v1/jobs/{id}")
        #expect(parameters == ["id": "42"])
    }

    @Test func literalRouteBeatsParameterRouteInEitherOrder() {
        guard case .found(let route, let parameters) = router.match(method: .get, segments: ["v1", "jobs", "latest"]) else {
            Issue.record("no match"); return
        }
        #expect(route.pattern == "/v1/jobs/latest")
        #expect(parameters.isEmpty)
        var reversed = Router()
        reversed.get("/v1/jobs/latest") { _, _ in }
        reversed.get("/v1/jobs/{id}") { _, _ in }
        guard case .found(let first, _) = reversed.match(method: .get, segments: ["v1", "jobs", "latest"]) else {
            Issue.record("no match"); return
        }
        #expect(first.pattern == "/v1/jobs/latest")
        guard case .found(let other, let bound) = reversed.match(method: .get, segments: ["v1", "jobs", "3"]) else {
            Issue.record("no match"); return
        }
        #expect(other.pattern == "/v1/jobs/{id}")
        #expect(bound == ["id": "3"])
    }

    @Test func equallySpecificRoutesFirstRegisteredWins() {
        var router = Router()
        router.get("/a/{x}") { _, _ in }
        router.get("/a/{y}") { _, _ in }
        guard case .found(_, let parameters) = router.match(method: .get, segments: ["a", "1"]) else {
            Issue.record("no match"); return
        }
        #expect(parameters == ["x": "1"])
    }

    @Test func deeperPatternNeedsAllSegments() {
        guard case .found(let route, let parameters) = router.match(method: .get, segments: ["v1", "jobs", "7", "events"]) else {
            Issue.record("no match"); return
        }
        #expect(route.pattern == "/v1/jobs/{id}/events")
        #expect(parameters["id"] == "7")
    }

    @Test func emptySegmentNeverBindsAParameter() {
        guard case .notFound = router.match(method: .get, segments: ["v1", "jobs", ""]) else {
            Issue.record("empty parameter matched"); return
        }
    }

    @Test func unknownPathIsNotFound() {
        guard case .notFound = router.match(method: .get, segments: ["v2"]) else { Issue.record("matched"); return }
        guard case .notFound = router.match(method: .get, segments: []) else { Issue.record("matched"); return }
    }

    @Test func wrongMethodListsAllowedMethodsInStableOrder() {
        guard case .methodNotAllowed(let allowed) = router.match(method: .put, segments: ["v1", "jobs", "9"]) else {
            Issue.record("expected 405"); return
        }
        #expect(allowed == [.get, .head, .delete, .options])
        guard case .methodNotAllowed(let postOnly) = router.match(method: .get, segments: ["v1", "jobs"]) else {
            Issue.record("expected 405"); return
        }
        #expect(postOnly == [.post, .options])
    }

    @Test func headFallsBackToGet() {
        guard case .found(let route, _) = router.match(method: .head, segments: ["v1", "jobs", "1"]) else {
            Issue.record("HEAD did not fall back to GET"); return
        }
        #expect(route.method == .get)
    }

    @Test func explicitHeadRouteWinsOverGet() {
        var router = Router()
        router.get("/x") { _, _ in }
        router.add(.head, "/x") { _, _ in }
        guard case .found(let route, _) = router.match(method: .head, segments: ["x"]) else { Issue.record("no match"); return }
        #expect(route.method == .head)
        // Even when the GET route is the more specific one.
        var parameterHead = Router()
        parameterHead.get("/x/y") { _, _ in }
        parameterHead.add(.head, "/x/{p}") { _, _ in }
        guard case .found(let head, _) = parameterHead.match(method: .head, segments: ["x", "y"]) else { Issue.record("no match"); return }
        #expect(head.method == .head)
    }

    @Test func routesAreListed() {
        #expect(router.routes.map(\.pattern) == ["/v1/jobs/{id}", "/v1/jobs/{id}", "/v1/jobs", "/v1/jobs/{id}/events", "/v1/jobs/latest"])
    }
}
