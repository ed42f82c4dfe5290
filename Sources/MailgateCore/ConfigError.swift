/// Why a configuration cannot be used. Each case names the key and the value, so that the
/// operator reads `smtp.listen: "127.0.0.1:99999" is not a valid HOST:PORT`, not a trace.
public enum ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    case fileUnreadable(path: String, reason: String)
    case malformedYAML(path: String, reason: String)
    case unknownKey(String)
    case notASection(key: String)
    case missingKey(String)
    case invalidValue(key: String, value: String, expected: String)
    case fileNotFound(key: String, path: String)

    public var description: String {
        switch self {
        case .fileUnreadable(let path, let reason): "cannot read configuration file \(path): \(reason)"
        case .malformedYAML(let path, let reason): "\(path) is not valid YAML: \(reason)"
        case .unknownKey(let key): "\(key): unknown configuration key"
        case .notASection(let key): "\(key): expected a section of keys"
        case .missingKey(let key): "\(key): required key is missing"
        case .invalidValue(let key, let value, let expected): "\(key): \"\(value)\" is not \(expected)"
        case .fileNotFound(let key, let path): "\(key): file \"\(path)\" does not exist"
        }
    }
}
