import Configuration
public import Foundation
import SystemPackage
import Yams

/// Reads and validates the configuration file of INTERFACE.md.
///
/// Values come through swift-configuration: environment variables first (`SMTP_LISTEN`
/// overrides `smtp.listen`), then the YAML file. The YAML tree is also walked against
/// ``ConfigSchema`` so that an unknown key is an error that names it.
public enum MailgateConfigLoader {
    /// Loads the file at `path`, applies overrides from `environment`, and validates the result.
    ///
    /// - Throws: ``ConfigError`` naming the key and value at fault.
    public static func load(
        path: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws(ConfigError) -> MailgateConfig {
        let absolutePath = absolute(path, relativeTo: FileManager.default.currentDirectoryPath)
        guard let data = FileManager.default.contents(atPath: absolutePath) else {
            throw .fileUnreadable(path: absolutePath, reason: "no such file or not readable")
        }
        try validateKeys(yaml: data, path: absolutePath)
        let fileProvider: FileProvider<YAMLSnapshot>
        do {
            fileProvider = try await FileProvider<YAMLSnapshot>(filePath: FilePath(absolutePath))
        } catch {
            throw .malformedYAML(path: absolutePath, reason: String(describing: error))
        }
        let overrides = EnvironmentVariablesProvider(environmentVariables: overridingVariables(from: environment))
        let reader = ConfigReader(providers: [overrides, fileProvider])
        return try ConfigValues(reader: reader, folder: (absolutePath as NSString).deletingLastPathComponent)
            .build(configFile: absolutePath)
    }

    /// The DNS settings alone, for commands (`spf check`, `domain verify`) that need nothing else.
    public static func dnsSettings(
        configPath: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws(ConfigError) -> (resolver: String, timeoutSeconds: Double) {
        let config = try await load(path: configPath, environment: environment)
        switch config.dns.resolver {
        case .system: return ("system", config.dns.timeoutSeconds)
        case .server(let hostPort): return (hostPort.description, config.dns.timeoutSeconds)
        }
    }

    /// The environment variables that may override keys, renamed to the keys' own encoding.
    ///
    /// Only variables named after a known key are taken, so the process environment cannot
    /// inject keys the schema does not know. `hostname` is overridden by `MAILGATE_HOSTNAME`:
    /// the shell's own `HOSTNAME` names the machine, not the mail service.
    static func overridingVariables(from environment: [String: String]) -> [String: String] {
        var picked: [String: String] = [:]
        for (key, kind) in ConfigSchema.keys where kind == .scalar {
            let variable = key == "hostname" ? "MAILGATE_HOSTNAME" : ConfigSchema.environmentName(of: key)
            if let value = environment[variable] {
                picked[ConfigSchema.environmentName(of: key)] = value
            }
        }
        return picked
    }

    static func validateKeys(yaml data: Data, path: String) throws(ConfigError) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: String(decoding: data, as: UTF8.self))
        } catch {
            throw .malformedYAML(path: path, reason: String(describing: error))
        }
        guard let root else { return }  // an empty file: every key takes its default
        guard let mapping = root.mapping else { throw .notASection(key: "(top level)") }
        try validate(mapping, prefix: "")
    }

    private static func validate(_ mapping: Node.Mapping, prefix: String) throws(ConfigError) {
        for (keyNode, valueNode) in mapping {
            let name = keyNode.string ?? String(describing: keyNode)
            let key = prefix.isEmpty ? name : "\(prefix).\(name)"
            guard let kind = ConfigSchema.keys[key] else { throw .unknownKey(key) }
            switch (kind, valueNode) {
            case (.section, .mapping(let child)):
                try validate(child, prefix: key)
            case (.section, .scalar(let scalar)) where scalar.string.isEmpty || scalar.string == "null":
                continue  // "smtp:" with nothing under it
            case (.section, _):
                throw .notASection(key: key)
            case (.scalar, .scalar):
                continue
            case (.scalar, _):
                throw .invalidValue(key: key, value: "(a section or list)", expected: "a single value")
            }
        }
    }

    /// Makes `path` absolute, taking a relative path from `folder`.
    public static func absolute(_ path: String, relativeTo folder: String) -> String {
        let joined = path.hasPrefix("/") ? path : (folder as NSString).appendingPathComponent(path)
        return (joined as NSString).standardizingPath
    }
}
