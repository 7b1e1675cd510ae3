import Foundation
import Synchronization

/// Every job the service knows by id: queued, running, and finished ones until their
/// result TTL passes (then `lookup` reports `.expired`, answered 410).
public final class JobStore: Sendable {
    public enum Lookup {
        case found(ComputeJob)
        case expired
        case unknown
    }

    private struct State {
        var jobs: [String: ComputeJob] = [:]
        /// Ids whose results expired, remembered so they answer 410 instead of 404.
        var expired: [String: Date] = [:]
        var lastSweep = Date.distantPast
    }

    public let resultTTL: Double
    private let state = Mutex(State())
    private static let tombstoneLifetime: Double = 86_400
    private let maxTombstones: Int

    public init(resultTTL: Double, maxTombstones: Int = 100_000) {
        self.resultTTL = resultTTL
        self.maxTombstones = maxTombstones
    }

    /// Adds `job`, first dropping expired results: a service that only answers
    /// synchronous requests never looks jobs up, so sweeping here is what keeps the
    /// store from growing without bound.
    public func insert(_ job: ComputeJob) {
        let now = Date()
        let due = state.withLock { state -> Bool in
            guard now.timeIntervalSince(state.lastSweep) >= 1 else { return false }
            state.lastSweep = now
            return true
        }
        if due { sweep(now: now) }
        state.withLock { $0.jobs[job.id] = job }
    }

    public func lookup(_ id: String) -> Lookup {
        sweep()
        return state.withLock { state in
            if let job = state.jobs[id] { return .found(job) }
            return state.expired[id] == nil ? .unknown : .expired
        }
    }

    /// Jobs not yet finished (for shutdown accounting and tests).
    public var unfinishedCount: Int {
        state.withLock { $0.jobs.values.filter { !$0.state.isTerminal }.count }
    }

    public var count: Int { state.withLock { $0.jobs.count } }

    /// Remembered ids of expired results (answered 410).
    var expiredCount: Int { state.withLock { $0.expired.count } }

    /// Drops finished jobs older than the TTL.
    public func sweep(now: Date = Date()) {
        state.withLock { state in
            for (id, job) in state.jobs {
                guard let finished = job.finishedAt, now.timeIntervalSince(finished) >= resultTTL else { continue }
                state.jobs[id] = nil
                state.expired[id] = now
            }
            if state.expired.count > maxTombstones {
                state.expired = state.expired.filter { now.timeIntervalSince($0.value) < Self.tombstoneLifetime }
            }
            if state.expired.count > maxTombstones {
                // All young: keep the newest, so the cap holds whatever the request rate.
                let newest = state.expired.sorted { $0.value > $1.value }.prefix(maxTombstones / 2)
                state.expired = Dictionary(uniqueKeysWithValues: newest.map { ($0.key, $0.value) })
            }
        }
    }

    /// A new random 128-bit job id in hex.
    public static func makeID() -> String {
        var generator = SystemRandomNumberGenerator()
        return hexadecimal(generator.next()) + hexadecimal(generator.next())
    }

    /// 16 lowercase hex digits, zero-padded (`String(format:)` is slow on a per-request path).
    private static func hexadecimal(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
