// libFuzzer entry for `POST /v1/detect` request parsing: `DetectionRequest(_:limits:)` in its
// three encodings, and `RequestFields(json:)` on its own.
//
// Byte 0 (the control byte):
//   bits 0–1  mode: 0 JSON body, 1 multipart body (boundary `fuzzboundary`), 2 raw image body
//             with the query string, 3 `RequestFields(json:)` alone;
//   bits 2–3  Content-Type variant of the mode (see `contentTypes`);
//   bit 4     send `Accept: image/png`;
//   bit 5     modes 0–1: the rest is `query NUL body` instead of just the body (mode 2 always is);
//   bits 6–7  limits (see `limitChoices`).
// The query is split into name/value pairs by the HTTP module's own target parser
// (`RequestTarget.parse`), so it is decoded exactly as a real request's would be; a query the
// server would refuse with 400 is skipped.
//
// Invariants (a violation aborts, so libFuzzer records the input):
// - no trap, crash, leak or sanitizer report;
// - on success: `imageBytes` is non-empty; every option lies within the limits (steps, boxes,
//   score_threshold, seed, timeout_ms); a set option's name was in the request; `format=png`
//   never comes with `stream=true`;
// - on failure: the error is `invalidField` naming a known option, `image`, `body`,
//   `Content-Type` or a name present in the request (query, part or JSON member), or
//   `malformedJSON` for a JSON body; never `unsupportedMediaType` (only supported types are sent);
// - `RequestFields(json:)` either throws `malformedJSON` or "is given more than once" for a
//   member of the object, or returns exactly the object's member
//   names (as `JSONSerialization` reads them); where JSONSerialization refuses a body that
//   `RequestFields` accepts, some member must be an array or object (whose contents
//   `RequestFields` deliberately does not validate).

import Foundation
@testable import HTTP

private let boundary = "fuzzboundary"

private let contentTypes: [[String?]] = [
    ["application/json", nil, "application/json; charset=utf-8", "Application/JSON"],
    ["multipart/form-data; boundary=\(boundary)", "Multipart/Form-Data; boundary=\"\(boundary)\"",
     "multipart/form-data", "multipart/form-data; boundary=\(boundary); charset=utf-8"],
    ["image/png", "image/jpeg", "application/octet-stream", "image/jpg"],
]

private let limitChoices: [(maxSteps: Int, maxBoxes: Int)] = [(16, 2000), (1, 1), (1000, 100_000), (4, 300)]

private let fixedNames: Set<String> = DetectionRequest.optionNames.union(["image", "body", "Content-Type"])

/// `DETECT_FUZZ_TRACE=1` prints each input's outcome (for reproducing and checking seeds).
private let tracing = ProcessInfo.processInfo.environment["DETECT_FUZZ_TRACE"] != nil

private func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        // Written to stderr unbuffered, so the message survives the abort.
        trace("invariant violated: \(message())")
        abort()
    }
}

private func trace(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDetectionRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let control = data[0]
    let rest = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let mode = Int(control & 3)
    if mode == 3 {
        checkRequestFields(json: rest)
        return 0
    }

    var queryBytes: [UInt8] = []
    var body = rest
    if mode == 2 || control & 0x20 != 0 {
        if let nul = rest.firstIndex(of: 0) {
            queryBytes = Array(rest[..<nul])
            body = Array(rest[(nul + 1)...])
        } else {
            queryBytes = rest
            body = []
        }
    }
    // The request line is text: a query that is not UTF-8 never reaches a route.
    guard let queryText = String(validating: queryBytes, as: UTF8.self) else { return 0 }
    let target: RequestTarget
    do {
        target = try RequestTarget.parse("/v1/detect?" + queryText, method: .post)
    } catch {
        return 0
    }

    let contentType = contentTypes[mode][Int(control >> 2) & 3]
    var headers = HTTPHeaders()
    if let contentType { headers.add("Content-Type", contentType) }
    let acceptsPNG = control & 0x10 != 0
    if acceptsPNG { headers.add("Accept", "image/png") }
    let request = HTTPRequest(
        method: .post, target: "/v1/detect", version: .http1_1, path: target.path,
        pathSegments: target.segments, queryItems: target.query.map { (name: $0.name, value: $0.value) },
        headers: headers, body: body)
    let choice = limitChoices[Int(control >> 6)]
    var limits = ServiceConfiguration.DetectionSettings()
    limits.maxSteps = choice.maxSteps
    limits.maxBoxes = choice.maxBoxes

    // Every name the request carries, read independently of the code under test.
    var present = Set(target.query.map(\.name))
    if mode == 1, let form = try? MultipartFormData(parsing: body, boundary: boundary) {
        present.formUnion(form.parts.map(\.name))
    }
    // JSONSerialization refuses a malformed scalar nested in an array or object, which
    // `RequestFields` passes over (see `checkRequestFields`). The member names are then taken
    // from the raw text: a name the error gives must appear quoted in the body, unless the
    // body has escapes (then it could be spelt differently and the name is not checked).
    var jsonNamesFromText = false
    if mode == 0 {
        if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] {
            present.formUnion(object.keys)
        } else {
            jsonNamesFromText = true
        }
    }
    func namedInBody(_ name: String) -> Bool {
        guard jsonNamesFromText else { return false }
        if body.contains(UInt8(ascii: "\\")) { return true }
        let quoted = Array("\"\(name)\"".utf8)
        return body.count >= quoted.count
            && (0...(body.count - quoted.count)).contains { body[$0..<($0 + quoted.count)].elementsEqual(quoted) }
    }

    do {
        let parsed = try DetectionRequest(request, limits: limits)
        if tracing { trace("accepted: \(parsed)") }
        require(!parsed.imageBytes.isEmpty, "accepted with no image bytes")
        func requirePresent(_ name: String, if isSet: Bool) {
            require(!isSet || present.contains(name), "'\(name)' set but not in the request")
        }
        if let steps = parsed.steps { require((1...limits.maxSteps).contains(steps), "steps \(steps)") }
        if let boxes = parsed.boxes { require((1...limits.maxBoxes).contains(boxes), "boxes \(boxes)") }
        if let threshold = parsed.scoreThreshold {
            require(threshold.isFinite && (0...1).contains(threshold), "score_threshold \(threshold)")
        }
        if let seed = parsed.seed { require(seed <= UInt64(DetectionRequest.maxSeed), "seed \(seed)") }
        if let timeout = parsed.jobOptions.timeoutMilliseconds {
            require(JobSubmitter.requestableTimeouts.contains(timeout), "timeout_ms \(timeout)")
        }
        require(!(parsed.format == .png && parsed.jobOptions.stream == true), "png with stream")
        require(parsed.format == .json || acceptsPNG || present.contains("format"), "png without being asked")
        requirePresent("model", if: parsed.model != nil)
        requirePresent("steps", if: parsed.steps != nil)
        requirePresent("boxes", if: parsed.boxes != nil)
        requirePresent("score_threshold", if: parsed.scoreThreshold != nil)
        requirePresent("seed", if: parsed.seed != nil)
        requirePresent("include_final_step", if: parsed.includeFinalStep != nil)
        requirePresent("async", if: parsed.jobOptions.async != nil)
        requirePresent("stream", if: parsed.jobOptions.stream != nil)
        requirePresent("timeout_ms", if: parsed.jobOptions.timeoutMilliseconds != nil)
    } catch {
        if tracing { trace("refused: \(error)") }
        switch error {
        case .invalidField(let field, let reason):
            require(fixedNames.contains(field) || present.contains(field) || namedInBody(field), "error names '\(field)' (\(reason))")
            require(!reason.isEmpty, "empty reason for '\(field)'")
        case .malformedJSON(let reason):
            require(mode == 0, "malformedJSON outside a JSON body: \(reason)")
        case .unsupportedMediaType(let type):
            require(false, "unsupportedMediaType(\(type)) for a supported Content-Type")
        }
    }
    return 0
}

/// `RequestFields(json:)` alone: a JSON object's members, or `malformedJSON`.
private func checkRequestFields(json bytes: [UInt8]) {
    do {
        let fields = try RequestFields(json: bytes)
        if tracing { trace("fields: \(fields.values)") }
        if let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] {
            require(Set(fields.values.keys) == Set(object.keys),
                    "members \(fields.values.keys.sorted()) vs \(object.keys.sorted())")
        } else {
            // Arrays and objects are not descended into, so the only leniency allowed is a
            // malformed scalar inside one: some member must then be `.structured`.
            require(fields.values.values.contains(.structured),
                    "RequestFields accepted what JSONSerialization does not read as an object: \(fields.values)")
        }
    } catch {
        if tracing { trace("refused: \(error)") }
        switch error {
        case .malformedJSON:
            break
        case .invalidField(let name, let reason):
            // Only a repeated member; JSONSerialization (which keeps one of them) must see it.
            require(reason == "is given more than once", "RequestFields(json:) threw \(error)")
            if let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] {
                require(object[name] != nil, "repeated member '\(name)' is not a member")
            }
        case .unsupportedMediaType:
            require(false, "RequestFields(json:) threw \(error)")
        }
    }
}
