// The user-facing names of the schedulers, in one table (CLI, HTTP and logs share it).

/// The scheduler families this module implements, keyed by diffusers class name.
public enum SchedulerKind: String, Sendable, Codable, CaseIterable {
    case ddpm = "DDPMScheduler"
    case ddim = "DDIMScheduler"
    case pndm = "PNDMScheduler"
    case eulerDiscrete = "EulerDiscreteScheduler"
    case eulerAncestralDiscrete = "EulerAncestralDiscreteScheduler"
    case dpmSolverMultistep = "DPMSolverMultistepScheduler"

    /// The short name used in requests and on the command line.
    public var shortName: String {
        switch self {
        case .ddpm: return "ddpm"
        case .ddim: return "ddim"
        case .pndm: return "pndm"
        case .eulerDiscrete: return "euler"
        case .eulerAncestralDiscrete: return "euler_a"
        case .dpmSolverMultistep: return "dpmpp_2m"
        }
    }

    /// Parses a short name or a diffusers class name; `nil` when unknown.
    public init?(name: String) {
        if let kind = SchedulerKind(rawValue: name) { self = kind; return }
        guard let kind = SchedulerKind.allCases.first(where: { $0.shortName == name.lowercased() }) else { return nil }
        self = kind
    }
}
