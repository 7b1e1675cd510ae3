// One model-level benchmark (`diffusion-cli bench unet|vae|text`): load, count, warm up, time, report.
// Tools/bench/torch_sd.py measures the diffusers/transformers peer the same way (same phases, same fields).

import Foundation
import Tensor

/// The measurement of one model call at one thread count.
///
/// Phases: load the model and build the inputs (timed as `loadSeconds`); reset the peak-RSS mark; one warm-up call
/// with ``GEMMCounter`` on (its sgemm operations are the call's `flops`); `rounds` timed calls (the median is the
/// figure). Peak RSS is reported twice: for the whole process (loading included, what `ru_maxrss` reports) and
/// from the reset on (the inference working set, weights included as far as they are resident).
struct ModelBenchmarkResult {
    var component, model, shape: String
    var threads: Int
    var loadSeconds: Double
    var samples: [Double]
    /// Process CPU time (user + system, all threads) of each timed call: on a shared machine the wall time
    /// includes waiting for a core; CPU time does not (but includes BLAS threads spinning while they wait).
    var cpuSamples: [Double]
    var flops: Int
    var residentAfterLoad: Int?
    var peakResidentTotal: Int?
    var peakResidentInference: Int?
    /// `--buffer-pool-mib`, when given.
    var bufferPoolMiB: Int?

    var seconds: Double { median(samples) }
    var gflops: Double { Double(flops) / seconds / 1e9 }

    func jsonLine() -> String {
        var object: [String: Any] = [
            "impl": "swift", "component": component, "model": model, "shape": shape, "threads": threads,
            "seconds": seconds, "samples": samples, "cpu_seconds": median(cpuSamples), "cpu_samples": cpuSamples,
            "flops": flops, "load_seconds": loadSeconds,
            "kernel": BLASRuntime.kernelName,
        ]
        if let bufferPoolMiB { object["buffer_pool_mib"] = bufferPoolMiB }
        if let residentAfterLoad { object["rss_after_load_bytes"] = residentAfterLoad }
        if let peakResidentTotal { object["peak_rss_bytes"] = peakResidentTotal }
        if let peakResidentInference { object["peak_rss_inference_bytes"] = peakResidentInference }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    func summary() -> String {
        func mib(_ bytes: Int?) -> String { bytes.map { String(format: "%.0f MiB", Double($0) / 1_048_576) } ?? "n/a" }
        let times = samples.map { String(format: "%.3f", $0) }.joined(separator: ", ")
        return String(format: "%@ %@ [%@] threads %d: median %.3f s (%@), CPU %.3f s, %.2f GFLOP/call, %.1f GFLOPS; ",
                      component, model, shape, threads, seconds, times, median(cpuSamples), Double(flops) / 1e9, gflops)
            + "load \(String(format: "%.2f", loadSeconds)) s; RSS after load \(mib(residentAfterLoad)), "
            + "peak (whole process) \(mib(peakResidentTotal)), peak (inference) \(mib(peakResidentInference))"
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
    static func measure(component: String, model: String, shape: String, threads: Int, rounds: Int,
                        prepare: () throws -> () throws -> Void) throws -> ModelBenchmarkResult {
        ComputeThreads.setCount(threads)
        let loadStart = DispatchTime.now().uptimeNanoseconds
        let call = try prepare()
        let loadSeconds = Double(DispatchTime.now().uptimeNanoseconds - loadStart) / 1e9
        let residentAfterLoad = ProcessMemory.residentBytes
        let peakTotalBeforeReset = ProcessMemory.peakResidentBytes
        let reset = ProcessMemory.resetPeak()
        let flops = try GEMMCounter.counting(call).flops
        var samples: [Double] = [], cpuSamples: [Double] = []
        for _ in 0..<max(1, rounds) {
            let cpuStart = processCPUSeconds()
            samples.append(try time(call))
            cpuSamples.append(processCPUSeconds() - cpuStart)
        }
        let peakSinceReset = ProcessMemory.peakResidentBytes
        // Without a reset VmHWM already is the whole-process peak; with one, the larger of the two marks is.
        let peakTotal = reset ? [peakTotalBeforeReset, peakSinceReset].compactMap { $0 }.max() : peakSinceReset
        return ModelBenchmarkResult(component: component, model: model, shape: shape, threads: threads,
                                    loadSeconds: loadSeconds, samples: samples, cpuSamples: cpuSamples, flops: flops,
                                    residentAfterLoad: residentAfterLoad, peakResidentTotal: peakTotal,
                                    peakResidentInference: reset ? peakSinceReset : nil)
    }
}
