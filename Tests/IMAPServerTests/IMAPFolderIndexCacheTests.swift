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
}
