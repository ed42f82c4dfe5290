import Foundation
import MailStore
import MailgateCore
import Testing

@testable import POP3Server

/// The state machine alone: events in, actions out.
@Suite("POP3 session machine")
struct POP3SessionTests {
    static let drop = Maildrop(
        mailbox: MailboxID(1), folder: FolderID(10),
        messages: [
            .init(uid: 3, content: ContentID(30), size: 100, uniqueID: "10.7.3"),
            .init(uid: 5, content: ContentID(50), size: 250, uniqueID: "10.7.5"),
        ])

    /// A session signed in with ``drop``.
    static func signedIn() -> POP3Session {
        var session = POP3Session(isSecure: true, canStartTLS: false, failureDelay: .seconds(1))
        _ = session.handle(.command(.user("ann@example.test")))
        _ = session.handle(.command(.pass(Secret("pw"))))
        _ = session.handle(.signedIn(.granted(drop)))
        return session
    }

    @Test("RFC 2595 2.3: no USER, PASS or AUTH PLAIN before STLS on an insecure connection")
    func plainTextRefused() {
        var session = POP3Session(isSecure: false, canStartTLS: true)
        let refused = POP3Session.Action.send(
            "-ERR [AUTH] plain-text sign-in is not allowed on an unencrypted connection; use STLS first\r\n")
        #expect(session.handle(.command(.user("ann"))) == [refused])
        #expect(session.handle(.command(.pass(Secret("pw")))) == [refused])
        #expect(session.handle(.command(.auth(mechanism: "PLAIN", initialResponse: nil))) == [refused])
    }

    @Test("RFC 2449 5, RFC 2595 4: CAPA offers STLS and hides USER/SASL until the connection is secure")
    func capaBeforeAndAfterTLS() {
        var session = POP3Session(isSecure: false, canStartTLS: true)
        let before = session.handle(.command(.capa))
        #expect(
            before == [
                .send(
                    "+OK capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n"
                        + "EXPIRE NEVER\r\nSTLS\r\nIMPLEMENTATION Mailgate\r\n.\r\n")
            ])
        #expect(session.handle(.command(.stls)) == [.send("+OK begin TLS negotiation\r\n"), .startTLS])
        #expect(session.handle(.tlsStarted) == [])
        #expect(
            session.handle(.command(.capa)) == [
                .send(
                    "+OK capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n"
                        + "EXPIRE NEVER\r\nUSER\r\nSASL PLAIN\r\nIMPLEMENTATION Mailgate\r\n.\r\n")
            ])
        #expect(session.handle(.command(.stls)) == [.send("-ERR STLS is not available on this connection\r\n")])
    }

    @Test("RFC 2595 4: STLS started mid-USER forgets the user name")
    func stlsResets() {
        var session = POP3Session(isSecure: true, canStartTLS: true)
        _ = session.handle(.command(.user("ann")))
        _ = session.handle(.command(.stls))
        _ = session.handle(.tlsStarted)
        #expect(session.handle(.command(.pass(Secret("pw")))) == [.send("-ERR send USER first\r\n")])
    }

    @Test("USER then PASS asks the gate; success enters TRANSACTION with counts")
    func userPass() {
        var session = POP3Session(isSecure: true, canStartTLS: false)
        #expect(session.handle(.command(.user("ann"))) == [.send("+OK send PASS\r\n")])
        #expect(session.handle(.command(.pass(Secret("pw")))) == [.signIn(login: "ann", password: Secret("pw"))])
        #expect(session.handle(.signedIn(.granted(Self.drop))) == [.send("+OK 2 messages (350 octets)\r\n")])
        #expect(session.handle(.command(.stat)) == [.send("+OK 2 350\r\n")])
    }

    @Test("RFC 3206: refusals carry AUTH or SYS/TEMP and the store's reason, after the failure delay")
    func refusals() {
        var session = POP3Session(isSecure: true, canStartTLS: false, failureDelay: .milliseconds(1500))
        _ = session.handle(.command(.user("ann")))
        _ = session.handle(.command(.pass(Secret("bad"))))
        #expect(
            session.handle(.signedIn(.refused(.wrongCredentials))) == [
                .pause(.milliseconds(1500)), .send("-ERR [AUTH] wrong user name or password\r\n"),
            ])
        _ = session.handle(.command(.user("ann")))
        _ = session.handle(.command(.pass(Secret("bad"))))
        #expect(
            session.handle(.signedIn(.refused(.throttled(retryAfterSeconds: 60)))) == [
                .pause(.milliseconds(1500)),
                .send("-ERR [SYS/TEMP] too many failed sign-ins; try again in 60 seconds\r\n"),
            ])
        _ = session.handle(.command(.user("ann")))
        _ = session.handle(.command(.pass(Secret("pw"))))
        #expect(
            session.handle(.signedIn(.inUse)) == [
                .send("-ERR [IN-USE] the maildrop is in use by another session\r\n")
            ])
        // Back in AUTHORIZATION: a new USER is accepted.
        #expect(session.handle(.command(.user("ann"))) == [.send("+OK send PASS\r\n")])
    }

    @Test("RFC 5034 4: AUTH PLAIN with a continuation, with an initial response, and cancelled with *")
    func authPlain() {
        var session = POP3Session(isSecure: true, canStartTLS: false)
        let response = SASLPlain.encode(login: "ann", password: "pw")
        #expect(session.handle(.command(.auth(mechanism: "PLAIN", initialResponse: nil))) == [.send("+ \r\n")])
        #expect(session.isAwaitingSASLResponse)
        #expect(session.handle(.saslResponse("*")) == [.send("-ERR authentication cancelled\r\n")])
        #expect(!session.isAwaitingSASLResponse)
        #expect(
            session.handle(.command(.auth(mechanism: "PLAIN", initialResponse: response))) == [
                .signIn(login: "ann", password: Secret("pw"))
            ])
        var other = POP3Session(isSecure: true, canStartTLS: false)
        #expect(
            other.handle(.command(.auth(mechanism: "PLAIN", initialResponse: "="))) == [
                .send("-ERR [AUTH] invalid PLAIN response\r\n")
            ])
        #expect(
            other.handle(.command(.auth(mechanism: "CRAM-MD5", initialResponse: nil))) == [
                .send("-ERR unsupported authentication mechanism\r\n")
            ])
        #expect(other.handle(.command(.auth(mechanism: nil, initialResponse: nil))) == [.send("+OK\r\nPLAIN\r\n.\r\n")])
    }

    @Test("RFC 1939 5: LIST, UIDL, DELE, RSET, and deleted messages leave the listings")
    func transaction() {
        var session = Self.signedIn()
        #expect(
            session.handle(.command(.list(nil))) == [.send("+OK 2 messages (350 octets)\r\n1 100\r\n2 250\r\n.\r\n")])
        #expect(
            session.handle(.command(.uidl(nil))) == [
                .send("+OK unique-id listing follows\r\n1 10.7.3\r\n2 10.7.5\r\n.\r\n")
            ])
        #expect(session.handle(.command(.uidl(2))) == [.send("+OK 2 10.7.5\r\n")])
        #expect(session.handle(.command(.dele(1))) == [.send("+OK message 1 deleted\r\n")])
        #expect(session.handle(.command(.dele(1))) == [.send("-ERR message 1 already deleted\r\n")])
        #expect(session.handle(.command(.retr(1))) == [.send("-ERR message 1 already deleted\r\n")])
        #expect(session.handle(.command(.list(1))) == [.send("-ERR message 1 already deleted\r\n")])
        #expect(session.handle(.command(.list(3))) == [.send("-ERR no such message\r\n")])
        #expect(session.handle(.command(.retr(0))) == [.send("-ERR no such message\r\n")])
        #expect(session.handle(.command(.stat)) == [.send("+OK 1 250\r\n")])
        #expect(session.handle(.command(.list(nil))) == [.send("+OK 1 messages (250 octets)\r\n2 250\r\n.\r\n")])
        #expect(session.handle(.command(.rset)) == [.send("+OK 2 messages (350 octets)\r\n")])
        #expect(session.handle(.command(.stat)) == [.send("+OK 2 350\r\n")])
        #expect(session.handle(.command(.user("x"))) == [.send("-ERR command not valid in this state\r\n")])
        #expect(session.handle(.command(.noop)) == [.send("+OK\r\n")])
    }

    @Test("RFC 1939 7: RETR and TOP load the content, then send it")
    func retrAndTop() {
        var session = Self.signedIn()
        let bytes = Data("A: b\r\n\r\nhi\r\n".utf8)
        #expect(session.handle(.command(.retr(2))) == [.load(ContentID(50), number: 2)])
        #expect(session.handle(.loaded(bytes)) == [.send("+OK 250 octets\r\n"), .sendMessage(bytes, bodyLines: nil)])
        #expect(session.handle(.command(.top(1, lines: 3))) == [.load(ContentID(30), number: 1)])
        #expect(
            session.handle(.loaded(bytes)) == [
                .send("+OK top of message follows\r\n"), .sendMessage(bytes, bodyLines: 3),
            ])
        #expect(session.handle(.command(.retr(1))) == [.load(ContentID(30), number: 1)])
        #expect(session.handle(.loaded(nil)) == [.send("-ERR message 1 was removed by another session\r\n")])
        #expect(session.handle(.command(.retr(1))) == [.load(ContentID(30), number: 1)])
        #expect(
            session.handle(.loadFailed) == [.send("-ERR [SYS/TEMP] the message could not be read now, try again\r\n")])
        #expect(session.handle(.command(.noop)) == [.send("+OK\r\n")])
    }

    @Test("RFC 1939 6: QUIT removes the marked messages; without marks it just ends")
    func quit() {
        var session = Self.signedIn()
        _ = session.handle(.command(.dele(2)))
        #expect(session.handle(.command(.quit)) == [.remove([5], from: FolderID(10))])
        #expect(
            session.handle(.removed(succeeded: true)) == [
                .send("+OK Mailgate POP3 signing off (1 messages deleted)\r\n"), .close,
            ])
        var failing = Self.signedIn()
        _ = failing.handle(.command(.dele(1)))
        _ = failing.handle(.command(.quit))
        #expect(
            failing.handle(.removed(succeeded: false)) == [
                .send("-ERR [SYS/TEMP] some deleted messages were not removed\r\n"), .close,
            ])
        var plain = Self.signedIn()
        #expect(plain.handle(.command(.quit)) == [.send("+OK Mailgate POP3 signing off\r\n"), .close])
    }

    @Test("RFC 1939 3: autologout and shutdown end the session without UPDATE")
    func timeoutAndShutdown() {
        var session = Self.signedIn()
        _ = session.handle(.command(.dele(1)))
        #expect(session.handle(.idleTimeout) == [.send("-ERR autologout: idle for too long\r\n"), .close])
        var other = Self.signedIn()
        _ = other.handle(.command(.dele(1)))
        #expect(
            other.handle(.shutdown) == [.send("-ERR [SYS/TEMP] server shutting down, nothing was deleted\r\n"), .close])
    }

    @Test("Transaction commands before sign-in, and parse errors, get -ERR")
    func errors() {
        var session = POP3Session(isSecure: true, canStartTLS: false)
        #expect(session.handle(.command(.stat)) == [.send("-ERR sign in first\r\n")])
        #expect(session.handle(.command(.pass(Secret("x")))) == [.send("-ERR send USER first\r\n")])
        #expect(session.handle(.invalid(.unknownCommand("APOP"))) == [.send("-ERR unknown command\r\n")])
        #expect(session.handle(.lineTooLong) == [.send("-ERR line too long\r\n")])
        #expect(session.handle(.command(.quit)) == [.send("+OK Mailgate POP3 signing off\r\n"), .close])
    }
}
