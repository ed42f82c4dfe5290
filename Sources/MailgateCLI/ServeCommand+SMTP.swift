import MailgateCore
import ServiceLifecycle

extension ServeCommand {
    /// The SMTP ingress listener (issue 5); not in this build yet.
    static func smtpServices(_ context: ServeContext) throws -> [any Service] {
        context.reportNotImplemented("smtp.listen", "SMTP ingress (issue 5)", configured: context.config.smtp != nil)
        return []
    }
}
