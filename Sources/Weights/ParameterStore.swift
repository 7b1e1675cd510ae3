import Foundation

/// The tensors of one or more safetensors files, addressed by PyTorch state-dict keys, with a
/// record of which keys a model asked for.
///
/// Loading a model is constructing it from the store: the model's initialiser walks its own type
/// tree with `scoped(_:)` (candle's `vb.pp`) and requests each tensor with the shape it expects.
/// Afterwards one call, `finishLoading(ignoring:)`, throws a single `WeightsError.loadFailed`
/// listing every missing key, every unexpected (never requested) key, every shape mismatch and
/// every unusable dtype, each with its full dotted key. Allowed extras are declared per model with
/// a `ParameterIgnoreList`; the store itself knows no exceptions.
///
/// ```swift
/// let store = try ParameterStore(contentsOf: [folder.appendingPathComponent("model.safetensors")])
/// let unet = try UNet(store.root, configuration: configuration)
/// try store.finishLoading(ignoring: UNet.allowedExtraKeys)
/// ```
///
/// The store is `Sendable`: the request record is guarded by a lock, so several children can
/// load concurrently from one store.
public final class ParameterStore: Sendable {
    /// What `ParameterScope.parameter` does with a problem.
    public enum ProblemHandling: Sendable {
        /// Record it, return a zero placeholder, report everything in `finishLoading` (default).
        case collect
        /// Throw at once (`tensorNotFound`, or `loadFailed` with the single problem).
        case failFast
    }

    private struct LoadRecord: Sendable {
        var requestedKeys: Set<String> = []
        var missingKeys: Set<String> = []
        var shapeMismatches: [String: ParameterLoadReport.ShapeMismatch] = [:]
        var unsupportedDataTypes: [String: ParameterLoadReport.UnsupportedDataType] = [:]
    }

    /// How F16/BF16 values are held once requested.
    public let precision: WeightsPrecisionPolicy
    public let problemHandling: ProblemHandling
    /// The files, in the order given.
    public let files: [SafetensorsFile]
    private let tensorsByKey: [String: SafetensorsTensor]
    private let record = LockedState(LoadRecord())

    /// A store over already opened files. Throws `duplicateTensorAcrossFiles` when two files hold
    /// the same key (sharded checkpoints must partition their keys).
    public init(files: [SafetensorsFile], precision: WeightsPrecisionPolicy = .keepStored,
                problemHandling: ProblemHandling = .collect) throws(WeightsError) {
        var tensorsByKey: [String: SafetensorsTensor] = [:]
        for file in files {
            for tensor in file.tensors {
                if let existing = tensorsByKey[tensor.name] {
                    throw .duplicateTensorAcrossFiles(name: tensor.name, firstPath: existing.file.path,
                                                      secondPath: file.path)
                }
                tensorsByKey[tensor.name] = tensor
            }
        }
        self.files = files
        self.tensorsByKey = tensorsByKey
        self.precision = precision
        self.problemHandling = problemHandling
    }

    /// Opens and validates each file, then builds the store.
    public convenience init(contentsOf urls: [URL], precision: WeightsPrecisionPolicy = .keepStored,
                            problemHandling: ProblemHandling = .collect,
                            limits: SafetensorsLimits = .standard) throws(WeightsError) {
        var files: [SafetensorsFile] = []
        for url in urls { files.append(try SafetensorsFile(contentsOf: url, limits: limits)) }
        try self.init(files: files, precision: precision, problemHandling: problemHandling)
    }

    /// A store over every `*.safetensors` file directly inside `directory` (e.g. a diffusers
    /// component folder such as `unet/`), in name order.
    public convenience init(directory: URL, precision: WeightsPrecisionPolicy = .keepStored,
                            problemHandling: ProblemHandling = .collect,
                            limits: SafetensorsLimits = .standard) throws(WeightsError) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw .fileUnreadable(path: directory.path, reason: error.localizedDescription)
        }
        let urls = names.filter { $0.hasSuffix(".safetensors") }.sorted()
            .map { directory.appendingPathComponent($0) }
        guard !urls.isEmpty else {
            throw .fileUnreadable(path: directory.path, reason: "no .safetensors file in the directory")
        }
        try self.init(contentsOf: urls, precision: precision, problemHandling: problemHandling, limits: limits)
    }

    /// The scope with an empty prefix.
    public var root: ParameterScope { ParameterScope(prefix: "", store: self) }

    /// Shorthand for `root.scoped(component)`.
    public func scoped(_ component: String) -> ParameterScope { root.scoped(component) }

    /// Every key in the store, sorted.
    public var keys: [String] { tensorsByKey.keys.sorted() }

    /// The keys requested so far, sorted.
    public var requestedKeys: [String] { record.withLock { $0.requestedKeys.sorted() } }

    /// The raw tensor for a full key, without recording a request.
    public func tensor(forKey key: String) -> SafetensorsTensor? { tensorsByKey[key] }

    /// The problems found so far; unexpected keys are those never requested and not allowed by
    /// `ignoreList`.
    public func report(ignoring ignoreList: ParameterIgnoreList = .none) -> ParameterLoadReport {
        let snapshot = record.withLock { $0 }
        let unexpected = tensorsByKey.keys.filter { key in
            !snapshot.requestedKeys.contains(key) && !ignoreList.allows(key)
        }
        return ParameterLoadReport(
            missingKeys: snapshot.missingKeys.sorted(),
            unexpectedKeys: unexpected.sorted(),
            shapeMismatches: snapshot.shapeMismatches.values.sorted { $0.key < $1.key },
            unsupportedDataTypes: snapshot.unsupportedDataTypes.values.sorted { $0.key < $1.key })
    }

    /// Throws one `WeightsError.loadFailed` listing every problem, or returns when the model
    /// consumed exactly the stored tensors (apart from those `ignoreList` allows).
    public func finishLoading(ignoring ignoreList: ParameterIgnoreList = .none) throws(WeightsError) {
        let report = report(ignoring: ignoreList)
        guard report.isEmpty else { throw .loadFailed(report) }
    }

    // MARK: Requests from scopes

    func containsAnyKey(withPrefix prefix: String) -> Bool {
        prefix.isEmpty ? !tensorsByKey.isEmpty : tensorsByKey.keys.contains { $0.hasPrefix(prefix) }
    }

    /// Records a request and returns the parameter: nil only when `required` is false and the key
    /// is absent; a placeholder when there is a problem and problems are collected.
    func request(_ key: String, shape: [Int], required: Bool) throws(WeightsError) -> Parameter? {
        switch try lookUp(key, shape: shape, required: required, accepting: \.widensToFloat) {
        case .absent:
            return nil
        case .problem:
            return Parameter(key: key, shape: shape, storage: .placeholder)
        case .found(let tensor):
            switch (precision, tensor.dataType) {
            case (.widenAtLoad, .float16), (.widenAtLoad, .bfloat16):
                return Parameter(key: key, shape: shape,
                                 storage: .widened(try tensor.floats(), storedAs: tensor.dataType))
            default:
                return Parameter(key: key, shape: shape, storage: .mapped(tensor))
            }
        }
    }

    /// Records a request for integer values; zeros of `shape` when there is a problem.
    func requestIntegers(_ key: String, shape: [Int]) throws(WeightsError) -> [Int] {
        guard case .found(let tensor) = try lookUp(key, shape: shape, required: true, accepting: \.readsAsInteger) else {
            return [Int](repeating: 0, count: shape.reduce(1, *))
        }
        return try tensor.integers()
    }

    private enum Lookup {
        case absent
        case problem
        case found(SafetensorsTensor)
    }

    /// Finds `key`, records the request, and checks shape and dtype; records (or, failing fast,
    /// throws) any problem.
    private func lookUp(_ key: String, shape: [Int], required: Bool,
                        accepting isUsable: (SafetensorsDataType) -> Bool) throws(WeightsError) -> Lookup {
        precondition(shape.allSatisfy { $0 >= 0 }, "a model requested \(key) with a negative dimension \(shape)")
        guard let tensor = tensorsByKey[key] else {
            guard required else { return .absent }
            if problemHandling == .failFast { throw .tensorNotFound(name: key) }
            record.withLock { $0.missingKeys.insert(key) }
            return .problem
        }
        record.withLock { _ = $0.requestedKeys.insert(key) }
        guard tensor.shape == shape else {
            let mismatch = ParameterLoadReport.ShapeMismatch(key: key, expected: shape, found: tensor.shape)
            if problemHandling == .failFast { throw .loadFailed(ParameterLoadReport(shapeMismatches: [mismatch])) }
            record.withLock { $0.shapeMismatches[key] = mismatch }
            return .problem
        }
        guard isUsable(tensor.dataType) else {
            let unsupported = ParameterLoadReport.UnsupportedDataType(key: key, dataType: tensor.dataType)
            if problemHandling == .failFast {
                throw .loadFailed(ParameterLoadReport(unsupportedDataTypes: [unsupported]))
            }
            record.withLock { $0.unsupportedDataTypes[key] = unsupported }
            return .problem
        }
        return .found(tensor)
    }
}
