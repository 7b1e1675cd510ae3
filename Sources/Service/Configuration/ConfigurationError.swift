/// Why a configuration could not be used. Each case names the source (file or
/// environment variable) and the key, because the process exits with this one
/// message (status 2) before binding any socket.
public enum ConfigurationError: Error, Equatable, CustomStringConvertible, Sendable {
    case missingFile(path: String)
    case unreadableFile(path: String, reason: String)
    case syntax(source: String, reason: String)
    case unknownKey(source: String, key: String)
    case wrongType(source: String, key: String, expected: String)
    case invalidValue(source: String, key: String, reason: String)

    public var description: String {
        switch self {
        case .missingFile(let path):
            return "configuration file \(path) does not exist"
        case .unreadableFile(let path, let reason):
            return "configuration file \(path) cannot be read: \(reason)"
        case .syntax(let source, let reason):
            return "\(source): invalid YAML: \(reason)"
        case .unknownKey(let source, let key):
            return "\(source): unknown key '\(key)'"
        case .wrongType(let source, let key, let expected):
            return "\(source): key '\(key)' must be \(expected)"
        case .invalidValue(let source, let key, let reason):
            return "\(source): key '\(key)' \(reason)"
        }
    }
}
