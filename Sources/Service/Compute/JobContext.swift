import Foundation
import Synchronization

/// What a running pipeline sees of its job: the one small protocol every task uses to
/// report progress and to stop early.
///
/// Pipelines call `checkpoint(step:total:stage:)` between denoising steps (and between
/// stages); it records progress and throws `JobInterruption` when the job was cancelled
/// or its deadline passed, so no pipeline needs its own cancellation logic.
public protocol JobContext: Sendable {
    /// Threads this job may use for BLAS and parallel loops.
    var threadCount: Int { get }
    func checkpoint(step: Int, total: Int, stage: String) throws(JobInterruption)
}

/// Progress of a job as reported to clients (`GET /v1/jobs/{id}`, SSE `progress` events).
public struct JobProgress: Sendable, Equatable, Codable {
    public var step: Int
    public var total: Int
    public var stage: String

    public init(step: Int, total: Int, stage: String) {
        self.step = step
        self.total = total
        self.stage = stage
    }
}
