import IMAPServer
import MailgateCore
import ServiceLifecycle

extension ServeCommand {
    /// The IMAP listeners (issue 6): `imap.listen` (STARTTLS when TLS is configured) and
    /// `imap.tls_listen` (implicit TLS), sharing one per-user session count.
    /// - Throws: when `imap.tls_listen` is set without TLS material, so `serve` refuses to start.
    static func imapServices(_ context: ServeContext) throws -> [any Service] {
        let settings = context.config.imap
        guard settings.listen != nil || settings.tlsListen != nil else { return [] }
        let server = IMAPServer(
            store: context.store, signIn: context.signIn, tls: context.tls,
            configuration: IMAPServerConfiguration(
                appendLimit: context.config.smtp?.maxMessageBytes ?? IMAPServerConfiguration().appendLimit,
                maximumSessionsPerUser: context.config.limits.maxSessionsPerUser,
                maximumConnections: context.config.limits.maxConnections,
                maximumConnectionsPerAddress: context.config.limits.maxConnectionsPerAddress),
            logger: context.logger)
        var services: [any Service] = []
        do throws(IMAPServerError) {
            if let address = settings.listen {
                services.append(try server.listener(name: "imap.listen", address: address, implicitTLS: false))
            }
            if let address = settings.tlsListen {
                services.append(try server.listener(name: "imap.tls_listen", address: address, implicitTLS: true))
            }
        } catch {
            throw RefusedOperation(error.description)
        }
        return services
    }
}
