import Foundation
import MailStore
import MailStoreSQLite
import MailgateCore
import MailgateTesting
import Testing

@testable import POP3Server

/// The real listener, parser, machine and driver over loopback, on a real SQLite store.
/// Loopback counts as secure, so USER/PASS are allowed without STLS here.
@Suite("POP3 transcripts")
struct POP3TranscriptTests {
    static let first = POP3Harness.message("From: a@sender.test", "Subject: one", "", "Hello Ann.")
    static let second = POP3Harness.message(
        "From: b@sender.test", "Subject: two", "", "line one", ".starts with a dot", "..two dots", ".", "end")
    static let user = "C: USER ann@example.test\nS: +OK send PASS\nC: PASS \(POP3Harness.password)"

    @Test("RFC 1939 4-7: sign in, STAT, LIST, UIDL, RETR with exact bytes and dot-stuffing, TOP, NOOP, QUIT")
    func wholeSession() async throws {
        let harness = try await POP3Harness(messages: [Self.first, Self.second])
        let inbox = try #require(try await harness.inbox(harness.ann))
        let uidl = "\(inbox.id.rawValue).\(inbox.uidValidity)"
        #expect(Self.first.utf8.count == 49)
        #expect(Self.second.utf8.count == 87)
        try await harness.play(
            """
            S: +OK Mailgate POP3 ready
            C: CAPA
            S: +OK capability list follows
            S: TOP
            S: UIDL
            S: RESP-CODES
            S: AUTH-RESP-CODE
            S: PIPELINING
            S: EXPIRE NEVER
            S: USER
            S: SASL PLAIN
            S: IMPLEMENTATION Mailgate
            S: .
            \(Self.user)
            S: +OK 2 messages (136 octets)
            C: STAT
            C: LIST
            C: LIST 2
            C: UIDL
            C: UIDL 1
            S: +OK 2 136
            S: +OK 2 messages (136 octets)
            S: 1 49
            S: 2 87
            S: .
            S: +OK 2 87
            S: +OK unique-id listing follows
            S: 1 \(uidl).1
            S: 2 \(uidl).2
            S: .
            S: +OK 1 \(uidl).1
            C: RETR 2
            S: +OK 87 octets
            S: From: b@sender.test
            S: Subject: two
            S:
            S: line one
            S: ..starts with a dot
            S: ...two dots
            S: ..
            S: end
            S: .
            C: TOP 2 1
            S: +OK top of message follows
            S: From: b@sender.test
            S: Subject: two
            S:
            S: line one
            S: .
            C: TOP 1 0
            S: +OK top of message follows
            S: From: a@sender.test
            S: Subject: one
            S:
            S: .
            C: NOOP
            S: +OK
            C: QUIT
            S: +OK Mailgate POP3 signing off
            S: <closed>
            """)
        #expect(try await harness.inboxUIDs(harness.ann) == [1, 2])
        // The forms worked out at sign-in are kept once the session is over (after the connection
        // closed, so polled here).
        let contents = try await harness.fixture.store.messages(in: inbox.id, uids: nil).map(\.content)
        var kept: [ContentID: WireForm] = [:]
        for _ in 0..<200 where kept.count < 2 {
            kept = try await harness.fixture.store.wireForms(of: contents)
            if kept.count < 2 { try await Task.sleep(for: .milliseconds(25)) }
        }
        #expect(kept[contents[0]] == POP3Wire.form(of: Data(Self.first.utf8)))
        #expect(kept[contents[1]] == POP3Wire.form(of: Data(Self.second.utf8)))
    }

    @Test("RFC 1939 6: DELE marks, RSET unmarks, QUIT in UPDATE removes; the store tells other sessions")
    func deleteRsetQuit() async throws {
        let harness = try await POP3Harness(messages: [Self.first, Self.second, Self.first])
        let changes = harness.fixture.store.changeFeed.subscribe()
        try await harness.play(
            """
            S: +OK Mailgate POP3 ready
            \(Self.user)
            S: +OK 3 messages (185 octets)
            C: DELE 1
            S: +OK message 1 deleted
            C: RSET
            S: +OK 3 messages (185 octets)
            C: DELE 1
            C: DELE 3
            C: DELE 3
            C: RETR 3
            C: STAT
            S: +OK message 1 deleted
            S: +OK message 3 deleted
            S: -ERR message 3 already deleted
            S: -ERR message 3 already deleted
            S: +OK 1 87
            C: QUIT
            S: +OK Mailgate POP3 signing off (2 messages deleted)
            S: <closed>
            """)
        #expect(try await harness.inboxUIDs(harness.ann) == [2])
        // IMAP IDLE and ActiveSync Ping learn of the removal through the change feed.
        let inbox = try #require(try await harness.inbox(harness.ann))
        var sawFolderChange = false
        for await change in changes {
            if change == .folder(harness.ann, inbox.id) {
                sawFolderChange = true
                break
            }
        }
        #expect(sawFolderChange)
    }

    @Test("RFC 1939 6: a connection dropped before QUIT removes nothing")
    func droppedConnection() async throws {
        let harness = try await POP3Harness(messages: [Self.first, Self.second])
        try await harness.withListener { port in
            try await POP3TestClient.connect(port: port) { client in
                try await client.play(
                    """
                    S: +OK Mailgate POP3 ready
                    \(Self.user)
                    S: +OK 2 messages (136 octets)
                    C: DELE 1
                    C: DELE 2
                    S: +OK message 1 deleted
                    S: +OK message 2 deleted
                    """)
            }
            // The lock is released when the dropped session ends: a new session sees both.
            try await Self.eventually {
                var answer: String?
                try await POP3TestClient.connect(port: port) { client in
                    try await client.play("S: +OK Mailgate POP3 ready\n\(Self.user)")
                    answer = try await client.line()
                }
                return answer == "+OK 2 messages (136 octets)"
            }
        }
        #expect(try await harness.inboxUIDs(harness.ann) == [1, 2])
    }

    @Test("Worked-out wire forms are kept once no session is left, not beside another's RETRs")
    func formsKeptWhenIdle() async throws {
        let harness = try await POP3Harness(messages: [Self.first])
        try await harness.deliver(Self.second, to: harness.bob)
        let store = harness.fixture.store
        func contents(_ mailbox: MailboxID) async throws -> [ContentID] {
            let inbox = try #require(try await harness.inbox(mailbox))
            return try await store.messages(in: inbox.id, uids: nil).map(\.content)
        }
        let all = try await contents(harness.ann) + contents(harness.bob)
        try await harness.withListener { port in
            try await POP3TestClient.connect(port: port) { bob in
                try await bob.play(
                    """
                    S: +OK Mailgate POP3 ready
                    C: USER bob@example.test
                    S: +OK send PASS
                    C: PASS \(POP3Harness.password)
                    S: +OK 1 messages (87 octets)
                    """)
                try await POP3TestClient.connect(port: port) { ann in
                    try await ann.play(
                        "S: +OK Mailgate POP3 ready\n\(Self.user)\nS: +OK 1 messages (49 octets)\nC: QUIT\n"
                            + "S: +OK Mailgate POP3 signing off\nS: <closed>")
                }
                // Bob's session still runs: nothing is written yet (given time to be).
                try await Task.sleep(for: .milliseconds(200))
                #expect(try await store.wireForms(of: all).isEmpty)
                try await bob.play("C: QUIT\nS: +OK Mailgate POP3 signing off\nS: <closed>")
            }
            var kept: [ContentID: WireForm] = [:]
            for _ in 0..<200 where kept.count < 2 {
                kept = try await store.wireForms(of: all)
                if kept.count < 2 { try await Task.sleep(for: .milliseconds(25)) }
            }
            #expect(kept.count == 2)
        }
    }

    @Test("RFC 2449 8.1.1: a second session on the same maildrop gets [IN-USE]; other users are not held")
    func inUse() async throws {
        let harness = try await POP3Harness(messages: [Self.first])
        try await harness.withListener { port in
            try await POP3TestClient.connect(port: port) { first in
                try await first.play("S: +OK Mailgate POP3 ready\n\(Self.user)\nS: +OK 1 messages (49 octets)")
                try await POP3TestClient.connect(port: port) { second in
                    try await second.play(
                        """
                        S: +OK Mailgate POP3 ready
                        \(Self.user)
                        S: -ERR [IN-USE] the maildrop is in use by another session
                        C: USER bob@example.test
                        S: +OK send PASS
                        C: PASS \(POP3Harness.password)
                        S: +OK 0 messages (0 octets)
                        C: QUIT
                        S: +OK Mailgate POP3 signing off
                        """)
                }
                try await first.play("C: QUIT\nS: +OK Mailgate POP3 signing off")
            }
        }
    }

    @Test("RFC 3206: sign-in refusals carry [AUTH] and the store's reason")
    func refusals() async throws {
        let harness = try await POP3Harness()
        _ = try await harness.fixture.addUser("temp@example.test", mustChange: true)
        try await harness.play(
            """
            S: +OK Mailgate POP3 ready
            C: USER ann@example.test
            S: +OK send PASS
            C: PASS wrong
            S: -ERR [AUTH] wrong user name or password
            C: USER nobody@example.test
            S: +OK send PASS
            C: PASS wrong
            S: -ERR [AUTH] wrong user name or password
            C: PASS \(POP3Harness.password)
            S: -ERR send USER first
            C: USER temp@example.test
            S: +OK send PASS
            C: PASS \(POP3Harness.password)
            S: -ERR [AUTH] this is a temporary password: change it on the account page first
            C: STAT
            S: -ERR sign in first
            C: QUIT
            S: +OK Mailgate POP3 signing off
            S: <closed>
            """)
    }

    @Test("Failed sign-ins are answered only after the failure delay")
    func failureDelay() async throws {
        let harness = try await POP3Harness(failureDelay: .milliseconds(300))
        let clock = ContinuousClock()
        let start = clock.now
        try await harness.play(
            """
            S: +OK Mailgate POP3 ready
            C: USER ann@example.test
            S: +OK send PASS
            C: PASS wrong
            S: -ERR [AUTH] wrong user name or password
            """)
        #expect(clock.now - start >= .milliseconds(300))
    }

    @Test("RFC 5034: AUTH PLAIN with a continuation, cancelled with *, and with an initial response")
    func authPlain() async throws {
        let harness = try await POP3Harness(messages: [Self.first])
        let response = SASLPlain.encode(login: POP3Harness.ann, password: POP3Harness.password)
        let wrong = SASLPlain.encode(login: POP3Harness.ann, password: "nope")
        try await harness.play(
            """
            S: +OK Mailgate POP3 ready
            C: AUTH
            S: +OK
            S: PLAIN
            S: .
            C: AUTH LOGIN
            S: -ERR unsupported authentication mechanism
            C: AUTH PLAIN
            S: + 
            C: *
            S: -ERR authentication cancelled
            C: AUTH PLAIN \(wrong)
            S: -ERR [AUTH] wrong user name or password
            C: AUTH PLAIN
            S: + 
            C: \(response)
            S: +OK 1 messages (49 octets)
            C: AUTH PLAIN
            S: -ERR command not valid in this state
            C: QUIT
            S: +OK Mailgate POP3 signing off
            """)
    }

    @Test("RFC 2449 4: an over-long line gets -ERR and the session goes on; unknown commands too")
    func longLineAndUnknown() async throws {
        let harness = try await POP3Harness()
        try await harness.play(
            """
            S: +OK Mailgate POP3 ready
            C: NOOP \(String(repeating: "x", count: 3000))
            S: -ERR line too long
            C: APOP ann@example.test c4c9334bac560ecc979e58001b3e22fb
            S: -ERR unknown command
            C: RETR x
            S: -ERR RETR: invalid number
            C: QUIT
            S: +OK Mailgate POP3 signing off
            """)
    }

    @Test("RFC 1939 7: UIDL values are stable across sessions and never given to a later message")
    func uidlStable() async throws {
        let harness = try await POP3Harness(messages: [Self.first, Self.second])
        let inbox = try #require(try await harness.inbox(harness.ann))
        let prefix = "\(inbox.id.rawValue).\(inbox.uidValidity)"
        try await harness.play(
            """
            S: +OK Mailgate POP3 ready
            \(Self.user)
            S: +OK 2 messages (136 octets)
            C: DELE 2
            S: +OK message 2 deleted
            C: QUIT
            S: +OK Mailgate POP3 signing off (1 messages deleted)
            """)
        try await harness.deliver(Self.second, to: harness.ann)
        try await harness.play(
            """
            S: +OK Mailgate POP3 ready
            \(Self.user)
            S: +OK 2 messages (136 octets)
            C: UIDL
            S: +OK unique-id listing follows
            S: 1 \(prefix).1
            S: 2 \(prefix).3
            S: .
            C: QUIT
            S: +OK Mailgate POP3 signing off
            """)
    }

    @Test("RFC 1939 4: the maildrop is a snapshot; a message another session removed answers -ERR")
    func snapshot() async throws {
        let harness = try await POP3Harness(messages: [Self.first, Self.second])
        let inbox = try #require(try await harness.inbox(harness.ann))
        try await harness.withListener { port in
            try await POP3TestClient.connect(port: port) { client in
                try await client.play("S: +OK Mailgate POP3 ready\n\(Self.user)\nS: +OK 2 messages (136 octets)")
                // IMAP expunges message 1 and a new message arrives: the POP3 session sees neither.
                _ = try await harness.fixture.store.remove([1], from: inbox.id, onlyDeleted: false)
                try await harness.deliver(Self.first, to: harness.ann)
                try await client.play(
                    """
                    C: STAT
                    S: +OK 2 136
                    C: RETR 1
                    S: -ERR message 1 was removed by another session
                    C: DELE 1
                    C: DELE 2
                    C: QUIT
                    S: +OK message 1 deleted
                    S: +OK message 2 deleted
                    S: +OK Mailgate POP3 signing off (2 messages deleted)
                    S: <closed>
                    """)
            }
        }
        #expect(try await harness.inboxUIDs(harness.ann) == [3])
    }

    @Test("RFC 2595 4: STLS; a command pipelined before the handshake is discarded")
    func stlsDiscardsInjection() async throws {
        let harness = try await POP3Harness(messages: [Self.first], tls: true)
        let authority = try #require(harness.certificates).file("ca.crt")
        try await harness.withListener { port in
            try await POP3TestClient.connect(port: port) { client in
                try await client.play(
                    """
                    S: +OK Mailgate POP3 ready
                    C: STLS
                    C: USER injected@example.test
                    S: +OK begin TLS negotiation
                    """)
                try await client.startTLS(trusting: authority)
                try await client.play(
                    """
                    C: PASS \(POP3Harness.password)
                    S: -ERR send USER first
                    C: STLS
                    S: -ERR STLS is not available on this connection
                    \(Self.user)
                    S: +OK 1 messages (49 octets)
                    C: QUIT
                    S: +OK Mailgate POP3 signing off
                    S: <closed>
                    """)
            }
        }
    }

    @Test("Implicit TLS: the session is secure from the first byte and offers no STLS")
    func implicitTLS() async throws {
        let harness = try await POP3Harness(messages: [Self.first], tls: true)
        let authority = try #require(harness.certificates).file("ca.crt")
        try await harness.withListener(implicitTLS: true) { port in
            try await POP3TestClient.connect(port: port, trusting: authority) { client in
                try await client.play(
                    """
                    S: +OK Mailgate POP3 ready
                    C: CAPA
                    S: +OK capability list follows
                    S: TOP
                    S: UIDL
                    S: RESP-CODES
                    S: AUTH-RESP-CODE
                    S: PIPELINING
                    S: EXPIRE NEVER
                    S: USER
                    S: SASL PLAIN
                    S: IMPLEMENTATION Mailgate
                    S: .
                    \(Self.user)
                    S: +OK 1 messages (49 octets)
                    C: RETR 1
                    S: +OK 49 octets
                    S: From: a@sender.test
                    S: Subject: one
                    S:
                    S: Hello Ann.
                    S: .
                    C: QUIT
                    S: +OK Mailgate POP3 signing off
                    """)
            }
        }
    }

    @Test("Implicit TLS without a TLS context is refused with a clear error")
    func implicitTLSNeedsContext() async throws {
        let harness = try await POP3Harness()
        #expect(throws: POP3Server.ConfigurationError.self) {
            _ = try harness.server.listener(
                name: "pop3.tls_listen", address: .init(host: "127.0.0.1", port: 0), implicitTLS: true)
        }
    }

    /// Retries `check` for up to two seconds (a dropped session ends asynchronously).
    static func eventually(_ check: () async throws -> Bool) async throws {
        for _ in 0..<40 {
            if try await check() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("condition not met in time")
    }
}
