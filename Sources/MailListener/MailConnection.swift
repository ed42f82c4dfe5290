public import NIOCore
public import NIOSSL

/// One client connection as a mail session sees it: frames in, bytes out, STARTTLS.
///
/// Used by one task (the session's driver); not `Sendable`. Frames read before a STARTTLS are dropped
/// after it: only what arrives through TLS counts.
public final class MailConnection {
    private let asyncChannel: NIOAsyncChannel<StampedFrame, ByteBuffer>
    private var frames: NIOAsyncChannelInboundStream<StampedFrame>.AsyncIterator
    private let writer: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let framer: NIOLoopBound<LineFramer>
    private var epoch = 0
    /// Framer frames taken by ``next()``, dropped ones included.
    private var framesTaken = 0
    /// The client's address, as text (for logs, throttling and the `Received:` header).
    public let remoteAddress: String
    /// The connection came from loopback, which counts as secure (as Dovecot does by default).
    public let isLoopback: Bool
    /// TLS is on: implicit TLS, or after a completed STARTTLS.
    public private(set) var isTLS: Bool

    /// Passwords may be sent: over TLS or from loopback (INTERFACE.md).
    public var isSecure: Bool { isTLS || isLoopback }

    var channel: any Channel { asyncChannel.channel }

    init(
        asyncChannel: NIOAsyncChannel<StampedFrame, ByteBuffer>,
        inbound: NIOAsyncChannelInboundStream<StampedFrame>, writer: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        framer: NIOLoopBound<LineFramer>, isTLS: Bool
    ) {
        self.asyncChannel = asyncChannel
        self.frames = inbound.makeAsyncIterator()
        self.writer = writer
        self.framer = framer
        self.isTLS = isTLS
        let address = asyncChannel.channel.remoteAddress
        self.remoteAddress = address?.ipAddress ?? "unknown"
        self.isLoopback = Self.isLoopback(address)
    }

    /// The next frame, or nil when the client has gone.
    public func next() async throws -> InboundFrame? {
        while let stamped = try await frames.next() {
            if stamped.epoch != nil { framesTaken += 1 }
            // RFC 3207 4.2: nothing the client sent before TLS is believed after it.
            if let frameEpoch = stamped.epoch, frameEpoch < epoch { continue }
            return stamped.frame
        }
        return nil
    }

    /// Whether a complete command line has arrived that ``next()`` has not returned yet: a
    /// pipelining client (RFC 2449 PIPELINING, RFC 2920) sent several at once, and replies may
    /// wait to go out together. False when unsure (off the connection's event loop), so a caller
    /// that holds replies only while this is true never holds them while it waits for input.
    public var hasBufferedInput: Bool {
        guard channel.eventLoop.inEventLoop else { return false }
        return framer.value.framesEmitted > framesTaken
    }

    /// Ends bulk framing begun by a ``LiteralDecision/dotTerminatedData`` line that the session
    /// refused (SMTP DATA without recipients): what follows is commands. Only when the session has
    /// taken every frame, so the line it just refused is the one that began bulk mode; otherwise
    /// the frames waiting are read as they come (bulk frames outside DATA are split into lines by
    /// the session, which is slower but the same).
    public func cancelBulkLines() {
        guard channel.eventLoop.inEventLoop, framer.value.isInBulkMode, framer.value.framesEmitted == framesTaken
        else { return }
        framer.value.leaveBulkMode()
    }

    /// Sends bytes (flushed at once).
    public func send(_ bytes: ByteBuffer) async throws {
        try await writer.write(bytes)
    }

    /// A handle that sends on this connection from any task, for replies written in parts.
    public var sender: MailSender { MailSender(writer: writer) }

    /// Sends text as UTF-8.
    public func send(_ text: String) async throws {
        try await writer.write(ByteBuffer(string: text))
    }

    /// Sends the protocol's "go ahead" reply (SMTP `220`, POP3 `+OK`, IMAP `OK`) and puts TLS in
    /// front of the connection, in one event-loop step. Every byte and frame that arrived before
    /// is thrown away (RFC 3207 4.2).
    ///
    /// One step matters: a client may send its ClientHello the moment it reads the reply; were
    /// the TLS handler added in a later step, that ClientHello would be framed as clear text and
    /// thrown away with the injected bytes, and both sides would wait for ever.
    public func startTLS(_ context: NIOSSLContext, sending reply: ByteBuffer) async throws {
        let framer = self.framer
        let channel = asyncChannel.channel
        try await channel.eventLoop.flatSubmit { () -> EventLoopFuture<Void> in
            // The reply goes out in clear text: the TLS handler is added after it was written.
            let written = channel.writeAndFlush(reply)
            do {
                try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context), position: .first)
            } catch {
                return channel.eventLoop.makeFailedFuture(error)
            }
            framer.value.resetForTLS()
            return written
        }.get()
        epoch += 1
        isTLS = true
    }

    /// Closes the connection.
    public func close() async {
        try? await asyncChannel.channel.close()
    }

    static func isLoopback(_ address: SocketAddress?) -> Bool {
        guard let ip = address?.ipAddress else { return false }
        return ip.hasPrefix("127.") || ip == "::1" || ip.hasPrefix("::ffff:127.")
    }
}
