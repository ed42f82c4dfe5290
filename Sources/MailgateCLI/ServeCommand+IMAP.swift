import MailgateCore
import ServiceLifecycle

extension ServeCommand {
    /// The IMAP listeners (issue 6); not in this build yet.
    static func imapServices(_ context: ServeContext) throws -> [any Service] {
        context.reportNotImplemented("imap.listen", "IMAP (issue 6)", configured: context.config.imap.listen != nil)
        context.reportNotImplemented(
            "imap.tls_listen", "IMAP (issue 6)", configured: context.config.imap.tlsListen != nil)
        return []
    }
}
