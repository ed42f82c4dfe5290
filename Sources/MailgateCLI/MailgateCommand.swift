public import ArgumentParser

/// The `mailgate` command: `serve` and the administration commands of INTERFACE.md.
public struct MailgateCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mailgate",
        abstract: "A mail gateway for small organisations: SMTP, IMAP, POP3, Autodiscover, ActiveSync, calendars.",
        subcommands: [
            ServeCommand.self, DomainCommand.self, LicenseCommand.self, UserCommand.self, PolicyCommand.self,
            MobileCommand.self, CalendarCommand.self, SPFCommand.self,
        ]
    )

    public init() {}
}
