import Foundation
import Weights

/// Every file of a model folder, and one SHA-256 over all of them.
///
/// The digest is the SHA-256 of `sha256sum`'s output for the folder's files in byte
/// order of their `./`-relative paths, so an operator computes the configured value with
///
///     cd FOLDER && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum
///
/// Symlinks are followed but must resolve inside the models root; nothing else is read.
struct PipelineManifest {
    /// Files in byte order of their relative paths.
    let files: [URL]
    let relativePaths: [String]
    let totalBytes: Int

    init(folder: URL, root: URL) throws {
        let rootPath = root.path + "/"
        var entries: [(String, URL, Int)] = []
        guard let enumerator = FileManager.default.enumerator(
            at: folder, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey], options: []) else {
            throw ModelRegistry.PathError(description: "cannot list \(folder.path)")
        }
        let folderPath = folder.standardizedFileURL.path
        for case let url as URL in enumerator {
            let resolved = url.resolvingSymlinksInPath().standardizedFileURL
            guard resolved.path.hasPrefix(rootPath) else {
                throw ModelRegistry.PathError(description: "\(url.path) resolves outside the models folder")
            }
            let values = try resolved.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey])
            guard values.isRegularFile == true else { continue }
            let path = url.standardizedFileURL.path
            let relative = "." + path.dropFirst(folderPath.count)
            entries.append((relative, resolved, values.fileSize ?? 0))
        }
        entries.sort { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
        files = entries.map(\.1)
        relativePaths = entries.map(\.0)
        totalBytes = entries.reduce(0) { $0 + $1.2 }
    }

    /// The folder digest described above, lowercase hexadecimal.
    func digest() throws -> String {
        var listing = ""
        for (file, path) in zip(files, relativePaths) {
            listing += "\(try SHA256Digest.ofFile(at: file).hexadecimal)  \(path)\n"
        }
        return try SHA256Digest.of(Array(listing.utf8)).hexadecimal
    }
}
