import ArgumentParser
import MailStore
import MailgateCore

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Users: the email address is the sign-in name.",
        subcommands: [
            Add.self, UserImportCommand.self, UserSetCommand.self, Rename.self, Block.self, Allow.self, List.self,
            Show.self, UserLicenseCommand.self, UserPasswordCommand.self, Delete.self, Restore.self, Alias.self,
            UserDeliverCommand.self,
        ])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user. Without --password a temporary password is printed, to be changed first.")
        @OptionGroup var options: ConfigOption
        @Argument var email: String
        @Option var displayName: String?
        @Option var firstName: String?
        @Option var lastName: String?
        @Option(help: "A password that keeps the organisation's rules.") var password: String?
        @Option(help: "A license SKU to assign (repeatable).") var license: [String] = []

        func run() async throws {
            let context = try await AdminContext.open(options)
            let address = try AdminContext.address(email)
            var profile = UserProfile(
                displayName: displayName ?? ([firstName, lastName].compactMap { $0 }.joined(separator: " ")))
            if profile.displayName.isEmpty { profile.displayName = address.localPart }
            profile.firstName = firstName
            profile.lastName = lastName
            let credential = try Passwords.credential(for: address, given: password.map(Secret.init))
            let account = try await context.store.createUser(
                NewUser(
                    email: address, profile: profile, passwordHash: credential.hash,
                    mustChangePassword: credential.isTemporary, licenses: license))
            print(
                "created \(account.email)"
                    + (account.mailbox.isActive ? " with a mailbox" : " (no license, no mailbox)"))
            if let temporary = credential.temporary {
                print("temporary password: \(temporary.exposedValue) (must be changed at first sign-in)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")
        @OptionGroup var options: ConfigOption
        @OptionGroup var output: OutputOptions
        @Flag(help: "Only users without a license.") var unlicensed = false
        @Flag(help: "Only deleted users that can still be restored.") var deleted = false

        func run() async throws {
            guard !(unlicensed && deleted) else {
                throw ValidationError("--unlicensed and --deleted exclude each other")
            }
            let filter: UserFilter = deleted ? .deleted : unlicensed ? .unlicensed : .live
            let users = try await AdminContext.open(options).store.users(filter).map(UserView.init)
            if output.json { return try Output.json(users) }
            Output.table(
                ["EMAIL", "DISPLAY NAME", "LICENSES", "MAILBOX", "SIGN-IN"] + (deleted ? ["DELETED"] : []),
                users.map { user in
                    [
                        user.email, user.displayName, user.licenses.joined(separator: ",").ifEmpty("-"),
                        user.mailboxState,
                        user.blocked ? "blocked" : "allowed",
                    ] + (deleted ? [Output.date(user.deletedAt)] : [])
                })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one user.")
        @OptionGroup var options: ConfigOption
        @OptionGroup var output: OutputOptions
        @Argument var email: String

        func run() async throws {
            let view = UserView(try await AdminContext.open(options).user(email))
            if output.json { return try Output.json(view) }
            Output.fields(view.humanFields)
        }
    }

    struct Rename: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Give a user a new primary address; mailbox, licenses and password are kept, the old address stays as an alias."
        )
        @OptionGroup var options: ConfigOption
        @Argument var email: String
        @Argument var newEmail: String

        func run() async throws {
            let context = try await AdminContext.open(options)
            let account = try await context.store.renameUser(
                try AdminContext.address(email), to: try AdminContext.address(newEmail))
            print("\(email.lowercased()) is now \(account.email); the old address stays as an alias")
        }
    }

    struct Block: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Block sign-in; the account and mailbox stay and mail is still accepted.")
        @OptionGroup var options: ConfigOption
        @Argument var email: String

        func run() async throws {
            let account = try await AdminContext.open(options).store.setSignInBlocked(
                try AdminContext.address(email), true)
            print("sign-in blocked for \(account.email)")
        }
    }

    struct Allow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Allow sign-in again.")
        @OptionGroup var options: ConfigOption
        @Argument var email: String

        func run() async throws {
            let account = try await AdminContext.open(options).store.setSignInBlocked(
                try AdminContext.address(email), false)
            print("sign-in allowed for \(account.email)")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a user: sign-in and delivery stop, licenses are freed; restorable for 30 days.")
        @OptionGroup var options: ConfigOption
        @Argument var email: String

        func run() async throws {
            let account = try await AdminContext.open(options).store.deleteUser(try AdminContext.address(email))
            print("deleted \(account.email); restorable for 30 days with: mailgate user restore \(account.email)")
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore a deleted user (within 30 days); needs a free license if the user had one.")
        @OptionGroup var options: ConfigOption
        @Argument var email: String
        @Option(name: .customLong("as"), help: "Restore under this address (the old one is taken).")
        var newEmail: String?

        func run() async throws {
            let report = try await AdminContext.open(options).store.restoreUser(
                try AdminContext.address(email), as: try newEmail.map(AdminContext.address))
            print("restored \(report.account.email)")
            for alias in report.droppedAliases {
                print("dropped alias \(alias): it belongs to another user now")
            }
        }
    }

    struct Alias: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add or remove an alias address.")
        @OptionGroup var options: ConfigOption
        @Argument var email: String
        @Option var add: String?
        @Option var remove: String?

        func validate() throws {
            guard (add == nil) != (remove == nil) else {
                throw ValidationError("give exactly one of --add and --remove")
            }
        }

        func run() async throws {
            let store = try await AdminContext.open(options).store
            let user = try AdminContext.address(email)
            if let add {
                _ = try await store.addAlias(try AdminContext.address(add), to: user)
                print("\(add.lowercased()) is now an alias of \(user)")
            } else if let remove {
                _ = try await store.removeAlias(try AdminContext.address(remove), from: user)
                print("\(remove.lowercased()) is no longer an alias of \(user)")
            }
        }
    }
}

extension String {
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
