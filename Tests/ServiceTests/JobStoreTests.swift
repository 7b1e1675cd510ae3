import Foundation
import Testing
@testable import Service

@Suite("JobStore: lookup, TTL expiry, bounded growth")
struct JobStoreTests {
    static func finishedJob() -> ComputeJob {
        let job = ComputeJob(id: JobStore.makeID(), task: "t", model: nil, timeoutMilliseconds: 1000, threadCount: 1) { _ in
            .success(body: [], contentType: "application/json")
        }
        job.run()
        return job
    }

    @Test func foundUnknownAndExpired() throws {
        let store = JobStore(resultTTL: 60)
        let job = Self.finishedJob()
        store.insert(job)
        guard case .found(let found) = store.lookup(job.id) else { Issue.record("not found"); return }
        #expect(found === job)
        guard case .unknown = store.lookup("nope") else { Issue.record("unknown id found"); return }
        store.sweep(now: Date().addingTimeInterval(61))
        guard case .expired = store.lookup(job.id) else { Issue.record("expired job not reported expired"); return }
        #expect(store.count == 0)
    }

    @Test func unfinishedJobsNeverExpire() {
        let store = JobStore(resultTTL: 0)
        let queued = ComputeJob(id: "q", task: "t", model: nil, timeoutMilliseconds: 1000, threadCount: 1) { _ in
            .success(body: [], contentType: "application/json")
        }
        store.insert(queued)
        store.sweep(now: Date().addingTimeInterval(3600))
        #expect(store.unfinishedCount == 1)
        guard case .found = store.lookup("q") else { Issue.record("queued job swept"); return }
        queued.interrupt(.cancelled)
        #expect(store.unfinishedCount == 0)
    }

    /// Synchronous requests insert jobs nobody looks up: inserting must still expire old ones.
    @Test func insertingSweepsExpiredResults() throws {
        let store = JobStore(resultTTL: 0)
        for _ in 0..<5 { store.insert(Self.finishedJob()) }
        Thread.sleep(forTimeInterval: 1.05)
        store.insert(Self.finishedJob())
        #expect(store.count <= 1)
    }

    @Test func tombstonesAreCapped() {
        let store = JobStore(resultTTL: 0, maxTombstones: 10)
        for _ in 0..<25 { store.insert(Self.finishedJob()) }
        store.sweep()
        #expect(store.count == 0)
        #expect(store.expiredCount <= 10)
    }

    @Test func idsAreRandom128BitHex() {
        let ids = (0..<100).map { _ in JobStore.makeID() }
        #expect(Set(ids).count == 100)
        #expect(ids.allSatisfy { $0.count == 32 && $0.allSatisfy(\.isHexDigit) })
    }
}
