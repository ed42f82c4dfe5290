import Foundation
import MailStore
import MailStoreSQLite
import MailgateTesting
import Testing

@Suite("Store: folders, messages and the change feed")
struct MailTests {
    let fixture: StoreFixture
    init() throws { fixture = try StoreFixture() }
    var store: SQLiteMailStore { fixture.store }

    func inbox(_ mailbox: MailboxID) async throws -> FolderInfo {
        try #require(try await store.folders(of: mailbox).first { $0.role == .inbox })
    }

    @Test("One delivery to three mailboxes stores the bytes once and files it in each Inbox")
    func deliverToMany() async throws {
        let users = try await fixture.seed(users: ["a@example.test", "b@example.test", "c@example.test"])
        let boxes = users.compactMap(\.mailbox.id)
        let results = try await store.deliver(
            .init(bytes: StoreFixture.message(), internalDate: fixture.clock.now), to: boxes)
        #expect(results.map { try? $0.get() } == [1, 1, 1])
        var contents: Set<ContentID> = []
        for box in boxes {
            let messages = try await store.messages(in: try await inbox(box).id, uids: nil)
            #expect(messages.count == 1)
            contents.formUnion(messages.map(\.content))
        }
        #expect(contents.count == 1)
        #expect(try await store.messageBytes(try #require(contents.first)) == StoreFixture.message())
    }

    @Test("UIDs ascend, modseqs ascend, counters follow inserts and flag changes")
    func uidsAndCounters() async throws {
        let box = try #require(try await fixture.seed(users: ["a@example.test"]).first?.mailbox.id)
        for _ in 0..<3 {
            _ = try await store.deliver(
                .init(bytes: StoreFixture.message(), internalDate: fixture.clock.now), to: [box])
        }
        var folder = try await inbox(box)
        #expect(folder.uidNext == 4)
        #expect(folder.messageCount == 3)
        #expect(folder.unseenCount == 3)
        let modSeqBefore = folder.highestModSeq
        let result = try await store.setFlags(
            in: folder.id, uids: [1, 2], mode: .add, flags: .seen, keywords: ["$Important"], unchangedSince: nil)
        #expect(result.changed.map(\.uid) == [1, 2])
        #expect(result.changed.allSatisfy { $0.modSeq > modSeqBefore && $0.keywords == ["$Important"] })
        folder = try await inbox(box)
        #expect(folder.unseenCount == 1)
        let changes = try await store.changes(in: folder.id, since: modSeqBefore)
        #expect(changes.changed.map(\.uid) == [1, 2])
    }

    @Test("RFC 7162 3.1.3: STORE UNCHANGEDSINCE refuses messages modified later")
    func unchangedSince() async throws {
        let box = try #require(try await fixture.seed(users: ["a@example.test"]).first?.mailbox.id)
        _ = try await store.deliver(.init(bytes: StoreFixture.message(), internalDate: fixture.clock.now), to: [box])
        let folder = try await inbox(box)
        let first = try await store.setFlags(
            in: folder.id, uids: [1], mode: .add, flags: .flagged, keywords: [], unchangedSince: nil)
        let stale = try #require(first.changed.first?.modSeq) - 1
        let second = try await store.setFlags(
            in: folder.id, uids: [1], mode: .add, flags: .seen, keywords: [], unchangedSince: stale)
        #expect(second.modifiedSince == [1])
        #expect(second.changed.isEmpty)
    }

    @Test("EXPUNGE removes only \\Deleted messages and leaves tombstones for QRESYNC")
    func expunge() async throws {
        let box = try #require(try await fixture.seed(users: ["a@example.test"]).first?.mailbox.id)
        for _ in 0..<3 {
            _ = try await store.deliver(
                .init(bytes: StoreFixture.message(), internalDate: fixture.clock.now), to: [box])
        }
        let folder = try await inbox(box)
        _ = try await store.setFlags(
            in: folder.id, uids: [2], mode: .add, flags: .deleted, keywords: [], unchangedSince: nil)
        let removed = try await store.remove(nil, from: folder.id, onlyDeleted: true)
        #expect(removed == [2])
        #expect(try await store.messages(in: folder.id, uids: nil).map(\.uid) == [1, 3])
        #expect(try await store.changes(in: folder.id, since: folder.highestModSeq).vanished == [2])
    }

    @Test("COPY and MOVE assign destination UIDs (RFC 4315) and share the bytes")
    func copyMove() async throws {
        let box = try #require(try await fixture.seed(users: ["a@example.test"]).first?.mailbox.id)
        for _ in 0..<2 {
            _ = try await store.deliver(
                .init(bytes: StoreFixture.message(), internalDate: fixture.clock.now), to: [box])
        }
        let source = try await inbox(box)
        let archive = try await store.createFolder(named: "Archive/2026", in: box)
        #expect(try await store.folder(named: "Archive", in: box) != nil)
        let copied = try await store.copy([1, 2, 99], from: source.id, to: archive.id)
        #expect(copied.uidValidity == archive.uidValidity)
        #expect(copied.pairs.map(\.destination) == [1, 2])
        let moved = try await store.move([1], from: source.id, to: archive.id)
        #expect(moved.pairs.map(\.destination) == [3])
        #expect(try await store.messages(in: source.id, uids: nil).map(\.uid) == [2])
        #expect(try await store.folder(archive.id)?.messageCount == 3)
    }

    @Test("Folders: rename carries children, role folders cannot be deleted, recreated names get new UIDVALIDITY")
    func folderLifecycle() async throws {
        let box = try #require(try await fixture.seed(users: ["a@example.test"]).first?.mailbox.id)
        let projects = try await store.createFolder(named: "Projects/Alpha", in: box)
        let parent = try #require(try await store.folder(named: "Projects", in: box))
        try await store.renameFolder(parent.id, to: "Work")
        #expect(try await store.folder(projects.id)?.name == "Work/Alpha")
        let inbox = try await inbox(box)
        await #expect(throws: StoreRefusal.folderHasRole("Inbox")) { try await store.deleteFolder(inbox.id) }
        try await store.deleteFolder(projects.id)
        let again = try await store.createFolder(named: "Work/Alpha", in: box)
        #expect(again.uidValidity != projects.uidValidity)
        await #expect(throws: StoreRefusal.invalidFolderName("bad*name")) {
            try await store.createFolder(named: "bad*name", in: box)
        }
    }

    @Test("Quota: a delivery that would exceed it is refused for that mailbox only")
    func disabledMailboxRefusesDelivery() async throws {
        let users = try await fixture.seed(users: ["a@example.test", "b@example.test"])
        _ = try await store.removeLicense("P1", from: users[1].email)
        let boxes = users.compactMap(\.mailbox.id)
        let results = try await store.deliver(
            .init(bytes: StoreFixture.message(), internalDate: fixture.clock.now), to: boxes)
        #expect((try? results[0].get()) == 1)
        #expect(results[1] == .failure(.mailboxUnavailable))
    }

    @Test("The change feed tells subscribers of deliveries, also those made by another process")
    func changeFeed() async throws {
        let box = try #require(try await fixture.seed(users: ["a@example.test"]).first?.mailbox.id)
        let inboxID = try await inbox(box).id
        let stream = store.changeFeed.subscribe()
        let watcher = Task { try await store.watchOtherProcesses(interval: .milliseconds(20)) }
        defer { watcher.cancel() }
        // This process's own write.
        _ = try await store.deliver(.init(bytes: StoreFixture.message(), internalDate: fixture.clock.now), to: [box])
        // Another process's write, through a second store on the same file.
        let other = try fixture.reopen()
        _ = try await other.deliver(.init(bytes: StoreFixture.message(), internalDate: fixture.clock.now), to: [box])
        // Bounded: a missed change fails the test instead of hanging it.
        let seen = await withTaskGroup(of: Int.self) { group in
            group.addTask {
                var seen = 0
                for await change in stream where change == .folder(box, inboxID) {
                    seen += 1
                    if seen == 2 { break }
                }
                return seen
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(10))
                return -1
            }
            let first = await group.next() ?? -1
            group.cancelAll()
            return first
        }
        #expect(seen == 2)
    }

    @Test("Many concurrent deliveries are all stored, each exactly once")
    func concurrentDeliveries() async throws {
        let box = try #require(try await fixture.seed(users: ["a@example.test"]).first?.mailbox.id)
        let store = self.store
        let now = fixture.clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask {
                    _ = try await store.deliver(
                        .init(bytes: StoreFixture.message(subject: "m\(index)"), internalDate: now), to: [box])
                }
            }
            try await group.waitForAll()
        }
        let messages = try await store.messages(in: try await inbox(box).id, uids: nil)
        #expect(messages.map(\.uid) == Array(1...200))
    }

    @Test("A password notice is delivered once per password")
    func passwordNoticeOnce() async throws {
        let ann = try #require(try await fixture.seed(users: ["ann@example.test"]).first)
        let changedAt = try #require(ann.passwordChangedAt)
        let notice = IncomingMessage(bytes: StoreFixture.message(subject: "expiry"), internalDate: fixture.clock.now)
        #expect(try await store.deliverPasswordNotice(notice, to: ann.id, passwordChangedAt: changedAt))
        #expect(try await !store.deliverPasswordNotice(notice, to: ann.id, passwordChangedAt: changedAt))
        #expect(try await inbox(try #require(ann.mailbox.id)).messageCount == 1)
    }
}

@Suite("Store: durability settings")
struct DurabilitySettingsTests {
    @Test("Every commit is synced: the writer runs with synchronous = FULL, in WAL mode")
    func synchronousFull() async throws {
        let fixture = try StoreFixture()
        #expect(try await fixture.store.writerSynchronousMode() == 2)
        #expect(try await fixture.reopen().writerSynchronousMode() == 2)
    }
}
