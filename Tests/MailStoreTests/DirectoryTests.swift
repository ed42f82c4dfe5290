import Foundation
import MailStore
import MailStoreSQLite
import MailgateTesting
import Testing

@Suite("Store: domains, licenses and users")
struct DirectoryTests {
    let fixture: StoreFixture
    init() throws { fixture = try StoreFixture() }
    var store: SQLiteMailStore { fixture.store }

    func address(_ text: String) throws -> EmailAddress { try #require(EmailAddress(text)) }

    @Test("Adding a domain twice is refused; it gets an ownership token")
    func domainTwice() async throws {
        let domain = try await store.addDomain("Example.TEST")
        #expect(domain.name == "example.test")
        #expect(domain.verificationToken.hasPrefix("mailgate-verification="))
        await #expect(throws: StoreRefusal.domainExists("example.test")) { try await store.addDomain("example.test") }
        await #expect(throws: StoreRefusal.invalidDomain("not a domain")) { try await store.addDomain("not a domain") }
    }

    @Test("Removing a domain is refused while a live address uses it")
    func domainInUse() async throws {
        try await fixture.seed(users: ["ann@example.test"])
        await #expect(throws: StoreRefusal.domainInUse("example.test", addresses: 1)) {
            try await store.removeDomain("example.test")
        }
        _ = try await store.deleteUser(try address("ann@example.test"))
        try await store.removeDomain("example.test")
        #expect(try await store.domains().isEmpty)
    }

    @Test("A user with a license gets a mailbox with the six standard folders")
    func mailboxOnLicense() async throws {
        let ann = try #require(try await fixture.seed(users: ["ann@example.test"]).first)
        let mailbox = try #require(ann.mailbox.id)
        #expect(ann.mailbox.isActive)
        let folders = try await store.folders(of: mailbox)
        #expect(Set(folders.compactMap(\.role)) == Set(FolderRole.allCases))
        #expect(Set(folders.map(\.name)) == ["Inbox", "Drafts", "Sent Items", "Deleted Items", "Junk Email", "Outbox"])
        #expect(Set(folders.map(\.uidValidity)).count == 6)
    }

    @Test("A user without a license has no mailbox and no mail is accepted")
    func unlicensedUser() async throws {
        try await fixture.seed()
        let bob = try await fixture.addUser("bob@example.test", licenses: [])
        #expect(bob.mailbox == .none)
        #expect(try await store.resolveRecipient(try address("bob@example.test")) == .disabled)
        #expect(try await store.users(.unlicensed).map(\.email.description) == ["bob@example.test"])
    }

    @Test("Assigning a license when none is left is refused, naming the counts")
    func noLicenseLeft() async throws {
        try await fixture.seed(licenses: 1, users: ["ann@example.test"])
        let bob = try await fixture.addUser("bob@example.test", licenses: [])
        await #expect(throws: StoreRefusal.noLicensesLeft(sku: "P1", total: 1, assigned: 1)) {
            try await store.assignLicense("P1", to: bob.email)
        }
        #expect(try await store.licenses() == [LicenseInfo(sku: "P1", total: 1, assigned: 1)])
    }

    @Test("Creating a user with no license left refuses the whole user")
    func createAllOrNothing() async throws {
        try await fixture.seed(licenses: 1, users: ["ann@example.test"])
        await #expect(throws: StoreRefusal.noLicensesLeft(sku: "P1", total: 1, assigned: 1)) {
            try await fixture.addUser("bob@example.test")
        }
        #expect(try await store.user(try address("bob@example.test")) == nil)
    }

    @Test("Two stores racing for the last license: exactly one wins")
    func licenseRace() async throws {
        try await fixture.seed(licenses: 1)
        let other = try fixture.reopen()
        var users: [EmailAddress] = []
        for index in 0..<8 {
            users.append(try await fixture.addUser("u\(index)@example.test", licenses: []).email)
        }
        let stores: [any MailStore] = [store, other]
        let wins = await withTaskGroup(of: Bool.self) { group in
            for (index, user) in users.enumerated() {
                let racer = stores[index % 2]
                group.addTask { (try? await racer.assignLicense("P1", to: user)) != nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(wins == 1)
        #expect(try await store.licenses().first?.assigned == 1)
    }

    @Test("Lowering a license count below the number assigned is refused")
    func lowerBelowAssigned() async throws {
        try await fixture.seed(licenses: 5, users: ["a@example.test", "b@example.test", "c@example.test"])
        await #expect(throws: StoreRefusal.licenseCountBelowAssigned(sku: "P1", requested: 1, assigned: 3)) {
            try await store.setLicenseTotal(sku: "P1", total: 1)
        }
        #expect(try await store.setLicenseTotal(sku: "P1", total: 3).available == 0)
        #expect(
            StoreRefusal.licenseCountBelowAssigned(sku: "P1", requested: 1, assigned: 3).description.contains(
                "unassign 2"))
    }

    @Test("Removing the last license disables the mailbox; a license within 30 days reconnects it")
    func disableAndReconnect() async throws {
        let ann = try #require(try await fixture.seed(users: ["ann@example.test"]).first)
        let mailbox = try #require(ann.mailbox.id)
        _ = try await store.deliver(
            .init(bytes: StoreFixture.message(), internalDate: fixture.clock.now), to: [mailbox])
        let removal = try await store.removeLicense("P1", from: ann.email)
        #expect(removal.disabledMailbox)
        #expect(try await store.resolveRecipient(ann.email) == .disabled)
        fixture.clock.advance(days: 29)
        _ = try await store.purgeExpired()
        let back = try await store.assignLicense("P1", to: ann.email)
        #expect(back.mailbox == .active(mailbox))
        let inbox = try #require(try await store.folders(of: mailbox).first { $0.role == .inbox })
        #expect(inbox.messageCount == 1)
    }

    @Test("A mailbox disabled for more than 30 days is purged; a new license makes a new one")
    func purgeDisabledMailbox() async throws {
        let ann = try #require(try await fixture.seed(users: ["ann@example.test"]).first)
        _ = try await store.removeLicense("P1", from: ann.email)
        fixture.clock.advance(days: 31)
        let report = try await store.purgeExpired()
        #expect(report.purgedMailboxes == 1)
        #expect(try await store.user(ann.email)?.mailbox == MailboxState.none)
        let back = try await store.assignLicense("P1", to: ann.email)
        #expect(back.mailbox.id != ann.mailbox.id)
    }

    @Test("Deleting frees licenses and stops delivery; restore within 30 days brings all back")
    func deleteRestore() async throws {
        let ann = try #require(try await fixture.seed(licenses: 1, users: ["ann@example.test"]).first)
        _ = try await store.addAlias(try address("anna@example.test"), to: ann.email)
        _ = try await store.deleteUser(ann.email)
        #expect(try await store.licenses().first?.assigned == 0)
        #expect(try await store.resolveRecipient(ann.email) == .unknownUser)
        #expect(try await store.users(.deleted).map(\.email) == [ann.email])
        fixture.clock.advance(days: 10)
        let report = try await store.restoreUser(ann.email, as: nil)
        #expect(report.droppedAliases.isEmpty)
        #expect(report.account.aliases.map(\.description) == ["anna@example.test"])
        #expect(report.account.mailbox == ann.mailbox)
        #expect(report.account.licenses == ["P1"])
    }

    @Test("Restoring a licensed user needs a free license")
    func restoreNeedsLicense() async throws {
        let ann = try #require(try await fixture.seed(licenses: 1, users: ["ann@example.test"]).first)
        _ = try await store.deleteUser(ann.email)
        _ = try await fixture.addUser("bob@example.test")
        await #expect(throws: StoreRefusal.noLicensesLeft(sku: "P1", total: 1, assigned: 1)) {
            try await store.restoreUser(ann.email, as: nil)
        }
        #expect(try await store.user(ann.email) == nil)
    }

    @Test("Restore after 30 days is refused and purge removes the user")
    func restoreWindow() async throws {
        let ann = try #require(try await fixture.seed(users: ["ann@example.test"]).first)
        _ = try await store.deleteUser(ann.email)
        fixture.clock.advance(days: 31)
        await #expect(throws: StoreRefusal.restoreWindowPassed("ann@example.test")) {
            try await store.restoreUser(ann.email, as: nil)
        }
        #expect(try await store.purgeExpired().purgedUsers == [ann.email])
        #expect(try await store.users(.deleted).isEmpty)
    }

    @Test("Restoring when the address was taken: refused, or restored --as, dropping taken aliases")
    func restoreTakenAddress() async throws {
        let ann = try #require(try await fixture.seed(users: ["ann@example.test"]).first)
        _ = try await store.addAlias(try address("sales@example.test"), to: ann.email)
        _ = try await store.addAlias(try address("anna@example.test"), to: ann.email)
        _ = try await store.deleteUser(ann.email)
        let newAnn = try await fixture.addUser("ann@example.test")
        _ = try await store.addAlias(try address("sales@example.test"), to: newAnn.email)
        await #expect(throws: StoreRefusal.restoreAddressTaken("ann@example.test")) {
            try await store.restoreUser(ann.email, as: nil)
        }
        let report = try await store.restoreUser(ann.email, as: try address("ann.old@example.test"))
        #expect(report.account.email.description == "ann.old@example.test")
        #expect(report.droppedAliases.map(\.description).sorted() == ["ann@example.test", "sales@example.test"])
        #expect(report.account.aliases.map(\.description) == ["anna@example.test"])
        #expect(report.account.id == ann.id)
    }

    @Test("Renaming keeps mailbox, licenses and password; the old address stays as an alias")
    func rename() async throws {
        let ann = try #require(try await fixture.seed(users: ["ann@example.test"]).first)
        _ = try await store.addDomain("new.test")
        let renamed = try await store.renameUser(ann.email, to: try address("ann@new.test"))
        #expect(renamed.email.description == "ann@new.test")
        #expect(renamed.aliases == [ann.email])
        #expect(renamed.mailbox == ann.mailbox)
        #expect(renamed.licenses == ["P1"])
        let credentials = try #require(try await store.credentials(for: ann.email))
        #expect(credentials.userID == ann.id)
        await #expect(throws: StoreRefusal.domainNotAccepted("ann@other.test")) {
            try await store.renameUser(renamed.email, to: try address("ann@other.test"))
        }
    }

    @Test("An address belongs to one live user: aliases and primaries collide")
    func addressUniqueness() async throws {
        try await fixture.seed(users: ["ann@example.test", "bob@example.test"])
        await #expect(throws: StoreRefusal.addressTaken("ann@example.test")) {
            try await store.addAlias(try address("ann@example.test"), to: try address("bob@example.test"))
        }
        await #expect(throws: StoreRefusal.addressTaken("bob@example.test")) {
            try await fixture.addUser("BOB@example.test")
        }
    }

    @Test("Blocked users keep mailbox and still receive mail")
    func blocked() async throws {
        let ann = try #require(try await fixture.seed(users: ["ann@example.test"]).first)
        let blocked = try await store.setSignInBlocked(ann.email, true)
        #expect(blocked.isSignInBlocked)
        if case .mailbox = try await store.resolveRecipient(ann.email) {} else { Issue.record("mail refused") }
    }

    @Test("Profile fields are checked against the import lengths")
    func profileLengths() async throws {
        let ann = try #require(try await fixture.seed(users: ["ann@example.test"]).first)
        var profile = ann.profile
        profile.jobTitle = String(repeating: "x", count: 65)
        await #expect(throws: StoreRefusal.invalidProfile("Job Title is longer than 64 characters")) {
            try await store.updateProfile(of: ann.email, to: profile)
        }
        profile.jobTitle = "Engineer"
        #expect(try await store.updateProfile(of: ann.email, to: profile).profile.jobTitle == "Engineer")
    }

    @Test("Settings persist; mobile password options need passwords required")
    func settings() async throws {
        var change = MobilePolicy.Change()
        change.minLength = 6
        let premature = change
        await #expect(throws: StoreRefusal.self) {
            try await store.updateSettings { settings in settings.mobile = try settings.mobile.applying(premature) }
        }
        change.requirePassword = true
        let required = change
        let updated = try await store.updateSettings { $0.mobile = try $0.mobile.applying(required) }
        #expect(updated.mobile.minLength == 6)
        #expect(try await fixture.reopen().settings().mobile.minLength == 6)
        #expect(throws: StoreRefusal.self) {
            try PasswordExpiryPolicy.defaults.changed(expireDays: 10, notifyDays: nil)
        }
    }
}
