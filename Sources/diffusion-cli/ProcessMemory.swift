// The process's resident memory as Linux reports it (/proc/self/status), for the peak-memory figures of
// `diffusion-cli bench unet|vae|text`.

import Foundation

/// Resident-set figures of this process. Memory-mapped files count while their pages are resident, exactly like
/// heap memory (weights read through mmap during loading are part of the peak).
enum ProcessMemory {
    /// `VmHWM`: the peak resident set size since the process started or since the last ``resetPeak()``, in bytes.
    static var peakResidentBytes: Int? { statusField("VmHWM") }

    /// `VmRSS`: the current resident set size, in bytes.
    static var residentBytes: Int? { statusField("VmRSS") }

    /// Resets `VmHWM` to the current RSS (writing `5` to /proc/self/clear_refs, Linux ≥ 4.0). Returns false where
    /// that is not possible; the peak then covers the whole process.
    @discardableResult
    static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do {
            try handle.write(contentsOf: Data("5".utf8))
            return true
        } catch {
            return false
        }
    }

    /// A `Name:   123 kB` line of /proc/self/status, in bytes.
    private static func statusField(_ name: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, let kilobytes = Int(fields[1]) else { return nil }
            return kilobytes * 1024
        }
        return nil
    }
}
