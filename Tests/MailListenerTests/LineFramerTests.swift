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
}
