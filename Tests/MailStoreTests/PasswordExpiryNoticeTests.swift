import Foundation
import MailStore
import MailStoreSQLite
import MailgateCore
import MailgateTesting
import Testing

@Suite("Password expiry notices")
struct PasswordExpiryNoticeTests {
    let fixture: StoreFixture
    let notifier: PasswordExpiryNotifier

    init() throws {
        fixture = try StoreFixture()
        notifier = PasswordExpiryNotifier(
            store: fixture.store, clock: fixture.clock, senderHost: "mail.example.test",
            accountPageURL: "https://mail.example.test:8443/account")
    }

    func inboxMessages(_ account: UserAccount) async throws -> [Data] {
        let mailbox = try #require(account.mailbox.id)
        let inbox = try #require(try await fixture.store.folders(of: mailbox).first { $0.role == .inbox })
        var bodies: [Data] = []
        for message in try await fixture.store.messages(in: inbox.id, uids: nil) {
            bodies.append(try #require(try await fixture.store.messageBytes(message.content)))
        }
        return bodies
    }

    @Test("One notice on entering the 14-day window, saying when and where to change; none before")
    func oneNoticeInWindow() async throws {
        let ann = try #require(try await fixture.seed(users: ["ann@example.test"]).first)
        fixture.clock.advance(days: 75)
        #expect(try await notifier.sendDueNotices() == 0)
        fixture.clock.advance(days: 2)  // day 77: 13 days left
        #expect(try await notifier.sendDueNotices() == 1)
        #expect(try await notifier.sendDueNotices() == 0)
        fixture.clock.advance(days: 5)
        #expect(try await notifier.sendDueNotices() == 0)
        let messages = try await inboxMessages(ann)
        #expect(messages.count == 1)
        let text = String(decoding: try #require(messages.first), as: UTF8.self)
        #expect(text.contains("Subject: Your password expires on "))
        #expect(text.contains("https://mail.example.test:8443/account"))
        #expect(text.contains("\r\n\r\n"))
    }

    @Test("A new password starts a new cycle; temporary passwords and expired ones get no notice")
    func newCycle() async throws {
        let ann = try #require(try await fixture.seed(users: ["ann@example.test"]).first)
        _ = try await fixture.addUser("tmp@example.test", mustChange: true)
        fixture.clock.advance(days: 80)
        #expect(try await notifier.sendDueNotices() == 1)
        let hash = try PasswordHasher.forTesting.hash(Secret("Another-Pass3"))
        _ = try await fixture.store.setPassword(of: ann.email, hash: hash, mustChange: false)
        fixture.clock.advance(days: 80)
        #expect(try await notifier.sendDueNotices() == 1)
        fixture.clock.advance(days: 30)
        #expect(try await notifier.sendDueNotices() == 0)
        #expect(try await inboxMessages(ann).count == 2)
    }
}
