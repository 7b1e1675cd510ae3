#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole regular file mapped read-only into memory; unmapped when the last reference goes.
///
/// Pages are read from disk on first touch and shared with the page cache, so opening a
/// multi-gigabyte checkpoint costs almost nothing until its tensors are read, and several
/// processes serving the same model share one copy.
///
/// The mapping is private and read-only and never changes after `init`, which is why the class
/// is `@unchecked Sendable`. Caveat of every mmap reader: if another process truncates the file
/// while it is mapped, touching the lost pages raises SIGBUS; model files are expected to be
/// immutable while served.
final class MemoryMappedFile: @unchecked Sendable {
    let path: String
    let byteCount: Int
    private let baseAddress: UnsafeMutableRawPointer?

    init(path: String) throws(WeightsError) {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .fileUnreadable(path: path, reason: Self.lastErrorMessage()) }
        defer { close(descriptor) }

        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw .fileUnreadable(path: path, reason: Self.lastErrorMessage())
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw .fileUnreadable(path: path, reason: "not a regular file")
        }
        guard let size = Int(exactly: status.st_size), size >= 0 else {
            throw .fileUnreadable(path: path, reason: "file size \(status.st_size) is not representable")
        }
        byteCount = size
        if size == 0 {
            baseAddress = nil  // mmap refuses zero-length mappings
            return
        }
        let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0)
        guard let mapped, mapped != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw .fileUnreadable(path: path, reason: "mmap failed: \(Self.lastErrorMessage())")
        }
        baseAddress = mapped
    }

    deinit {
        if let baseAddress { munmap(baseAddress, byteCount) }
    }

    /// The mapped bytes; valid as long as this object is alive.
    var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: baseAddress.map { UnsafeRawPointer($0) }, count: byteCount)
    }

    /// Drops this process's resident copies of the whole pages inside `region` (a part of ``bytes``), so that a
    /// tensor already copied out of the mapping stops counting towards the process's RSS. The mapping stays valid:
    /// it is never written, so touching those pages again reads them back from the file (`madvise(MADV_DONTNEED)`
    /// on a private file mapping). Partial pages at either end are kept; a no-op where madvise is unavailable.
    static func releasePages(in region: UnsafeRawBufferPointer) {
        #if canImport(Glibc) || canImport(Musl)
        guard let base = region.baseAddress, region.count > 0 else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard page > 0 else { return }
        let address = Int(bitPattern: base)
        let first = (address + page - 1) / page * page
        let last = (address + region.count) / page * page
        guard last > first, let start = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(start, last - first, MADV_DONTNEED)
        #endif
    }

    private static func lastErrorMessage() -> String {
        String(cString: strerror(errno))
    }
}
