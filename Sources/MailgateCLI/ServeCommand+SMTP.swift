import DNSClient
import MailListener
import MailgateCore
import SMTPServer
import SPF
import ServiceLifecycle

extension ServeCommand {
    /// The SMTP ingress listener on `smtp.listen` (issue 5): STARTTLS when `tls` is set, SPF through `dns.resolver`.
    static func smtpServices(_ context: ServeContext) throws -> [any Service] {
        guard let settings = context.config.smtp else { return [] }
        let resolver: DNSResolverConfiguration
        do {
            let text: String
            switch context.config.dns.resolver {
            case .system: text = "system"
            case .server(let address): text = "\(address)"
            }
            resolver = try DNSResolverConfiguration.parse(text, timeoutSeconds: context.config.dns.timeoutSeconds)
        } catch {
            throw RefusedOperation("dns.resolver: \(error)")
        }
        let server = SMTPServer(
            configuration: SMTPServer.Configuration(
                config: context.config, settings: settings, offersSTARTTLS: context.tls != nil),
            store: context.store, spf: SPFEvaluator(resolver: DNSStubResolver(configuration: resolver)),
            tls: context.tls, clock: SystemClock(), logger: context.logger)
        return [
            MailListener.smtp(
                server,
                configuration: SMTPServer.listenerConfiguration(
                    address: settings.listen, maximumConnections: context.config.limits.maxConnections,
                    maximumConnectionsPerAddress: context.config.limits.maxConnectionsPerAddress),
                logger: context.logger)
        ]
    }
}
