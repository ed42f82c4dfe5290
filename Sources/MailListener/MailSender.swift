public import NIOCore

/// Sends bytes on a connection. Each send waits while the client is not reading (the channel is
/// not writable), so a long reply sent in parts never piles up in memory.
public struct MailSender: Sendable {
    let writer: NIOAsyncChannelOutboundWriter<ByteBuffer>

    public func send(_ bytes: ByteBuffer) async throws {
        try await writer.write(bytes)
    }
}
