import ArgumentParser
import MailStore

struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Organisation policies.", subcommands: [Password.self])

    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or set password expiry: --expire-days 14-730, --notify-days before expiry.")
        @OptionGroup var options: ConfigOption
        @OptionGroup var output: OutputOptions
        @Option var expireDays: Int?
        @Option var notifyDays: Int?

        struct View: Encodable {
            var expireDays: Int
            var notifyDays: Int
        }

        func run() async throws {
            let store = try await AdminContext.open(options).store
            let (expire, notify) = (expireDays, notifyDays)
            let settings =
                expire == nil && notify == nil
                ? try await store.settings()
                : try await store.updateSettings { settings in
                    settings.passwordExpiry = try settings.passwordExpiry.changed(
                        expireDays: expire, notifyDays: notify)
                }
            let view = View(
                expireDays: settings.passwordExpiry.expireDays, notifyDays: settings.passwordExpiry.notifyDays)
            if output.json { return try Output.json(view) }
            Output.fields([
                ("passwords expire after", "\(view.expireDays) days"),
                ("users are warned", "\(view.notifyDays) days before"),
            ])
        }
    }
}

/// `on|off` and `yes|no` arguments.
enum Switch: String, ExpressibleByArgument, CaseIterable {
    case on, off, yes, no
    var isOn: Bool { self == .on || self == .yes }
}

struct MobileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mobile", abstract: "Mobile (ActiveSync) access and the device password policy.",
        subcommands: [Show.self, Set.self, User.self])

    struct View: Encodable {
        var email: Bool
        var requirePassword: Bool
        var minLength: Int?
        var alphanumeric: Bool
        var maxFailedAttempts: Int?
        var inactivityLockMinutes: Int?
        var passwordExpirationDays: Int?
        var passwordHistory: Int

        init(_ policy: MobilePolicy) {
            email = policy.emailEnabled
            requirePassword = policy.requirePassword
            minLength = policy.minLength
            alphanumeric = policy.alphanumeric
            maxFailedAttempts = policy.maxFailedAttempts
            inactivityLockMinutes = policy.inactivityLockMinutes
            passwordExpirationDays = policy.passwordExpirationDays
            passwordHistory = policy.passwordHistory
        }

        func print(json: Bool) throws {
            if json { return try Output.json(self) }
            func value(_ number: Int?, _ unit: String = "") -> String { number.map { "\($0)\(unit)" } ?? "-" }
            Output.fields([
                ("email", email ? "on" : "off"),
                ("require password", Output.yesNo(requirePassword)),
                ("minimum length", value(minLength)),
                ("alphanumeric", Output.yesNo(alphanumeric)),
                ("max failed attempts", value(maxFailedAttempts)),
                ("inactivity lock", value(inactivityLockMinutes, " minutes")),
                ("password expiration", value(passwordExpirationDays, " days")),
                ("password history", String(passwordHistory)),
            ])
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the mobile settings.")
        @OptionGroup var options: ConfigOption
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try View(try await AdminContext.open(options).store.settings().mobile).print(json: output.json)
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change mobile settings; password options need --require-password yes. 0 clears a number.")
        @OptionGroup var options: ConfigOption
        @OptionGroup var output: OutputOptions
        @Option var email: Switch?
        @Option var requirePassword: Switch?
        @Option var minLength: Int?
        @Option var alphanumeric: Switch?
        @Option var maxFailedAttempts: Int?
        @Option(help: "Minutes.") var inactivityLock: Int?
        @Option(help: "Days.") var passwordExpiration: Int?
        @Option var passwordHistory: Int?

        func run() async throws {
            var change = MobilePolicy.Change()
            change.emailEnabled = email?.isOn
            change.requirePassword = requirePassword?.isOn
            change.minLength = minLength
            change.alphanumeric = alphanumeric?.isOn
            change.maxFailedAttempts = maxFailedAttempts
            change.inactivityLockMinutes = inactivityLock
            change.passwordExpirationDays = passwordExpiration
            change.passwordHistory = passwordHistory
            let requested = change
            let settings = try await AdminContext.open(options).store.updateSettings { settings in
                settings.mobile = try settings.mobile.applying(requested)
            }
            try View(settings.mobile).print(json: output.json)
        }
    }

    struct User: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Switch ActiveSync on or off for one user.")
        @OptionGroup var options: ConfigOption
        @Argument var email: String
        @Option var activesync: Switch

        func run() async throws {
            let account = try await AdminContext.open(options).store.setActiveSyncEnabled(
                try AdminContext.address(email), activesync.isOn)
            print("activesync \(account.isActiveSyncEnabled ? "on" : "off") for \(account.email)")
        }
    }
}

struct CalendarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar", abstract: "Calendar publishing.", subcommands: [Publishing.self])

    struct Publishing: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Switch calendar publishing on or off for the whole organisation.")
        @OptionGroup var options: ConfigOption
        @Argument var state: Switch

        func run() async throws {
            let on = state.isOn
            let settings = try await AdminContext.open(options).store.updateSettings { $0.calendarPublishing = on }
            print("calendar publishing \(settings.calendarPublishing ? "on" : "off")")
        }
    }
}
