import Foundation
import HTTP
import Synchronization
import Weights

/// The one registry every task worker takes its models from.
///
/// Models load from `models.root` only: an entry's path is resolved (symlinks
/// included) and must stay inside that folder, and names are identifiers, never paths.
/// Weights are memory-mapped (`SafetensorsFile`), so all workers share one copy, and
/// the SHA-256 given in the configuration is checked with OpenSSL before first use.
/// A missing, truncated or corrupt file marks that model `failed` with its reason; every
/// other model keeps serving.
public final class ModelRegistry: Sendable {
    /// Why a model cannot be used right now.
    public enum AccessError: Error, Equatable, Sendable {
        case unknownModel(String)
        case notReady(name: String, state: ModelState, reason: String?)
    }

    private struct Record {
        var entry: ServiceConfiguration.ModelEntry
        var state = ModelState.unloaded
        var model: LoadedModel?
        var bytes: Int?
        var loadSeconds: Double?
        var failureReason: String?
        var verifiedDigest: String?
    }

    /// Builds a task's own object (a pipeline, say) from a model's verified files.
    public typealias TaskModelFactory = @Sendable (LoadedModel) throws -> any Sendable

    public let root: URL
    private let factories: [String: TaskModelFactory]
    private let records: Mutex<[String: Record]>
    private let order: [String]
    private let loadQueue = DispatchQueue(label: "model-registry.load", qos: .utility)

    /// - Parameter factories: per task name, how to build the task's object at load time.
    public init(settings: ServiceConfiguration.ModelSettings, factories: [String: TaskModelFactory] = [:],
                workingDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) {
        root = URL(fileURLWithPath: settings.root, relativeTo: workingDirectory).standardizedFileURL
        self.factories = factories
        var records: [String: Record] = [:]
        for entry in settings.entries { records[entry.name] = Record(entry: entry) }
        self.records = Mutex(records)
        order = settings.entries.map(\.name)
    }

    /// Loads every `eager` model in the background; `completion` runs when all are done.
    public func loadEagerModels(completion: @escaping @Sendable () -> Void = {}) {
        let names = records.withLock { records in order.filter { records[$0]?.entry.load == .eager } }
        loadQueue.async { [self] in
            for name in names { _ = try? load(name) }
            completion()
        }
    }

    /// True when every eager model is ready (what `/readyz` reports).
    public var eagerModelsReady: Bool { blockingModels.isEmpty }

    /// Eager models not ready, with their state, for the `/readyz` body.
    public var blockingModels: [ModelStatus] {
        statuses.filter { $0.load == "eager" && $0.state != .ready }
    }

    public var statuses: [ModelStatus] {
        records.withLock { records in order.compactMap { records[$0].map(Self.status) } }
    }

    public func status(of name: String) -> ModelStatus? {
        records.withLock { $0[name].map(Self.status) }
    }

    /// Mapped bytes per ready model (the `model memory bytes` metric).
    public var memoryBytesByModel: [(String, Int)] {
        records.withLock { records in
            order.compactMap { name in
                guard let record = records[name], record.state == .ready, let bytes = record.bytes else { return nil }
                return (name, bytes)
            }
        }
    }

    /// The model a request for `task` gets when it names none: the first ready model
    /// configured for `task`, else the first configured one (whose state then explains
    /// why it cannot serve).
    public func defaultModelName(for task: String) throws(AccessError) -> String {
        let candidates = statuses.filter { $0.task == task }
        guard let chosen = candidates.first(where: { $0.state == .ready }) ?? candidates.first else {
            throw .unknownModel("(no \(task) model is configured)")
        }
        return chosen.name
    }

    /// The ready model `name`; a `lazy` model that is unloaded is loaded first.
    public func model(named name: String) throws(AccessError) -> LoadedModel {
        let snapshot = records.withLock { $0[name] }
        guard let record = snapshot else { throw .unknownModel(name) }
        if let model = record.model, record.state == .ready { return model }
        if record.state == .unloaded && record.entry.load == .lazy {
            do { return try load(name) } catch { throw error }
        }
        throw .notReady(name: name, state: record.state, reason: record.failureReason)
    }

    /// Loads (or reloads) `name` now, on the caller's thread.
    @discardableResult
    public func load(_ name: String) throws(AccessError) -> LoadedModel {
        let entry = records.withLock { records -> ServiceConfiguration.ModelEntry? in
            guard var record = records[name] else { return nil }
            if record.state == .loading { return nil }
            record.state = .loading
            record.failureReason = nil
            records[name] = record
            return record.entry
        }
        guard let entry else {
            if status(of: name) == nil { throw .unknownModel(name) }
            throw .notReady(name: name, state: .loading, reason: nil)
        }
        let started = Date()
        do {
            let (model, bytes, digest) = try open(entry)
            // An unload that came while the file was being verified and mapped wins.
            let kept = records.withLock { records -> Bool in
                guard records[name]?.state == .loading else { return false }
                records[name]?.state = .ready
                records[name]?.model = model
                records[name]?.bytes = bytes
                records[name]?.verifiedDigest = digest
                records[name]?.loadSeconds = Date().timeIntervalSince(started)
                return true
            }
            guard kept else { throw AccessError.notReady(name: name, state: .unloaded, reason: "unloaded while loading") }
            return model
        } catch let error as AccessError {
            throw error
        } catch {
            let reason = "\(error)"
            records.withLock { records in
                guard records[name]?.state == .loading else { return }
                records[name]?.state = .failed
                records[name]?.model = nil
                records[name]?.failureReason = reason
                records[name]?.loadSeconds = Date().timeIntervalSince(started)
            }
            throw .notReady(name: name, state: .failed, reason: reason)
        }
    }

    /// Drops the registry's reference; the mapping goes when running jobs release it.
    public func unload(_ name: String) throws(AccessError) {
        let found = records.withLock { records -> Bool in
            guard records[name] != nil else { return false }
            records[name]?.state = .unloaded
            records[name]?.model = nil
            records[name]?.failureReason = nil
            return true
        }
        guard found else { throw .unknownModel(name) }
    }

    // MARK: Opening files

    /// Why a model file was refused before reading it.
    struct PathError: Error, CustomStringConvertible {
        let description: String
    }

    private func open(_ entry: ServiceConfiguration.ModelEntry) throws -> (LoadedModel, Int, String?) {
        let opened: (LoadedModel, Int, String?)
        switch entry.format {
        case "diffusers": opened = try openPipelineFolder(entry)
        default: opened = try openWeightsFile(entry)
        }
        guard let factory = factories[entry.task] else { return opened }
        return (opened.0.with(taskModel: try factory(opened.0)), opened.1, opened.2)
    }

    /// One `.safetensors` file with an optional `config.json` beside it.
    private func openWeightsFile(_ entry: ServiceConfiguration.ModelEntry) throws -> (LoadedModel, Int, String?) {
        let file = try resolveInsideRoot(entry.path, expectFolder: false)
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        let bytes = (attributes[.size] as? NSNumber)?.intValue ?? 0
        var digest: String?
        if let expected = entry.sha256 {
            try SHA256Digest.verifyFile(at: file, expected: expected)
            digest = expected
        }
        let weights = try SafetensorsFile(path: file.path)
        let directory = file.deletingLastPathComponent()
        let configurationData = try readInsideRoot(directory.appendingPathComponent(ModelConfiguration.defaultFileName), entry: entry)
        let model = LoadedModel(name: entry.name, task: entry.task, weights: [weights], directory: directory, configurationData: configurationData)
        return (model, bytes, digest)
    }

    /// The file that describes a pipeline folder, in order of preference.
    static let pipelineIndexFiles = ["model_index.json", "story_config.json"]

    /// A diffusers pipeline folder: every file must resolve inside the root; the SHA-256
    /// covers all of them through `PipelineManifest`; every `*.safetensors` is mapped.
    private func openPipelineFolder(_ entry: ServiceConfiguration.ModelEntry) throws -> (LoadedModel, Int, String?) {
        let folder = try resolveInsideRoot(entry.path, expectFolder: true)
        let manifest = try PipelineManifest(folder: folder, root: root.resolvingSymlinksInPath().standardizedFileURL)
        var digest: String?
        if let expected = entry.sha256 {
            let found = try manifest.digest()
            guard found == expected.lowercased() else {
                throw WeightsError.checksumMismatch(path: folder.path, expected: expected.lowercased(), found: found)
            }
            digest = found
        }
        let weights = try manifest.files.filter { $0.pathExtension == "safetensors" }.map { try SafetensorsFile(path: $0.path) }
        // A diffusers pipeline describes itself in model_index.json; an AR-LDM story folder
        // (the same components plus a history encoder) in story_config.json.
        var configurationData: Data?
        for name in Self.pipelineIndexFiles where configurationData == nil {
            configurationData = try readInsideRoot(folder.appendingPathComponent(name), entry: entry)
        }
        guard configurationData != nil else {
            throw PathError(description: "pipeline folder '\(entry.path)' has no \(Self.pipelineIndexFiles.joined(separator: " or "))")
        }
        let model = LoadedModel(name: entry.name, task: entry.task, weights: weights, directory: folder, configurationData: configurationData)
        return (model, manifest.totalBytes, digest)
    }

    /// Reads a small metadata file if it exists; it must resolve inside the root like the weights.
    private func readInsideRoot(_ url: URL, entry: ServiceConfiguration.ModelEntry) throws -> Data? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let resolved = url.resolvingSymlinksInPath().standardizedFileURL
        guard resolved.path.hasPrefix(root.resolvingSymlinksInPath().standardizedFileURL.path + "/") else {
            throw PathError(description: "\(url.lastPathComponent) of '\(entry.path)' resolves outside the models folder")
        }
        return try Data(contentsOf: resolved)
    }

    /// Resolves `relativePath` under `root`, following symlinks, and refuses anything outside it.
    func resolveInsideRoot(_ relativePath: String, expectFolder: Bool = false) throws -> URL {
        let resolvedRoot = root.resolvingSymlinksInPath().standardizedFileURL.path
        let candidate = root.appendingPathComponent(relativePath).resolvingSymlinksInPath().standardizedFileURL
        guard candidate.path.hasPrefix(resolvedRoot + "/") else {
            throw PathError(description: "path '\(relativePath)' resolves outside the models folder")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory) else {
            throw PathError(description: "model file \(candidate.path) does not exist")
        }
        if isDirectory.boolValue && !expectFolder {
            throw PathError(description: "model path \(candidate.path) is a folder; give the .safetensors file (or format: diffusers)")
        }
        if !isDirectory.boolValue && expectFolder {
            throw PathError(description: "model path \(candidate.path) is a file; format diffusers needs the pipeline folder")
        }
        return candidate
    }

    private static func status(_ record: Record) -> ModelStatus {
        ModelStatus(
            name: record.entry.name, task: record.entry.task, path: record.entry.path, format: record.entry.format,
            load: record.entry.load.rawValue, state: record.state, bytes: record.bytes,
            parameters: record.model?.parameterCount, dtype: record.model?.dataTypes,
            architecture: record.model?.architecture, loadSeconds: record.loadSeconds,
            sha256: record.verifiedDigest ?? record.entry.sha256, failureReason: record.failureReason
        )
    }
}
