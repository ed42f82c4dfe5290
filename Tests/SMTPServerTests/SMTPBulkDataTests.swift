import MailgateTesting
import NIOCore
import NIOEmbedded
import SMTPServer
import Testing

@testable import MailListener

/// DATA read in bulk (the framer's bulk mode, `SMTPDataReader.add(lines:)`) must be read exactly
/// as line by line: the same message, the same problem, the same end, and the same commands after it.
@Suite("SMTP DATA in bulk")
struct SMTPBulkDataTests {
    struct Outcome: Equatable {
        var message: [UInt8]
        var problem: SMTPDataReader.Problem?
        var receivedBytes: Int
        var ended: Bool
        /// The frames after the end of the data, as line mode frames them.
        var after: [InboundFrame]
    }

    static let maximumLineLength = 24

    /// Feeds `chunks` to a framer; `bulk` switches bulk mode on before the first byte.
    static func read(_ chunks: [[UInt8]], bulk: Bool) throws -> Outcome {
        let framer = LineFramer(maximumLineLength: maximumLineLength, maximumLiteralLength: 0, literalDecision: nil)
        let channel = EmbeddedChannel(handler: framer)
        if bulk { framer.enterBulkMode() }
        var reader = SMTPDataReader(maximumBytes: 200)
        var ended = false
        var after: [InboundFrame] = []
        for chunk in chunks {
            try channel.writeInbound(ByteBuffer(bytes: chunk))
            while let frame = try channel.readInbound(as: StampedFrame.self)?.frame {
                if ended {
                    after.append(frame)
                    continue
                }
                switch frame {
                case .line(let line, let endsWithCRLF):
                    // In bulk mode no data line comes alone: the framer left bulk mode too early.
                    #expect(!bulk, "a DATA line framed alone in bulk mode")
                    ended = reader.add(line: Array(line.readableBytesView), endsWithCRLF: endsWithCRLF)
                case .lines(let lines):
                    let (taken, end) = lines.withUnsafeReadableBytes { reader.add(lines: $0) }
                    ended = end
                    // The framer stops at the end of the data, and only there: the reader takes
                    // every byte, and the framer is back in line mode exactly when the data ended.
                    #expect(taken == lines.readableBytes)
                    #expect(framer.isInBulkMode == !end)
                case .lineTooLong:
                    reader.lineTooLong()
                default:
                    Issue.record("unexpected frame \(frame)")
                }
            }
        }
        return Outcome(
            message: reader.bytes, problem: reader.problem, receivedBytes: reader.receivedBytes, ended: ended,
            after: after)
    }

    /// Random wire text from the pieces that matter: dots, CR, LF, CRLF, long runs; split at random.
    static func randomChunks(_ generator: inout SplitMix64) -> [[UInt8]] {
        let pieces = ["a", "b", ".", "..", "\r\n", "\r\n", "\r\n", "\n", "\r", "\r\n.\r\n", "\n.\n", "QUIT", "x"]
        var wire: [UInt8] = []
        for _ in 0..<Int.random(in: 1...60, using: &generator) {
            if Int.random(in: 0..<20, using: &generator) == 0 {
                wire += Array(repeating: UInt8(ascii: "y"), count: Int.random(in: 10...40, using: &generator))
            } else {
                wire += Array(pieces.randomElement(using: &generator)!.utf8)
            }
        }
        var chunks: [[UInt8]] = []
        var rest = wire[...]
        while !rest.isEmpty {
            let size = min(rest.count, Int.random(in: 1...12, using: &generator))
            chunks.append(Array(rest.prefix(size)))
            rest = rest.dropFirst(size)
        }
        return chunks
    }

    @Test("Bulk and line-by-line reading agree on 4,000 random inputs")
    func agreesWithLineByLine() throws {
        var generator = SplitMix64(seed: 2920)
        for _ in 0..<4_000 {
            let chunks = Self.randomChunks(&generator)
            let byLine = try Self.read(chunks, bulk: false)
            let inBulk = try Self.read(chunks, bulk: true)
            #expect(inBulk == byLine, "input: \(String(decoding: chunks.joined(), as: UTF8.self).debugDescription)")
            if inBulk != byLine { return }
        }
    }
}
