import ArgumentParser
import MailStore
import MailgateCore

/// `user set EMAIL --FIELD VALUE ...`: edits any bulk-import field; an empty value clears it.
struct UserSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Edit a user's details (any bulk-import field); an empty value clears it.")
    @OptionGroup var options: ConfigOption
    @Argument var email: String
    @Option var displayName: String?
    @Option var firstName: String?
    @Option var lastName: String?
    @Option var jobTitle: String?
    @Option var department: String?
    @Option var officeNumber: String?
    @Option var officePhone: String?
    @Option var mobilePhone: String?
    @Option var fax: String?
    @Option var address: String?
    @Option var city: String?
    @Option var stateOrProvince: String?
    @Option(name: [.customLong("zip-or-postal-code"), .customLong("postal-code")]) var postalCode: String?
    @Option var countryOrRegion: String?

    var changes: [(UserProfile.Field, String?)] {
        [
            (.displayName, displayName), (.firstName, firstName), (.lastName, lastName), (.jobTitle, jobTitle),
            (.department, department), (.officeNumber, officeNumber), (.officePhone, officePhone),
            (.mobilePhone, mobilePhone), (.fax, fax), (.address, address), (.city, city),
            (.stateOrProvince, stateOrProvince), (.postalCode, postalCode), (.countryOrRegion, countryOrRegion),
        ]
    }

    func validate() throws {
        guard changes.contains(where: { $0.1 != nil }) else { throw ValidationError("name at least one field to set") }
        if displayName?.isEmpty == true { throw ValidationError("the display name cannot be empty") }
    }

    func run() async throws {
        let context = try await AdminContext.open(options)
        let account = try await context.user(email)
        var profile = account.profile
        for case (let field, let value?) in changes {
            profile[field] = value.isEmpty ? nil : value
        }
        let updated = try await context.store.updateProfile(of: account.email, to: profile)
        print("updated \(updated.email)")
    }
}

struct UserLicenseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "license", abstract: "Assign or remove a license; the first one gives the user a mailbox.")
    @OptionGroup var options: ConfigOption
    @Argument var email: String
    @Option var assign: String?
    @Option var remove: String?

    func validate() throws {
        guard (assign == nil) != (remove == nil) else {
            throw ValidationError("give exactly one of --assign and --remove")
        }
    }

    func run() async throws {
        let store = try await AdminContext.open(options).store
        let user = try AdminContext.address(email)
        if let assign {
            let account = try await store.assignLicense(assign, to: user)
            print(
                "assigned \(assign) to \(account.email); mailbox \(account.mailbox.isActive ? "active" : "not active")")
        } else if let remove {
            let removal = try await store.removeLicense(remove, from: user)
            print("removed \(remove) from \(removal.account.email)")
            if removal.disabledMailbox {
                // Requirement 20: the command warns what happens to the mailbox's content.
                print(
                    "warning: that was the last license: the mailbox takes no mail and no sign-ins from now on;"
                        + " its content is deleted for good in 30 days unless a license is assigned again")
            }
        }
    }
}

struct UserPasswordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "password",
        abstract: "Set a password, or --reset to a new temporary one; the old one stops working everywhere at once.")
    @OptionGroup var options: ConfigOption
    @Argument var email: String
    @Option var password: String?
    @Flag var reset = false

    func validate() throws {
        guard (password == nil) != !reset else { throw ValidationError("give exactly one of --password and --reset") }
    }

    func run() async throws {
        let context = try await AdminContext.open(options)
        let account = try await context.user(email)
        let credential = try Passwords.credential(for: account.email, given: password.map(Secret.init))
        _ = try await context.store.setPassword(
            of: account.email, hash: credential.hash, mustChange: credential.isTemporary)
        if let temporary = credential.temporary {
            print(
                "temporary password for \(account.email): \(temporary.exposedValue) (must be changed at next sign-in)")
        } else {
            print("password changed for \(account.email)")
        }
    }
}
