// One model-level benchmark (`diffusion-cli bench unet|vae|text|story`): load, count, warm up, time, report.
// Tools/bench/torch_sd.py and Tools/bench/torch_story.py measure the PyTorch peers the same way (same phases, same
// fields).

import Foundation
import Tensor

/// What ``ModelBenchmark/measure(component:model:threads:warmup:rounds:prepare:)`` times: a description of the
/// inputs and the call itself, built once by the `prepare` step after loading.
struct ModelBenchmarkCall {
    /// The inputs in words, e.g. "b2 4×32², context 77×64".
    var shape: String
    /// Frames (or other items) one call produces, when a per-item time is meaningful (`bench story`).
    var frames: Int?
    /// Settings reported as JSON numbers next to the figures (e.g. `steps`, `guidance`), so drivers can key on them.
    var details: [String: Double] = [:]
    var call: () throws -> Void
}

/// The measurement of one model call at one thread count.
///
/// Phases: load the model and build the inputs (timed as `loadSeconds`); reset the peak-RSS mark; `warmup` untimed
/// calls, the first with ``GEMMCounter`` on (its sgemm operations are the call's `flops`; with no warm-up the first
/// timed call is counted); `rounds` timed calls (the median is the figure, the minimum is reported too). Peak RSS is
/// reported twice: for the whole process (loading included, what `ru_maxrss` reports) and from the reset on (the
/// inference working set, weights included as far as they are resident).
struct ModelBenchmarkResult {
    var component, model, shape: String
    var threads: Int
    var warmup: Int
    var loadSeconds: Double
    var samples: [Double]
    /// Process CPU time (user + system, all threads) of each timed call: on a shared machine the wall time
    /// includes waiting for a core; CPU time does not (but includes BLAS threads spinning while they wait).
    var cpuSamples: [Double]
    var flops: Int
    var frames: Int?
    var details: [String: Double] = [:]
    var residentAfterLoad: Int?
    var peakResidentTotal: Int?
    var peakResidentInference: Int?
    /// `--buffer-pool-mib`, when given.
    var bufferPoolMiB: Int?
    /// Buffer-pool misses (fresh allocations) per timed call: 0 once a repeated call's working set is parked.
    var poolMissesPerCall: Double = 0

    var seconds: Double { median(samples) }
    var minimumSeconds: Double { samples.min() ?? 0 }
    var gflops: Double { Double(flops) / seconds / 1e9 }

    func jsonLine() -> String {
        var object: [String: Any] = [
            "impl": "swift", "component": component, "model": model, "shape": shape, "threads": threads,
            "seconds": seconds, "min_seconds": minimumSeconds, "samples": samples, "warmup": warmup,
            "cpu_seconds": median(cpuSamples), "cpu_samples": cpuSamples,
            "flops": flops, "load_seconds": loadSeconds,
            "kernel": BLASRuntime.kernelName,
        ]
        for (key, value) in details { object[key] = value }
        if let frames {
            object["frames"] = frames
            object["seconds_per_frame"] = seconds / Double(max(frames, 1))
        }
        if let bufferPoolMiB { object["buffer_pool_mib"] = bufferPoolMiB }
        object["pool_misses_per_call"] = poolMissesPerCall
        if let residentAfterLoad { object["rss_after_load_bytes"] = residentAfterLoad }
        if let peakResidentTotal { object["peak_rss_bytes"] = peakResidentTotal }
        if let peakResidentInference { object["peak_rss_inference_bytes"] = peakResidentInference }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    func summary() -> String {
        func mib(_ bytes: Int?) -> String { bytes.map { String(format: "%.0f MiB", Double($0) / 1_048_576) } ?? "n/a" }
        let times = samples.map { String(format: "%.3f", $0) }.joined(separator: ", ")
        let perFrame = frames.map { String(format: ", %.3f s/frame", seconds / Double(max($0, 1))) } ?? ""
        return String(format: "%@ %@ [%@] threads %d: median %.3f s (%@), min %.3f s%@, CPU %.3f s, %.2f GFLOP/call, %.1f GFLOPS; ",
                      component, model, shape, threads, seconds, times, minimumSeconds, perFrame, median(cpuSamples),
                      Double(flops) / 1e9, gflops)
            + "load \(String(format: "%.2f", loadSeconds)) s; RSS after load \(mib(residentAfterLoad)), "
            + "peak (whole process) \(mib(peakResidentTotal)), peak (inference) \(mib(peakResidentInference)); "
            + "buffer-pool misses per call \(String(format: "%.1f", poolMissesPerCall))"
    }
}

enum ModelBenchmark {
    /// User + system CPU time of the whole process so far (`CLOCK_PROCESS_CPUTIME_ID`, all threads).
    static func processCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// Runs the phases above. `prepare` loads the model and returns the call to time.
    static func measure(component: String, model: String, threads: Int, warmup: Int = 1, rounds: Int,
                        prepare: () throws -> ModelBenchmarkCall) throws -> ModelBenchmarkResult {
        ComputeThreads.setCount(threads)
        let loadStart = DispatchTime.now().uptimeNanoseconds
        let prepared = try prepare()
        let loadSeconds = Double(DispatchTime.now().uptimeNanoseconds - loadStart) / 1e9
        let residentAfterLoad = ProcessMemory.residentBytes
        let peakTotalBeforeReset = ProcessMemory.peakResidentBytes
        let reset = ProcessMemory.resetPeak()
        var flops: Int?
        for _ in 0..<max(0, warmup) {
            let counted = try GEMMCounter.counting(prepared.call).flops
            flops = flops ?? counted
        }
        var samples: [Double] = [], cpuSamples: [Double] = []
        let missesBefore = BufferPool.shared.statistics.misses
        for _ in 0..<max(1, rounds) {
            let cpuStart = processCPUSeconds()
            if flops == nil {
                var counted = 0
                samples.append(try time { counted = try GEMMCounter.counting(prepared.call).flops })
                flops = counted
            } else {
                samples.append(try time(prepared.call))
            }
            cpuSamples.append(processCPUSeconds() - cpuStart)
        }
        let poolMisses = BufferPool.shared.statistics.misses - missesBefore
        let peakSinceReset = ProcessMemory.peakResidentBytes
        // Without a reset VmHWM already is the whole-process peak; with one, the larger of the two marks is.
        let peakTotal = reset ? [peakTotalBeforeReset, peakSinceReset].compactMap { $0 }.max() : peakSinceReset
        return ModelBenchmarkResult(component: component, model: model, shape: prepared.shape, threads: threads,
                                    warmup: max(0, warmup), loadSeconds: loadSeconds, samples: samples,
                                    cpuSamples: cpuSamples, flops: flops ?? 0, frames: prepared.frames,
                                    details: prepared.details, residentAfterLoad: residentAfterLoad,
                                    peakResidentTotal: peakTotal, peakResidentInference: reset ? peakSinceReset : nil,
                                    poolMissesPerCall: Double(poolMisses) / Double(max(1, rounds)))
    }
}
