import Foundation
import MIME
import MailStore
import MailStoreSQLite
import MailgateTesting
import Testing

@testable import IMAPServer

/// FETCH over a folder larger than one store batch and one output part (IMAPFetch.Batches,
/// IMAPCommandContext.flush): every message once, in order, byte-exact.
@Suite("IMAP FETCH of a whole folder")
struct IMAPFetchStreamingTests {
    static let count = 300
    /// About 28 KiB bodies: fewer than 256 of them fill a 4 MiB batch, so the byte budget splits
    /// the batches (not the count limit), and each message passes the 256 KiB output part often.
    static func body(_ index: Int) -> String {
        String(repeating: "line \(index) of the body, long enough to count.\r\n", count: 600)
    }

    func fill(_ server: IMAPTestServer) async throws {
        for index in 1...Self.count {
            try await server.deliver(to: "ann@example.test", subject: "n\(index)", body: Self.body(index))
        }
    }

    @Test("UID FETCH 1:* BODY.PEEK[] streams every message whole, in order")
    func bodies() async throws {
        try await IMAPTestServer.run { server in
            try await fill(server)
            try await IMAPTestClient.connect(port: server.port) { client in
                try await client.signInAndSelect(readOnly: true)
                try await client.send("a3 UID FETCH 1:* (UID BODY.PEEK[])\r\n")
                for index in 1...Self.count {
                    let expected = StoreFixture.message(subject: "n\(index)", body: Self.body(index))
                    let head = try #require(try await client.line())
                    #expect(head == "* \(index) FETCH (UID \(index) BODY[] {\(expected.count)}")
                    var received = Data()
                    while received.count < expected.count, let line = try await client.line() {
                        received += Data((line + "\r\n").utf8)
                    }
                    #expect(received == expected)
                    let close = try await client.line()
                    #expect(close == ")")
                }
                let done = try await client.line()
                #expect(done == "a3 OK FETCH completed")
            }
        }
    }

    @Test("FETCH 1:* ENVELOPE and BODYSTRUCTURE come from the kept structure, equal to parsing the bytes")
    func headers() async throws {
        try await IMAPTestServer.run { server in
            try await fill(server)
            try await IMAPTestClient.connect(port: server.port) { client in
                try await client.signInAndSelect(readOnly: true)
                try await client.send("a3 FETCH 1:* (ENVELOPE BODYSTRUCTURE)\r\n")
                for index in 1...Self.count {
                    let parsed = MIMEMessage(
                        Array(StoreFixture.message(subject: "n\(index)", body: Self.body(index))))
                    let expected =
                        "* \(index) FETCH (ENVELOPE " + String(decoding: parsed.envelope(), as: UTF8.self)
                        + " BODYSTRUCTURE " + String(decoding: parsed.bodyStructure(extensible: true), as: UTF8.self)
                        + ")"
                    let line = try await client.line()
                    #expect(line == expected)
                }
                let done = try await client.line()
                #expect(done == "a3 OK FETCH completed")
            }
        }
    }

    @Test("RFC 3516 4.1: a FETCH that fails on one message sends the earlier responses whole and none of that one")
    func failureTakesBackThePartialResponse() async throws {
        try await IMAPTestServer.run { server in
            let box = try await server.mailbox("ann@example.test")
            let good = Data("Subject: good\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n".utf8)
            let bad = Data("Subject: bad\r\nContent-Transfer-Encoding: x-unknown\r\n\r\nzzz\r\n".utf8)
            for bytes in [good, bad, good] {
                _ = try await server.fixture.store.deliver(
                    IncomingMessage(bytes: bytes, internalDate: server.fixture.clock.now), to: [box])
            }
            try await IMAPTestClient.connect(port: server.port) { client in
                try await client.signInAndSelect(readOnly: true)
                try await client.play(
                    """
                    C: a3 FETCH 1:3 (UID BINARY.PEEK[1])
                    S: * 1 FETCH (UID 1 BINARY[1] {5}
                    S: hello)
                    S~ a3 NO \\[UNKNOWN-CTE\\] .*
                    C: a4 FETCH 1 (UID BINARY.PEEK[1])
                    S: * 1 FETCH (UID 1 BINARY[1] {5}
                    S: hello)
                    S: a4 OK FETCH completed
                    """)
            }
        }
    }
}
