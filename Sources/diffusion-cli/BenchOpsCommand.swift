// `diffusion-cli bench ops`: per-op timings at the tiny-UNet and SD-1.5 UNet shapes, with the rate of plain
// cblas_sgemm on the same GEMM shape measured in the same run (our run and the sgemm run interleaved A B A B).

import ArgumentParser
import Foundation
import Tensor

struct BenchOpsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ops",
        abstract: "Time each op at the UNet shapes against plain sgemm of the same GEMM shape."
    )

    @Option(name: .long, help: "Comma-separated thread counts.")
    var threads: String = "1,2"

    @Option(name: .long, help: "Interleaved measurement rounds per case (median is reported).")
    var rounds: Int = 5

    @Option(name: .long, help: "Only cases whose name contains this string.")
    var filter: String?

    @Flag(name: .long, help: "Print one JSON object per line instead of a table.")
    var json = false

    @Flag(name: .long, help: "List the case names and exit.")
    var list = false

    func run() throws {
        let cases = OpBenchmarkCase.all.filter { filter == nil || $0.name.contains(filter!) }
        if list {
            for benchmark in cases { print("\(benchmark.name)\t\(benchmark.shapeDescription)") }
            return
        }
        let threadCounts = threads.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        if !json {
            print("OpenBLAS kernel: \(BLASRuntime.kernelName); rounds: \(rounds) (median; ours and sgemm interleaved)")
            print("| op | shape | threads | ours ms | ours GFLOPS | sgemm GFLOPS (same GEMM shape) | ours / sgemm |")
            print("|---|---|---|---|---|---|---|")
        }
        for threadCount in threadCounts {
            ComputeThreads.setCount(threadCount)
            for benchmark in cases {
                let result = try benchmark.measure(rounds: rounds)
                if json {
                    print(result.jsonLine(threads: threadCount, kernel: BLASRuntime.kernelName))
                } else {
                    print(result.tableRow(threads: threadCount))
                }
                fflush(nil)
            }
        }
    }
}
