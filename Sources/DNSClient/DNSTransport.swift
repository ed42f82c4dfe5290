import NIOCore
import NIOPosix

/// One question-and-answer exchange with a server, UDP with TCP fallback (RFC 1035 4.2, RFC 7766 5).
///
/// Nothing here blocks: channels are opened and awaited through futures; the timeout is a task scheduled
/// on the channel's event loop; cancelling the awaiting task fails the exchange at once.
enum DNSTransport {
    static func exchange(
        _ query: DNSMessage, server: SocketAddress, timeout: TimeAmount, on eventLoop: any EventLoop
    ) async -> Result<DNSMessage, DNSFailure> {
        let udp = await udpExchange(query, server: server, timeout: timeout, on: eventLoop)
        guard case .success(let answer) = udp, answer.isTruncated else { return udp }
        // RFC 7766 5: a truncated UDP answer is asked again over TCP.
        return await tcpExchange(query, server: server, timeout: timeout, on: eventLoop)
    }

    static func udpExchange(
        _ query: DNSMessage, server: SocketAddress, timeout: TimeAmount, on eventLoop: any EventLoop
    ) async -> Result<DNSMessage, DNSFailure> {
        guard let bytes = try? query.encode() else { return .failure(.invalidName) }
        let promise = eventLoop.makePromise(of: DNSMessage.self)
        let bootstrap = DatagramBootstrap(group: eventLoop).channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(DNSUDPAnswerHandler(query: query, promise: promise))
            }
        }
        let channel: any Channel
        do {
            let bindHost = server.protocol == .inet6 ? "::" : "0.0.0.0"
            channel = try await bootstrap.bind(host: bindHost, port: 0).flatMap { channel in
                // A connected socket: the kernel drops datagrams from anyone but the server.
                channel.connect(to: server).map { channel }
            }.get()
        } catch {
            return .failure(.transport("\(error)"))
        }
        let envelope = AddressedEnvelope(remoteAddress: server, data: channel.allocator.buffer(bytes: bytes))
        channel.writeAndFlush(envelope).whenFailure { promise.fail($0) }
        let result = await awaitAnswer(promise, timeout: timeout, on: eventLoop)
        channel.close(promise: nil)
        return result
    }

    static func tcpExchange(
        _ query: DNSMessage, server: SocketAddress, timeout: TimeAmount, on eventLoop: any EventLoop
    ) async -> Result<DNSMessage, DNSFailure> {
        guard let bytes = try? query.encode() else { return .failure(.invalidName) }
        let promise = eventLoop.makePromise(of: DNSMessage.self)
        let bootstrap = ClientBootstrap(group: eventLoop).connectTimeout(timeout).channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(DNSTCPFrameDecoder()))
                try channel.pipeline.syncOperations.addHandler(DNSTCPAnswerHandler(query: query, promise: promise))
            }
        }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(to: server).get()
        } catch {
            return .failure(.transport("\(error)"))
        }
        var buffer = channel.allocator.buffer(capacity: bytes.count + 2)
        buffer.writeInteger(UInt16(truncatingIfNeeded: bytes.count))
        buffer.writeBytes(bytes)
        channel.writeAndFlush(buffer).whenFailure { promise.fail($0) }
        let result = await awaitAnswer(promise, timeout: timeout, on: eventLoop)
        channel.close(promise: nil)
        return result
    }

    private static func awaitAnswer(
        _ promise: EventLoopPromise<DNSMessage>, timeout: TimeAmount, on eventLoop: any EventLoop
    ) async -> Result<DNSMessage, DNSFailure> {
        // A second completion of a promise is ignored by NIO, so the timer and the answer may race freely.
        let timer = eventLoop.scheduleTask(in: timeout) { promise.fail(DNSFailure.timeout) }
        defer { timer.cancel() }
        do {
            let answer = try await withTaskCancellationHandler {
                try await promise.futureResult.get()
            } onCancel: {
                promise.fail(CancellationError())
            }
            return .success(answer)
        } catch let failure as DNSFailure {
            return .failure(failure)
        } catch is CancellationError {
            return .failure(.timeout)
        } catch {
            return .failure(.transport("\(error)"))
        }
    }

    /// Checks that `answer` answers `query` (RFC 5452 9.1: ID and question must match).
    static func validate(_ answer: DNSMessage, for query: DNSMessage) -> DNSFailure? {
        guard answer.isResponse, answer.opcode == query.opcode else {
            return .malformedResponse("not a response to a standard query")
        }
        // FORMERR and NOTIMP answers may omit the question.
        if answer.questions.isEmpty && answer.responseCode != .noError && answer.responseCode != .nameError {
            return nil
        }
        guard answer.questions == query.questions else { return .malformedResponse("question does not match") }
        return nil
    }
}

/// Completes the exchange's promise with the first datagram carrying our ID; others are ignored (late answers).
private final class DNSUDPAnswerHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    let query: DNSMessage
    let promise: EventLoopPromise<DNSMessage>

    init(query: DNSMessage, promise: EventLoopPromise<DNSMessage>) {
        self.query = query
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let bytes = envelope.data.readableBytesView
        // Too short to hold an ID: not an answer to anything.
        guard bytes.count >= 2 else { return }
        let id = UInt16(bytes[bytes.startIndex]) << 8 | UInt16(bytes[bytes.startIndex + 1])
        guard id == query.id else { return }
        do {
            let answer = try DNSMessage.decode(bytes)
            if let failure = DNSTransport.validate(answer, for: query) {
                promise.fail(failure)
            } else {
                promise.succeed(answer)
            }
        } catch {
            promise.fail(DNSFailure.malformedResponse(error.description))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(DNSFailure.transport("\(error)"))
    }
}

/// Frames a TCP stream into messages by their two-byte length prefix (RFC 1035 4.2.2).
struct DNSTCPFrameDecoder: ByteToMessageDecoder {
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

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        try decode(context: context, buffer: &buffer)
    }
}

/// Completes the exchange's promise with the first framed answer; over TCP a wrong ID is a failure.
private final class DNSTCPAnswerHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let query: DNSMessage
    let promise: EventLoopPromise<DNSMessage>

    init(query: DNSMessage, promise: EventLoopPromise<DNSMessage>) {
        self.query = query
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        do {
            let answer = try DNSMessage.decode(frame.readableBytesView)
            if answer.id != query.id {
                promise.fail(DNSFailure.malformedResponse("answer ID does not match"))
            } else if let failure = DNSTransport.validate(answer, for: query) {
                promise.fail(failure)
            } else {
                promise.succeed(answer)
            }
        } catch {
            promise.fail(DNSFailure.malformedResponse(error.description))
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(DNSFailure.malformedResponse("connection closed before an answer"))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(DNSFailure.transport("\(error)"))
    }
}
