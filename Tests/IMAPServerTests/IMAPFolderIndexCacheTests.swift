import Foundation
import MailStore
import MailStoreSQLite
import MailgateTesting
import Testing

@testable import IMAPServer

/// SELECT starts from the server's cached folder index and the folder list the session read
/// last (FolderIndexCache, IMAPCommandRunner.selectionTarget): what changed in between, by
/// anyone, must show exactly as if the folder had been read whole.
@Suite("IMAP SELECT from the cached folder index")
struct IMAPFolderIndexCacheTests {
    func inbox(_ server: IMAPTestServer) async throws -> FolderInfo {
        let mailbox = try await server.mailbox("ann@example.test")
        return try #require(try await server.fixture.store.folders(of: mailbox).first { $0.role == .inbox })
    }

    @Test("Deliveries, flag changes and expunges made after the index was cached all show at the next SELECT")
    func changesAfterCaching() async throws {
        try await IMAPTestServer.run { server in
            for subject in ["one", "two", "three"] {
                try await server.deliver(to: "ann@example.test", subject: subject)
            }
            try await IMAPTestClient.connect(port: server.port) { client in
                try await client.signInAndSelect()  // caches the index at three messages
                let folder = try await inbox(server)
                let store = server.fixture.store
                _ = try await store.setFlags(
                    in: folder.id, uids: [1, 2], mode: .add, flags: [.seen], keywords: ["$Work"], unchangedSince: nil)
                _ = try await store.remove([2], from: folder.id, onlyDeleted: false)
                try await server.deliver(to: "ann@example.test", subject: "four")
                try await client.play(
                    """
                    C: a1 UNSELECT
                    S: a1 OK UNSELECT completed
                    C: a2 SELECT INBOX
                    S: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)
                    S: * OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work \\*)] Flags permitted
                    S: * 3 EXISTS
                    S: * 0 RECENT
                    S: * OK [UNSEEN 2] First unseen
                    S~ \\* OK \\[UIDVALIDITY \\d+\\] UIDs valid
                    S: * OK [UIDNEXT 5] Predicted next UID
                    S~ \\* OK \\[HIGHESTMODSEQ \\d+\\] Highest
                    S: a2 OK [READ-WRITE] SELECT completed
                    C: a3 FETCH 1:* (UID FLAGS)
                    S: * 1 FETCH (UID 1 FLAGS (\\Seen $Work))
                    S: * 2 FETCH (UID 3 FLAGS ())
                    S: * 3 FETCH (UID 4 FLAGS ())
                    S: a3 OK FETCH completed
                    """)
            }
        }
    }

    @Test("A folder renamed by another session is not selected under its old name from the cached list")
    func renamedElsewhere() async throws {
        try await IMAPTestServer.run { server in
            let mailbox = try await server.mailbox("ann@example.test")
            let folder = try await server.fixture.store.createFolder(named: "Projects", in: mailbox)
            try await IMAPTestClient.connect(port: server.port) { client in
                try await client.play(
                    """
                    S~ \\* OK .*
                    \(IMAPSessionTranscriptTests.login)
                    C: a1 EXAMINE Projects
                    """)
                let examined = try await client.skip(to: "a1")
                #expect(examined == "a1 OK [READ-ONLY] EXAMINE completed")
                try await server.fixture.store.renameFolder(folder.id, to: "Archive")
                try await client.play(
                    """
                    C: a2 EXAMINE Projects
                    S: a2 NO [NONEXISTENT] No such mailbox
                    C: a3 EXAMINE Archive
                    """)
                let last = try await client.skip(to: "a3")
                #expect(last == "a3 OK [READ-ONLY] EXAMINE completed")
            }
        }
    }

    /// Selects `name` and returns the untagged EXISTS and UIDNEXT it reported.
    func select(_ name: String, tag: String, _ client: IMAPTestClient) async throws -> (exists: String, uidNext: String)
    {
        try await client.send("\(tag) SELECT \(name)\r\n")
        var exists = "", uidNext = ""
        while true {
            let line = try #require(try await client.line())
            if line.hasSuffix(" EXISTS") { exists = line }
            if line.contains("[UIDNEXT") { uidNext = line }
            if line.hasPrefix(tag + " ") {
                #expect(line == "\(tag) OK [READ-WRITE] SELECT completed")
                return (exists, uidNext)
            }
        }
    }

    @Test("A folder current in the cache is selected without a store read, until a change is reported")
    func currentUntilChanged() async throws {
        try await IMAPTestServer.run { server in
            for subject in ["one", "two"] { try await server.deliver(to: "ann@example.test", subject: subject) }
            let mailbox = try await server.mailbox("ann@example.test")
            let work = try await server.fixture.store.createFolder(named: "Work", in: mailbox)
            try await IMAPTestClient.connect(port: server.port) { client in
                try await client.signInAndSelect()
                // The second SELECT reads with the folder's row: the entry is current from then on.
                for tag in ["b1", "b2", "b3"] {
                    #expect(
                        try await select("INBOX", tag: tag, client) == (
                            "* 2 EXISTS", "* OK [UIDNEXT 3] Predicted next UID"
                        ))
                }
                try await server.deliver(to: "ann@example.test", subject: "three")
                #expect(
                    try await select("INBOX", tag: "c1", client) == (
                        "* 3 EXISTS", "* OK [UIDNEXT 4] Predicted next UID"
                    ))
                #expect(
                    try await select("INBOX", tag: "c2", client) == (
                        "* 3 EXISTS", "* OK [UIDNEXT 4] Predicted next UID"
                    ))
                let inbox = try await inbox(server)
                _ = try await server.fixture.store.remove([1], from: inbox.id, onlyDeleted: false)
                #expect(
                    try await select("INBOX", tag: "d1", client) == (
                        "* 2 EXISTS", "* OK [UIDNEXT 4] Predicted next UID"
                    ))
                // A folder current under its old name is not selected under it after a rename.
                for tag in ["e1", "e2", "e3"] {
                    #expect(
                        try await select("Work", tag: tag, client) == (
                            "* 0 EXISTS", "* OK [UIDNEXT 1] Predicted next UID"
                        ))
                }
                try await server.fixture.store.renameFolder(work.id, to: "Play")
                try await client.send("f1 SELECT Work\r\n")
                #expect(try await client.skip(to: "f1") == "f1 NO [NONEXISTENT] No such mailbox")
            }
        }
    }

    @Test("Currency: set only by a read no reported change overtook; cleared by the folder's or its list's changes")
    func currencyRules() {
        let feed = ChangeFeed()
        let cache = FolderIndexCache()
        cache.follow(feed)
        let box = MailboxID(1)
        let inbox = FolderInfo(
            id: FolderID(10), mailbox: box, name: "INBOX", role: .inbox, uidValidity: 7, uidNext: 1,
            highestModSeq: 1, isSubscribed: true, messageCount: 0, unseenCount: 0)
        let index = FolderIndex(modSeq: 1)
        cache.offer(index, for: inbox.id, current: inbox, ticket: cache.ticket(for: inbox.id))
        #expect(cache.currentSelection(of: inbox.id, named: "INBOX")?.0 == inbox)
        #expect(cache.currentSelection(of: inbox.id, named: "Other") == nil)
        // Another mailbox's changes leave it current.
        feed.publish([.folder(MailboxID(2), FolderID(20)), .folderList(MailboxID(2)), .directory])
        #expect(cache.currentSelection(of: inbox.id, named: "INBOX") != nil)
        feed.publish([.folder(box, inbox.id)])
        #expect(cache.currentSelection(of: inbox.id, named: "INBOX") == nil)
        // A change reported while the read was under way: the answer is kept, but not as current.
        let ticket = cache.ticket(for: inbox.id)
        feed.publish([.folder(box, inbox.id)])
        cache.offer(index, for: inbox.id, current: inbox, ticket: ticket)
        #expect(cache.currentSelection(of: inbox.id, named: "INBOX") == nil)
        #expect(cache.index(of: inbox.id) != nil)
        cache.offer(index, for: inbox.id, current: inbox, ticket: cache.ticket(for: inbox.id))
        #expect(cache.currentSelection(of: inbox.id, named: "INBOX") != nil)
        feed.publish([.folderList(box)])
        #expect(cache.currentSelection(of: inbox.id, named: "INBOX") == nil)
        // An offer without a row never makes an entry current.
        cache.offer(index, for: inbox.id)
        #expect(cache.currentSelection(of: inbox.id, named: "INBOX") == nil)
    }
}
