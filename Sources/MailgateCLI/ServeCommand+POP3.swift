import MailgateCore
import ServiceLifecycle

extension ServeCommand {
    /// The POP3 listeners (issue 7); not in this build yet.
    static func pop3Services(_ context: ServeContext) throws -> [any Service] {
        context.reportNotImplemented("pop3.listen", "POP3 (issue 7)", configured: context.config.pop3.listen != nil)
        context.reportNotImplemented(
            "pop3.tls_listen", "POP3 (issue 7)", configured: context.config.pop3.tlsListen != nil)
        return []
    }
}
