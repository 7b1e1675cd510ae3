import Foundation

/// Dynamic batching: requests that arrive within a short window share one call of an
/// expensive batched computation (a detector's backbone, say).
///
/// Each request `enqueue`s its input when it is accepted, before its job waits in the
/// compute pool. When the first of them runs, `result(for:)` waits until that ticket's
/// window has passed, then takes every pending input (oldest first, at most `maxBatch`)
/// and computes them in one call; the others find their result ready when their own jobs
/// run. A job that ends without asking (cancelled, failed validation) must `discard` its
/// ticket so nothing it computed outlives it. With a window of 0 every input is computed
/// alone, when its job asks.
///
/// Thread-safe; the computation runs on the calling worker's thread, outside the lock.
final class BatchingWindow<Input: Sendable, Output: Sendable>: @unchecked Sendable {
    /// One enqueued input.
    struct Ticket: Hashable, Sendable {
        fileprivate let id: Int
    }

    /// The batched computation: one output per input, in order.
    typealias Computation = @Sendable ([Input]) throws -> [Output]

    private enum Slot {
        case pending(Input, arrival: DispatchTime)
        case computing
        case done(Result<Output, any Error>)
    }

    private let window: DispatchTimeInterval
    private let windowIsZero: Bool
    private let maxBatch: Int
    private let compute: Computation
    /// Guards the state below; broadcast when a batch finishes.
    private let condition = NSCondition()
    private var slots: [Int: Slot] = [:]
    private var order: [Int] = []
    /// Tickets discarded while their batch was running: dropped when it ends.
    private var unwanted: Set<Int> = []
    private var nextID = 0

    /// - Parameters:
    ///   - windowMilliseconds: how long the first input of a batch waits for others.
    ///   - maxBatch: the most inputs per call (≥ 1).
    init(windowMilliseconds: Int, maxBatch: Int, compute: @escaping Computation) {
        window = .milliseconds(max(0, windowMilliseconds))
        windowIsZero = windowMilliseconds <= 0
        self.maxBatch = max(1, maxBatch)
        self.compute = compute
    }

    /// Registers `input` for the next batch.
    func enqueue(_ input: Input) -> Ticket {
        condition.lock()
        defer { condition.unlock() }
        let id = nextID
        nextID += 1
        slots[id] = .pending(input, arrival: .now())
        order.append(id)
        return Ticket(id: id)
    }

    /// Inputs waiting for a batch (for metrics and tests).
    var pendingCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return order.count
    }

    /// Tickets registered and not yet collected or discarded.
    var heldCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return slots.count
    }

    /// Forgets `ticket` (its job ended without collecting, or collected already).
    func discard(_ ticket: Ticket) {
        condition.lock()
        defer { condition.unlock() }
        if case .computing = slots[ticket.id] {
            // The running batch stores its result when it ends; mark it unwanted instead.
            unwanted.insert(ticket.id)
        } else {
            slots[ticket.id] = nil
        }
        order.removeAll { $0 == ticket.id }
    }

    /// The output for `ticket`: computed in a batch by this call or an earlier one.
    ///
    /// `checkpoint` runs while waiting, so a cancelled job stops waiting; it throws to abort.
    /// The ticket is consumed: each ticket's result is returned once.
    func result(for ticket: Ticket, checkpoint: () throws -> Void = {}) throws -> Output {
        try waitForWindow(of: ticket, checkpoint: checkpoint)
        condition.lock()
        while true {
            switch slots[ticket.id] {
            case .done(let result)?:
                slots[ticket.id] = nil
                condition.unlock()
                return try result.get()
            case .computing?:
                // Another worker is computing a batch that includes this ticket.
                _ = condition.wait(until: Date(timeIntervalSinceNow: 0.05))
                condition.unlock()
                try checkpoint()
                condition.lock()
            case .pending?:
                let batch = takeBatch(startingWith: ticket.id)
                condition.unlock()
                run(batch)
                condition.lock()
            case nil:
                condition.unlock()
                throw BatchingWindowError.unknownTicket
            }
        }
    }

    /// Sleeps until `ticket` has waited a full window since it arrived (or it was computed).
    private func waitForWindow(of ticket: Ticket, checkpoint: () throws -> Void) throws {
        guard !windowIsZero else { return }
        condition.lock()
        guard case .pending(_, let arrival)? = slots[ticket.id] else {
            condition.unlock()
            return
        }
        condition.unlock()
        let end = arrival + window
        while DispatchTime.now() < end {
            try checkpoint()
            let remaining = Double(end.uptimeNanoseconds &- DispatchTime.now().uptimeNanoseconds) / 1e9
            Thread.sleep(forTimeInterval: min(max(remaining, 0), 0.01))
        }
    }

    /// Marks `first` and up to `maxBatch - 1` other pending inputs as computing. Locked.
    private func takeBatch(startingWith first: Int) -> [(Int, Input)] {
        var batch: [(Int, Input)] = []
        var ids = [first]
        if !windowIsZero { ids += order.filter { $0 != first } }
        for id in ids where batch.count < maxBatch {
            guard case .pending(let input, _)? = slots[id] else { continue }
            batch.append((id, input))
            slots[id] = .computing
        }
        let taken = Set(batch.map(\.0))
        order.removeAll { taken.contains($0) }
        return batch
    }

    /// Computes `batch` and stores each result (the same error for all if the call failed).
    private func run(_ batch: [(Int, Input)]) {
        let results: [Result<Output, any Error>]
        do {
            let outputs = try compute(batch.map(\.1))
            if outputs.count == batch.count {
                results = outputs.map { .success($0) }
            } else {
                results = Array(repeating: .failure(BatchingWindowError.wrongOutputCount(expected: batch.count, got: outputs.count)),
                                count: batch.count)
            }
        } catch {
            results = Array(repeating: .failure(error), count: batch.count)
        }
        condition.lock()
        for ((id, _), result) in zip(batch, results) {
            if unwanted.remove(id) != nil {
                slots[id] = nil
            } else {
                slots[id] = .done(result)
            }
        }
        condition.broadcast()
        condition.unlock()
    }
}

/// Misuse of a `BatchingWindow` (a programming error surfaced as a 500, never a crash).
enum BatchingWindowError: Error, Equatable {
    case unknownTicket
    case wrongOutputCount(expected: Int, got: Int)
}
