import NIOCore

/// The fuzz entry point (STYLE 3) for ``LineFramer``, which is internal.
public enum LineFramerFuzz {
    /// The fuzz entry point (STYLE 3) for the framer, which every byte from the network goes
    /// through first: arbitrary bytes, cut into reads at each 0xFF, framed under SMTP-like and
    /// IMAP-like decisions (DATA, `BDAT n`, `{n}` literals) with small bounds so that the limits
    /// are reached. A 0xFE read resets the framer as STARTTLS does. Traps (so libFuzzer reports
    /// it) when a frame breaks what frames promise: lines within the bound, bulk frames made of
    /// whole lines, literals within theirs.
    public static func fuzz(_ input: UnsafeRawBufferPointer) {
        guard let first = input.first else { return }
        let maximumLineLength = 4 + Int(first & 0x3F)
        let maximumLiteralLength = 64
        let framer = LineFramer(
            maximumLineLength: maximumLineLength, maximumLiteralLength: maximumLiteralLength,
            literalDecision: { line in fuzzDecision(Array(line), maximumLiteralLength: maximumLiteralLength) })
        for read in input.dropFirst().split(separator: 0xFF, omittingEmptySubsequences: false) {
            if read.first == 0xFE { framer.resetForTLS() }
            var bytes = ByteBuffer()
            bytes.writeBytes(read)
            framer.read(bytes) { frame in
                check(frame, maximumLineLength: maximumLineLength, maximumLiteralLength: maximumLiteralLength)
            }
        }
    }

    private static func fuzzDecision(_ line: [UInt8], maximumLiteralLength: Int) -> LiteralDecision {
        if line == Array("DATA".utf8) { return .dotTerminatedData }
        let count: Int?
        if line.starts(with: Array("BDAT ".utf8)) {
            count = Int(String(decoding: line.dropFirst(5).prefix(4), as: UTF8.self))
        } else if line.last == UInt8(ascii: "}"), let open = line.lastIndex(of: UInt8(ascii: "{")) {
            count = Int(String(decoding: line[(open + 1)..<(line.count - 1)].prefix(4), as: UTF8.self))
        } else {
            count = nil
        }
        guard let count, count >= 0 else { return .none }
        return count <= maximumLiteralLength ? .accept(count) : .discard(count)
    }

    private static func check(_ frame: InboundFrame, maximumLineLength: Int, maximumLiteralLength: Int) {
        switch frame {
        case .line(let line, _):
            precondition(line.readableBytes <= maximumLineLength, "a line over the bound")
        case .lines(let lines):
            let view = lines.readableBytesView
            precondition(view.last == UInt8(ascii: "\n"), "a bulk frame that does not end a line")
            var length = 0
            for byte in view {
                if byte == UInt8(ascii: "\n") {
                    precondition(length <= maximumLineLength, "a bulk line over the bound")
                    length = 0
                } else {
                    length += 1
                }
            }
        case .literal(let literal):
            precondition(
                literal.readableBytes > 0 && literal.readableBytes <= maximumLiteralLength, "a literal out of bounds")
        case .lineTooLong, .idleTimeout, .shutdown:
            break
        }
    }
}
