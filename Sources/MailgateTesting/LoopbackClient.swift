public import NIOCore
import NIOPosix
import NIOSSL

/// A raw client for protocol tests over loopback: sends bytes, reads CRLF lines exactly (a bare
/// LF or CR stays inside the line, so a comparison catches it), and can start TLS.
///
/// Alive inside ``connect(port:trusting:_:)``. Each test target adds its transcript player.
public final class LoopbackClient {
    public let channel: any Channel
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let writer: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var pending: [UInt8] = []

    init(
        channel: any Channel, inbound: NIOAsyncChannelInboundStream<ByteBuffer>,
        writer: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) {
        self.channel = channel
        self.iterator = inbound.makeAsyncIterator()
        self.writer = writer
    }

    /// Connects to 127.0.0.1:`port`, with implicit TLS when `caPath` names the CA to trust.
    public static func connect(
        port: Int, trusting caPath: String? = nil, _ body: (LoopbackClient) async throws -> Void
    ) async throws {
        let context = try caPath.map(Self.tlsContext(trusting:))
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: context, serverHostname: "localhost"))
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            try await body(LoopbackClient(channel: channel.channel, inbound: inbound, writer: outbound))
        }
    }

    public func send(_ text: String) async throws { try await writer.write(ByteBuffer(string: text)) }
    public func send(bytes: [UInt8]) async throws { try await writer.write(ByteBuffer(bytes: bytes)) }

    /// The next line up to CRLF, or nil at the end of the stream. A line that does not come
    /// within `timeout` closes the connection, so a test fails instead of hanging.
    public func line(timeout: TimeAmount = .seconds(10)) async throws -> String? {
        while true {
            if let index = pending.indices.dropLast().first(where: { pending[$0] == 13 && pending[$0 + 1] == 10 }) {
                let line = String(decoding: pending[..<index], as: UTF8.self)
                pending.removeFirst(index + 2)
                return line
            }
            let channel = self.channel
            let guardTask = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
            defer { guardTask.cancel() }
            guard let chunk = try await iterator.next() else { return nil }
            pending += chunk.readableBytesView
        }
    }

    /// Puts TLS in front (after the server agreed to STARTTLS / STLS).
    public func startTLS(trusting caPath: String) async throws {
        let context = try Self.tlsContext(trusting: caPath)
        let channel = self.channel
        try await channel.eventLoop.submit {
            let handler = try NIOSSLClientHandler(context: context, serverHostname: "localhost")
            try channel.pipeline.syncOperations.addHandler(handler, position: .first)
        }.get()
    }

    private static func tlsContext(trusting caPath: String) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .file(caPath)
        return try NIOSSLContext(configuration: configuration)
    }
}
