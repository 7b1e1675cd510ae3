// `diffusion-cli bench detect`: per-image DiffusionDet latency, backbone and head separately, for one model
// folder at one input size. Tools/bench/torch_detect.py measures the PyTorch reference the same way and
// Tools/bench/compare_detect.py runs both, alternating, in fresh processes.

import ArgumentParser
import Detection
import Foundation
import ImageIO
import Tensor

struct BenchDetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Time DiffusionDet backbone and head (median over runs after warm-up) and report peak RSS."
    )

    @Option(name: .long, help: "DiffusionDet model folder (config.json + model.safetensors).")
    var model: String

    @Option(name: .long, help: "Input image (PNG or JPEG); default: a synthetic image of --size.")
    var image: String?

    @Option(name: .long, help: "Synthetic image size WIDTHxHEIGHT (default: min_size_test square).")
    var size: String?

    @Option(name: .long, help: "Proposal boxes (default: the model's).")
    var boxes: Int?

    @Option(name: .long, help: "Comma-separated DDIM step counts.")
    var steps: String = "1,4"

    @Option(name: .long, help: "Comma-separated thread counts.")
    var threads: String = "1,2"

    @Option(name: .long, help: "Timed runs per case (the median is reported).")
    var runs: Int = 3

    @Option(name: .long, help: "Untimed warm-up runs (backbone + head at the smallest step count) per thread count.")
    var warmup: Int = 1

    @Option(name: .long, help: "Seed of the box noise.")
    var seed: UInt64 = 0

    @Flag(name: .long, help: "Print one JSON object per line instead of a table.")
    var json = false

    func run() throws {
        let folder = URL(fileURLWithPath: model)
        let detector = try DiffusionDetector(folder: folder)
        let input = try benchImage(configuration: detector.configuration)
        let stepCounts = try Self.integers(steps, option: "--steps")
        let threadCounts = try Self.integers(threads, option: "--threads")
        let prepared = try detector.preprocess(input)
        let name = folder.lastPathComponent
        let inputSize = "\(prepared.paddedWidth)x\(prepared.paddedHeight)"
        if !json {
            print("model \(name), image \(input.width)×\(input.height) → input \(inputSize), OpenBLAS \(BLASRuntime.kernelName); "
                  + "\(warmup) warm-up + \(runs) runs, medians")
            print("| model | input | boxes | steps | threads | backbone ms | head ms | total ms | peak RSS MiB |")
            print("|---|---|---|---|---|---|---|---|---|")
        }
        for threadCount in threadCounts {
            ComputeThreads.setCount(threadCount)
            var parameters = detector.defaultParameters(seed: seed)
            if let boxes { parameters.proposals = boxes }
            func backbone() throws -> FeaturePyramid {
                guard let pyramid = try detector.features(for: [prepared]).first else {
                    throw ValidationError("the backbone returned no features")
                }
                return pyramid
            }
            func head(_ pyramid: FeaturePyramid, steps: Int) throws -> DetectionResult {
                var stepParameters = parameters
                stepParameters.steps = steps
                return try detector.detect(features: pyramid, image: prepared, parameters: stepParameters, checkpoint: {})
            }
            // Warm-up: backbone plus the cheapest head (buffers and BLAS threads are then in place).
            for _ in 0..<max(warmup, 0) {
                _ = try head(try backbone(), steps: stepCounts.min() ?? 1)
            }
            // Backbone and each step count alternate within every round.
            var backboneSeconds: [Double] = [], backboneCPU: [Double] = []
            var headSeconds = [Int: [Double]](), headCPU = [Int: [Double]]()
            var detectionCounts = [Int: Int]()
            for _ in 0..<max(runs, 1) {
                var pyramid: FeaturePyramid?
                let cpuBefore = ModelBenchmark.processCPUSeconds()
                backboneSeconds.append(try time { pyramid = try backbone() })
                backboneCPU.append(ModelBenchmark.processCPUSeconds() - cpuBefore)
                guard let pyramid else { continue }
                for stepCount in stepCounts {
                    var result: DetectionResult?
                    let cpuBefore = ModelBenchmark.processCPUSeconds()
                    headSeconds[stepCount, default: []].append(try time { result = try head(pyramid, steps: stepCount) })
                    headCPU[stepCount, default: []].append(ModelBenchmark.processCPUSeconds() - cpuBefore)
                    detectionCounts[stepCount] = result?.detections.count
                }
            }
            let peakMiB = Double(ProcessMemory.peakResidentBytes ?? 0) / 1_048_576
            for stepCount in stepCounts {
                let backboneMedian = median(backboneSeconds), headMedian = median(headSeconds[stepCount] ?? [])
                if json {
                    print(DetectCommand.jsonLine([
                        "impl": "swift", "model": name, "input": inputSize, "boxes": parameters.proposals,
                        "steps": stepCount, "threads": threadCount, "backbone_ms": backboneMedian * 1e3,
                        "head_ms": headMedian * 1e3, "total_ms": (backboneMedian + headMedian) * 1e3,
                        "backbone_runs_ms": backboneSeconds.map { $0 * 1e3 },
                        "head_runs_ms": (headSeconds[stepCount] ?? []).map { $0 * 1e3 },
                        "backbone_cpu_ms": median(backboneCPU) * 1e3, "head_cpu_ms": median(headCPU[stepCount] ?? []) * 1e3,
                        "peak_rss_mib": peakMiB, "detections": detectionCounts[stepCount] ?? 0,
                        "kernel": BLASRuntime.kernelName,
                    ]))
                } else {
                    print(String(format: "| %@ | %@ | %d | %d | %d | %.1f | %.1f | %.1f | %.0f |", name, inputSize,
                                 parameters.proposals, stepCount, threadCount, backboneMedian * 1e3, headMedian * 1e3,
                                 (backboneMedian + headMedian) * 1e3, peakMiB))
                }
                fflush(nil)
            }
        }
    }

    /// `--image` decoded, or a deterministic synthetic image of `--size` (default min_size_test²).
    func benchImage(configuration: DiffusionDetConfiguration) throws -> Image {
        if let image {
            return try ImageDecoder.decode(try Data(contentsOf: URL(fileURLWithPath: image)))
        }
        var width = configuration.input.minSizeTest, height = configuration.input.minSizeTest
        if let size {
            let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
            guard parts.count == 2, parts[0] > 0, parts[1] > 0 else { throw ValidationError("--size must be WIDTHxHEIGHT") }
            (width, height) = (parts[0], parts[1])
        }
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let index = (y * width + x) * 3
                pixels[index] = UInt8((x * 255) / max(width - 1, 1))
                pixels[index + 1] = UInt8((y * 255) / max(height - 1, 1))
                pixels[index + 2] = (x / 16 + y / 16) % 2 == 0 ? 40 : 220
            }
        }
        guard let image = Image(width: width, height: height, channels: 3, pixels: pixels) else {
            throw ValidationError("cannot make a \(width)×\(height) image")
        }
        return image
    }

    static func integers(_ list: String, option: String) throws -> [Int] {
        let values = list.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 > 0 }) else { throw ValidationError("\(option) needs positive integers") }
        return values
    }
}
