import Foundation
import MailStore
import MailgateTesting
import NIOCore
import Testing

/// STARTTLS, timeouts, shutdown and concurrency over the real listener.
@Suite("SMTP connections")
struct SMTPConnectionTests {
    @Test("RFC 3207 4.2: commands pipelined after STARTTLS in clear text are discarded; the session restarts")
    func startTLSInjection() async throws {
        let harness = try await SMTPHarness()
        try await harness.run(tls: true) { port, _ in
            try await SMTPTestClient.connect(port: port) { client in
                try await client.play(
                    """
                    S: 220 mx.example.test ESMTP Mailgate ready
                    C: EHLO client.test
                    S: 250-mx.example.test Hello client.test
                    S: 250-PIPELINING
                    S: 250-SIZE 10000
                    S: 250-8BITMIME
                    S: 250-SMTPUTF8
                    S: 250-ENHANCEDSTATUSCODES
                    S: 250-CHUNKING
                    S: 250-STARTTLS
                    S: 250 HELP
                    C: MAIL FROM:<alice@pass.test>
                    S: 250 2.1.0 Sender OK
                    """)
                // The classic injection: commands right behind STARTTLS, before the handshake.
                try await client.send(
                    "STARTTLS\r\nRSET\r\nMAIL FROM:<evil@pass.test>\r\nRCPT TO:<ann@example.test>\r\n")
                #expect(try await client.line() == "220 2.0.0 Ready to start TLS")
                try await client.startTLS(trusting: harness.caPath)
                // RFC 3207 4.2: the transaction and the EHLO are forgotten; nothing injected was run.
                try await client.play(
                    """
                    C: RCPT TO:<ann@example.test>
                    S: 503 5.5.1 Send EHLO or HELO first
                    C: EHLO client.test
                    S: 250-mx.example.test Hello client.test
                    S: 250-PIPELINING
                    S: 250-SIZE 10000
                    S: 250-8BITMIME
                    S: 250-SMTPUTF8
                    S: 250-ENHANCEDSTATUSCODES
                    S: 250-CHUNKING
                    S: 250 HELP
                    C: STARTTLS
                    S: 503 5.5.1 TLS already active
                    C: MAIL FROM:<alice@pass.test>
                    C: RCPT TO:<ann@example.test>
                    C: DATA
                    S: 250 2.1.0 Sender OK
                    S: 250 2.1.5 Recipient OK
                    S: 354 Start mail input; end with <CRLF>.<CRLF>
                    C: Subject: secret
                    C: .
                    S: 250 2.0.0 Message accepted for delivery
                    C: QUIT
                    S: 221 2.0.0 mx.example.test Bye
                    """)
            }
        }
        let messages = try await harness.inbox("ann@example.test")
        #expect(messages.count == 1)
        #expect(messages.first?.contains(" with ESMTPS id ") == true)
    }

    @Test("RFC 3207 4: STARTTLS before EHLO is refused")
    func startTLSBeforeEHLO() async throws {
        let harness = try await SMTPHarness()
        try await harness.run(tls: true) { port, _ in
            try await SMTPTestClient.connect(port: port) { client in
                try await client.play(
                    """
                    S: 220 mx.example.test ESMTP Mailgate ready
                    C: STARTTLS
                    S: 503 5.5.1 Send EHLO or HELO first
                    """)
            }
        }
    }

    @Test("RFC 5321 4.5.3.2: an idle client gets 421 4.4.2 and is disconnected")
    func idleTimeout() async throws {
        let harness = try await SMTPHarness()
        try await harness.run(idle: .milliseconds(300)) { port, _ in
            try await SMTPTestClient.connect(port: port) { client in
                try await client.play(
                    """
                    S: 220 mx.example.test ESMTP Mailgate ready
                    S: 421 4.4.2 mx.example.test Idle timeout, closing
                    S: <closed>
                    """)
            }
        }
    }

    @Test("The total session time is bounded: past it, the next line gets 421 4.4.2")
    func sessionTimeLimit() async throws {
        let harness = try await SMTPHarness()
        try await harness.run(sessionTimeLimit: 60) { port, _ in
            try await SMTPTestClient.connect(port: port) { client in
                try await client.play("S: 220 mx.example.test ESMTP Mailgate ready\nC: NOOP\nS: 250 2.0.0 OK")
                harness.fixture.clock.advance(by: 61)
                try await client.play(
                    """
                    C: NOOP
                    S: 421 4.4.2 mx.example.test Session time limit reached
                    S: <closed>
                    """)
            }
        }
    }

    @Test("Graceful shutdown: an open session gets 421 4.3.2 and is closed")
    func shutdown() async throws {
        let harness = try await SMTPHarness()
        try await harness.run { port, shutdown in
            try await SMTPTestClient.connect(port: port) { client in
                try await client.play("S: 220 mx.example.test ESMTP Mailgate ready\nC: EHLO client.test\n\(ehloReply)")
                await shutdown()
                try await client.play(
                    """
                    S: 421 4.3.2 mx.example.test Service shutting down
                    S: <closed>
                    """)
            }
        }
    }

    @Test("Group commit: 16 concurrent sessions, every acknowledged message stored exactly once")
    func concurrentDeliveries() async throws {
        let harness = try await SMTPHarness()
        try await harness.run { port, _ in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<16 {
                    group.addTask {
                        try await SMTPTestClient.connect(port: port) { client in
                            try await client.play(
                                """
                                S: 220 mx.example.test ESMTP Mailgate ready
                                C: EHLO client.test
                                \(ehloReply)
                                """)
                            for message in 0..<3 {
                                try await client.play(
                                    """
                                    C: MAIL FROM:<alice@pass.test>
                                    C: RCPT TO:<bob@example.test>
                                    C: DATA
                                    S: 250 2.1.0 Sender OK
                                    S: 250 2.1.5 Recipient OK
                                    S: 354 Start mail input; end with <CRLF>.<CRLF>
                                    C: Subject: n\(index)-\(message)
                                    C:
                                    C: .
                                    S: 250 2.0.0 Message accepted for delivery
                                    """)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let subjects = try await harness.inbox("bob@example.test").compactMap { text in
            text.split(separator: "\r\n").first { $0.hasPrefix("Subject: ") }.map(String.init)
        }
        #expect(subjects.count == 48)
        #expect(Set(subjects).count == 48)
    }

    @Test("A message of 20 MiB in 300,000 lines is stored whole (DATA grows the message in place)")
    func largeMessage() async throws {
        let harness = try await SMTPHarness()
        let line = "0123456789012345678901234567890123456789012345678901234567890123456789\r\n"
        let lines = 300_000
        try await harness.run(maximumMessageBytes: 30 * 1024 * 1024) { port, _ in
            try await SMTPTestClient.connect(port: port) { client in
                try await client.play(
                    """
                    S: 220 mx.example.test ESMTP Mailgate ready
                    C: EHLO client.test
                    \(ehloReplyOffering(size: 30 * 1024 * 1024))
                    C: MAIL FROM:<alice@pass.test>
                    S: 250 2.1.0 Sender OK
                    C: RCPT TO:<bob@example.test>
                    S: 250 2.1.5 Recipient OK
                    C: DATA
                    S: 354 Start mail input; end with <CRLF>.<CRLF>
                    """)
                let chunk = "Subject: big\r\n\r\n" + String(repeating: line, count: 1000)
                try await client.send(chunk)
                let rest = String(repeating: line, count: 1000)
                for _ in 1..<(lines / 1000) { try await client.send(rest) }
                try await client.send(".\r\n")
                // A debug build on a busy 2-core machine needs more than the usual 10 s here; the
                // quadratic copy this guards against took minutes.
                #expect(try await client.line(timeout: .seconds(90)) == "250 2.0.0 Message accepted for delivery")
            }
        }
        let stored = try await harness.inbox("bob@example.test")
        #expect(stored.count == 1)
        #expect(stored.first?.hasSuffix("Subject: big\r\n\r\n" + String(repeating: line, count: lines)) == true)
    }
}
