import Configuration
import Foundation

/// Reads each key as text and turns it into a typed, validated setting, naming the key on error.
struct ConfigValues {
    let reader: ConfigReader
    /// The folder of the configuration file: relative paths start here.
    let folder: String

    func text(_ key: String) -> String? {
        guard let value = reader.string(forKey: ConfigKey(key.split(separator: ".").map(String.init))) else {
            return nil
        }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty || trimmed == "null" ? nil : trimmed
    }

    func hostPort(_ key: String) throws(ConfigError) -> HostPort? {
        guard let value = text(key) else { return nil }
        guard let parsed = HostPort(parsing: value) else {
            throw .invalidValue(key: key, value: value, expected: "a valid HOST:PORT")
        }
        return parsed
    }

    func integer(_ key: String, default defaultValue: Int, in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let value = text(key) else { return defaultValue }
        guard let number = Int(value), range.contains(number) else {
            throw .invalidValue(
                key: key, value: value, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    func number(_ key: String, default defaultValue: Double, in range: ClosedRange<Double>) throws(ConfigError)
        -> Double
    {
        guard let value = text(key) else { return defaultValue }
        guard let number = Double(value), range.contains(number) else {
            throw .invalidValue(
                key: key, value: value, expected: "a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    func flag(_ key: String, default defaultValue: Bool) throws(ConfigError) -> Bool {
        guard let value = text(key) else { return defaultValue }
        switch value.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw .invalidValue(key: key, value: value, expected: "true or false")
        }
    }

    func choice<T: RawRepresentable>(_ key: String, default defaultValue: T) throws(ConfigError) -> T
    where T.RawValue == String {
        guard let value = text(key) else { return defaultValue }
        guard let chosen = T(rawValue: value.lowercased()) else {
            throw .invalidValue(key: key, value: value, expected: "one of the allowed words")
        }
        return chosen
    }

    func path(_ key: String) -> String? {
        text(key).map { MailgateConfigLoader.absolute($0, relativeTo: folder) }
    }

    func build(configFile: String) throws(ConfigError) -> MailgateConfig {
        let hostname = text("hostname") ?? "localhost"
        guard Self.isHostName(hostname) else {
            throw .invalidValue(key: "hostname", value: hostname, expected: "a host name")
        }
        let publicURL = text("public_url") ?? "https://\(hostname):8443"
        guard let url = URL(string: publicURL), url.scheme == "https" || url.scheme == "http", url.host != nil else {
            throw .invalidValue(key: "public_url", value: publicURL, expected: "an http(s) URL")
        }
        return MailgateConfig(
            configFile: configFile,
            hostname: hostname,
            publicURL: publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL,
            dataDirectory: path("data_dir") ?? MailgateConfigLoader.absolute("../data", relativeTo: folder),
            tls: try tls(),
            dns: try dns(),
            smtp: try smtp(),
            submission: .init(listen: try hostPort("submission.listen")),
            imap: .init(listen: try hostPort("imap.listen"), tlsListen: try hostPort("imap.tls_listen")),
            pop3: .init(listen: try hostPort("pop3.listen"), tlsListen: try hostPort("pop3.tls_listen")),
            outbound: try outbound(),
            http: .init(listen: try hostPort("http.listen"), tlsListen: try hostPort("http.tls_listen")),
            limits: try limits(),
            log: .init(level: try logLevel())
        )
    }

    private func tls() throws(ConfigError) -> MailgateConfig.TLSSettings? {
        let certificate = path("tls.certificate")
        let key = path("tls.private_key")
        guard certificate != nil || key != nil else { return nil }
        guard let certificate else { throw .missingKey("tls.certificate") }
        guard let key else { throw .missingKey("tls.private_key") }
        let generates = try flag("tls.dev_certificates", default: false)
        if !generates {
            // A missing file is an error here, not a trace at the first handshake.
            guard FileManager.default.fileExists(atPath: certificate) else {
                throw .fileNotFound(key: "tls.certificate", path: certificate)
            }
            guard FileManager.default.fileExists(atPath: key) else {
                throw .fileNotFound(key: "tls.private_key", path: key)
            }
        }
        return .init(certificatePath: certificate, privateKeyPath: key, generatesDevelopmentCertificates: generates)
    }

    private func dns() throws(ConfigError) -> MailgateConfig.DNSSettings {
        let resolver: MailgateConfig.DNSSettings.Resolver
        switch text("dns.resolver") {
        case nil, "system": resolver = .system
        case let value?:
            guard let server = HostPort(parsing: value) else {
                throw .invalidValue(key: "dns.resolver", value: value, expected: "\"system\" or a valid HOST:PORT")
            }
            resolver = .server(server)
        }
        return .init(resolver: resolver, timeoutSeconds: try number("dns.timeout_seconds", default: 5, in: 0.1...60))
    }

    private func smtp() throws(ConfigError) -> MailgateConfig.SMTPSettings? {
        guard let listen = try hostPort("smtp.listen") else { return nil }
        return .init(
            listen: listen,
            maxMessageBytes: try integer("smtp.max_message_bytes", default: 36_700_160, in: 1024...1_073_741_824),
            maxRecipients: try integer("smtp.max_recipients", default: 100, in: 1...10_000),
            spfFail: try choice("smtp.spf_fail", default: .reject),
            spfPermerror: try choice("smtp.spf_permerror", default: .tag)
        )
    }

    private func outbound() throws(ConfigError) -> MailgateConfig.OutboundSettings? {
        let smarthost = try hostPort("outbound.smarthost")
        let retry = text("outbound.first_retry_seconds")
        let giveUp = text("outbound.give_up_hours")
        guard smarthost != nil || retry != nil || giveUp != nil else { return nil }
        return .init(
            smarthost: smarthost,
            firstRetrySeconds: try integer("outbound.first_retry_seconds", default: 60, in: 1...86_400),
            giveUpHours: try integer("outbound.give_up_hours", default: 48, in: 1...720)
        )
    }

    private func limits() throws(ConfigError) -> MailgateConfig.LimitSettings {
        let defaults = MailgateConfig.LimitSettings()
        return .init(
            maxConnections: try integer("limits.max_connections", default: defaults.maxConnections, in: 1...100_000),
            maxConnectionsPerAddress: try integer(
                "limits.max_connections_per_address", default: defaults.maxConnectionsPerAddress, in: 1...100_000),
            maxSessionsPerUser: try integer(
                "limits.max_sessions_per_user", default: defaults.maxSessionsPerUser, in: 1...10_000))
    }

    private func logLevel() throws(ConfigError) -> String {
        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        let level = (text("log.level") ?? "info").lowercased()
        guard levels.contains(level) else {
            throw .invalidValue(key: "log.level", value: level, expected: "one of \(levels.joined(separator: ", "))")
        }
        return level
    }

    /// RFC 1123 2.1 host name: labels of letters, digits and hyphens, at most 253 characters.
    static func isHostName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}
