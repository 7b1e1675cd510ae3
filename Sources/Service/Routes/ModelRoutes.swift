import Foundation
import HTTP

/// `GET /v1/models`, `GET /v1/models/{name}`, and the admin-only
/// `POST /v1/models/{name}/load` and `/unload`.
struct ModelRoutes {
    let service: DiffusionService

    func register(in router: inout Router) {
        router.get("/v1/models") { [service] _, responder in
            responder.send(.json(ModelList(data: service.registry.statuses)))
        }
        service.route(.get, "/v1/models/{name}", in: &router) { context in
            let name = context.request.pathParameters["name"] ?? ""
            guard let status = service.registry.status(of: name) else {
                return context.fail(ProblemDetails(for: .unknownModel(name)))
            }
            context.send(.json(status))
        }
        service.route(.post, "/v1/models/{name}/load", in: &router) { context in
            guard service.requireAdmin(context) else { return }
            let name = context.request.pathParameters["name"] ?? ""
            DispatchQueue.global(qos: .utility).async {
                do throws(ModelRegistry.AccessError) {
                    try service.registry.load(name)
                    context.logger.notice("model loaded", metadata: ["model": "\(name)"])
                    context.send(.json(service.registry.status(of: name)))
                } catch {
                    context.fail(ProblemDetails(for: error))
                }
            }
        }
        service.route(.post, "/v1/models/{name}/unload", in: &router) { context in
            guard service.requireAdmin(context) else { return }
            let name = context.request.pathParameters["name"] ?? ""
            do throws(ModelRegistry.AccessError) {
                try service.registry.unload(name)
                context.logger.notice("model unloaded", metadata: ["model": "\(name)"])
                context.send(.json(service.registry.status(of: name)))
            } catch {
                context.fail(ProblemDetails(for: error))
            }
        }
    }

    struct ModelList: Encodable {
        var object = "list"
        var data: [ModelStatus]
    }
}
