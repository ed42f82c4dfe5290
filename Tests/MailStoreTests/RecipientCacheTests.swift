import Foundation
import MailStore
import MailgateTesting
import Testing

@testable import MailStoreSQLite

@Suite("Recipient resolution cache")
struct RecipientCacheTests {
    let fixture: StoreFixture
    init() throws { fixture = try StoreFixture() }
    var store: SQLiteMailStore { fixture.store }

    @Test("A cached resolution never outlives the write that changes it, in this process")
    func clearedByOwnWrites() async throws {
        let ann = try #require(try await fixture.seed(users: ["ann@example.test"]).first)
        let alias = try #require(EmailAddress("anna@example.test"))
        guard case .mailbox(let box, _, nil) = try await store.resolveRecipient(ann.email) else {
            Issue.record("ann not resolved to her mailbox")
            return
        }
        #expect(try await store.resolveRecipient(alias) == .unknownUser)
        // Both answers are cached now; each write below must clear them before it returns.
        _ = try await store.addAlias(alias, to: ann.email)
        #expect(try await store.resolveRecipient(alias) == .mailbox(box, user: ann.id, quotaRemaining: nil))
        _ = try await store.removeLicense("P1", from: ann.email)
        #expect(try await store.resolveRecipient(ann.email) == .disabled)
        _ = try await store.assignLicense("P1", to: ann.email)
        #expect(try await store.resolveRecipient(alias) == .mailbox(box, user: ann.id, quotaRemaining: nil))
    }

    @Test("Another process's change reaches the cache through the change-log poller")
    func clearedByOtherProcesses() async throws {
        let ann = try #require(try await fixture.seed(users: ["ann@example.test"]).first)
        let watcher = Task { try await store.watchOtherProcesses(interval: .milliseconds(20)) }
        defer { watcher.cancel() }
        guard case .mailbox = try await store.resolveRecipient(ann.email) else {
            Issue.record("ann not resolved to her mailbox")
            return
        }
        let changes = store.changeFeed.subscribe()
        _ = try await fixture.reopen().deleteUser(ann.email)
        // The poller publishes the other process's change; the cache is cleared as it is
        // published, well within the entries' lifetime (so expiry cannot explain the answer).
        for await change in changes where change == .account(ann.id) { break }
        #expect(try await store.resolveRecipient(ann.email) == .unknownUser)
    }

    @Test("A lookup that began before a change does not store its answer after it")
    func generationGuardsFill() {
        let cache = RecipientCache()
        guard case .miss(let before) = cache.lookup("ann@example.test") else {
            Issue.record("empty cache answered")
            return
        }
        cache.clear()  // a change lands while the lookup reads the store
        cache.remember(.unknownUser, for: "ann@example.test", generation: before)
        guard case .miss(let after) = cache.lookup("ann@example.test") else {
            Issue.record("a stale answer was kept")
            return
        }
        cache.remember(.unknownUser, for: "ann@example.test", generation: after)
        #expect(cache.hit("ann@example.test") == .unknownUser)
    }

    @Test("Answers that depend on usage (a quota) are never kept; entries expire")
    func quotaAndLifetime() async throws {
        let cache = RecipientCache(lifetime: .milliseconds(50))
        let quota = RecipientResolution.mailbox(MailboxID(1), user: UserID(1), quotaRemaining: 100)
        guard case .miss(let generation) = cache.lookup("a@example.test") else {
            Issue.record("empty cache answered")
            return
        }
        cache.remember(quota, for: "a@example.test", generation: generation)
        cache.remember(.disabled, for: "b@example.test", generation: generation)
        #expect(cache.hit("a@example.test") == nil)
        #expect(cache.hit("b@example.test") == .disabled)
        try await Task.sleep(for: .milliseconds(80))
        #expect(cache.hit("b@example.test") == nil)
    }
}

extension RecipientCache {
    /// The cached resolution, nil on a miss.
    func hit(_ address: String) -> RecipientResolution? {
        if case .hit(let resolution) = lookup(address) { return resolution }
        return nil
    }
}
