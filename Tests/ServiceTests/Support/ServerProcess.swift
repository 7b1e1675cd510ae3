import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The real `diffusion-server` executable, spawned as a child process with its
/// standard error captured (JSON log lines, or the one configuration error line).
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    private let errorOutput = Locked<[UInt8]>([])
    /// Set when standard error reached end of file (the child and its copies closed it).
    private let errorClosed = Locked(false)
    private let errorPipe = Pipe()

    /// Where the build put `diffusion-server`: next to the test bundle (debug or release,
    /// whichever built these tests), else `.build/{debug,release}` above this file.
    static func executableURL() throws -> URL {
        var candidates: [URL] = []
        let testExecutable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        candidates.append(testExecutable.deletingLastPathComponent().appendingPathComponent("diffusion-server"))
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("diffusion-server"))
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("diffusion-server"))
        if let first = CommandLine.arguments.first {
            candidates.append(URL(fileURLWithPath: first).deletingLastPathComponent().appendingPathComponent("diffusion-server"))
        }
        var packageRoot = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { packageRoot.deleteLastPathComponent() }
        for configuration in ["debug", "release"] {
            candidates.append(packageRoot.appendingPathComponent(".build/\(configuration)/diffusion-server"))
        }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) { return found }
        throw ClientError(description: "diffusion-server not found; looked at \(candidates.map(\.path)) — run `swift build --build-tests` first")
    }

    /// A port that was free a moment ago (bound to 0, read back, closed).
    static func freePort() throws -> UInt16 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw ClientError(description: "bind: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    /// True when something accepts connections on `port` at 127.0.0.1.
    static func isListening(port: UInt16) -> Bool {
        (try? BlockingHTTPClient(port: port, receiveTimeout: 1)) != nil
    }

    /// Starts the binary with `arguments` in `directory`; `environment` replaces every
    /// `DIFFUSION_*` variable of the test process (others pass through).
    init(arguments: [String], environment: [String: String] = [:], directory: URL) throws {
        process.executableURL = try Self.executableURL()
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var childEnvironment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("DIFFUSION_") }
        childEnvironment.merge(environment) { $1 }
        process.environment = childEnvironment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errorPipe
        let buffer = errorOutput, closed = errorClosed
        errorPipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                closed.withLock { $0 = true }
                return
            }
            buffer.withLock { $0.append(contentsOf: data) }
        }
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        errorPipe.fileHandleForReading.readabilityHandler = nil
    }

    var standardError: String { errorOutput.withLock { String(decoding: $0, as: UTF8.self) } }

    /// Standard error's lines that are JSON objects.
    var logLines: [[String: Any]] {
        standardError.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    /// Waits for the "listening" log line and returns the port it reports.
    func waitUntilListening(timeout: Double = 20) throws -> UInt16 {
        var port: UInt16?
        eventually(timeout: timeout) {
            if let line = logLines.first(where: { $0["message"] as? String == "listening" }) {
                port = (line["port"] as? Int).map(UInt16.init) ?? (line["port"] as? String).flatMap { UInt16($0) }
            }
            return port != nil || !process.isRunning
        }
        guard let port else {
            throw ClientError(description: "diffusion-server did not report listening; stderr: \(standardError)")
        }
        return port
    }

    /// Waits for the process to exit; returns its status, or nil on timeout.
    func waitForExit(timeout: Double) -> Int32? {
        guard eventually(timeout: timeout, { !process.isRunning }) else { return nil }
        process.waitUntilExit()
        // Let the pipe's reader drain the last bytes, up to end of file.
        eventually(timeout: 5) { errorClosed.value }
        return process.terminationStatus
    }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }
}
