// OpenBLAS runtime control: kernel selection and thread count.
//
// Debian's OpenBLAS 0.3.21 misdetects some recent Xeons as "Prescott" (an SSE3 kernel, ~5× slower).
// The core type is read only when the library loads, so a process that finds itself on a slow kernel
// sets `OPENBLAS_CORETYPE` and re-executes itself (see DESIGN.md §5, §7).

import CBLAS
import Foundation

/// Process-wide facts about, and control of, the OpenBLAS library this module links.
public enum BLASRuntime {
    /// The kernel OpenBLAS selected at load time, e.g. `"SkylakeX"`, `"Cooperlake"`, `"Haswell"`, `"Prescott"`.
    public static var kernelName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// Kernels that indicate a failed CPU detection on an AVX2/AVX-512 machine.
    static let slowKernels: Set<String> = ["prescott", "core2", "katmai", "coppermine", "northwood", "penryn", "dunnington", "nehalem", "atom", "generic"]

    /// The core type to request for this CPU, judged from `/proc/cpuinfo` flags (`nil` when unknown).
    public static func preferredCoreType() -> String? {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return nil }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        if flags.contains("avx512f") && flags.contains("avx512bw") && flags.contains("avx512vl") { return "SkylakeX" }
        if flags.contains("avx2") && flags.contains("fma") { return "Haswell" }
        return nil
    }

    /// Makes sure the process runs a fast sgemm kernel; call first thing in `main`.
    ///
    /// When `OPENBLAS_CORETYPE` is unset and OpenBLAS picked a slow kernel on a CPU with AVX2/AVX-512,
    /// this sets the variable and re-executes `/proc/self/exe` with the same arguments (it does not return then).
    /// When the variable is already set, or the detected kernel is fine, it returns without doing anything.
    public static func ensureFastKernel() {
        guard getenv("OPENBLAS_CORETYPE") == nil else { return }
        guard slowKernels.contains(kernelName.lowercased()), let coreType = preferredCoreType() else { return }
        setenv("OPENBLAS_CORETYPE", coreType, 1)
        fflush(nil)  // all output streams
        let arguments = CommandLine.arguments
        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        cArguments.append(nil)
        execv("/proc/self/exe", &cArguments)
        // execv only returns on failure: carry on with the slow kernel.
        for pointer in cArguments { free(pointer) }
    }

    /// Sets OpenBLAS's own thread count. Prefer ``ComputeThreads/setCount(_:)``, which keeps this and
    /// the module's parallel loops in step.
    static func setBLASThreads(_ count: Int) {
        openblas_set_num_threads(Int32(count))
    }

    /// OpenBLAS's current thread count.
    public static var blasThreadCount: Int { Int(openblas_get_num_threads()) }
}
