import Foundation
import HTTP

/// `GET /v1/jobs/{id}` (state, progress, result), `DELETE /v1/jobs/{id}` (cancel:
/// 200, 404, 409 when already finished, 410 when expired) and
/// `GET /v1/jobs/{id}/events` (Server-Sent Events: `queued`/`started`, `progress`,
/// then `completed`, `failed` or `cancelled`).
struct JobRoutes {
    let service: DiffusionService

    func register(in router: inout Router) {
        service.route(.get, "/v1/jobs/{id}", in: &router) { context in
            guard let job = find(context) else { return }
            context.send(HTTPResponse(status: .ok, headers: ["Content-Type": "application/json"], body: JobSnapshot.json(job)))
        }
        service.route(.delete, "/v1/jobs/{id}", in: &router) { context in
            guard let job = find(context) else { return }
            guard job.interrupt(.cancelled) else {
                return context.fail(ProblemDetails(status: .conflict, detail: "job \(job.id) already \(job.state.rawValue)",
                                                   code: "job_finished", field: "id"))
            }
            context.logger.info("job cancel requested", metadata: ["job_id": "\(job.id)"])
            context.send(HTTPResponse(status: .ok, headers: ["Content-Type": "application/json"], body: JobSnapshot.json(job)))
        }
        service.route(.get, "/v1/jobs/{id}/events", in: &router) { context in
            guard let job = find(context) else { return }
            JobEventStream.stream(job, to: context)
        }
    }

    private func find(_ context: RequestContext) -> ComputeJob? {
        let id = context.request.pathParameters["id"] ?? ""
        switch service.jobs.lookup(id) {
        case .found(let job): return job
        case .expired:
            context.fail(ProblemDetails(status: .gone, detail: "job \(id) finished and its result expired", code: "job_expired", field: "id"))
        case .unknown:
            context.fail(ProblemDetails(status: .notFound, detail: "no job with id \(id)", code: "unknown_job", field: "id"))
        }
        return nil
    }
}
