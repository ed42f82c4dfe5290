import Foundation
import MailStore
import MailgateTesting
import Testing

@testable import IMAPServer

/// RFC 5182 SEARCHRES, RFC 9051 STATUS DELETED and RFC 3501 6.3.5 RENAME of INBOX.
@Suite("IMAP: saved search results, STATUS DELETED, RENAME INBOX")
struct IMAPSearchResultTests {
    @Test("RFC 5182: SEARCH RETURN (SAVE) then FETCH $, UID STORE $, SEARCH $; an empty result is empty")
    func savedResult() async throws {
        try await IMAPTestServer.run { server in
            for subject in ["alpha", "beta", "alpha again", "gamma"] {
                try await server.deliver(to: "ann@example.test", subject: subject)
            }
            try await IMAPTestClient.connect(port: server.port) { client in
                try await client.signInAndSelect()
                try await client.play(
                    """
                    C: a1 SEARCH RETURN (SAVE) SUBJECT alpha
                    S: a1 OK SEARCH completed, result saved
                    C: a2 FETCH $ (UID)
                    S: * 1 FETCH (UID 1)
                    S: * 3 FETCH (UID 3)
                    S: a2 OK FETCH completed
                    C: a3 UID STORE $ +FLAGS.SILENT (\\Deleted)
                    S: a3 OK STORE completed
                    C: a4 STATUS INBOX (MESSAGES DELETED)
                    S: * STATUS "INBOX" (MESSAGES 4 DELETED 2)
                    S: a4 OK STATUS completed
                    C: a5 SEARCH RETURN (SAVE MIN COUNT) UID 2:4 NOT $
                    S: * ESEARCH (TAG "a5") MIN 2 COUNT 2
                    S: a5 OK SEARCH completed
                    C: a6 UID SEARCH $
                    S: * SEARCH 2 4
                    S: a6 OK SEARCH completed
                    C: a7 SEARCH RETURN (SAVE) SUBJECT nothing-like-this
                    S: a7 OK SEARCH completed, result saved
                    C: a8 FETCH $ (UID)
                    S: a8 OK FETCH completed
                    """)
            }
        }
    }

    @Test("RFC 5182 2.1: expunged messages leave the saved result; SELECT forgets it")
    func savedResultAfterExpunge() async throws {
        try await IMAPTestServer.run { server in
            for subject in ["one", "two", "three"] {
                try await server.deliver(to: "ann@example.test", subject: subject)
            }
            try await IMAPTestClient.connect(port: server.port) { client in
                try await client.signInAndSelect()
                try await client.play(
                    """
                    C: a1 SEARCH RETURN (SAVE) ALL
                    S: a1 OK SEARCH completed, result saved
                    C: a2 STORE 2 +FLAGS.SILENT (\\Deleted)
                    S: a2 OK STORE completed
                    C: a3 EXPUNGE
                    S: * 2 EXPUNGE
                    S: a3 OK EXPUNGE completed
                    C: a4 UID SEARCH $
                    S: * SEARCH 1 3
                    S: a4 OK SEARCH completed
                    C: a5 FETCH $ (UID)
                    S: * 1 FETCH (UID 1)
                    S: * 2 FETCH (UID 3)
                    S: a5 OK FETCH completed
                    C: s1 SELECT INBOX
                    """)
                let selected = try await client.skip(to: "s1")
                #expect(selected == "s1 OK [READ-WRITE] SELECT completed")
                try await client.play(
                    """
                    C: a6 UID SEARCH $
                    S: * SEARCH
                    S: a6 OK SEARCH completed
                    """)
            }
        }
    }

    @Test("RFC 3501 6.3.5: RENAME INBOX moves its messages to the new folder; INBOX stays, empty")
    func renameInbox() async throws {
        try await IMAPTestServer.run { server in
            try await server.deliver(to: "ann@example.test", subject: "one")
            try await server.deliver(to: "ann@example.test", subject: "two")
            try await IMAPTestClient.connect(port: server.port) { client in
                try await client.play(
                    """
                    S~ \\* OK .*
                    \(IMAPSessionTranscriptTests.login)
                    C: a2 RENAME INBOX "Old mail"
                    S: a2 OK RENAME completed
                    C: a3 STATUS INBOX (MESSAGES)
                    S: * STATUS "INBOX" (MESSAGES 0)
                    S: a3 OK STATUS completed
                    C: a4 STATUS "Old mail" (MESSAGES)
                    S: * STATUS "Old mail" (MESSAGES 2)
                    S: a4 OK STATUS completed
                    C: a5 RENAME INBOX "Old mail"
                    S: a5 NO [ALREADYEXISTS] Mailbox already exists
                    """)
            }
        }
    }
}
