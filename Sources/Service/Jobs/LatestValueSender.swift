import Foundation
import Synchronization

/// Sends the newest of a stream of values, at most one unflushed at a time: values
/// offered while one is being written replace each other, and the latest is sent when
/// the write completes. `close(then:)` drops whatever is pending and runs a last action.
/// Every send happens under the lock, so nothing can be written after the last action.
final class LatestValueSender<Value: Sendable>: Sendable {
    private struct State {
        var writing = false
        var pending: Value?
        var closed = false
    }

    private let state = Mutex(State())
    private let send: @Sendable (Value, _ onFlushed: @escaping @Sendable (Bool) -> Void) -> Void

    init(send: @escaping @Sendable (Value, _ onFlushed: @escaping @Sendable (Bool) -> Void) -> Void) {
        self.send = send
    }

    func offer(_ value: Value) {
        state.withLock { state in
            guard !state.closed else { return }
            if state.writing {
                state.pending = value
            } else {
                state.writing = true
                send(value, flushed)
            }
        }
    }

    func close(then lastAction: () -> Void) {
        state.withLock { state in
            state.closed = true
            state.pending = nil
            lastAction()
        }
    }

    /// Called when a write completes (possibly synchronously, from inside `send`).
    private var flushed: @Sendable (Bool) -> Void {
        { [self] _ in
            // A completion may arrive on the thread that holds the lock (when the stream
            // is already gone); hop off so the lock is never taken twice.
            DispatchQueue.global().async { [self] in
                state.withLock { state in
                    guard !state.closed, let pending = state.pending else {
                        state.writing = false
                        return
                    }
                    state.pending = nil
                    send(pending, flushed)
                }
            }
        }
    }
}
