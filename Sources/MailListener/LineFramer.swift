import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Splits the byte stream into lines (and literals) under a hard length limit.
///
/// A handler of its own rather than a `ByteToMessageDecoder` because STARTTLS must throw away
/// the bytes already buffered (``resetForTLS()``), which the decoder does not allow. A line past
/// the limit is reported as ``InboundFrame/lineTooLong`` once and skipped up to its LF, so the
/// session answers it and goes on.
///
/// In bulk mode (after a line the protocol marks ``LiteralDecision/dotTerminatedData``: SMTP DATA)
/// complete lines go out together, with their line ends, as one ``InboundFrame/lines(_:)`` per
/// read, up to and including the line that ends the data; then the framer is back in line mode,
/// so commands pipelined after the data are lines again. Deciding at the DATA line itself, not
/// when the session gets to it, means no line after DATA is ever framed as a command line first.
final class LineFramer: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = StampedFrame

    let maximumLineLength: Int
    let maximumLiteralLength: Int
    let literalDecision: (@Sendable (ByteBufferView) -> LiteralDecision)?
    private var buffer: ByteBuffer?
    private(set) var epoch = 0
    /// Frames passed on so far; with the count the session has taken, tells whether input waits.
    private(set) var framesEmitted = 0
    private var skippingLongLine = false
    private var literalRemaining = 0
    private var literalIsDiscarded = false
    private var literal: ByteBuffer?
    private(set) var isInBulkMode = false
    /// In bulk mode: whether the line before ended in CRLF (RFC 5321 4.1.1.4: only
    /// `<CRLF>.<CRLF>` ends the data, so a `.` line after a bare LF does not).
    private var bulkPreviousEndedWithCRLF = true

    init(
        maximumLineLength: Int, maximumLiteralLength: Int,
        literalDecision: (@Sendable (ByteBufferView) -> LiteralDecision)?
    ) {
        self.maximumLineLength = maximumLineLength
        self.maximumLiteralLength = maximumLiteralLength
        self.literalDecision = literalDecision
    }

    /// Drops every buffered byte and starts a new epoch: called on the event loop right after the
    /// TLS handler is put in front, so what follows is decrypted and what was queued is stale.
    func resetForTLS() {
        buffer = nil
        skippingLongLine = false
        literalRemaining = 0
        literal = nil
        isInBulkMode = false
        epoch += 1
    }

    /// From the next byte on, frames complete lines in bulk up to the end of dot-terminated data
    /// (RFC 5321 4.1.1.4).
    func enterBulkMode() {
        isInBulkMode = true
        bulkPreviousEndedWithCRLF = true
    }

    /// Back to line mode: the DATA that started bulk mode was refused, so commands follow.
    func leaveBulkMode() {
        isInBulkMode = false
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        read(unwrapInboundIn(data)) { frame in
            context.fireChannelRead(wrapInboundOut(StampedFrame(epoch: epoch, frame: frame)))
        }
    }

    /// Takes bytes as they were read and passes on every frame they complete.
    func read(_ bytes: ByteBuffer, emit: (InboundFrame) -> Void) {
        var incoming = bytes
        if var buffered = buffer {
            buffered.writeBuffer(&incoming)
            buffer = buffered
        } else {
            buffer = incoming
        }
        while let frame = nextFrame() {
            framesEmitted += 1
            emit(frame)
        }
        if buffer?.readableBytes == 0 { buffer = nil } else { buffer?.discardReadBytes() }
    }

    /// The next complete frame in the buffer, consuming its bytes; nil when more bytes are needed.
    private func nextFrame() -> InboundFrame? {
        while var current = buffer, current.readableBytes > 0 {
            let step = self.step(&current)
            buffer = current
            if let frame = step.frame { return frame }
            if !step.consumedSilently { return nil }
        }
        return nil
    }

    /// One step of framing: a frame, or bytes consumed without one (a skipped line end, a
    /// discarded literal), or neither (wait for more bytes).
    private func step(_ current: inout ByteBuffer) -> (frame: InboundFrame?, consumedSilently: Bool) {
        if literalRemaining > 0 {
            let take = min(literalRemaining, current.readableBytes)
            guard var chunk = current.readSlice(length: take) else { return (nil, false) }
            literalRemaining -= take
            if !literalIsDiscarded {
                if literal == nil { literal = chunk } else { literal?.writeBuffer(&chunk) }
            }
            guard literalRemaining == 0 else { return (nil, false) }
            if literalIsDiscarded { return (nil, true) }
            let done = literal ?? ByteBuffer()
            literal = nil
            return (.literal(done), false)
        }
        if isInBulkMode && !skippingLongLine, let bulk = bulkStep(&current) { return bulk }
        let view = current.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if current.readableBytes > maximumLineLength {
                // Keep nothing of an over-long line; report it once, then skip to its end.
                current.moveReaderIndex(forwardBy: current.readableBytes)
                if !skippingLongLine {
                    skippingLongLine = true
                    bulkPreviousEndedWithCRLF = true
                    return (.lineTooLong, false)
                }
            }
            return (nil, false)
        }
        let length = newline - view.startIndex
        if skippingLongLine {
            skippingLongLine = false
            current.moveReaderIndex(forwardBy: length + 1)
            return (nil, true)
        }
        guard length <= maximumLineLength else {
            current.moveReaderIndex(forwardBy: length + 1)
            // The data reader assumes CRLF for a line it never saw (SMTPDataReader.lineTooLong).
            bulkPreviousEndedWithCRLF = true
            return (.lineTooLong, false)
        }
        let endsWithCRLF = length > 0 && view[newline - 1] == UInt8(ascii: "\r")
        guard let line = current.readSlice(length: endsWithCRLF ? length - 1 : length) else { return (nil, false) }
        current.moveReaderIndex(forwardBy: endsWithCRLF ? 2 : 1)
        switch literalDecision?(line.readableBytesView) ?? .none {
        case .none:
            break
        case .dotTerminatedData:
            enterBulkMode()
        case .accept(let count) where count > 0 && count <= maximumLiteralLength:
            literalRemaining = count
            literalIsDiscarded = false
        case .accept(let count), .discard(let count):
            // Too large to keep (or refused): the bytes still come, and are dropped.
            if count > 0 {
                literalRemaining = count
                literalIsDiscarded = true
            }
        }
        return (.line(line, endsWithCRLF: endsWithCRLF), false)
    }
}

extension LineFramer {
    /// Bulk mode's step: every complete line in `current` as one frame, stopping after the line
    /// that ends the data. Nil hands the first line to the line path: it is over the bound.
    private func bulkStep(_ current: inout ByteBuffer) -> (frame: InboundFrame?, consumedSilently: Bool)? {
        let limit = maximumLineLength
        let scan = current.withUnsafeReadableBytes { bytes in
            Self.scanLines(bytes, maximumLineLength: limit, previousEndedWithCRLF: bulkPreviousEndedWithCRLF)
        }
        guard scan.taken > 0 else {
            // Nothing complete: wait for more, unless the first line is already over the bound.
            return current.readableBytes > limit ? nil : (nil, false)
        }
        bulkPreviousEndedWithCRLF = scan.previousEndedWithCRLF
        if scan.endedData { isInBulkMode = false }
        guard let lines = current.readSlice(length: scan.taken) else { return (nil, false) }
        return (.lines(lines), false)
    }

    /// How many bytes of complete lines (each at most `maximumLineLength` with its line end)
    /// `bytes` starts with, up to and including a `.` line that ends dot-terminated data.
    static func scanLines(
        _ bytes: UnsafeRawBufferPointer, maximumLineLength: Int, previousEndedWithCRLF: Bool
    ) -> (taken: Int, endedData: Bool, previousEndedWithCRLF: Bool) {
        guard let base = bytes.baseAddress else { return (0, false, previousEndedWithCRLF) }
        var start = 0
        var previousCRLF = previousEndedWithCRLF
        while start < bytes.count {
            guard let found = memchr(base + start, 0x0A, bytes.count - start) else { break }
            let newline = base.distance(to: UnsafeRawPointer(found))
            let length = newline - start
            guard length <= maximumLineLength else { break }
            let endsWithCRLF = length > 0 && bytes[newline - 1] == 0x0D
            let isDot = (endsWithCRLF ? length - 1 : length) == 1 && bytes[start] == UInt8(ascii: ".")
            start = newline + 1
            if isDot && endsWithCRLF && previousCRLF { return (start, true, true) }
            previousCRLF = endsWithCRLF
        }
        return (start, false, previousCRLF)
    }
}

/// Turns connection events into frames, so the session reads them in order with its lines.
final class ConnectionEventFramer: ChannelInboundHandler {
    typealias InboundIn = StampedFrame
    typealias InboundOut = StampedFrame

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let idle as IdleStateHandler.IdleStateEvent where idle == .read:
            deliver(.idleTimeout, context: context)
        case is ListenerShutdownEvent:
            deliver(.shutdown, context: context)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }
}

extension ConnectionEventFramer {
    /// NIOAsyncChannel hands reads to the session at read-complete: an event needs both.
    private func deliver(_ frame: InboundFrame, context: ChannelHandlerContext) {
        context.fireChannelRead(wrapInboundOut(StampedFrame(epoch: nil, frame: frame)))
        context.fireChannelReadComplete()
    }
}

/// Fired into every open connection when the listener starts its graceful shutdown.
struct ListenerShutdownEvent: Sendable {}
