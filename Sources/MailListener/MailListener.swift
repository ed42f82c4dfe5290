public import Logging
import MailgateCore
public import NIOCore
public import NIOPosix
import NIOSSL
public import ServiceLifecycle
import Synchronization

/// A TCP listener for a line-based mail protocol (SMTP, IMAP, POP3), run as a Service.
///
/// It binds when run, frames each connection's bytes (``InboundFrame``), enforces the
/// connection limits (in total and per client address) and the idle timeout, and hands each
/// accepted connection to `session` in a task of its own. On graceful shutdown it stops
/// accepting and sends every open session an ``InboundFrame/shutdown`` so it can end its
/// protocol's way; the service group's shutdown deadline bounds how long they may take.
public final class MailListener: Service, Sendable {
    public typealias Session = @Sendable (MailConnection) async -> Void

    private struct Connections {
        var open: [ObjectIdentifier: any Channel] = [:]
        var perAddress: [String: Int] = [:]
        var isShuttingDown = false
    }

    public let configuration: MailListenerConfiguration
    private let logger: Logger
    private let session: Session
    private let eventLoopGroup: any EventLoopGroup
    private let connections = Mutex(Connections())
    private let bound: Mutex<(address: SocketAddress?, waiters: [CheckedContinuation<SocketAddress, any Error>])> =
        Mutex((nil, []))

    public init(
        configuration: MailListenerConfiguration, logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, session: @escaping Session
    ) {
        self.configuration = configuration
        self.logger = logger
        self.session = session
        self.eventLoopGroup = eventLoopGroup
    }

    /// The address actually bound (useful with port 0 in tests); waits until bound.
    public func boundAddress() async throws -> SocketAddress {
        try await withCheckedThrowingContinuation { continuation in
            bound.withLock { state in
                if let address = state.address {
                    continuation.resume(returning: address)
                } else {
                    state.waiters.append(continuation)
                }
            }
        }
    }

    /// The number of open connections (for metrics and tests).
    public var openConnections: Int { connections.withLock { $0.open.count } }

    /// The kernel send buffer of each connection (Linux doubles it for its bookkeeping). Left
    /// to autotuning it starts at 16 KiB and grows over a connection's first megabytes, so the
    /// first mailbox download of a session ran up to 60% slower than the next ones (measured
    /// with 8 IMAP sessions each fetching 25 MB). Memory is taken only while data waits.
    static let sendBufferSize = 1 << 20

    public func run() async throws {
        let configuration = self.configuration
        let server: NIOAsyncChannel<NIOAsyncChannel<StampedFrame, ByteBuffer>, Never>
        do {
            server = try await ServerBootstrap(group: eventLoopGroup)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.so_keepalive), value: 1)
                .childChannelOption(.socketOption(.so_sndbuf), value: Self.sendBufferSize)
                .bind(host: configuration.address.host, port: configuration.address.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try Self.configurePipeline(channel, configuration: configuration)
                    }
                }
        } catch {
            let waiters = bound.withLock { state in
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume(throwing: error) }
            throw error
        }
        if let address = server.channel.localAddress {
            let waiters = bound.withLock { state in
                state.address = address
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume(returning: address) }
        }
        logger.notice(
            "listening", metadata: ["listener": "\(configuration.name)", "address": "\(configuration.address)"])

        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { inbound in
                    for try await child in inbound {
                        let executor = EventLoopTaskExecutor.of(child.channel.eventLoop)
                        group.addTask(executorPreference: executor) { await self.serve(child) }
                    }
                }
            }
        } onGracefulShutdown: {
            self.beginShutdown(server.channel)
        }
    }

    private func beginShutdown(_ serverChannel: any Channel) {
        let open = connections.withLock { state in
            state.isShuttingDown = true
            return Array(state.open.values)
        }
        serverChannel.close(promise: nil)
        for channel in open {
            channel.pipeline.fireUserInboundEventTriggered(ListenerShutdownEvent())
        }
    }

    /// Admission control, then the session.
    private func serve(_ child: NIOAsyncChannel<StampedFrame, ByteBuffer>) async {
        let channel = child.channel
        let address = channel.remoteAddress?.ipAddress ?? "unknown"
        let admitted = connections.withLock { state -> Bool in
            guard !state.isShuttingDown, state.open.count < configuration.maximumConnections,
                state.perAddress[address, default: 0] < configuration.maximumConnectionsPerAddress
            else { return false }
            state.open[ObjectIdentifier(channel)] = channel
            state.perAddress[address, default: 0] += 1
            return true
        }
        guard admitted else {
            logger.info(
                "connection refused: limit reached",
                metadata: ["listener": "\(configuration.name)", "client": "\(address)"])
            try? await child.executeThenClose { _, outbound in
                try await outbound.write(ByteBuffer(string: configuration.refusalWhenBusy))
            }
            return
        }
        defer {
            connections.withLock { state in
                state.open.removeValue(forKey: ObjectIdentifier(channel))
                state.perAddress[address, default: 1] -= 1
                if state.perAddress[address] == 0 { state.perAddress.removeValue(forKey: address) }
            }
        }
        do {
            let framer = try await channel.eventLoop.submit {
                NIOLoopBound(
                    try channel.pipeline.syncOperations.handler(type: LineFramer.self), eventLoop: channel.eventLoop)
            }.get()
            try await child.executeThenClose { inbound, outbound in
                let connection = MailConnection(
                    asyncChannel: child, inbound: inbound, writer: outbound, framer: framer,
                    isTLS: configuration.implicitTLS != nil)
                await session(connection)
            }
        } catch {
            logger.debug("connection ended", metadata: ["client": "\(address)", "error": "\(error)"])
        }
    }

    static func configurePipeline(_ channel: any Channel, configuration: MailListenerConfiguration) throws
        -> NIOAsyncChannel<StampedFrame, ByteBuffer>
    {
        let pipeline = channel.pipeline.syncOperations
        if let tls = configuration.implicitTLS {
            try pipeline.addHandler(NIOSSLServerHandler(context: tls))
        }
        try pipeline.addHandler(IdleStateHandler(readTimeout: configuration.idleTimeout))
        try pipeline.addHandler(
            LineFramer(
                maximumLineLength: configuration.maximumLineLength,
                maximumLiteralLength: configuration.maximumLiteralLength,
                literalDecision: configuration.literalDecision))
        try pipeline.addHandler(ConnectionEventFramer())
        return try NIOAsyncChannel(
            wrappingChannelSynchronously: channel,
            configuration: .init(
                backPressureStrategy: .init(lowWatermark: 4, highWatermark: 64), isOutboundHalfClosureEnabled: false,
                inboundType: StampedFrame.self, outboundType: ByteBuffer.self))
    }
}
