import Foundation
import MailStore
import MailgateTesting
import Testing

@testable import IMAPServer

/// Whole sessions over loopback with a real SQLite store (STYLE.md 4.3).
@Suite("IMAP sessions over loopback")
struct IMAPSessionTranscriptTests {
    static let capabilitiesBeforeLogin = "IMAP4rev1 IMAP4rev2 LITERAL+ SASL-IR ID ENABLE IDLE AUTH=PLAIN"
    static let login = """
        C: a1 LOGIN ann@example.test Secret-Pass1
        S~ a1 OK \\[CAPABILITY IMAP4rev1 .*\\] Logged in
        """

    @Test("RFC 3501 7.1.1, 6.1.1, 6.2.3, 6.1.3: greeting, CAPABILITY, LOGIN, LOGOUT")
    func loginLogout() async throws {
        try await IMAPTestServer.run { server in
            try await server.play(
                """
                S: * OK [CAPABILITY \(Self.capabilitiesBeforeLogin)] Mailgate IMAP ready
                C: a0 CAPABILITY
                S: * CAPABILITY \(Self.capabilitiesBeforeLogin)
                S: a0 OK CAPABILITY completed
                C: a1 LOGIN "ann@example.test" {12+}
                C: Secret-Pass1
                S~ a1 OK \\[CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL\\+ .* MOVE .* APPENDLIMIT=36700160\\] Logged in
                C: a2 NOOP
                S: a2 OK NOOP completed
                C: a3 LOGOUT
                S: * BYE Logging out
                S: a3 OK LOGOUT completed
                S: <closed>
                """)
        }
    }

    @Test("RFC 5530: a wrong password is NO [AUTHENTICATIONFAILED] and the session goes on")
    func wrongPassword() async throws {
        try await IMAPTestServer.run { server in
            try await server.play(
                """
                S~ \\* OK .*
                C: a1 LOGIN ann@example.test wrong
                S: a1 NO [AUTHENTICATIONFAILED] wrong user name or password
                C: a2 LOGIN nobody@example.test wrong
                S: a2 NO [AUTHENTICATIONFAILED] wrong user name or password
                C: a3 SELECT INBOX
                S: a3 BAD Log in first
                \(Self.login)
                """)
        }
    }

    @Test("RFC 5530 EXPIRED: a temporary password is refused with a change-it-first message")
    func temporaryPassword() async throws {
        try await IMAPTestServer.run(users: []) { server in
            _ = try await server.fixture.addUser("tim@example.test", mustChange: true)
            try await server.play(
                """
                S~ \\* OK .*
                C: a1 LOGIN tim@example.test Secret-Pass1
                S: a1 NO [EXPIRED] this is a temporary password: change it on the account page first
                """)
        }
    }

    @Test("RFC 4959 SASL-IR and RFC 3501 6.2.2: AUTHENTICATE PLAIN with and without initial response")
    func authenticatePlain() async throws {
        let token = Data("\0ann@example.test\0Secret-Pass1".utf8).base64EncodedString()
        try await IMAPTestServer.run { server in
            try await server.play(
                """
                S~ \\* OK .*
                C: a1 AUTHENTICATE PLAIN
                S: + 
                C: *
                S: a1 BAD AUTHENTICATE cancelled
                C: a2 AUTHENTICATE PLAIN
                S: + 
                C: \(token)
                S~ a2 OK \\[CAPABILITY .*\\] Logged in
                """)
            try await server.play(
                """
                S~ \\* OK .*
                C: b1 AUTHENTICATE PLAIN \(token)
                S~ b1 OK \\[CAPABILITY .*\\] Logged in
                C: b2 AUTHENTICATE PLAIN \(token)
                S: b2 BAD already authenticated
                """)
        }
    }

    @Test("RFC 3501 6.3.8, RFC 6154, RFC 3348: LIST with special-use and children attributes")
    func list() async throws {
        try await IMAPTestServer.run { server in
            try await server.play(
                """
                S~ \\* OK .*
                \(Self.login)
                C: a2 CREATE Projects/2026/
                S: a2 OK CREATE completed
                C: a3 LIST "" *
                S: * LIST (\\HasNoChildren \\Trash) "/" "Deleted Items"
                S: * LIST (\\HasNoChildren \\Drafts) "/" "Drafts"
                S: * LIST (\\HasNoChildren) "/" "INBOX"
                S: * LIST (\\HasNoChildren \\Junk) "/" "Junk Email"
                S: * LIST (\\HasNoChildren) "/" "Outbox"
                S: * LIST (\\HasChildren) "/" "Projects"
                S: * LIST (\\HasNoChildren) "/" "Projects/2026"
                S: * LIST (\\HasNoChildren \\Sent) "/" "Sent Items"
                S: a3 OK LIST completed
                C: a4 LIST "" %
                S~ (\\* LIST .*\r?)
                S~ (\\* LIST .*\r?)
                S~ (\\* LIST .*\r?)
                S~ (\\* LIST .*\r?)
                S~ (\\* LIST .*\r?)
                S: * LIST (\\HasChildren) "/" "Projects"
                S~ (\\* LIST .*\r?)
                S: a4 OK LIST completed
                C: a5 LIST "" ""
                S: * LIST (\\Noselect) "/" ""
                S: a5 OK LIST completed
                C: a6 LIST (SPECIAL-USE) "" "*"
                S: * LIST (\\HasNoChildren \\Trash) "/" "Deleted Items"
                S: * LIST (\\HasNoChildren \\Drafts) "/" "Drafts"
                S: * LIST (\\HasNoChildren \\Junk) "/" "Junk Email"
                S: * LIST (\\HasNoChildren \\Sent) "/" "Sent Items"
                S: a6 OK LIST completed
                C: a7 list "" inbox
                S: * LIST (\\HasNoChildren) "/" "INBOX"
                S: a7 OK LIST completed
                C: a8 LIST "" "Projects/%" RETURN (STATUS (MESSAGES UIDNEXT))
                S: * LIST (\\HasNoChildren) "/" "Projects/2026"
                S: * STATUS "Projects/2026" (MESSAGES 0 UIDNEXT 1)
                S: a8 OK LIST completed
                """)
        }
    }

    @Test("RFC 3501 6.3.3-6.3.7: CREATE, RENAME, DELETE, SUBSCRIBE, LSUB and their errors")
    func folderCommands() async throws {
        try await IMAPTestServer.run { server in
            try await server.play(
                """
                S~ \\* OK .*
                \(Self.login)
                C: a2 CREATE Work
                S: a2 OK CREATE completed
                C: a3 CREATE work
                S: a3 NO [ALREADYEXISTS] Mailbox already exists
                C: a4 CREATE INBOX
                S: a4 NO [ALREADYEXISTS] Mailbox already exists
                C: a5 RENAME Work Archive
                S: a5 OK RENAME completed
                C: a6 SUBSCRIBE Archive
                S: a6 OK SUBSCRIBE completed
                C: a7 LSUB "" Arch*
                S: * LSUB () "/" "Archive"
                S: a7 OK LSUB completed
                C: a8 DELETE Archive
                S: a8 OK DELETE completed
                C: a9 DELETE Archive
                S: a9 NO [NONEXISTENT] No such mailbox
                C: a10 DELETE Drafts
                S: a10 NO [CANNOT] Drafts is a special folder and cannot be deleted or renamed
                C: a11 CREATE "Caf&AOk-"
                S: a11 OK CREATE completed
                C: a12 LIST "" Caf*
                S: * LIST (\\HasNoChildren) "/" "Caf&AOk-"
                S: a12 OK LIST completed
                C: a13 NAMESPACE
                S: * NAMESPACE (("" "/")) NIL NIL
                S: a13 OK NAMESPACE completed
                """)
        }
    }

    @Test("RFC 3501 6.3.11, RFC 4315: APPEND with flags and date answers APPENDUID; SELECT reports it")
    func appendAndSelect() async throws {
        try await IMAPTestServer.run { server in
            let message = "Subject: hi\r\n\r\nHello\r\n"
            try await server.play(
                """
                S~ \\* OK .*
                \(Self.login)
                C: a2 APPEND INBOX (\\Seen $Work) " 7-Feb-2026 10:00:00 +0100" {\(message.utf8.count)}
                S: + Ready for literal data
                C: Subject: hi
                C: 
                C: Hello
                C: 
                S~ a2 OK \\[APPENDUID [0-9]+ 1\\] APPEND completed
                C: a3 APPEND Nowhere {1+}
                C: x
                S: a3 NO [TRYCREATE] No such mailbox
                C: a4 SELECT inbox
                S: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)
                S: * OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work \\*)] Flags permitted
                S: * 1 EXISTS
                S: * 0 RECENT
                S~ \\* OK \\[UIDVALIDITY [0-9]+\\] UIDs valid
                S: * OK [UIDNEXT 2] Predicted next UID
                S~ \\* OK \\[HIGHESTMODSEQ [0-9]+\\] Highest
                S: a4 OK [READ-WRITE] SELECT completed
                C: a5 FETCH 1 (FLAGS INTERNALDATE RFC822.SIZE UID)
                S: * 1 FETCH (FLAGS (\\Seen $Work) INTERNALDATE " 7-Feb-2026 09:00:00 +0000" RFC822.SIZE 22 UID 1)
                S: a5 OK FETCH completed
                C: a6 EXAMINE INBOX
                S~ \\* FLAGS .*
                S: * OK [PERMANENTFLAGS ()] Read-only mailbox
                S: * 1 EXISTS
                S: * 0 RECENT
                S~ \\* OK \\[UIDVALIDITY [0-9]+\\] UIDs valid
                S: * OK [UIDNEXT 2] Predicted next UID
                S~ \\* OK \\[HIGHESTMODSEQ [0-9]+\\] Highest
                S: a6 OK [READ-ONLY] EXAMINE completed
                C: a7 STATUS INBOX (MESSAGES UNSEEN UIDNEXT)
                S: * STATUS "INBOX" (MESSAGES 1 UNSEEN 0 UIDNEXT 2)
                S: a7 OK STATUS completed
                """)
        }
    }

    @Test("RFC 3501 6.4.5: BODY[], BODY.PEEK[HEADER], partials, RFC822.TEXT and the \\Seen side effect")
    func fetchBodies() async throws {
        try await IMAPTestServer.run { server in
            try await server.deliver(to: "ann@example.test", subject: "One", body: "First body.")
            try await server.play(
                """
                S~ \\* OK .*
                \(Self.login)
                C: a2 SELECT INBOX
                S~ (\\* .*)
                S~ (\\* .*)
                S: * 1 EXISTS
                S: * 0 RECENT
                S: * OK [UNSEEN 1] First unseen
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S: a2 OK [READ-WRITE] SELECT completed
                C: a3 FETCH 1 BODY.PEEK[HEADER]
                S: * 1 FETCH (BODY[HEADER] {57}
                S: From: a@sender.test
                S: To: b@example.test
                S: Subject: One
                S: 
                S: )
                S: a3 OK FETCH completed
                C: a4 FETCH 1 (FLAGS BODY.PEEK[]<0.4>)
                S: * 1 FETCH (FLAGS () BODY[]<0> {4}
                S: From)
                S: a4 OK FETCH completed
                C: a5 UID FETCH 1 RFC822.TEXT
                S: * 1 FETCH (UID 1 RFC822.TEXT {13}
                S: First body.
                S:  FLAGS (\\Seen))
                S: a5 OK FETCH completed
                C: a6 FETCH 1 BODY[HEADER.FIELDS (subject)]
                S: * 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {16}
                S: Subject: One
                S: 
                S: )
                S: a6 OK FETCH completed
                C: a7 FETCH 2 FLAGS
                S: a7 BAD invalid sequence number
                C: a8 UID FETCH 5:* UID
                S: * 1 FETCH (UID 1)
                S: a8 OK FETCH completed
                """)
        }
    }

    @Test("RFC 3501 6.4.6, 6.4.3: STORE variants and EXPUNGE of \\Deleted messages only")
    func storeAndExpunge() async throws {
        try await IMAPTestServer.run { server in
            for index in 1...3 { try await server.deliver(to: "ann@example.test", subject: "M\(index)") }
            try await server.play(
                """
                S~ \\* OK .*
                \(Self.login)
                C: a2 SELECT INBOX
                S~ (\\* .*)
                S~ (\\* .*)
                S: * 3 EXISTS
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S: a2 OK [READ-WRITE] SELECT completed
                C: a3 STORE 1:2 +FLAGS (\\Deleted $Later)
                S: * 1 FETCH (FLAGS (\\Deleted $Later))
                S: * 2 FETCH (FLAGS (\\Deleted $Later))
                S: a3 OK STORE completed
                C: a4 STORE 2 -FLAGS.SILENT (\\Deleted)
                S: a4 OK STORE completed
                C: a5 UID STORE 3 FLAGS (\\Flagged)
                S: * 3 FETCH (UID 3 FLAGS (\\Flagged))
                S: a5 OK STORE completed
                C: a55 STORE 3 +FLAGS (\\Flagged)
                S: * 3 FETCH (FLAGS (\\Flagged))
                S: a55 OK STORE completed
                C: a6 STORE 1 +FLAGS (\\Bogus)
                S: a6 BAD unknown system flag
                C: a7 EXPUNGE
                S: * 1 EXPUNGE
                S: a7 OK EXPUNGE completed
                C: a8 FETCH 1:* (UID FLAGS)
                S: * 1 FETCH (UID 2 FLAGS ($Later))
                S: * 2 FETCH (UID 3 FLAGS (\\Flagged))
                S: a8 OK FETCH completed
                C: a9 UID STORE 2 +FLAGS.SILENT (\\Deleted)
                S: a9 OK STORE completed
                C: a10 UID EXPUNGE 3
                S: a10 OK EXPUNGE completed
                C: a11 UID EXPUNGE 2
                S: * 1 EXPUNGE
                S: a11 OK EXPUNGE completed
                C: a12 CLOSE
                S: a12 OK CLOSE completed
                C: a13 FETCH 1 FLAGS
                S: a13 BAD no mailbox selected
                """)
        }
    }

    @Test("RFC 4315 COPYUID, RFC 6851 MOVE, RFC 3501 6.4.7 TRYCREATE")
    func copyAndMove() async throws {
        try await IMAPTestServer.run { server in
            for index in 1...3 { try await server.deliver(to: "ann@example.test", subject: "M\(index)") }
            try await server.play(
                """
                S~ \\* OK .*
                \(Self.login)
                C: a2 CREATE Archive
                S: a2 OK CREATE completed
                C: a3 SELECT INBOX
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S: a3 OK [READ-WRITE] SELECT completed
                C: a4 COPY 1:2 Archive
                S~ a4 OK \\[COPYUID [0-9]+ 1:2 1:2\\] COPY completed
                C: a5 COPY 1 Nowhere
                S: a5 NO [TRYCREATE] No such mailbox
                C: a6 UID MOVE 2:3 Archive
                S~ \\* OK \\[COPYUID [0-9]+ 2:3 3:4\\] Moved
                S: * 3 EXPUNGE
                S: * 2 EXPUNGE
                S: a6 OK MOVE completed
                C: a7 STATUS Archive (MESSAGES)
                S: * STATUS "Archive" (MESSAGES 4)
                S: a7 OK STATUS completed
                """)
        }
    }

    @Test("RFC 3501 6.4.4: SEARCH keys, UID SEARCH, CHARSET and errors")
    func search() async throws {
        try await IMAPTestServer.run { server in
            try await server.deliver(to: "ann@example.test", subject: "Budget 2026", body: "Numbers inside.")
            try await server.deliver(to: "ann@example.test", subject: "Lunch", body: "Pizza?")
            try await server.deliver(to: "ann@example.test", subject: "Budget again", body: "More numbers.")
            try await server.play(
                """
                S~ \\* OK .*
                \(Self.login)
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
                C: a3 SEARCH SUBJECT budget
                S: * SEARCH 1 3
                S: a3 OK SEARCH completed
                C: a4 SEARCH BODY "NUMBERS" NOT SUBJECT again
                S: * SEARCH 1
                S: a4 OK SEARCH completed
                C: a5 STORE 2 +FLAGS (\\Seen)
                S: * 2 FETCH (FLAGS (\\Seen))
                S: a5 OK STORE completed
                C: a6 UID SEARCH CHARSET UTF-8 OR SEEN TEXT pizza
                S: * SEARCH 2
                S: a6 OK SEARCH completed
                C: a7 SEARCH UNSEEN FROM sender.test 2:*
                S: * SEARCH 3
                S: a7 OK SEARCH completed
                C: a8 SEARCH (LARGER 10 SMALLER 100000) SINCE 1-Jan-2000 HEADER To example
                S: * SEARCH 1 2 3
                S: a8 OK SEARCH completed
                C: a9 SEARCH CHARSET KOI8-R ALL
                S: a9 BAD [BADCHARSET (UTF-8 US-ASCII)] unsupported charset
                C: a10 SEARCH NONSENSE
                S: a10 BAD unknown search key NONSENSE
                C: a11 SEARCH BEFORE 1-Jan-2000
                S: * SEARCH
                S: a11 OK SEARCH completed
                """)
        }
    }

    @Test("RFC 3501 7.1.5: malformed input is BAD and the session goes on")
    func malformedInput() async throws {
        try await IMAPTestServer.run(configuration: .init(appendLimit: 100, failedSignInDelay: .zero)) { server in
            try await server.play(
                """
                S~ \\* OK .*
                C: 
                S: * BAD expected an atom
                C: a1
                S: a1 BAD expected a space
                C: a2 FROB
                S: a2 BAD unknown command
                C: a3 LOGIN "unterminated
                S: a3 BAD unterminated quoted string
                C: a4 NOOP extra
                S: a4 BAD unexpected text at the end of the command
                C: a5 LOGIN ann@example.test {1000}
                S: a5 BAD [TOOBIG] literal too large
                C: a6 LOGIN ann@example.test {1000+}
                S: a6 BAD [TOOBIG] literal too large
                C: \(String(repeating: "x", count: 1000)) {3+}
                C: abc
                \(Self.login)
                C: a7 FETCH 1 FLAGS
                S: a7 BAD no mailbox selected
                C: a8 SELECT INBOX (FOO)
                S: a8 BAD unsupported SELECT parameter
                C: a9 NOOP
                S: a9 OK NOOP completed
                """)
        }
    }

    @Test("RFC 5161 ENABLE, RFC 7162 CONDSTORE: MODSEQ in FETCH and UNCHANGEDSINCE")
    func condStore() async throws {
        try await IMAPTestServer.run { server in
            try await server.deliver(to: "ann@example.test")
            try await server.play(
                """
                S~ \\* OK .*
                \(Self.login)
                C: a2 ENABLE CONDSTORE X-UNKNOWN
                S: * ENABLED CONDSTORE
                S: a2 OK ENABLE completed
                C: a3 SELECT INBOX
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S~ (\\* .*)
                S: a3 OK [READ-WRITE] SELECT completed
                C: a4 FETCH 1 (UID MODSEQ)
                S~ \\* 1 FETCH \\(UID 1 MODSEQ \\([0-9]+\\)\\)
                S: a4 OK FETCH completed
                C: a5 STORE 1 (UNCHANGEDSINCE 1) +FLAGS (\\Seen)
                S: a5 OK [MODIFIED 1] Conditional STORE failed
                """)
        }
    }

    @Test("RFC 9208: GETQUOTAROOT reports the mailbox usage")
    func quota() async throws {
        try await IMAPTestServer.run { server in
            try await server.deliver(to: "ann@example.test")
            try await server.play(
                """
                S~ \\* OK .*
                \(Self.login)
                C: a2 GETQUOTAROOT INBOX
                S: * QUOTAROOT "INBOX" ""
                S~ \\* QUOTA "" \\(STORAGE 1 [0-9]+\\)
                S: a2 OK GETQUOTAROOT completed
                """)
        }
    }

    @Test("RFC 2971 ID and RFC 3501 6.1.2 NOOP before login")
    func idAndNoop() async throws {
        try await IMAPTestServer.run { server in
            try await server.play(
                """
                S~ \\* OK .*
                C: a1 ID ("name" "test" "version" NIL)
                S: * ID ("name" "Mailgate")
                S: a1 OK ID completed
                C: a2 NOOP
                S: a2 OK NOOP completed
                C: a3 STARTTLS
                S: a3 BAD STARTTLS is not available
                """)
        }
    }

    @Test("RFC 3501 7.4.2: ENVELOPE, BODYSTRUCTURE and BODY from the MIME module; APPEND shows EXISTS at once")
    func envelopeAndBodyStructure() async throws {
        try await IMAPTestServer.run { server in
            try await server.deliver(to: "ann@example.test", subject: "One", body: "First body.")
            try await server.play(
                """
                S~ \\* OK .*
                \(Self.login)
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
                C: a3 FETCH 1 (ENVELOPE BODYSTRUCTURE BODY)
                S: * 1 FETCH (ENVELOPE (NIL "One" ((NIL NIL "a" "sender.test")) ((NIL NIL "a" "sender.test")) ((NIL NIL "a" "sender.test")) ((NIL NIL "b" "example.test")) NIL NIL NIL NIL) BODYSTRUCTURE ("text" "plain" ("charset" "us-ascii") NIL NIL "7BIT" 13 1 NIL NIL NIL NIL) BODY ("text" "plain" ("charset" "us-ascii") NIL NIL "7BIT" 13 1))
                S: a3 OK FETCH completed
                C: a4 APPEND INBOX {5+}
                C: Hi!
                C: 
                S: * 2 EXISTS
                S: * 1 RECENT
                S~ a4 OK \\[APPENDUID [0-9]+ 2\\] APPEND completed
                """)
        }
    }
}
