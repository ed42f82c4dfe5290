import Foundation
import MailStore
import MailStoreSQLite
import MailgateCore
import MailgateTesting
import Testing

/// Transcripts over the real listener on loopback with a real SQLite store: bytes exact.
@Suite("SMTP transcripts")
struct SMTPTranscriptTests {
    @Test("RFC 5321 4.1.1: a whole transaction stores the message once, with trace headers")
    func delivery() async throws {
        let harness = try await SMTPHarness()
        try await harness.transcript(
            """
            S: 220 mx.example.test ESMTP Mailgate ready
            C: EHLO client.test
            \(ehloReply)
            C: MAIL FROM:<alice@pass.test>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<ann@example.test>
            S: 250 2.1.5 Recipient OK
            C: DATA
            S: 354 Start mail input; end with <CRLF>.<CRLF>
            C: Subject: hi
            C:
            C: ..leading dot
            C: body
            C: .
            S: 250 2.0.0 Message accepted for delivery
            C: QUIT
            S: 221 2.0.0 mx.example.test Bye
            S: <closed>
            """)
        let messages = try await harness.inbox("ann@example.test")
        #expect(messages.count == 1)
        let text = try #require(messages.first)
        #expect(
            text.hasPrefix("Authentication-Results: mx.example.test;\r\n\tspf=pass smtp.mailfrom=alice@pass.test\r\n"))
        // RFC 5322 2.2.3: Received-SPF is folded; unfolded it reads as RFC 7208 9.1 writes it.
        let unfolded = text.replacingOccurrences(of: "\r\n ", with: " ")
        #expect(
            unfolded.contains("\r\nReceived-SPF: pass (mx.example.test: domain of alice@pass.test designates 127.0.0.1")
        )
        #expect(
            text.contains(
                "\r\nReceived: from client.test ([127.0.0.1])\r\n\tby mx.example.test (Mailgate) with ESMTP id "))
        #expect(text.contains("\r\n\tfor <ann@example.test>; Fri, 15 Jan 2027 08:00:00 +0000\r\n"))
        // RFC 5321 4.5.2: one leading dot removed; the message ends with CRLF.
        #expect(text.hasSuffix("\r\nSubject: hi\r\n\r\n.leading dot\r\nbody\r\n"))
    }

    @Test("RFC 2920: a pipelined batch is answered in order; two recipients share one stored copy")
    func pipelining() async throws {
        let harness = try await SMTPHarness()
        try await harness.transcript(
            """
            S: 220 mx.example.test ESMTP Mailgate ready
            C: EHLO client.test
            \(ehloReply)
            C: MAIL FROM:<alice@pass.test> SIZE=100 BODY=8BITMIME
            C: RCPT TO:<ann@example.test>
            C: RCPT TO:<nobody@example.test>
            C: RCPT TO:<bob@example.test>
            C: RCPT TO:<info@example.test>
            C: DATA
            S: 250 2.1.0 Sender OK
            S: 250 2.1.5 Recipient OK
            S: 550 5.1.1 No such user here
            S: 250 2.1.5 Recipient OK
            S: 250 2.1.5 Recipient OK
            S: 354 Start mail input; end with <CRLF>.<CRLF>
            C: Subject: caf\u{E9}
            C:
            C: 8-bit body \u{2603}
            C: .
            C: QUIT
            S: 250 2.0.0 Message accepted for delivery
            S: 221 2.0.0 mx.example.test Bye
            """)
        let ann = try await harness.inbox("ann@example.test")
        let bob = try await harness.inbox("bob@example.test")
        // info@ is ann's alias: one copy for ann, one for bob; no "for" clause with several recipients.
        #expect(ann.count == 1)
        #expect(bob.count == 1)
        #expect(ann == bob)
        #expect(ann.first?.contains("\tfor <") == false)
        #expect(ann.first?.hasSuffix("Subject: caf\u{E9}\r\n\r\n8-bit body \u{2603}\r\n") == true)
    }

    @Test("A message sent before the 354 and commands after its final dot, all in one write, are each read as such")
    func dataBeforeGoAhead() async throws {
        let harness = try await SMTPHarness()
        try await harness.transcript(
            """
            S: 220 mx.example.test ESMTP Mailgate ready
            C: EHLO client.test
            \(ehloReply)
            C: MAIL FROM:<alice@pass.test>
            C: RCPT TO:<ann@example.test>
            C: DATA
            C: Subject: early
            C:
            C: ..one
            C: .
            C: MAIL FROM:<alice@pass.test>
            C: RCPT TO:<ann@example.test>
            C: DATA
            S: 250 2.1.0 Sender OK
            S: 250 2.1.5 Recipient OK
            S: 354 Start mail input; end with <CRLF>.<CRLF>
            S: 250 2.0.0 Message accepted for delivery
            S: 250 2.1.0 Sender OK
            S: 250 2.1.5 Recipient OK
            S: 354 Start mail input; end with <CRLF>.<CRLF>
            C: Subject: second
            C:
            C: two
            C: .
            C: QUIT
            S: 250 2.0.0 Message accepted for delivery
            S: 221 2.0.0 mx.example.test Bye
            """)
        let ann = try await harness.inbox("ann@example.test")
        #expect(ann.count == 2)
        #expect(ann.first?.hasSuffix("Subject: early\r\n\r\n.one\r\n") == true)
        #expect(ann.last?.hasSuffix("Subject: second\r\n\r\ntwo\r\n") == true)
    }

    @Test("RFC 5321 3.3: unknown users, unlicensed users and foreign domains are refused at RCPT")
    func recipients() async throws {
        let harness = try await SMTPHarness()
        try await harness.transcript(
            """
            S: 220 mx.example.test ESMTP Mailgate ready
            C: HELO client.test
            S: 250 mx.example.test Hello client.test
            C: MAIL FROM:<alice@pass.test>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<nobody@example.test>
            S: 550 5.1.1 No such user here
            C: RCPT TO:<nolicense@example.test>
            S: 550 5.1.1 No such user here
            C: RCPT TO:<someone@elsewhere.test>
            S: 550 5.7.1 Relaying denied
            C: RCPT TO:<someone@[192.0.2.1]>
            S: 550 5.7.1 Relaying denied
            C: RCPT TO:<"quoted local"@example.test>
            S: 550 5.1.1 No such user here
            C: DATA
            S: 554 5.5.1 No valid recipients
            C: RSET
            S: 250 2.0.0 OK
            C: QUIT
            S: 221 2.0.0 mx.example.test Bye
            """)
    }

    @Test("RFC 5321 4.5.3.1.10: past the recipient limit, 452 4.5.3")
    func recipientLimit() async throws {
        let harness = try await SMTPHarness()
        try await harness.transcript(
            maximumRecipients: 2,
            """
            S: 220 mx.example.test ESMTP Mailgate ready
            C: EHLO client.test
            C: MAIL FROM:<alice@pass.test>
            C: RCPT TO:<ann@example.test>
            C: RCPT TO:<bob@example.test>
            C: RCPT TO:<info@example.test>
            \(ehloReply)
            S: 250 2.1.0 Sender OK
            S: 250 2.1.5 Recipient OK
            S: 250 2.1.5 Recipient OK
            S: 452 4.5.3 Too many recipients
            """)
    }

    @Test("RFC 1870 6: SIZE over the limit is refused at MAIL; a larger message at the final dot with 552")
    func sizeLimits() async throws {
        let harness = try await SMTPHarness()
        let big = String(repeating: "x", count: 200)
        let lines = Array(repeating: "C: \(big)", count: 60).joined(separator: "\n")
        try await harness.transcript(
            maximumMessageBytes: 10_000,
            """
            S: 220 mx.example.test ESMTP Mailgate ready
            C: EHLO client.test
            \(ehloReply)
            C: MAIL FROM:<alice@pass.test> SIZE=10001
            S: 552 5.3.4 Message size exceeds fixed maximum message size
            C: MAIL FROM:<alice@pass.test> SIZE=99999999999999999999
            S: 552 5.3.4 Message size exceeds fixed maximum message size
            C: MAIL FROM:<alice@pass.test>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<ann@example.test>
            S: 250 2.1.5 Recipient OK
            C: DATA
            S: 354 Start mail input; end with <CRLF>.<CRLF>
            \(lines)
            C: .
            S: 552 5.3.4 Message size exceeds fixed maximum message size
            C: RCPT TO:<ann@example.test>
            S: 503 5.5.1 Need MAIL before RCPT
            C: QUIT
            S: 221 2.0.0 mx.example.test Bye
            """)
        #expect(try await harness.inbox("ann@example.test").isEmpty)
    }

    @Test("RFC 5321 2.3.8: bare LF in DATA is refused with 550 5.6.11; \\n.\\n does not end the data")
    func bareLF() async throws {
        let harness = try await SMTPHarness()
        try await harness.withClient { client in
            try await client.play(
                """
                S: 220 mx.example.test ESMTP Mailgate ready
                C: HELO client.test
                S: 250 mx.example.test Hello client.test
                C: MAIL FROM:<alice@pass.test>
                C: RCPT TO:<ann@example.test>
                C: DATA
                S: 250 2.1.0 Sender OK
                S: 250 2.1.5 Recipient OK
                S: 354 Start mail input; end with <CRLF>.<CRLF>
                """)
            // SMTP smuggling: a second message hidden behind "\n.\n" / "\n.\r\n" must not be believed.
            try await client.send(
                "Subject: one\r\n\r\nfirst\n.\nMAIL FROM:<evil@fail.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\nSubject: forged\r\n\n.\r\nmore\r\n.\r\n"
            )
            #expect(
                try await client.line()
                    == "550 5.6.11 Bare LF or CR in message refused (RFC 5321 2.3.8); use CRLF line ends")
            try await client.play(
                """
                C: MAIL FROM:<alice@pass.test>
                C: RCPT TO:<ann@example.test>
                C: DATA
                S: 250 2.1.0 Sender OK
                S: 250 2.1.5 Recipient OK
                S: 354 Start mail input; end with <CRLF>.<CRLF>
                """)
            try await client.send("bare\rCR\r\n.\r\n")
            #expect(
                try await client.line()
                    == "550 5.6.11 Bare LF or CR in message refused (RFC 5321 2.3.8); use CRLF line ends")
            try await client.play("C: NOOP\nS: 250 2.0.0 OK")
        }
        #expect(try await harness.inbox("ann@example.test").isEmpty)
        #expect(try await harness.inbox("bob@example.test").isEmpty)
    }

    @Test("Commands out of order get 503 5.5.1; unknown ones 500 5.5.2; bad syntax 501/555")
    func sequenceAndSyntax() async throws {
        let harness = try await SMTPHarness()
        try await harness.transcript(
            """
            S: 220 mx.example.test ESMTP Mailgate ready
            C: MAIL FROM:<alice@pass.test>
            S: 503 5.5.1 Send EHLO or HELO first
            C: EHLO
            S: 501 5.5.4 Syntax error: EHLO needs a domain or address literal
            C: FOO bar
            S: 500 5.5.2 Command unrecognized
            C: HELO client.test
            S: 250 mx.example.test Hello client.test
            C: MAIL FROM:<alice@pass.test> SIZE=10
            S: 555 5.5.4 MAIL parameters need EHLO
            C: EHLO client.test
            \(ehloReply)
            C: RCPT TO:<ann@example.test>
            S: 503 5.5.1 Need MAIL before RCPT
            C: DATA
            S: 503 5.5.1 Need MAIL and RCPT before DATA
            C: MAIL FROM:alice
            S: 501 5.1.7 Bad sender address syntax
            C: MAIL FROM:<alice@pass.test> FOO=BAR
            S: 555 5.5.4 Parameter FOO not recognized or malformed
            C: MAIL FROM:<j\u{F6}rg@pass.test>
            S: 553 5.6.7 Non-ASCII address needs SMTPUTF8
            C: MAIL FROM:<alice@pass.test>
            S: 250 2.1.0 Sender OK
            C: MAIL FROM:<alice@pass.test>
            S: 503 5.5.1 Nested MAIL command
            C: RCPT TO:<ann@example.test> NOTIFY=NEVER
            S: 555 5.5.4 Parameter NOTIFY not recognized or malformed
            C: RCPT TO:<>
            S: 501 5.1.3 Bad recipient address syntax
            C: DATA extra
            S: 501 5.5.4 Syntax error: DATA takes no argument
            C: AUTH PLAIN AGFubgBzZWNyZXQ=
            S: 502 5.5.1 AUTH not implemented
            C: BDAT 0 LAST
            S: 554 5.5.1 No valid recipients
            C: EXPN staff
            S: 502 5.5.1 EXPN not available
            C: STARTTLS
            S: 502 5.5.1 STARTTLS not available
            C: VRFY ann
            S: 252 2.5.0 Cannot VRFY user, but will accept message and attempt delivery
            C: HELP
            S: 214-2.0.0 Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS
            S: 214 2.0.0 See RFC 5321
            C: noop whatever
            S: 250 2.0.0 OK
            C: rset
            S: 250 2.0.0 OK
            C: quit
            S: 221 2.0.0 mx.example.test Bye
            """)
    }

    @Test("RFC 5321 4.5.3.1.4: a command line over 512 octets gets 500 5.5.6")
    func longCommand() async throws {
        let harness = try await SMTPHarness()
        try await harness.transcript(
            """
            S: 220 mx.example.test ESMTP Mailgate ready
            C: HELO \(String(repeating: "a", count: 600))
            S: 500 5.5.6 Line too long (RFC 5321 4.5.3.1.4)
            C: NOOP
            S: 250 2.0.0 OK
            """)
    }

    @Test("RFC 6531: SMTPUTF8 allows an internationalized sender and keeps UTF-8 in the Received protocol")
    func smtpUTF8() async throws {
        let harness = try await SMTPHarness()
        try await harness.transcript(
            """
            S: 220 mx.example.test ESMTP Mailgate ready
            C: EHLO client.test
            \(ehloReply)
            C: MAIL FROM:<j\u{F6}rg@none.test> SMTPUTF8
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<ann@example.test>
            S: 250 2.1.5 Recipient OK
            C: RCPT TO:<j\u{F6}rg@example.test>
            S: 550 5.1.1 No such user here
            C: DATA
            S: 354 Start mail input; end with <CRLF>.<CRLF>
            C: Subject: gr\u{FC}\u{DF}e
            C:
            C: .
            S: 250 2.0.0 Message accepted for delivery
            """)
        let text = try #require(try await harness.inbox("ann@example.test").first)
        #expect(text.contains(" with UTF8SMTP id "))
        #expect(text.contains("spf=none smtp.mailfrom=j\u{F6}rg@none.test"))
    }

    @Test("RFC 7208 8: SPF fail refused (550 5.7.23), temperror deferred (451 4.4.3), softfail and permerror tagged")
    func spfOutcomes() async throws {
        let harness = try await SMTPHarness()
        try await harness.transcript(
            """
            S: 220 mx.example.test ESMTP Mailgate ready
            C: EHLO client.test
            \(ehloReply)
            C: MAIL FROM:<x@fail.test>
            S: 550-5.7.23 SPF MAIL FROM check failed (Fail)
            S: 550 5.7.23 fail.test does not designate 127.0.0.1 as a permitted sender
            C: MAIL FROM:<x@temp.test>
            S: 451 4.4.3 SPF MAIL FROM check failed (Temp Error); try again later
            C: MAIL FROM:<x@soft.test>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<bob@example.test>
            S: 250 2.1.5 Recipient OK
            C: DATA
            S: 354 Start mail input; end with <CRLF>.<CRLF>
            C: Subject: soft
            C: .
            S: 250 2.0.0 Message accepted for delivery
            C: MAIL FROM:<x@perm.test>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<bob@example.test>
            S: 250 2.1.5 Recipient OK
            C: DATA
            S: 354 Start mail input; end with <CRLF>.<CRLF>
            C: Subject: tagged
            C: .
            S: 250 2.0.0 Message accepted for delivery
            """)
        // Two messages of one session, each with its own verdict's fields.
        let messages = try await harness.inbox("bob@example.test")
        #expect(messages.count == 2)
        let soft = try #require(messages.first)
        #expect(soft.contains("spf=softfail smtp.mailfrom=x@soft.test"))
        #expect(soft.contains("Received-SPF: softfail ("))
        let text = try #require(messages.last)
        #expect(text.contains("spf=permerror smtp.mailfrom=x@perm.test"))
        #expect(text.contains("Received-SPF: permerror ("))
    }

    @Test("Admin guide: permerror refused as 550 5.7.24 when configured; fail only tagged when configured")
    func spfConfigured() async throws {
        let harness = try await SMTPHarness()
        try await harness.transcript(
            spfFail: .tag, spfPermerror: .reject,
            """
            S: 220 mx.example.test ESMTP Mailgate ready
            C: HELO client.test
            S: 250 mx.example.test Hello client.test
            C: MAIL FROM:<x@perm.test>
            S: 550 5.7.24 SPF MAIL FROM check failed (Perm Error)
            C: MAIL FROM:<x@fail.test>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<ann@example.test>
            S: 250 2.1.5 Recipient OK
            C: DATA
            S: 354 Start mail input; end with <CRLF>.<CRLF>
            C: .
            S: 250 2.0.0 Message accepted for delivery
            """)
        let text = try #require(try await harness.inbox("ann@example.test").first)
        #expect(text.contains("spf=fail smtp.mailfrom=x@fail.test"))
        #expect(text.contains(" with SMTP id "))
    }

    @Test("RFC 7208 2.4: a null reverse-path checks postmaster@HELO and names smtp.helo")
    func nullSender() async throws {
        let harness = try await SMTPHarness()
        try await harness.transcript(
            """
            S: 220 mx.example.test ESMTP Mailgate ready
            C: HELO fail.test
            S: 250 mx.example.test Hello fail.test
            C: MAIL FROM:<>
            S: 550-5.7.23 SPF MAIL FROM check failed (Fail)
            S: 550 5.7.23 fail.test does not designate 127.0.0.1 as a permitted sender
            C: HELO helo.test
            S: 250 mx.example.test Hello helo.test
            C: MAIL FROM:<>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<ann@example.test>
            S: 250 2.1.5 Recipient OK
            C: DATA
            S: 354 Start mail input; end with <CRLF>.<CRLF>
            C: .
            S: 250 2.0.0 Message accepted for delivery
            """)
        let text = try #require(try await harness.inbox("ann@example.test").first)
        #expect(text.contains("spf=pass smtp.helo=helo.test"))
    }

    @Test("Requirement 14: a deleted user's address is refused at RCPT at once")
    func deletedUser() async throws {
        let harness = try await SMTPHarness()
        _ = try await harness.fixture.store.deleteUser(EmailAddress("bob@example.test")!)
        try await harness.transcript(
            """
            S: 220 mx.example.test ESMTP Mailgate ready
            C: HELO client.test
            S: 250 mx.example.test Hello client.test
            C: MAIL FROM:<alice@pass.test>
            S: 250 2.1.0 Sender OK
            C: RCPT TO:<bob@example.test>
            S: 550 5.1.1 No such user here
            """)
    }

    @Test("A license removed between RCPT and DATA: 250 for the others, nothing stored for that mailbox")
    func licenseRemovedBeforeData() async throws {
        let harness = try await SMTPHarness()
        try await harness.withClient { client in
            try await client.play(
                """
                S: 220 mx.example.test ESMTP Mailgate ready
                C: HELO client.test
                S: 250 mx.example.test Hello client.test
                C: MAIL FROM:<alice@pass.test>
                S: 250 2.1.0 Sender OK
                C: RCPT TO:<ann@example.test>
                S: 250 2.1.5 Recipient OK
                C: RCPT TO:<bob@example.test>
                S: 250 2.1.5 Recipient OK
                """)
            _ = try await harness.fixture.store.removeLicense("P1", from: EmailAddress("bob@example.test")!)
            try await client.play(
                """
                C: DATA
                S: 354 Start mail input; end with <CRLF>.<CRLF>
                C: Subject: race
                C: .
                S: 250 2.0.0 Message accepted for delivery
                """)
        }
        #expect(try await harness.inbox("ann@example.test").count == 1)
        #expect(try await harness.inbox("bob@example.test").isEmpty)
    }
}
