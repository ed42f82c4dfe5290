import MailgateTesting
import SMTPServer
import Testing

/// The BDAT message (RFC 3030) against the same rules applied to the whole message at once.
@Suite("SMTP chunked message")
struct SMTPChunkedMessageTests {
    static let maximumLineLength = 12

    /// The rules on the whole message: CRLF only, lines of at most `maximumLineLength` octets.
    static func acceptable(_ message: [UInt8]) -> Bool {
        var lineLength = 0
        var index = 0
        while index < message.count {
            switch message[index] {
            case 0x0D:
                guard index + 1 < message.count, message[index + 1] == 0x0A else { return false }
                lineLength = 0
                index += 2
                continue
            case 0x0A:
                return false
            default:
                lineLength += 1
                if lineLength > maximumLineLength { return false }
            }
            index += 1
        }
        return true
    }

    static func read(_ chunks: [[UInt8]]) -> SMTPChunkedMessage {
        var message = SMTPChunkedMessage(maximumBytes: 1 << 20, maximumLineLength: maximumLineLength)
        for chunk in chunks { chunk.withUnsafeBytes { message.append($0) } }
        message.finish()
        return message
    }

    @Test("Chunked reading agrees with the whole message on 20,000 random messages cut at random")
    func agreesWithWholeMessage() {
        var generator = SplitMix64(seed: 3030)
        let pieces: [[UInt8]] = ["a", "bc", "\r\n", "\r\n", "\r\n", "\r", "\n", ".", "\r\n.\r\n", "xxxxxxxx"].map {
            Array($0.utf8)
        }
        for _ in 0..<20_000 {
            var whole: [UInt8] = []
            for _ in 0..<Int.random(in: 0...24, using: &generator) { whole += pieces.randomElement(using: &generator)! }
            var chunks: [[UInt8]] = []
            var rest = whole[...]
            while !rest.isEmpty {
                let size = Int.random(in: 0...6, using: &generator)
                chunks.append(Array(rest.prefix(size)))
                rest = rest.dropFirst(size)
            }
            let message = Self.read(chunks)
            let expected = Self.acceptable(whole)
            #expect((message.problem == nil) == expected, "\(String(decoding: whole, as: UTF8.self).debugDescription)")
            if expected {
                let ending: [UInt8] = whole.isEmpty || whole.suffix(2) == [0x0D, 0x0A] ? [] : [0x0D, 0x0A]
                #expect(message.bytes == whole + ending)
            } else {
                #expect(message.bytes.isEmpty, "nothing of a refused message is kept")
            }
            if (message.problem == nil) != expected { return }
        }
    }

    @Test("RFC 1870: past the limit nothing is kept, and the size is still counted")
    func tooLarge() {
        var message = SMTPChunkedMessage(maximumBytes: 10, maximumLineLength: 100)
        Array("12345678\r\n".utf8).withUnsafeBytes { message.append($0) }
        #expect(message.problem == nil)
        Array("x".utf8).withUnsafeBytes { message.append($0) }
        #expect(message.problem == .tooLarge)
        #expect(message.bytes.isEmpty)
        #expect(message.receivedBytes == 11)
    }
}
