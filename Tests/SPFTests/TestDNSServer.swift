import DNSClient
import NIOCore
import NIOPosix
import Synchronization

/// A tiny DNS server on 127.0.0.1 (UDP and TCP on one port) answering from an `InMemoryZone`.
final class TestDNSServer: Sendable {
    enum Behaviour: Sendable {
        /// Answer over UDP and TCP.
        case answer
        /// Answer UDP with TC set and no records; answer TCP fully (RFC 7766 5).
        case truncateOverUDP
        /// Never answer.
        case silent
        /// Answer with the query's ID followed by bytes that are not a DNS message.
        case garbage
    }

    let zone: InMemoryZone
    let behaviour: Behaviour
    private let counters = Mutex((udp: 0, tcp: 0))
    private let channels = Mutex<[any Channel]>([])

    private init(zone: InMemoryZone, behaviour: Behaviour) {
        self.zone = zone
        self.behaviour = behaviour
    }

    var udpQueries: Int { counters.withLock { $0.udp } }
    var tcpQueries: Int { counters.withLock { $0.tcp } }
    func countUDP() { counters.withLock { $0.udp += 1 } }
    func countTCP() { counters.withLock { $0.tcp += 1 } }

    private(set) var port: Int {
        get { portBox.withLock { $0 } }
        set { portBox.withLock { $0 = newValue } }
    }
    private let portBox = Mutex(0)

    /// "127.0.0.1:PORT" for `DNSResolverConfiguration.serverAddress`.
    var hostPort: String { "127.0.0.1:\(port)" }

    static func start(_ zone: InMemoryZone, behaviour: Behaviour = .answer, group: any EventLoopGroup) async throws
        -> TestDNSServer
    {
        let server = TestDNSServer(zone: zone, behaviour: behaviour)
        // The TCP listener takes the port the system gave the UDP socket; another test's TCP
        // socket may hold that number already, so a few ports are tried.
        var attempt = 0
        while true {
            attempt += 1
            let udp = try await DatagramBootstrap(group: group).channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UDPServerHandler(server: server))
                }
            }.bind(host: "127.0.0.1", port: 0).get()
            let port = udp.localAddress?.port ?? 0
            do {
                let tcp = try await ServerBootstrap(group: group)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .childChannelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LengthPrefixDecoder()))
                            try channel.pipeline.syncOperations.addHandler(TCPServerHandler(server: server))
                        }
                    }.bind(host: "127.0.0.1", port: port).get()
                server.port = port
                server.channels.withLock { $0 = [udp, tcp] }
                return server
            } catch {
                try? await udp.close()
                if attempt == 10 { throw error }
            }
        }
    }

    func stop() async {
        for channel in channels.withLock({ $0 }) { try? await channel.close() }
    }

    static let soa = DNSRecord(
        name: DNSName("example.com")!, ttl: 300,
        data: .soa(
            .init(
                primary: DNSName("ns.example.com")!, mailbox: DNSName("hostmaster.example.com")!, serial: 1,
                refresh: 3600, retry: 600, expire: 86400, minimum: 120)))

    func response(to query: DNSMessage) -> DNSMessage {
        var response = DNSMessage(
            id: query.id, isResponse: true, recursionDesired: query.recursionDesired, recursionAvailable: true,
            questions: query.questions)
        guard let question = query.questions.first else {
            response.responseCode = .formatError
            return response
        }
        switch zone.resolve(question.name, question.type) {
        case .records(let records):
            response.answers = records.map { DNSRecord(name: question.name, ttl: 60, data: $0) }
        case .noData:
            response.authorities = [Self.soa]
        case .nameError:
            response.responseCode = .nameError
            response.authorities = [Self.soa]
        case .failure:
            response.responseCode = .serverFailure
        }
        return response
    }
}

private final class UDPServerHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>
    let server: TestDNSServer
    init(server: TestDNSServer) { self.server = server }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        server.countUDP()
        guard let query = try? DNSMessage.decode(envelope.data.readableBytesView) else { return }
        let bytes: [UInt8]
        switch server.behaviour {
        case .silent:
            return
        case .garbage:
            bytes = [UInt8(query.id >> 8), UInt8(query.id & 0xFF)] + Array("this is not DNS".utf8)
        case .truncateOverUDP:
            var response = server.response(to: query)
            response.answers = []
            response.isTruncated = true
            bytes = (try? response.encode()) ?? []
        case .answer:
            bytes = (try? server.response(to: query).encode()) ?? []
        }
        let reply = AddressedEnvelope(
            remoteAddress: envelope.remoteAddress, data: context.channel.allocator.buffer(bytes: bytes))
        context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
    }
}

private struct LengthPrefixDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
            buffer.readableBytes >= Int(length) + 2
        else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 2)
        guard let frame = buffer.readSlice(length: Int(length)) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }
}

private final class TCPServerHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let server: TestDNSServer
    init(server: TestDNSServer) { self.server = server }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        server.countTCP()
        guard server.behaviour != .silent,
            let query = try? DNSMessage.decode(unwrapInboundIn(data).readableBytesView),
            let bytes = try? server.response(to: query).encode()
        else { return }
        var buffer = context.channel.allocator.buffer(capacity: bytes.count + 2)
        buffer.writeInteger(UInt16(bytes.count))
        buffer.writeBytes(bytes)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }
}
