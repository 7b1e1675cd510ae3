import Foundation
import Testing
@testable import Service

/// `LatestValueSender`: progress coalescing for slow SSE clients.
@Suite struct LatestValueSenderTests {
    final class Recorder: @unchecked Sendable {
        // Touched only under `lock`.
        private let lock = NSLock()
        private var sent: [Int] = []
        private var completions: [@Sendable (Bool) -> Void] = []

        func record(_ value: Int, _ completion: @escaping @Sendable (Bool) -> Void) {
            lock.lock(); defer { lock.unlock() }
            sent.append(value)
            completions.append(completion)
        }

        var values: [Int] { lock.lock(); defer { lock.unlock() }; return sent }

        func completeOldest() {
            lock.lock()
            let completion = completions.removeFirst()
            lock.unlock()
            completion(true)
        }
    }

    static func waitFor(_ condition: () -> Bool) -> Bool {
        for _ in 0..<500 where !condition() { Thread.sleep(forTimeInterval: 0.01) }
        return condition()
    }

    @Test func valuesOfferedDuringAWriteCollapseToTheNewest() {
        let recorder = Recorder()
        let sender = LatestValueSender<Int> { value, flushed in recorder.record(value, flushed) }
        sender.offer(1)
        sender.offer(2)
        sender.offer(3)
        #expect(recorder.values == [1])
        recorder.completeOldest()
        #expect(Self.waitFor { recorder.values == [1, 3] })
        recorder.completeOldest()
        sender.offer(4)
        #expect(Self.waitFor { recorder.values == [1, 3, 4] })
    }

    @Test func closeDropsThePendingValueAndRunsTheLastActionOnce() {
        let recorder = Recorder()
        let sender = LatestValueSender<Int> { value, flushed in recorder.record(value, flushed) }
        sender.offer(1)
        sender.offer(2)
        var lastActions = 0
        sender.close { lastActions += 1 }
        recorder.completeOldest()
        sender.offer(5)
        Thread.sleep(forTimeInterval: 0.05)
        #expect(recorder.values == [1])
        #expect(lastActions == 1)
    }
}
