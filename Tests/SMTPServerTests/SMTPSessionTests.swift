import DNSClient
import Foundation
import MailStore
import NIOCore
import SMTPServer
import SPF
import Testing

/// The session machine alone: events in, actions out.
@Suite("SMTP session machine")
struct SMTPSessionTests {
    static let configuration = SMTPSession.Configuration(
        hostname: "mx.example.test", maximumMessageBytes: 1000, maximumRecipients: 5)

    static func spf(_ code: SPFResult.Code, mailFrom: String = "a@b.test") -> SPFResult {
        SPFResult(
            code: code, identity: .mailFrom, clientIP: .v4(0x7F00_0001), sender: mailFrom, mailFrom: mailFrom,
            helo: "c.test", receiver: "mx.example.test")
    }

    /// A session with EHLO done and MAIL FROM accepted (SIZE as given).
    static func inTransaction(size: Int? = nil) -> Machine {
        let session = Machine(SMTPSession(configuration: configuration))
        _ = session.handle(.connected)
        _ = session.handle(.line(Array("EHLO c.test".utf8), endsWithCRLF: true))
        let line = "MAIL FROM:<a@b.test>" + (size.map { " SIZE=\($0)" } ?? "")
        #expect(
            session.handle(.line(Array(line.utf8), endsWithCRLF: true)) == [
                .checkSPF(mailFrom: "a@b.test", helo: "c.test")
            ])
        #expect(session.handle(.spfChecked(spf(.pass))) == [.send(SMTPReply(250, "2.1.0", "Sender OK"))])
        return session
    }

    static func rcpt(_ session: Machine, _ address: String, _ resolution: RecipientResolution) -> [SMTPSession.Action] {
        let asked = session.handle(.line(Array("RCPT TO:<\(address)>".utf8), endsWithCRLF: true))
        #expect(asked == [.resolveRecipient(EmailAddress(address)!)])
        return session.handle(.recipientResolved(resolution))
    }

    @Test("RFC 1870 / 5.2.2: a recipient whose remaining quota is below the declared SIZE gets 552 5.2.2")
    func quota() {
        let session = Self.inTransaction(size: 500)
        let full = Self.rcpt(session, "ann@example.test", .mailbox(MailboxID(1), user: UserID(1), quotaRemaining: 499))
        #expect(full == [.send(SMTPReply(552, "5.2.2", "Mailbox full", reason: "mailbox_full"))])
        let fits = Self.rcpt(session, "bob@example.test", .mailbox(MailboxID(2), user: UserID(2), quotaRemaining: 500))
        #expect(fits == [.send(SMTPReply(250, "2.1.5", "Recipient OK"))])
    }

    @Test("A full mailbox (no quota left) is refused even without SIZE")
    func quotaExhausted() {
        let session = Self.inTransaction()
        let full = Self.rcpt(session, "ann@example.test", .mailbox(MailboxID(1), user: UserID(1), quotaRemaining: 0))
        #expect(full == [.send(SMTPReply(552, "5.2.2", "Mailbox full", reason: "mailbox_full"))])
    }

    /// A session that has read a whole message for `mailboxes` and asks to deliver it.
    static func delivering(_ mailboxes: [Int64]) -> Machine {
        let session = inTransaction()
        for (index, id) in mailboxes.enumerated() {
            _ = rcpt(session, "u\(index)@example.test", .mailbox(MailboxID(id), user: UserID(id), quotaRemaining: nil))
        }
        #expect(session.handle(.line(Array("DATA".utf8), endsWithCRLF: true)).count == 1)
        #expect(session.handle(.line(Array("Subject: x".utf8), endsWithCRLF: true)) == [])
        let actions = session.handle(.line(Array(".".utf8), endsWithCRLF: true))
        guard case .deliver(let envelope, let body)? = actions.first else {
            Issue.record("expected a delivery, got \(actions)")
            return session
        }
        #expect(envelope.mailboxes == mailboxes.map(MailboxID.init))
        #expect(body == Array("Subject: x\r\n".utf8))
        #expect(!envelope.isChunked)
        return session
    }

    @Test("A message sent in BDAT chunks (RFC 3030) is marked so in its envelope, for the log")
    func chunkedEnvelope() {
        let session = Self.inTransaction()
        _ = Self.rcpt(session, "ann@example.test", .mailbox(MailboxID(1), user: UserID(1), quotaRemaining: nil))
        #expect(session.handle(.line(Array("BDAT 12 LAST".utf8), endsWithCRLF: true)) == [])
        let actions = session.handle(.chunk(ByteBuffer(string: "Subject: x\r\n")))
        guard case .deliver(let envelope, let body)? = actions.first else {
            Issue.record("expected a delivery, got \(actions)")
            return
        }
        #expect(envelope.isChunked)
        #expect(body == Array("Subject: x\r\n".utf8))
    }

    @Test("One reply per DATA: 250 when at least one mailbox stored it (the others are logged)")
    func partialDelivery() {
        let session = Self.delivering([1, 2])
        let reply = session.handle(.delivered([.success(7), .failure(.mailboxUnavailable)]))
        #expect(reply == [.send(SMTPReply(250, "2.0.0", "Message accepted for delivery"))])
    }

    @Test("Every mailbox refusing at delivery gives the first refusal's reply")
    func allRefused() {
        let session = Self.delivering([1])
        #expect(
            session.handle(.delivered([.failure(.quotaExceeded)]))
                == [.send(SMTPReply(552, "5.2.2", "Mailbox full", reason: "mailbox_full"))])
        let other = Self.delivering([1])
        #expect(
            other.handle(.delivered([.failure(.mailboxUnavailable)]))
                == [.send(SMTPReply(550, "5.2.1", "Mailbox unavailable", reason: "mailbox_unavailable"))])
    }

    @Test("A store failure at delivery is a temporary 451 4.3.0, and the transaction is over")
    func storeFailure() {
        let session = Self.delivering([1])
        #expect(
            session.handle(.deliveryFailed)
                == [.send(SMTPReply(451, "4.3.0", "Temporary failure storing the message; try again", reason: "store"))]
        )
        #expect(
            session.handle(.line(Array("RCPT TO:<a@example.test>".utf8), endsWithCRLF: true))
                == [.send(SMTPReply(503, "5.5.1", "Need MAIL before RCPT", reason: "sequence"))])
    }

    @Test("A store failure at RCPT is a temporary 451 4.3.0")
    func lookupFailure() {
        let session = Self.inTransaction()
        _ = session.handle(.line(Array("RCPT TO:<ann@example.test>".utf8), endsWithCRLF: true))
        #expect(
            session.handle(.recipientLookupFailed)
                == [.send(SMTPReply(451, "4.3.0", "Temporary failure looking up the recipient", reason: "store"))])
    }

    @Test("Shutdown in the middle of DATA: 421 4.3.2 and close; nothing is delivered")
    func shutdownInData() {
        let session = Self.inTransaction()
        _ = Self.rcpt(session, "ann@example.test", .mailbox(MailboxID(1), user: UserID(1), quotaRemaining: nil))
        _ = session.handle(.line(Array("DATA".utf8), endsWithCRLF: true))
        _ = session.handle(.line(Array("partial".utf8), endsWithCRLF: true))
        #expect(
            session.handle(.shutdown)
                == [
                    .send(SMTPReply(421, "4.3.2", "mx.example.test Service shutting down", reason: "shutdown")), .close,
                ])
        #expect(session.handle(.line(Array(".".utf8), endsWithCRLF: true)) == [])
    }

    @Test("Too many refused commands in a row end the session with 421 4.7.0")
    func tooManyErrors() {
        let session = Machine(SMTPSession(configuration: Self.configuration))
        _ = session.handle(.connected)
        for _ in 1..<Self.configuration.maximumErrors {
            #expect(session.handle(.line(Array("BOGUS".utf8), endsWithCRLF: true)).count == 1)
        }
        let last = session.handle(.line(Array("BOGUS".utf8), endsWithCRLF: true))
        #expect(last.last == .close)
    }

    @Test("Pipelined data right after DATA is message text, not commands")
    func dataIsNotCommands() {
        let session = Self.inTransaction()
        _ = Self.rcpt(session, "ann@example.test", .mailbox(MailboxID(1), user: UserID(1), quotaRemaining: nil))
        _ = session.handle(.line(Array("DATA".utf8), endsWithCRLF: true))
        #expect(session.handle(.line(Array("QUIT".utf8), endsWithCRLF: true)) == [])
        #expect(session.isReadingData)
    }
}

/// The machine in a box, so `#expect` can call it (the macro cannot capture an `inout` value).
final class Machine {
    var session: SMTPSession
    init(_ session: SMTPSession) { self.session = session }
    func handle(_ event: SMTPSession.Event) -> [SMTPSession.Action] { session.handle(event) }
    var isReadingData: Bool { session.isReadingData }
}
