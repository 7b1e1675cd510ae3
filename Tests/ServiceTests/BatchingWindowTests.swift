import Foundation
import Synchronization
import Testing
@testable import Service

/// `BatchingWindow`: inputs arriving within the window share one computation; each ticket's
/// result is returned once; discarded tickets leave nothing behind.
@Suite struct BatchingWindowTests {
    /// Records each batch it was asked to compute and answers `input * 10`.
    final class Recorder: Sendable {
        let batches = Mutex<[[Int]]>([])

        func compute(_ inputs: [Int]) -> [Int] {
            batches.withLock { $0.append(inputs) }
            return inputs.map { $0 * 10 }
        }
    }

    @Test func inputsInOneWindowShareOneCall() throws {
        let recorder = Recorder()
        let window = BatchingWindow<Int, Int>(windowMilliseconds: 50, maxBatch: 8) { recorder.compute($0) }
        let tickets = (1...3).map { window.enqueue($0) }
        #expect(try window.result(for: tickets[1]) == 20)
        // One call computed all three, the asking ticket first.
        #expect(recorder.batches.withLock { $0 } == [[2, 1, 3]])
        #expect(try window.result(for: tickets[0]) == 10)
        #expect(try window.result(for: tickets[2]) == 30)
        #expect(recorder.batches.withLock { $0.count } == 1)
        #expect(window.heldCount == 0)
    }

    @Test func theFirstCallWaitsForTheWindow() throws {
        let window = BatchingWindow<Int, Int>(windowMilliseconds: 120, maxBatch: 8) { $0 }
        let ticket = window.enqueue(7)
        let started = DispatchTime.now().uptimeNanoseconds
        #expect(try window.result(for: ticket) == 7)
        let waited = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
        #expect(waited >= 110, "waited \(waited) ms of a 120 ms window")
    }

    @Test func batchesAreCappedAtMaxBatch() throws {
        let recorder = Recorder()
        let window = BatchingWindow<Int, Int>(windowMilliseconds: 1, maxBatch: 2) { recorder.compute($0) }
        let tickets = (1...5).map { window.enqueue($0) }
        for (index, ticket) in tickets.enumerated() { #expect(try window.result(for: ticket) == (index + 1) * 10) }
        #expect(recorder.batches.withLock { $0 } == [[1, 2], [3, 4], [5]])
    }

    @Test func aZeroWindowComputesEachInputAlone() throws {
        let recorder = Recorder()
        let window = BatchingWindow<Int, Int>(windowMilliseconds: 0, maxBatch: 8) { recorder.compute($0) }
        let tickets = (1...3).map { window.enqueue($0) }
        for ticket in tickets.reversed() { _ = try window.result(for: ticket) }
        #expect(recorder.batches.withLock { $0 } == [[3], [2], [1]])
    }

    @Test func discardedTicketsAreNotComputedOrKept() throws {
        let recorder = Recorder()
        let window = BatchingWindow<Int, Int>(windowMilliseconds: 1, maxBatch: 8) { recorder.compute($0) }
        let kept = window.enqueue(1)
        let dropped = window.enqueue(2)
        window.discard(dropped)
        #expect(try window.result(for: kept) == 10)
        #expect(recorder.batches.withLock { $0 } == [[1]])
        // A ticket computed for someone else and then discarded is released too.
        let first = window.enqueue(3)
        let second = window.enqueue(4)
        #expect(try window.result(for: first) == 30)
        #expect(window.heldCount == 1)
        window.discard(second)
        #expect(window.heldCount == 0)
        #expect(throws: BatchingWindowError.unknownTicket) { try window.result(for: second) }
    }

    @Test func aFailedCallFailsEveryTicketInIt() throws {
        struct Boom: Error {}
        let window = BatchingWindow<Int, Int>(windowMilliseconds: 1, maxBatch: 8) { _ in throw Boom() }
        let tickets = (1...2).map { window.enqueue($0) }
        #expect(throws: Boom.self) { try window.result(for: tickets[0]) }
        #expect(throws: Boom.self) { try window.result(for: tickets[1]) }
        #expect(window.heldCount == 0)
    }

    @Test func aCancelledWaiterStopsWaiting() throws {
        struct Cancelled: Error {}
        let window = BatchingWindow<Int, Int>(windowMilliseconds: 10_000, maxBatch: 8) { $0 }
        let ticket = window.enqueue(1)
        let started = DispatchTime.now().uptimeNanoseconds
        #expect(throws: Cancelled.self) { try window.result(for: ticket) { throw Cancelled() } }
        #expect(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 < 1)
        window.discard(ticket)
        #expect(window.heldCount == 0)
    }

    /// Concurrent askers: every result is right and no input is computed twice.
    @Test func concurrentAskersGetTheirOwnResults() throws {
        let recorder = Recorder()
        let window = BatchingWindow<Int, Int>(windowMilliseconds: 5, maxBatch: 4) { recorder.compute($0) }
        let tickets = (0..<32).map { window.enqueue($0) }
        let results = Mutex([Int](repeating: -1, count: 32))
        DispatchQueue.concurrentPerform(iterations: 32) { index in
            let value = (try? window.result(for: tickets[index])) ?? -2
            results.withLock { $0[index] = value }
        }
        #expect(results.withLock { $0 } == (0..<32).map { $0 * 10 })
        let computed = recorder.batches.withLock { $0.flatMap { $0 } }
        #expect(computed.sorted() == Array(0..<32))
        #expect(recorder.batches.withLock { $0.allSatisfy { $0.count <= 4 } })
        #expect(window.heldCount == 0)
    }
}
