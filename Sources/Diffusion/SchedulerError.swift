// Typed errors for scheduler configuration and stepping; nothing a user sends can trap.

/// A scheduler rejected its configuration or its inputs. Every case names what is at fault.
public enum SchedulerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A `scheduler_config.json` key has a value this implementation does not support.
    case unsupportedValue(key: String, value: String, supported: [String])
    /// A configuration value is outside its domain (e.g. `num_train_timesteps` of 0).
    case invalidValue(key: String, reason: String)
    /// `_class_name` names a scheduler this module does not implement.
    case unsupportedScheduler(String)
    /// The JSON could not be decoded at all.
    case malformedConfiguration(String)
    /// The requested number of inference steps is impossible for this configuration.
    case invalidStepCount(Int, reason: String)
    /// A timestep passed to `step`, `scaleModelInput` or `addNoise` is not one this scheduler can use.
    case invalidTimestep(Float, reason: String)
    /// Model output, sample and noise must have identical shapes.
    case shapeMismatch(operation: String, shapes: [[Int]])
    /// `step` was called more times than the schedule has steps.
    case scheduleExhausted(steps: Int)
    /// A stochastic scheduler was stepped without a generator.
    case generatorRequired(scheduler: String)

    public var description: String {
        switch self {
        case let .unsupportedValue(key, value, supported):
            return "scheduler config: \(key) = \(value) is not supported (supported: \(supported.joined(separator: ", ")))"
        case let .invalidValue(key, reason):
            return "scheduler config: \(key): \(reason)"
        case let .unsupportedScheduler(name):
            return "scheduler config: _class_name \(name) is not supported"
        case let .malformedConfiguration(reason):
            return "scheduler config: \(reason)"
        case let .invalidStepCount(count, reason):
            return "scheduler: \(count) inference steps: \(reason)"
        case let .invalidTimestep(timestep, reason):
            return "scheduler: timestep \(timestep): \(reason)"
        case let .shapeMismatch(operation, shapes):
            return "scheduler \(operation): shapes differ: \(shapes.map { "\($0)" }.joined(separator: " vs "))"
        case let .scheduleExhausted(steps):
            return "scheduler: step called after all \(steps) steps were taken"
        case let .generatorRequired(scheduler):
            return "scheduler: \(scheduler) draws noise and needs a generator"
        }
    }
}
