import Foundation
import HTTP

/// `POST /v1/diagnostics/sgemm`: runs `MatrixMultiplyWorkload` as a job (sync or async).
/// Requires the admin token when one is configured, like every non-probe route.
struct DiagnosticsRoutes {
    let service: DiffusionService

    struct Request: Decodable {
        var size: Int?
        var iterations: Int?
    }

    func register(in router: inout Router) {
        service.route(.post, "/v1/diagnostics/sgemm", in: &router) { context in
            let body: Request
            let options: JobSubmitter.Options
            do throws(RequestBodyError) {
                body = try context.request.decodeJSON(Request.self, allowEmpty: true)
                options = try context.request.decodeJSON(JobSubmitter.Options.self, allowEmpty: true)
                try FieldCheck.require(body.size ?? 256, in: 1...4096, field: "size")
                try FieldCheck.require(body.iterations ?? 10, in: 1...100_000, field: "iterations")
            } catch {
                return context.fail(ProblemDetails(for: error))
            }
            let workload = MatrixMultiplyWorkload(size: body.size ?? 256, iterations: body.iterations ?? 10)
            service.submitter.submit(context, task: "diagnostics.sgemm", model: nil, options: options) { job in
                let result = try workload.run(context: job)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                return .success(body: Array(try encoder.encode(result)), contentType: "application/json")
            }
        }
    }
}
