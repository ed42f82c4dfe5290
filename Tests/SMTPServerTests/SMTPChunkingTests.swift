import MailgateTesting
import SMTPServer
import Testing

/// RFC 3030 CHUNKING over the real listener: BDAT chunks are counted octets, read whatever they hold.
@Suite("SMTP BDAT (RFC 3030)")
struct SMTPChunkingTests {
    static let greeting = """
        S: 220 mx.example.test ESMTP Mailgate ready
        C: EHLO client.test
        \(ehloReply)
        """
    static let transaction = """
        C: MAIL FROM:<alice@pass.test>
        C: RCPT TO:<ann@example.test>
        S: 250 2.1.0 Sender OK
        S: 250 2.1.5 Recipient OK
        """

    @Test("RFC 3030 2: pipelined chunks make one message; a dot line and commands inside a chunk are text")
    func chunks() async throws {
        let harness = try await SMTPHarness()
        try await harness.withClient { client in
            try await client.play(Self.greeting + "\n" + Self.transaction)
            let body = "a\r\n.\r\nQUIT\r\n"
            try await client.send(
                "BDAT 20\r\nSubject: chunked\r\n\r\nBDAT \(body.utf8.count) LAST\r\n\(body)QUIT\r\n")
            #expect(try await client.line() == "250 2.0.0 20 octets received")
            #expect(try await client.line() == "250 2.0.0 Message accepted for delivery")
            #expect(try await client.line() == "221 2.0.0 mx.example.test Bye")
        }
        let ann = try await harness.inbox("ann@example.test")
        #expect(ann.count == 1)
        #expect(ann.first?.hasSuffix("Subject: chunked\r\n\r\na\r\n.\r\nQUIT\r\n") == true)
    }

    @Test("RFC 3030 2: BDAT 0 LAST ends the message; a last line without CRLF gets one")
    func emptyLastChunk() async throws {
        let harness = try await SMTPHarness()
        try await harness.withClient { client in
            try await client.play(Self.greeting + "\n" + Self.transaction)
            try await client.send("BDAT 14\r\nSubject: x\r\n\r\nBDAT 3\r\nabcBDAT 0 LAST\r\n")
            #expect(try await client.line() == "250 2.0.0 14 octets received")
            #expect(try await client.line() == "250 2.0.0 3 octets received")
            #expect(try await client.line() == "250 2.0.0 Message accepted for delivery")
        }
        #expect(try await harness.inbox("ann@example.test").first?.hasSuffix("Subject: x\r\n\r\nabc\r\n") == true)
    }

    @Test("A refused BDAT still has its octets read: out of sequence, bad syntax, DATA after BDAT")
    func refusals() async throws {
        let harness = try await SMTPHarness()
        try await harness.withClient { client in
            try await client.play(Self.greeting)
            // The octets of refused BDATs would be commands if they were not read as the chunk.
            try await client.send("BDAT 6\r\nQUIT\r\nBDAT 6 NOW\r\nQUIT\r\nNOOP\r\n")
            #expect(try await client.line() == "503 5.5.1 Need MAIL and RCPT before BDAT")
            #expect(try await client.line() == "501 5.5.4 Syntax error: use BDAT <size> [LAST]")
            #expect(try await client.line() == "250 2.0.0 OK")
            try await client.play(Self.transaction)
            try await client.send("BDAT 3\r\nabc")
            #expect(try await client.line() == "250 2.0.0 3 octets received")
            // RFC 3030 2: no DATA in a BDAT transaction. The framer had begun to read DATA's
            // lines in bulk: the BDAT after the refusal must still be read as a chunk.
            try await client.play("C: DATA\nS: 503 5.5.1 DATA cannot follow BDAT (RFC 3030 2)")
            try await client.send("BDAT 8 LAST\r\n\r\nQUIT\r\n")
            #expect(try await client.line() == "250 2.0.0 Message accepted for delivery")
            try await client.play("C: QUIT\nS: 221 2.0.0 mx.example.test Bye")
        }
        #expect(try await harness.inbox("ann@example.test").first?.hasSuffix("\r\nabc\r\nQUIT\r\n") == true)
    }

    @Test("RFC 3030 2: a chunk over the size limit is dropped with 552 5.3.4; the chunks after it get 503")
    func tooLarge() async throws {
        let harness = try await SMTPHarness()
        try await harness.withClient(maximumMessageBytes: 10_000) { client in
            try await client.play(Self.greeting + "\n" + Self.transaction)
            let big = String(repeating: "x", count: 8_000) + "\r\n"
            // One chunk over the limit, then two that add up past it.
            try await client.send("BDAT 20000\r\n" + String(repeating: "y", count: 20_000) + "BDAT 2 LAST\r\nok")
            #expect(try await client.line() == "552 5.3.4 Message size exceeds fixed maximum message size")
            #expect(try await client.line() == "503 5.5.1 Need MAIL and RCPT before BDAT")
            try await client.play(Self.transaction)
            // 30 more chunks pipelined behind the refused one: 503 each, and not counted as
            // client errors (20 would end the session).
            let rest = String(repeating: "BDAT 2\r\nok", count: 30)
            try await client.send("BDAT \(big.utf8.count)\r\n\(big)BDAT \(big.utf8.count)\r\n\(big)\(rest)NOOP\r\n")
            #expect(try await client.line() == "250 2.0.0 \(big.utf8.count) octets received")
            #expect(try await client.line() == "552 5.3.4 Message size exceeds fixed maximum message size")
            for _ in 0..<30 {
                #expect(try await client.line() == "503 5.5.1 Need MAIL and RCPT before BDAT")
            }
            #expect(try await client.line() == "250 2.0.0 OK")
        }
        #expect(try await harness.inbox("ann@example.test").isEmpty)
    }

    @Test("RFC 5321 2.3.8: a bare LF or CR in a chunk refuses the message with 550 5.6.11, even split across chunks")
    func bareLineEnds() async throws {
        let harness = try await SMTPHarness()
        try await harness.withClient { client in
            try await client.play(Self.greeting + "\n" + Self.transaction)
            try await client.send("BDAT 6 LAST\r\na\nbc\r\n")
            #expect(
                try await client.line()
                    == "550 5.6.11 Bare LF or CR in message refused (RFC 5321 2.3.8); use CRLF line ends")
            // A CRLF split between two chunks is fine.
            try await client.play(Self.transaction)
            try await client.send("BDAT 3\r\nab\rBDAT 1 LAST\r\n\n")
            #expect(try await client.line() == "250 2.0.0 3 octets received")
            #expect(try await client.line() == "250 2.0.0 Message accepted for delivery")
        }
        let ann = try await harness.inbox("ann@example.test")
        #expect(ann.count == 1)
        #expect(ann.first?.hasSuffix("\r\nab\r\n") == true)
    }
}
