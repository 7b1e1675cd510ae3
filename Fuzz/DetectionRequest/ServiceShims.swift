// Stand-ins for the two Service declarations that `DetectionRequest.swift` names but whose
// real files pull in the rest of the service: `ServiceConfiguration` (Yams, HTTP limits,
// every settings section) and `JobSubmitter` (compute pool, job store, responders).
//
// Only the members the parser reads are declared, with the real names and types, so the
// fuzzed code — `Sources/Service/Routes/DetectionRequest.swift`, `RequestFields.swift` and
// `Sources/Service/RequestBody.swift` — compiles unchanged. The harness sets the limits it
// checks against explicitly, and `build.sh` refuses to build when `requestableTimeouts`
// here differs from the one in `Sources/Service/Jobs/JobSubmitter.swift`.

public struct ServiceConfiguration: Sendable {
    /// Mirrors `ServiceConfiguration.DetectionSettings` (the request-side limits only).
    public struct DetectionSettings: Sendable, Equatable {
        public var maxBoxes = 2000
        public var maxSteps = 16
    }
}

public struct JobSubmitter: Sendable {
    /// Mirrors `JobSubmitter.Options`.
    public struct Options: Sendable {
        public var async: Bool?
        public var timeoutMilliseconds: Int?
        public var stream: Bool?
    }

    /// Mirrors `JobSubmitter.requestableTimeouts` (checked by `build.sh`).
    public static let requestableTimeouts = 1...3_600_000
}
