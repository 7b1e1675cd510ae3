// libFuzzer entry point for `HTTPRequestParser` (built by build.sh, not by SwiftPM:
// SwiftPM's generated `main` clashes with libFuzzer's).
//
// Input layout: byte 0 picks the limits (default or tiny, to reach the 413/414/431
// branches cheaply) and byte 1 picks how the rest is split into appends, so the
// incremental paths (a CRLF split across reads, a chunk-size line split from its
// data) get exercised as well as the one-shot path. After each append the parser is
// drained with `nextEvent()` until it needs more data or throws, exactly as
// `HTTPConnection` does.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPRequestParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 2 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let mode = bytes[0]
    let split = Int(bytes[1])
    let payload = Array(bytes[2...])

    var limits = HTTPLimits()
    if mode & 1 == 1 {
        limits.maxRequestLineBytes = 64
        limits.maxHeaderBytes = 256
        limits.maxHeaderCount = 8
        limits.maxBodyBytes = 128
    }
    var parser = HTTPRequestParser(limits: limits)

    // split == 0: one append. Otherwise pieces of `split` bytes (1…255).
    let step = split == 0 ? max(payload.count, 1) : split
    var offset = 0
    var requests = 0
    feeding: while offset < payload.count {
        let end = min(offset + step, payload.count)
        parser.append(Array(payload[offset..<end]))
        offset = end
        while true {
            do {
                switch try parser.nextEvent() {
                case .needsMoreData:
                    continue feeding
                case .expectsContinue:
                    continue
                case .request(let request):
                    requests += 1
                    // Invariants every delivered request must satisfy.
                    precondition(request.body.count <= limits.maxBodyBytes, "body over the limit")
                    precondition(request.path.hasPrefix("/") || request.path == "*", "path not rooted")
                    precondition(!request.pathSegments.contains(".."), "traversal segment delivered")
                    precondition(request.headers.values(for: "Host").count <= 1, "duplicate Host delivered")
                    _ = parser.phase
                    _ = parser.bufferedByteCount
                }
            } catch {
                // Every error must map to a 4xx/5xx answer with a problem body.
                precondition((400..<600).contains(error.status.code), "error status out of range")
                _ = error.problem.response()
                break feeding
            }
        }
    }
    return 0
}
