import Foundation
import NIOCore
import Testing

@testable import POP3Server

@Suite("POP3 multi-line encoding")
struct POP3WireTests {
    static func encode(_ text: String, bodyLines: Int? = nil) -> (wire: String, sent: Int) {
        var buffer = ByteBuffer()
        let sent = POP3Wire.encode(Data(text.utf8), bodyLines: bodyLines, into: &buffer)
        return (String(buffer: buffer), sent)
    }

    static let cases: [(String, String, String, Int)] = [
        ("RFC 1939 3: CRLF message, terminator added", "A: b\r\n\r\nhi\r\n", "A: b\r\n\r\nhi\r\n.\r\n", 12),
        (
            "RFC 1939 3: a leading dot is doubled", "S: x\r\n\r\n.hidden\r\n..two\r\n.\r\n",
            "S: x\r\n\r\n..hidden\r\n...two\r\n..\r\n.\r\n", 27
        ),
        ("Dots elsewhere are left alone", "S: x\r\n\r\na.b\r\n", "S: x\r\n\r\na.b\r\n.\r\n", 13),
        ("A bare LF is sent and counted as CRLF", "S: x\n\nbody\n", "S: x\r\n\r\nbody\r\n.\r\n", 14),
        ("A lone CR is sent and counted as CRLF", "S: x\r\rbody", "S: x\r\n\r\nbody\r\n.\r\n", 14),
        ("A missing final line end is added and counted", "S: x\r\n\r\nend", "S: x\r\n\r\nend\r\n.\r\n", 13),
        ("An empty message is just the terminator", "", ".\r\n", 0),
    ]

    @Test(arguments: cases)
    func encodes(_ name: String, _ message: String, _ wire: String, _ size: Int) {
        let result = Self.encode(message)
        #expect(result.wire == wire, "\(name)")
        #expect(result.sent == size, "\(name)")
        // LIST/STAT promise exactly what RETR sends, before stuffing.
        #expect(POP3Wire.size(of: Data(message.utf8)) == size, "\(name)")
    }

    @Test("The run-copying path for CRLF messages sends exactly what the line-by-line path sends")
    func canonicalPathMatchesLinePath() {
        // TOP with more body lines than any message has takes the line-by-line path.
        let pieces = ["\r\n", "\r\n", "a", "bc", ".", "..", ".x", "\n", "\r", " ", "\r\n."]
        var generator = SystemRandomNumberGenerator()
        for round in 0..<5_000 {
            let length = Int.random(in: 0...24, using: &generator)
            var text = (0..<length).map { _ in pieces.randomElement(using: &generator)! }.joined()
            if round.isMultiple(of: 2) { text += "\r\n" }
            let fast = Self.encode(text)
            let lines = Self.encode(text, bodyLines: Int.max)
            #expect(fast.wire == lines.wire, "\(text.debugDescription)")
            #expect(fast.sent == lines.sent && fast.sent == POP3Wire.size(of: Data(text.utf8)))
        }
    }

    @Test("RFC 1939 7: TOP sends the header, the blank line and n body lines, stuffed")
    func top() {
        let message = "A: 1\r\nB: 2\r\n\r\nl1\r\n.l2\r\nl3\r\n"
        #expect(Self.encode(message, bodyLines: 0).wire == "A: 1\r\nB: 2\r\n\r\n.\r\n")
        #expect(Self.encode(message, bodyLines: 2).wire == "A: 1\r\nB: 2\r\n\r\nl1\r\n..l2\r\n.\r\n")
        #expect(Self.encode(message, bodyLines: 10).wire == "A: 1\r\nB: 2\r\n\r\nl1\r\n..l2\r\nl3\r\n.\r\n")
        // No blank line: the whole message is header.
        #expect(Self.encode("A: 1\r\nB: 2\r\n", bodyLines: 0).wire == "A: 1\r\nB: 2\r\n.\r\n")
    }
}
