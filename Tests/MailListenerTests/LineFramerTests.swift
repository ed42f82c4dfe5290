import MailgateTesting
import NIOCore
import NIOEmbedded
import Testing

@testable import MailListener

@Suite("Line framer: limits, line ends, literals, STARTTLS reset")
struct LineFramerTests {
    func frames(
        _ chunks: [String], maximumLineLength: Int = 16,
        literal: (@Sendable (ByteBufferView) -> LiteralDecision)? = nil
    ) throws -> [InboundFrame] {
        let channel = EmbeddedChannel(
            handler: LineFramer(
                maximumLineLength: maximumLineLength, maximumLiteralLength: 100, literalDecision: literal))
        for chunk in chunks { try channel.writeInbound(ByteBuffer(string: chunk)) }
        var out: [InboundFrame] = []
        while let stamped = try channel.readInbound(as: StampedFrame.self) { out.append(stamped.frame) }
        return out
    }

    func line(_ text: String, crlf: Bool = true) -> InboundFrame { .line(ByteBuffer(string: text), endsWithCRLF: crlf) }

    @Test("Lines split across reads and several per read; bare LF reported")
    func splitting() throws {
        #expect(
            try frames(["HE", "LO a\r", "\nNOOP\r\nQUIT\n"]) == [
                line("HELO a"), line("NOOP"), line("QUIT", crlf: false),
            ])
    }

    @Test("An over-long line is reported once and skipped to its end")
    func tooLong() throws {
        #expect(try frames(["0123456789abcdefXYZ", "more", "\r\nNOOP\r\n"]) == [.lineTooLong, line("NOOP")])
        #expect(try frames(["0123456789abcdefXYZ\r\nNOOP\r\n"]) == [.lineTooLong, line("NOOP")])
    }

    @Test("A literal announced at a line end is read as bytes, even with CRLF inside")
    func literal() throws {
        let decide: @Sendable (ByteBufferView) -> LiteralDecision = { view in
            String(decoding: view, as: UTF8.self).hasSuffix("{5}") ? .accept(5) : .none
        }
        #expect(
            try frames(["A APPEND x {5}\r\nab", "\r\nd", ")\r\n"], literal: decide)
                == [line("A APPEND x {5}"), .literal(ByteBuffer(string: "ab\r\nd")), line(")")])
    }

    @Test("STARTTLS: bytes buffered before the reset are dropped")
    func resetDropsBuffered() throws {
        let framer = LineFramer(maximumLineLength: 64, maximumLiteralLength: 0, literalDecision: nil)
        let channel = EmbeddedChannel(handler: framer)
        try channel.writeInbound(ByteBuffer(string: "STARTTLS\r\nINJECTED"))
        framer.resetForTLS()
        try channel.writeInbound(ByteBuffer(string: "EHLO x\r\n"))
        var out: [StampedFrame] = []
        while let stamped = try channel.readInbound(as: StampedFrame.self) { out.append(stamped) }
        #expect(out.map(\.frame) == [line("STARTTLS"), line("EHLO x")])
        #expect(out.map(\.epoch) == [0, 1])
    }

    /// Frames `chunks` with bulk mode switched on after the first line (as SMTP does after DATA).
    func bulkFrames(_ chunks: [String], maximumLineLength: Int = 16) throws -> [InboundFrame] {
        let framer = LineFramer(maximumLineLength: maximumLineLength, maximumLiteralLength: 0, literalDecision: nil)
        let channel = EmbeddedChannel(handler: framer)
        var out: [InboundFrame] = []
        for chunk in chunks {
            try channel.writeInbound(ByteBuffer(string: chunk))
            while let stamped = try channel.readInbound(as: StampedFrame.self) {
                out.append(stamped.frame)
                if out.count == 1 { framer.enterBulkMode() }
            }
        }
        return out
    }

    func lines(_ text: String) -> InboundFrame { .lines(ByteBuffer(string: text)) }

    @Test("Bulk mode: lines go out together up to CRLF.CRLF, then lines again (RFC 5321 4.1.1.4)")
    func bulk() throws {
        #expect(
            try bulkFrames(["DATA\r\n", "a\r\n.b\r\n", "c\r\n.\r\nQUIT\r\nNOOP\r\n"]) == [
                line("DATA"), lines("a\r\n.b\r\n"), lines("c\r\n.\r\n"), line("QUIT"), line("NOOP"),
            ])
        // The end split over reads; a partial line waits for its LF.
        #expect(
            try bulkFrames(["DATA\r\n", "a\r\nb", "c\r\n.", "\r", "\nQUIT\r\n"]) == [
                line("DATA"), lines("a\r\n"), lines("bc\r\n"), lines(".\r\n"), line("QUIT"),
            ])
    }

    @Test("Bulk mode: a dot after a bare LF, or ending in a bare LF, does not end the data (RFC 5321 2.3.8)")
    func bulkSmuggling() throws {
        #expect(
            try bulkFrames(["DATA\r\n", "a\n.\r\nb\r\n.\nc\r\n.\r\nQUIT\r\n"]) == [
                line("DATA"), lines("a\n.\r\nb\r\n.\nc\r\n.\r\n"), line("QUIT"),
            ])
    }

    @Test("Bulk mode: an over-long line is reported once, skipped, and bulk framing goes on")
    func bulkTooLong() throws {
        #expect(
            try bulkFrames(["DATA\r\n", "ok\r\n0123456789abcdefXYZ", "more\r\nb\r\n.\r\nQUIT\r\n"]) == [
                line("DATA"), lines("ok\r\n"), .lineTooLong, lines("b\r\n.\r\n"), line("QUIT"),
            ])
        // The skipped line counts as ending in CRLF (as SMTPDataReader assumes): a "." right after ends the data.
        #expect(
            try bulkFrames(["DATA\r\n", "0123456789abcdefXYZ\n.\r\nQUIT\r\n"]) == [
                line("DATA"), .lineTooLong, lines(".\r\n"), line("QUIT"),
            ])
    }

    @Test("A line marked dotTerminatedData starts bulk mode at once; a literal after the data is read as one")
    func dataDecision() throws {
        let decide: @Sendable (ByteBufferView) -> LiteralDecision = { view in
            switch String(decoding: view, as: UTF8.self) {
            case "DATA": .dotTerminatedData
            case "BDAT 3": .accept(3)
            default: .none
            }
        }
        #expect(
            try frames(["DATA\r\nBDAT 3\r\n.\r", "\nBDAT 3\r\nx\nzQUIT\r\n"], literal: decide) == [
                line("DATA"), lines("BDAT 3\r\n"), lines(".\r\n"), line("BDAT 3"), .literal(ByteBuffer(string: "x\nz")),
                line("QUIT"),
            ])
    }

    @Test("STARTTLS's reset also ends bulk mode")
    func resetEndsBulk() throws {
        let framer = LineFramer(maximumLineLength: 64, maximumLiteralLength: 0, literalDecision: nil)
        let channel = EmbeddedChannel(handler: framer)
        framer.enterBulkMode()
        framer.resetForTLS()
        try channel.writeInbound(ByteBuffer(string: "EHLO x\r\n"))
        #expect(try channel.readInbound(as: StampedFrame.self)?.frame == line("EHLO x"))
    }

    @Test("The fuzz entry survives 20,000 seeded random inputs and its own checks of every frame")
    func fuzzEntry() {
        var generator = SplitMix64(seed: 1939)
        let pieces: [[UInt8]] =
            [
                "DATA\r\n", "BDAT 5\r\n", "BDAT 99\r\n", "a {3}\r\n", "x {70}\r\n", ".\r\n", "\r\n", "\n", "\r",
                "line", String(repeating: "y", count: 40),
            ].map { Array($0.utf8) } + [[0xFF], [0xFF, 0xFE], [0x00]]
        for _ in 0..<20_000 {
            var input: [UInt8] = [UInt8.random(in: 0...255, using: &generator)]
            for _ in 0..<Int.random(in: 0...30, using: &generator) { input += pieces.randomElement(using: &generator)! }
            input.withUnsafeBytes { LineFramerFuzz.fuzz($0) }
        }
    }
}
