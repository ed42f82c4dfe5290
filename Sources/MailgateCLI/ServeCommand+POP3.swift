import MailgateCore
import POP3Server
import ServiceLifecycle

extension ServeCommand {
    /// The POP3 listeners (issue 7): `pop3.listen` (STLS when TLS is configured) and
    /// `pop3.tls_listen` (implicit TLS), sharing one maildrop lock.
    /// - Throws: when `pop3.tls_listen` is set without TLS material, so `serve` refuses to start.
    static func pop3Services(_ context: ServeContext) throws -> [any Service] {
        let settings = context.config.pop3
        guard settings.listen != nil || settings.tlsListen != nil else { return [] }
        let limits = context.config.limits
        let server = POP3Server(
            store: context.store, signIn: context.signIn, tls: context.tls,
            settings: .init(
                maximumConnections: limits.maxConnections, maximumConnectionsPerAddress: limits.maxConnectionsPerAddress
            ),
            logger: context.logger)
        var services: [any Service] = []
        do {
            if let address = settings.listen {
                services.append(try server.listener(name: "pop3.listen", address: address, implicitTLS: false))
            }
            if let address = settings.tlsListen {
                services.append(try server.listener(name: "pop3.tls_listen", address: address, implicitTLS: true))
            }
        } catch {
            throw RefusedOperation(error.description)
        }
        return services
    }
}
