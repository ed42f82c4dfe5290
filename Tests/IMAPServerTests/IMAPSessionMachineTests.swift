import MailStore
import MailgateCore
import Testing

@testable import IMAPServer

/// The session machine alone: events in, actions out (STYLE.md 4.2).
@Suite("IMAP session machine")
struct IMAPSessionMachineTests {
    static func command(_ text: String) throws -> IMAPSession.Event {
        .command(try IMAPCommandParser.parse(Array(text.utf8)).get())
    }

    @Test("RFC 2595 3.2, RFC 3501 6.2.3: before TLS from a remote client, LOGINDISABLED and LOGIN is refused")
    func loginDisabledBeforeTLS() throws {
        var session = IMAPSession(settings: .init(isSecure: false, canStartTLS: true, appendLimit: 10))
        #expect(session.capabilities == "IMAP4rev1 IMAP4rev2 LITERAL+ SASL-IR ID ENABLE IDLE STARTTLS LOGINDISABLED")
        #expect(
            session.handle(try Self.command("a LOGIN ann pw"))
                == [.send("a NO [PRIVACYREQUIRED] Use STARTTLS before sending a password\r\n")])
        #expect(
            session.handle(try Self.command("b AUTHENTICATE PLAIN"))
                == [.send("b NO [PRIVACYREQUIRED] Use STARTTLS before authenticating\r\n")])
        #expect(
            session.handle(try Self.command("c STARTTLS")) == [.startTLS(reply: "c OK Begin TLS negotiation now\r\n")])
        #expect(session.handle(.tlsStarted) == [])
        #expect(session.capabilities == "IMAP4rev1 IMAP4rev2 LITERAL+ SASL-IR ID ENABLE IDLE AUTH=PLAIN")
        #expect(session.handle(try Self.command("d STARTTLS")) == [.send("d BAD STARTTLS is not available\r\n")])
        #expect(
            session.handle(try Self.command("e LOGIN ann pw"))
                == [.signIn(tag: "e", user: "ann", password: Secret("pw"))])
    }

    @Test(
        "RFC 5530: sign-in refusals map to response codes",
        arguments: [
            (SignInRefusal.wrongCredentials, "AUTHENTICATIONFAILED"), (.temporaryPassword, "EXPIRED"),
            (.noLicense, "CONTACTADMIN"), (.blocked, "CONTACTADMIN"), (.userDeleted, "CONTACTADMIN"),
            (.throttled(retryAfterSeconds: 30), "UNAVAILABLE"), (.unavailable, "UNAVAILABLE"),
        ])
    func refusalCodes(_ row: (SignInRefusal, String)) throws {
        var session = IMAPSession(settings: .init(isSecure: true, canStartTLS: false, appendLimit: 10))
        _ = session.handle(try Self.command("a LOGIN ann pw"))
        let actions = session.handle(.signedIn(tag: "a", .failure(row.0)))
        #expect(actions.contains(.send("a NO [\(row.1)] \(row.0)\r\n")))
        // RFC 3501 6.2.3: only a wrong password is slowed down.
        #expect(actions.contains(.delayFailedSignIn) == (row.0 == .wrongCredentials))
        #expect(session.phase == .notAuthenticated)
    }

    @Test("RFC 3501 5.4: autologout and shutdown end the session with BYE")
    func byeOnTimeoutAndShutdown() {
        var session = IMAPSession(settings: .init(isSecure: true, canStartTLS: false, appendLimit: 10))
        #expect(session.handle(.idleTimeout) == [.send("* BYE Autologout; idle for too long\r\n"), .close])
        var other = IMAPSession(settings: .init(isSecure: true, canStartTLS: false, appendLimit: 10))
        #expect(other.handle(.shutdown) == [.send("* BYE Server shutting down\r\n"), .close])
    }

    @Test("RFC 3501 6.2.2: an AUTHENTICATE PLAIN response acting as another user is refused")
    func plainAuthorizationIdentity() throws {
        var session = IMAPSession(settings: .init(isSecure: true, canStartTLS: false, appendLimit: 10))
        _ = session.handle(try Self.command("a AUTHENTICATE PLAIN"))
        let token = [UInt8]("boss\0ann\0pw".utf8)
        let encoded = Array(Self.base64(token).utf8)
        #expect(
            session.handle(.continuationLine(encoded))
                == [.send("a NO [AUTHORIZATIONFAILED] Cannot act as another user\r\n")])
    }

    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var out = ""
        for chunk in stride(from: 0, to: bytes.count, by: 3) {
            let part = Array(bytes[chunk..<min(chunk + 3, bytes.count)])
            let value = part.enumerated().reduce(0) { $0 | (Int($1.element) << (16 - 8 * $1.offset)) }
            for index in 0..<4 {
                out.append(index <= part.count ? alphabet[(value >> (18 - 6 * index)) & 0x3F] : "=")
            }
        }
        return out
    }
}
