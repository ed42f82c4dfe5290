import Foundation
import MailStore
import MailgateTesting
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

    @Test("A message in wire form is sent from its dot lines, exactly as the scanning paths send it")
    func dotLinesMatchScanning() {
        #expect(POP3Wire.form(of: Data("A: b\r\n\r\nhi\r\n".utf8)) == POP3Wire.Form(size: 12, dotLines: []))
        #expect(POP3Wire.form(of: Data("A\r\n.b\r\n..\r\n".utf8)) == POP3Wire.Form(size: 11, dotLines: [3, 7]))
        #expect(POP3Wire.form(of: Data()) == POP3Wire.Form(size: 0, dotLines: []))
        for text in ["A: b\n\nhi\n", "A: b\r\n\r\nhi", "A\rb\r\n", "a\r\r\n", "x\n"] {
            #expect(POP3Wire.form(of: Data(text.utf8)).dotLines == nil, "\(text.debugDescription)")
        }
        // Too many to list: the form says scan.
        let dotty = String(repeating: ".\r\n", count: POP3Wire.maximumDotLines + 1)
        #expect(POP3Wire.form(of: Data(dotty.utf8)) == POP3Wire.Form(size: dotty.utf8.count, dotLines: nil))

        let pieces = ["\r\n", "\r\n", "a", "bc", ".", "..", ".x", "\n", "\r", " ", "\r\n."]
        var generator = SplitMix64(seed: 1939)
        var listed = 0
        for round in 0..<20_000 {
            let length = Int.random(in: 0...12, using: &generator)
            var text = (0..<length).map { _ in pieces.randomElement(using: &generator)! }.joined()
            if round.isMultiple(of: 2) { text += "\r\n" }
            let bytes = Data(text.utf8)
            let form = POP3Wire.form(of: bytes)
            #expect(form.size == POP3Wire.size(of: bytes))
            guard let dotLines = form.dotLines else { continue }
            listed += 1
            var fast = ByteBuffer()
            let sent = POP3Wire.encode(bytes, dotLines: dotLines, into: &fast)
            let scanned = Self.encode(text, bodyLines: Int.max)
            #expect(String(buffer: fast) == scanned.wire, "\(text.debugDescription)")
            #expect(sent == scanned.sent && sent == form.size)
        }
        #expect(listed > 1_000)
    }

    @Test("The fuzz entry point: sizes, both paths and the terminator hold on random stored bytes")
    func fuzzEntry() {
        let pieces: [[UInt8]] = [[13, 10], [13], [10], [46], [46, 46], [46, 13, 10], [0], [0xFF], Array("ab".utf8)]
        var generator = SplitMix64(seed: 3)
        for _ in 0..<10_000 {
            let length = Int.random(in: 0...16, using: &generator)
            let bytes = (0..<length).flatMap { _ in pieces.randomElement(using: &generator)! }
            bytes.withUnsafeBytes { POP3Wire.fuzz($0) }
        }
        let dotty = Array(String(repeating: ".\r\n", count: POP3Wire.maximumDotLines + 3).utf8)
        dotty.withUnsafeBytes { POP3Wire.fuzz($0) }
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
