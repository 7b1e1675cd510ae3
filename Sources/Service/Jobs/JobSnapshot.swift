import Foundation

/// The JSON view of a job: id, task, model, state, progress, timestamps, and the
/// result (as the task's JSON) or the error (a problem document).
enum JobSnapshot {
    static func json(_ job: ComputeJob) -> [UInt8] {
        var object: [String: Any] = ["id": job.id, "task": job.task, "state": job.state.rawValue,
                                     "created": iso8601(job.createdAt)]
        if let model = job.model { object["model"] = model }
        if let started = job.startedAt { object["started"] = iso8601(started) }
        if let finished = job.finishedAt { object["finished"] = iso8601(finished) }
        if let progress = job.progress {
            object["progress"] = ["step": progress.step, "total": progress.total, "stage": progress.stage]
        }
        switch job.outcome {
        case .success(let body, _)?:
            object["result"] = (try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])) ?? NSNull()
        case .failure(let problem)?:
            if let data = try? JSONEncoder().encode(problem) {
                object["error"] = try? JSONSerialization.jsonObject(with: data)
            }
        case nil:
            break
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Array(data)
    }

    private static func iso8601(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
