import Foundation

/// A value guarded by a lock, for mutable state inside `Sendable` classes.
///
/// `Synchronization.Mutex` would do the same but needs macOS 15; the package still declares
/// macOS 14, so this uses `NSLock`. Every access goes through `withLock`, which is what makes the
/// `@unchecked Sendable` sound.
final class LockedState<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    @discardableResult
    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
