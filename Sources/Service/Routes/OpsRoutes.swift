import Foundation
import HTTP

/// `GET /healthz`, `GET /readyz` and `GET /metrics`.
///
/// Health is answered inline on the connection's I/O queue, so it never waits behind
/// inference. Readiness is 200 only when every eager model is ready and the service is
/// not draining; otherwise 503 with a body saying what blocks it.
struct OpsRoutes {
    let service: DiffusionService

    func register(in router: inout Router) {
        router.get("/healthz") { _, responder in
            responder.send(.json(["status": "ok"]))
        }
        router.get("/readyz") { [service] _, responder in
            let blocking = service.registry.blockingModels
            if service.isDraining {
                return responder.send(.json(Readiness(status: "draining", models: []), status: .serviceUnavailable))
            }
            if !blocking.isEmpty {
                let models = blocking.map { ModelBlock(name: $0.name, state: $0.state.rawValue, reason: $0.failureReason) }
                return responder.send(.json(Readiness(status: "models_not_ready", models: models), status: .serviceUnavailable))
            }
            responder.send(.json(Readiness(status: "ok", models: [])))
        }
        router.get("/metrics") { [service] _, responder in
            responder.send(.text(service.renderMetrics(), contentType: "text/plain; version=0.0.4; charset=utf-8"))
        }
    }

    struct Readiness: Encodable {
        var status: String
        var models: [ModelBlock]
    }

    struct ModelBlock: Encodable {
        var name: String
        var state: String
        var reason: String?
    }
}
