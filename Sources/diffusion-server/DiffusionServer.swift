import ArgumentParser
import Foundation
import Logging
import Service
import Tensor

/// `diffusion-server`: loads the configuration (file < `DIFFUSION_*` environment < flags),
/// selects the fast OpenBLAS kernel, and runs the service until SIGTERM/SIGINT.
///
/// An invalid configuration exits with status 2 and one message naming the key and
/// its source, before any socket is bound.
@main
struct DiffusionServer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diffusion-server",
        abstract: "Serve diffusion models over HTTP on CPU.")

    @Option(name: .long, help: "YAML configuration file (default: $DIFFUSION_CONFIG, else Config/default.yaml, else the built-in defaults without bundled models).")
    var config: String?

    @Option(name: .long, help: "Address to bind (overrides DIFFUSION_HOST and the file).")
    var host: String?

    @Option(name: .long, help: "Port to bind; 0 picks a free one (overrides DIFFUSION_PORT and the file).")
    var port: UInt16?

    /// Flags are configuration too: an invalid one (`--port 70000`, an unknown option)
    /// exits 2 with one line naming it, like an invalid file or variable — not
    /// ArgumentParser's usage status 64. `--help` still prints help and exits 0.
    static func main() {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            guard exitCode(for: error) != .success else { exit(withError: error) }
            FileHandle.standardError.write(Data("diffusion-server: command line: \(message(for: error))\n".utf8))
            Foundation.exit(2)
        }
        do {
            try command.run()
        } catch {
            exit(withError: error)
        }
    }

    func run() throws {
        BLASRuntime.ensureFastKernel()
        let environment = ProcessInfo.processInfo.environment
        let explicitPath = config ?? environment["DIFFUSION_CONFIG"]
        let path = explicitPath ?? "Config/default.yaml"
        var settings: ServiceConfiguration
        do {
            // With no file named, a missing Config/default.yaml means the built-in defaults,
            // which ServiceConfigurationTests prove equal to that file apart from the bundled
            // models it lists (those live beside it in the repository or image).
            if explicitPath == nil && !FileManager.default.fileExists(atPath: path) {
                settings = ServiceConfiguration()
            } else {
                settings = try ServiceConfiguration.load(file: path)
            }
            try settings.applyEnvironment(environment)
        } catch {
            FileHandle.standardError.write(Data("diffusion-server: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if let host { settings.server.host = host }
        if let port { settings.server.port = port }

        let level = Logger.Level(rawValue: settings.logging.level) ?? .info
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
        let logger = Logger(label: "diffusion-server")

        ComputeThreads.setCount(settings.compute.threadsPerJob)
        BufferPool.shared.setMaximumBytes(settings.compute.bufferPoolMiB << 20)
        let service = DiffusionService(configuration: settings, logger: logger, blasKernel: BLASRuntime.kernelName)
        // Before binding: a SIGTERM sent as soon as the port is open must drain, not kill or vanish.
        service.installSignalHandlers()
        do {
            try service.start()
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)", "config": "\(path)"])
            throw ExitCode(1)
        }
        service.runUntilSignalled()
    }
}
