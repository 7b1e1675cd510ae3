/// Why a job stopped before finishing: thrown from `JobContext.checkpoint`.
public enum JobInterruption: Error, Equatable, Sendable {
    /// The client cancelled (DELETE, or disconnected from a synchronous request).
    case cancelled
    /// The job's deadline passed.
    case deadlineExceeded
    /// The server is shutting down and the job was still queued.
    case shuttingDown
}
