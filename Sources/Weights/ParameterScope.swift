/// A position in a `ParameterStore`'s key tree, like candle's `VarBuilder::pp`.
///
/// A model's initialiser receives the scope of its own prefix, hands `scoped("child")` to each
/// child, and asks for its own tensors by their last components, so the type tree and the
/// PyTorch state-dict keys cannot drift apart:
///
/// ```swift
/// let resnet = store.scoped("down_blocks").scoped(0).scoped("resnets").scoped(1)
/// let weight = try resnet.parameter("conv1.weight", shape: [64, 32, 3, 3])
/// // requests "down_blocks.0.resnets.1.conv1.weight"
/// ```
///
/// Scopes are cheap values and can be passed to concurrent loading tasks.
public struct ParameterScope: Sendable {
    /// The dotted prefix of this scope ("" at the root).
    public let prefix: String
    let store: ParameterStore

    init(prefix: String, store: ParameterStore) {
        self.prefix = prefix
        self.store = store
    }

    /// The scope one level down, e.g. `scoped("conv_in")`.
    public func scoped(_ component: String) -> ParameterScope {
        ParameterScope(prefix: key(component), store: store)
    }

    /// The scope of a numbered child, e.g. `scoped(0)` for `down_blocks.0`.
    public func scoped(_ index: Int) -> ParameterScope {
        scoped(String(index))
    }

    /// The full key of `name` under this scope.
    public func key(_ name: String) -> String {
        prefix.isEmpty ? name : "\(prefix).\(name)"
    }

    /// Requests the tensor `name` under this scope with the shape the model expects.
    ///
    /// The key is recorded as used. A missing key, another stored shape, or a dtype that does
    /// not widen to `Float` is recorded for `ParameterStore.finishLoading` and answered with a
    /// zero placeholder of `shape` (or thrown at once when the store fails fast).
    public func parameter(_ name: String, shape: [Int]) throws(WeightsError) -> Parameter {
        try store.request(key(name), shape: shape, required: true) ?? placeholder(name, shape: shape)
    }

    /// Like `parameter(_:shape:)`, but an absent key is not a problem: it returns nil (for
    /// layers whose bias or projection is optional in the checkpoint).
    public func optionalParameter(_ name: String, shape: [Int]) throws(WeightsError) -> Parameter? {
        try store.request(key(name), shape: shape, required: false)
    }

    /// Requests an integer tensor (BOOL, U8, I8, I16, U16, I32, U32, I64), e.g. stored token or
    /// position ids, with the same recording and problem handling as `parameter(_:shape:)`
    /// (zeros of `shape` stand in for a missing or mismatched tensor).
    public func integers(_ name: String, shape: [Int]) throws(WeightsError) -> [Int] {
        try store.requestIntegers(key(name), shape: shape)
    }

    /// Whether the store holds the tensor `name` under this scope (not recorded as a request).
    public func contains(_ name: String) -> Bool {
        store.tensor(forKey: key(name)) != nil
    }

    /// Whether the store holds any tensor under this scope (for config-dependent children).
    public var containsAnyParameter: Bool {
        store.containsAnyKey(withPrefix: prefix.isEmpty ? "" : prefix + ".")
    }

    /// The stored shape of `name` under this scope, without recording a request (to cross-check
    /// a configuration against the weights).
    public func storedShape(of name: String) -> [Int]? {
        store.tensor(forKey: key(name))?.shape
    }

    private func placeholder(_ name: String, shape: [Int]) -> Parameter {
        Parameter(key: key(name), shape: shape, storage: .placeholder)
    }
}
