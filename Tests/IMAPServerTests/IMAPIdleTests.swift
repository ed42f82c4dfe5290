import Foundation
import MailStore
import MailStoreSQLite
import MailgateTesting
import NIOCore
import Testing

@testable import IMAPServer

/// Changes made elsewhere reach sessions with the folder selected (RFC 2177, RFC 3501 7.3-7.4).
@Suite("IMAP change notification")
struct IMAPIdleTests {
    @Test("RFC 2177: a store delivery wakes an IDLE session with EXISTS and RECENT")
    func deliveryWakesIdle() async throws {
        try await IMAPTestServer.run { server in
            try await IMAPTestClient.connect(port: server.port) { client in
                try await client.play(
                    """
                    S~ \\* OK .*
                    \(IMAPSessionTranscriptTests.login)
                    C: a2 EXAMINE INBOX
                    S~ (\\* .*)
                    S~ (\\* .*)
                    S: * 0 EXISTS
                    S~ (\\* .*)
                    S~ (\\* .*)
                    S~ (\\* .*)
                    S~ (\\* .*)
                    S: a2 OK [READ-ONLY] EXAMINE completed
                    C: a3 IDLE
                    S: + idling
                    """)
                try await server.deliver(to: "ann@example.test")
                try await client.play(
                    """
                    S: * 1 EXISTS
                    S: * 1 RECENT
                    C: DONE
                    S: a3 OK IDLE terminated
                    C: a4 FETCH 1 FLAGS
                    S: * 1 FETCH (FLAGS (\\Recent))
                    S: a4 OK FETCH completed
                    """)
            }
        }
    }

    @Test("RFC 3501 7.4.1: another session's EXPUNGE is told at NOOP, not during FETCH")
    func expungeFromAnotherSession() async throws {
        try await IMAPTestServer.run { server in
            for index in 1...2 { try await server.deliver(to: "ann@example.test", subject: "M\(index)") }
            let select = """
                S~ \\* OK .*
                \(IMAPSessionTranscriptTests.login)
                C: a2 SELECT INBOX
                S~ (\\* .*)
                S~ (\\* .*)
                S: * 2 EXISTS
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S: a2 OK [READ-WRITE] SELECT completed
                """
            try await IMAPTestClient.connect(port: server.port) { watcher in
                try await watcher.play(select)
                try await IMAPTestClient.connect(port: server.port) { actor in
                    try await actor.play(
                        select + """

                            C: b1 STORE 1 +FLAGS.SILENT (\\Deleted)
                            S: b1 OK STORE completed
                            C: b2 EXPUNGE
                            S: * 1 EXPUNGE
                            S: b2 OK EXPUNGE completed
                            """)
                }
                // The change feed is asynchronous: give it a moment to mark the folder.
                try await Task.sleep(for: .milliseconds(200))
                try await watcher.play(
                    """
                    C: a3 FETCH 1:* UID
                    S: * 2 FETCH (UID 2)
                    S: a3 OK FETCH completed
                    C: a4 NOOP
                    S: * 1 EXPUNGE
                    S: a4 OK NOOP completed
                    C: a5 FETCH 1 UID
                    S: * 1 FETCH (UID 2)
                    S: a5 OK FETCH completed
                    """)
            }
        }
    }

    @Test("RFC 3501 7.4.2: another session's flag change is told as FETCH FLAGS")
    func flagsFromAnotherSession() async throws {
        try await IMAPTestServer.run { server in
            try await server.deliver(to: "ann@example.test")
            let mailbox = try await server.mailbox("ann@example.test")
            try await IMAPTestClient.connect(port: server.port) { client in
                try await client.play(
                    """
                    S~ \\* OK .*
                    \(IMAPSessionTranscriptTests.login)
                    C: a2 SELECT INBOX
                    S~ (\\* .*)
                    S~ (\\* .*)
                    S~ (\\* .*)
                    S~ (\\* .*)
                    S~ (\\* .*)
                    S~ (\\* .*)
                    S~ (\\* .*)
                    S~ (\\* .*)
                    S: a2 OK [READ-WRITE] SELECT completed
                    C: a3 IDLE
                    S: + idling
                    """)
                let inbox = try #require(
                    try await server.fixture.store.folders(of: mailbox).first { $0.role == .inbox })
                _ = try await server.fixture.store.setFlags(
                    in: inbox.id, uids: [1], mode: .add, flags: .seen, keywords: [], unchangedSince: nil)
                try await client.play(
                    """
                    S: * 1 FETCH (UID 1 FLAGS (\\Seen))
                    C: done
                    S: a3 OK IDLE terminated
                    """)
            }
        }
    }

    @Test("RFC 3501 5.4: the session limit per user is NO [LIMIT]")
    func sessionLimit() async throws {
        try await IMAPTestServer.run(configuration: .init(maximumSessionsPerUser: 1, failedSignInDelay: .zero)) {
            server in
            try await IMAPTestClient.connect(port: server.port) { first in
                try await first.play(
                    """
                    S~ \\* OK .*
                    \(IMAPSessionTranscriptTests.login)
                    """)
                try await server.play(
                    """
                    S~ \\* OK .*
                    C: b1 LOGIN ann@example.test Secret-Pass1
                    S: b1 NO [LIMIT] Too many sessions for this user; close another first
                    """)
            }
        }
    }

    @Test("RFC 2595, RFC 3501 6.2.1: STARTTLS, then a session over TLS")
    func startTLS() async throws {
        try await IMAPTestServer.run(withTLS: true) { server in
            let folder = try #require(server.tlsFolder)
            try await IMAPTestClient.connect(port: server.port) { client in
                try await client.play(
                    """
                    S: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ SASL-IR ID ENABLE IDLE STARTTLS AUTH=PLAIN] Mailgate IMAP ready
                    C: a1 STARTTLS
                    S: a1 OK Begin TLS negotiation now
                    """)
                try await client.startTLS(trusting: folder.file("ca.crt"))
                try await client.play(
                    """
                    C: a2 CAPABILITY
                    S: * CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ SASL-IR ID ENABLE IDLE AUTH=PLAIN
                    S: a2 OK CAPABILITY completed
                    \(IMAPSessionTranscriptTests.login)
                    """)
            }
        }
    }
}

/// Timers and account state seen at sign-in.
@Suite("IMAP timers and sign-in notices")
struct IMAPTimerTests {
    @Test("RFC 3501 5.4: a silent session is logged out with BYE")
    func autologout() async throws {
        try await IMAPTestServer.run(configuration: .init(failedSignInDelay: .zero, autologout: .milliseconds(300))) {
            server in
            try await server.play(
                """
                S~ \\* OK .*
                S: * BYE Autologout; idle for too long
                S: <closed>
                """)
        }
    }

    @Test("RFC 5530 ALERT: inside the warning window the login says how many days the password has left")
    func expiryAlert() async throws {
        try await IMAPTestServer.run { server in
            server.fixture.clock.advance(days: 80)
            try await server.play(
                """
                S~ \\* OK .*
                C: a1 LOGIN ann@example.test Secret-Pass1
                S: * OK [ALERT] Your password expires in 10 days: change it on the account page
                S~ a1 OK \\[CAPABILITY .*\\] Logged in
                """)
            server.fixture.clock.advance(days: 11)
            try await server.play(
                """
                S~ \\* OK .*
                C: a1 LOGIN ann@example.test Secret-Pass1
                S: a1 NO [EXPIRED] the password has expired: change it on the account page
                """)
        }
    }
}

/// RFC 7162 3.2 QRESYNC.
@Suite("IMAP QRESYNC")
struct IMAPQResyncTests {
    @Test("RFC 7162 3.2.5, 3.2.10: VANISHED instead of EXPUNGE, and a resynchronising SELECT")
    func qresync() async throws {
        try await IMAPTestServer.run { server in
            for index in 1...3 { try await server.deliver(to: "ann@example.test", subject: "M\(index)") }
            let mailbox = try await server.mailbox("ann@example.test")
            let inbox = try #require(try await server.fixture.store.folders(of: mailbox).first { $0.role == .inbox })
            let modSeq = inbox.highestModSeq
            try await server.play(
                """
                S~ \\* OK .*
                \(IMAPSessionTranscriptTests.login)
                C: a2 SELECT INBOX (QRESYNC (\(inbox.uidValidity) 1))
                S: a2 BAD QRESYNC needs ENABLE QRESYNC first
                C: a3 ENABLE QRESYNC
                S: * ENABLED QRESYNC
                S: a3 OK ENABLE completed
                C: a4 SELECT INBOX
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S: a4 OK [READ-WRITE] SELECT completed
                C: a5 STORE 1 +FLAGS.SILENT (\\Deleted)
                S: a5 OK STORE completed
                C: a6 STORE 2 +FLAGS.SILENT (\\Flagged)
                S: a6 OK STORE completed
                C: a7 EXPUNGE
                S: * VANISHED 1
                S: a7 OK EXPUNGE completed
                C: a8 SELECT INBOX (QRESYNC (\(inbox.uidValidity) \(modSeq) 1:3))
                S: * OK [CLOSED] Previous mailbox closed
                S~ (\\* .*)
                S~ (\\* .*)
                S: * 2 EXISTS
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S: * VANISHED (EARLIER) 1
                S~ \\* 1 FETCH \\(UID 2 FLAGS \\(\\\\Flagged\\) MODSEQ \\([0-9]+\\)\\)
                S: a8 OK [READ-WRITE] SELECT completed
                C: a9 UID FETCH 1:* FLAGS (CHANGEDSINCE \(modSeq) VANISHED)
                S: * VANISHED (EARLIER) 1
                S~ \\* 1 FETCH \\(UID 2 FLAGS \\(\\\\Flagged\\) MODSEQ \\([0-9]+\\)\\)
                S: a9 OK FETCH completed
                """)
        }
    }
}

/// RFC 9051 through ENABLE.
@Suite("IMAP4rev2")
struct IMAPRev2Tests {
    @Test("RFC 9051: after ENABLE IMAP4rev2, ESEARCH, no RECENT, UTF-8 names and CLOSED")
    func rev2() async throws {
        try await IMAPTestServer.run { server in
            try await server.deliver(to: "ann@example.test", subject: "One")
            try await server.play(
                """
                S~ \\* OK .*
                \(IMAPSessionTranscriptTests.login)
                C: a2 ENABLE IMAP4rev2
                S: * ENABLED IMAP4rev2
                S: a2 OK ENABLE completed
                C: a3 CREATE "Café"
                S: a3 OK CREATE completed
                C: a4 LIST "" Caf*
                S: * LIST (\\HasNoChildren) "/" "Café"
                S: a4 OK LIST completed
                C: a5 SELECT INBOX
                S~ (\\* FLAGS .*)
                S~ (\\* OK \\[PERMANENTFLAGS .*)
                S: * 1 EXISTS
                S: * OK [UNSEEN 1] First unseen
                S~ (\\* OK \\[UIDVALIDITY .*)
                S~ (\\* OK \\[UIDNEXT .*)
                S~ (\\* OK \\[HIGHESTMODSEQ .*)
                S: a5 OK [READ-WRITE] SELECT completed
                C: a6 UID SEARCH ALL
                S: * ESEARCH (TAG "a6") UID ALL 1
                S: a6 OK SEARCH completed
                C: a7 SEARCH SUBJECT nothing
                S: * ESEARCH (TAG "a7")
                S: a7 OK SEARCH completed
                C: a71 UID SEARCH RETURN (MIN MAX COUNT) ALL
                S: * ESEARCH (TAG "a71") UID MIN 1 MAX 1 COUNT 1
                S: a71 OK SEARCH completed
                C: a8 EXAMINE INBOX
                S: * OK [CLOSED] Previous mailbox closed
                S~ (\\* FLAGS .*)
                S~ (\\* OK \\[PERMANENTFLAGS .*)
                S: * 1 EXISTS
                S~ (\\* OK \\[UNSEEN .*)
                S~ (\\* OK \\[UIDVALIDITY .*)
                S~ (\\* OK \\[UIDNEXT .*)
                S~ (\\* OK \\[HIGHESTMODSEQ .*)
                S: a8 OK [READ-ONLY] EXAMINE completed
                """)
        }
    }
}
