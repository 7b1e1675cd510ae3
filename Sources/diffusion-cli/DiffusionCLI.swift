// diffusion-cli: offline runs, checks and benchmarks of the DiffusionService engine.

import ArgumentParser
import Tensor

@main
struct DiffusionCLI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diffusion-cli",
        abstract: "Offline tools for DiffusionService: generation, benchmarks and checks.",
        subcommands: [BenchCommand.self, GenerateCommand.self, StoryCommand.self, DetectCommand.self]
    )

    static func main() {
        // Must run before any BLAS call: may re-execute the process with OPENBLAS_CORETYPE set.
        BLASRuntime.ensureFastKernel()
        main(nil)
    }
}

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks (figures go to BENCHMARKS.md with the command that made them).",
        subcommands: [BenchOpsCommand.self, BenchUNetCommand.self, BenchVAECommand.self, BenchTextCommand.self, BenchDetectCommand.self,
                      BenchStoryCommand.self]
    )
}
