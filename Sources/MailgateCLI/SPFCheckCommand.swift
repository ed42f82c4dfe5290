import ArgumentParser
import DNSClient
import Foundation
import MailgateCore
import SPF

/// `mailgate spf ...`: SPF tools (INTERFACE.md, issue 4).
struct SPFCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spf",
        abstract: "Check SPF (RFC 7208) the way SMTP ingress does.",
        subcommands: [Check.self]
    )

    /// `mailgate spf check --ip IP --mail-from ADDR --helo NAME [--resolver HOST:PORT] [--config PATH]`.
    ///
    /// Prints the result word on the first line and the explanation, if any, on the second; exits 0 whatever
    /// the SPF result, 2 for bad usage.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Evaluate SPF for a client address, MAIL FROM and HELO.",
            discussion: "First line: none|neutral|pass|fail|softfail|temperror|permerror; second: the explanation."
        )

        @Option(name: .long, help: "The SMTP client's IP address.")
        var ip: String

        @Option(name: .customLong("mail-from"), help: "The MAIL FROM address (may be empty).")
        var mailFrom: String

        @Option(name: .long, help: "The HELO/EHLO name.")
        var helo: String

        @Option(name: .long, help: "DNS server as HOST:PORT, overriding dns.resolver.")
        var resolver: String?

        @OptionGroup var configOption: ConfigOption

        func validate() throws {
            guard IPAddress(ip) != nil else { throw ValidationError("--ip: \"\(ip)\" is not an IP address") }
            if let resolver {
                do {
                    _ = try DNSResolverConfiguration.serverAddress(resolver)
                } catch {
                    throw ValidationError("--resolver: \(error)")
                }
            }
        }

        func run() async throws {
            guard let address = IPAddress(ip) else { throw ValidationError("--ip: \"\(ip)\" is not an IP address") }
            let settings = try await SPFCommand.resolverSettings(configPath: configOption.config, override: resolver)
            let configuration: DNSResolverConfiguration
            do {
                configuration = try DNSResolverConfiguration.parse(
                    settings.resolver, timeoutSeconds: settings.timeoutSeconds)
            } catch {
                throw ValidationError("dns.resolver: \(error)")
            }
            let evaluator = SPFEvaluator(resolver: DNSStubResolver(configuration: configuration))
            var sender = mailFrom
            if sender.hasPrefix("<") && sender.hasSuffix(">") && sender.count >= 2 {
                sender = String(sender.dropFirst().dropLast())
            }
            let result = await evaluator.evaluate(ip: address, mailFrom: sender, helo: helo, receiver: "")
            print(result.code.rawValue)
            if let explanation = result.explanation { print(explanation) }
        }
    }

    /// The resolver and per-lookup timeout: `override` (with the config's timeout if the file exists, else 5 s),
    /// or `dns.resolver` and `dns.timeout_seconds` from the configuration file.
    static func resolverSettings(configPath: String, override: String? = nil) async throws
        -> (resolver: String, timeoutSeconds: Double)
    {
        if let override {
            guard FileManager.default.fileExists(atPath: configPath) else { return (override, 5) }
            return (override, try await MailgateConfigLoader.dnsSettings(configPath: configPath).timeoutSeconds)
        }
        return try await MailgateConfigLoader.dnsSettings(configPath: configPath)
    }
}
