import Foundation
import GRDB
import MailStore
import MailgateTesting
import Testing

@testable import MailStoreSQLite

@Suite("Store: wire forms kept with the content")
struct WireFormStoreTests {
    let fixture: StoreFixture
    init() throws { fixture = try StoreFixture() }
    var store: SQLiteMailStore { fixture.store }

    /// Delivers `count` messages to a new user's Inbox; their folder and contents, in UID order.
    func delivered(_ count: Int) async throws -> (folder: FolderID, contents: [ContentID]) {
        let box = try #require(try await fixture.seed(users: ["a@example.test"]).first?.mailbox.id)
        for index in 0..<count {
            _ = try await store.deliver(
                .init(bytes: StoreFixture.message(subject: "m\(index)"), internalDate: fixture.clock.now), to: [box])
        }
        let inbox = try #require(try await store.folders(of: box).first { $0.role == .inbox })
        return (inbox.id, try await store.messages(in: inbox.id, uids: nil).map(\.content))
    }

    func keptRows() async throws -> Int {
        try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM content_wire") ?? -1 }
    }

    @Test("A listed form, an empty list and a scanned message come back as kept; others are missing")
    func roundTrip() async throws {
        let (_, contents) = try await delivered(4)
        let kept: [ContentID: WireForm] = [
            contents[0]: WireForm(size: 900, dotLines: [0, 17, 899]),
            contents[1]: WireForm(size: 40, dotLines: []),
            contents[2]: WireForm(size: 41, dotLines: nil),
        ]
        try await store.keepWireForms(kept)
        #expect(try await store.wireForms(of: contents) == kept)
        #expect(try await store.wireForms(of: [contents[3]]).isEmpty)
        #expect(try await store.wireForms(of: []).isEmpty)
        // Kept again (a second session worked it out too): replaced, not doubled.
        try await store.keepWireForms([contents[1]: WireForm(size: 40, dotLines: [])])
        #expect(try await keptRows() == 3)
    }

    @Test("A removed content's form goes with it, and one kept after the removal is dropped")
    func removal() async throws {
        let (folder, contents) = try await delivered(2)
        try await store.keepWireForms([contents[0]: WireForm(size: 10, dotLines: [])])
        _ = try await store.remove([1, 2], from: folder, onlyDeleted: false)
        #expect(try await keptRows() == 0)
        try await store.keepWireForms([contents[1]: WireForm(size: 10, dotLines: [])])
        #expect(try await keptRows() == 0)
        #expect(try await store.wireForms(of: contents).isEmpty)
    }

    @Test("A row that makes no sense is skipped, so the form is worked out again")
    func nonsenseRows() async throws {
        let (_, contents) = try await delivered(4)
        try await store.pool.write { db in
            // Offsets blob not a multiple of 8; an offset past the end; a negative size; offsets
            // that do not rise (RETR would copy a run backwards).
            try db.execute(
                sql: """
                    INSERT INTO content_wire VALUES
                    (?, 10, 1, x'0102030405'), (?, 10, 1, ?), (?, -1, 0, NULL), (?, 10, 1, ?)
                    """,
                arguments: [
                    contents[0].rawValue, contents[1].rawValue, SQLiteMailStore.encodeDotLines([10]),
                    contents[2].rawValue, contents[3].rawValue, SQLiteMailStore.encodeDotLines([5, 2]),
                ])
        }
        #expect(try await store.wireForms(of: contents).isEmpty)
    }
}
