public import MailListener

/// Joins a command's lines and literals (RFC 3501 4.3, RFC 7888 LITERAL+) into the bytes
/// ``IMAPCommandParser`` reads, under a size limit. Incremental: each frame either completes a
/// command, asks for a continuation (`+`), needs more, or fails (and the next line starts afresh).
public struct IMAPCommandAssembler: Sendable {
    /// What the driver does after a frame.
    public enum Step: Sendable, Equatable {
        /// Wait for the next frame.
        case needMore
        /// Send `+ ...` (a synchronising literal was accepted), then wait.
        case continuation
        /// A complete command.
        case command([UInt8])
        /// The command is refused; the connection goes on with the next line.
        case failed(IMAPParseError)
    }

    public let maximumLiteralSize: Int
    public let maximumCommandSize: Int
    private var buffer: [UInt8] = []
    private var awaitingLiteral = false
    /// A literal the framer reads for a command already refused: drop it when it comes.
    private var droppingLiteral = false
    /// The rest of a refused command whose non-synchronising literal the framer discards: skip the
    /// line that follows it (RFC 7888 4).
    private var droppingRemainder = false

    public init(maximumLiteralSize: Int, maximumCommandSize: Int) {
        self.maximumLiteralSize = maximumLiteralSize
        self.maximumCommandSize = maximumCommandSize
    }

    /// Whether a literal frame is due (the driver must not treat the next frame as a line).
    public var isInsideCommand: Bool { !buffer.isEmpty || awaitingLiteral }

    /// The framer's question at the end of each line (MailListenerConfiguration.literalDecision).
    public static func literalDecision(_ line: some Collection<UInt8>, maximum: Int) -> LiteralDecision {
        guard let announced = announcement(line) else { return .none }
        if announced.count <= maximum { return .accept(announced.count) }
        // A too-large synchronising literal: the client waits for "+", which never comes (RFC 7888 4).
        return announced.isSynchronising ? .none : .discard(announced.count)
    }

    /// `{N}` or `{N+}` at the end of a line.
    static func announcement(_ line: some Collection<UInt8>) -> (count: Int, isSynchronising: Bool)? {
        let bytes = Array(line.suffix(24))
        guard bytes.last == UInt8(ascii: "}"), let open = bytes.lastIndex(of: UInt8(ascii: "{")) else { return nil }
        var digits = bytes[(open + 1)..<(bytes.count - 1)]
        let isSynchronising = digits.last != UInt8(ascii: "+")
        if !isSynchronising { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ (48...57).contains($0) }) else { return nil }
        let count = digits.reduce(0) { $0 * 10 + Int($1 - 48) }
        return (count, isSynchronising)
    }

    /// A line frame (without CRLF).
    public mutating func line(_ bytes: [UInt8]) -> Step {
        droppingLiteral = false
        awaitingLiteral = false
        if droppingRemainder {
            droppingRemainder = Self.announcement(bytes).map { !$0.isSynchronising && $0.count > 0 } ?? false
            return .needMore
        }
        guard buffer.count + bytes.count + 2 <= maximumCommandSize else {
            return fail(bytes, "[TOOBIG] command too long", literalFollows: true)
        }
        buffer += bytes
        guard let announced = Self.announcement(bytes) else {
            defer { buffer = [] }
            return .command(buffer)
        }
        guard announced.count <= maximumLiteralSize, buffer.count + announced.count <= maximumCommandSize else {
            // The framer discards a non-synchronising literal's bytes itself; a synchronising one never comes.
            defer { droppingRemainder = !announced.isSynchronising }
            return fail(bytes, "[TOOBIG] literal too large", literalFollows: false)
        }
        buffer += [0x0D, 0x0A]
        awaitingLiteral = announced.count > 0
        return announced.isSynchronising ? .continuation : .needMore
    }

    /// A literal frame.
    public mutating func literal(_ bytes: [UInt8]) -> Step {
        if droppingLiteral || !awaitingLiteral {
            droppingLiteral = false
            return .needMore
        }
        awaitingLiteral = false
        buffer += bytes
        return .needMore
    }

    /// A line over the framer's limit.
    public mutating func lineTooLong() -> Step {
        buffer = []
        awaitingLiteral = false
        return .failed(IMAPParseError(tag: nil, "line too long"))
    }

    private mutating func fail(_ line: [UInt8], _ message: String, literalFollows: Bool) -> Step {
        let first = buffer.isEmpty ? line : buffer
        var scanner = IMAPScanner(first)
        let tag = try? scanner.atom()
        buffer = []
        if literalFollows, let announced = Self.announcement(line), announced.count > 0,
            announced.count <= maximumLiteralSize
        {
            droppingLiteral = true
        }
        return .failed(IMAPParseError(tag: tag, message))
    }
}
