import Foundation
import Logging
import MailgateCore
import MailgateTLS
import MailgateTesting
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Testing

@testable import MailListener

/// A toy line protocol over the real listener: echoes lines in upper case.
enum EchoProtocol {
    static func session(tls: NIOSSLContext?) -> MailListener.Session {
        { connection in
            do {
                try await connection.send("+OK hi secure=\(connection.isSecure)\r\n")
                while let frame = try await connection.next() {
                    switch frame {
                    case .line(let bytes, _):
                        let text = String(buffer: bytes)
                        if text == "QUIT" {
                            try await connection.send("+OK bye\r\n")
                            return
                        } else if text == "STARTTLS", let tls {
                            try await connection.startTLS(tls, sending: ByteBuffer(string: "+OK go ahead\r\n"))
                        } else {
                            try await connection.send("+OK \(text.uppercased()) tls=\(connection.isTLS)\r\n")
                        }
                    case .lineTooLong: try await connection.send("-ERR line too long\r\n")
                    case .idleTimeout:
                        try await connection.send("-ERR idle\r\n")
                        return
                    case .shutdown:
                        try await connection.send("* BYE shutting down\r\n")
                        return
                    case .literal: break
                    }
                }
            } catch {}
        }
    }
}

/// A line client for tests, alive inside ``connect(port:_:)``.
final class LineClient {
    let channel: any Channel
    var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    let writer: NIOAsyncChannelOutboundWriter<ByteBuffer>
    var pending = ""

    init(
        channel: any Channel, inbound: NIOAsyncChannelInboundStream<ByteBuffer>,
        writer: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) {
        self.channel = channel
        self.iterator = inbound.makeAsyncIterator()
        self.writer = writer
    }

    static func connect(port: Int, _ body: (LineClient) async throws -> Void) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            try await body(LineClient(channel: channel.channel, inbound: inbound, writer: outbound))
        }
    }

    func send(_ text: String) async throws { try await writer.write(ByteBuffer(string: text)) }

    /// Reads the next line and checks it (nil: the server closed the connection).
    func expect(_ expected: String?, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let received = try await line()
        #expect(received == expected, sourceLocation: sourceLocation)
    }

    /// The next CRLF line, or nil at end of stream.
    func line() async throws -> String? {
        while true {
            if let range = pending.range(of: "\r\n") {
                let line = String(pending[..<range.lowerBound])
                pending = String(pending[range.upperBound...])
                return line
            }
            guard let chunk = try await iterator.next() else { return nil }
            pending += String(buffer: chunk)
        }
    }

    func startTLS(trusting caPath: String) async throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .file(caPath)
        let context = try NIOSSLContext(configuration: configuration)
        let channel = self.channel
        try await channel.eventLoop.submit {
            let handler = try NIOSSLClientHandler(context: context, serverHostname: "localhost")
            try channel.pipeline.syncOperations.addHandler(handler, position: .first)
        }.get()
    }
}

@Suite("Mail listener over loopback")
struct MailListenerTests {
    static let logger = Logger(label: "test")

    /// Starts a listener with the echo protocol; runs `body` with its port; shuts down gracefully.
    func withListener(
        maximumConnectionsPerAddress: Int = 10, idle: TimeAmount = .seconds(30), tls: NIOSSLContext? = nil,
        _ body: @Sendable (Int, _ shutdown: @Sendable () async -> Void) async throws -> Void
    ) async throws {
        let listener = MailListener(
            configuration: .init(
                name: "test.listen", address: HostPort(host: "127.0.0.1", port: 0), maximumLineLength: 64,
                idleTimeout: idle, maximumConnectionsPerAddress: maximumConnectionsPerAddress,
                refusalWhenBusy: "-ERR [SYS/TEMP] too many connections\r\n"),
            logger: Self.logger, session: EchoProtocol.session(tls: tls))
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: listener)], gracefulShutdownSignals: [], logger: Self.logger)
        )
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let port = try await listener.boundAddress().port ?? 0
            try await body(port, { await group.triggerGracefulShutdown() })
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test("Lines are answered in order, pipelined, and loopback counts as secure")
    func pipelining() async throws {
        try await withListener { port, _ in
            try await LineClient.connect(port: port) { client in
                try await client.expect("+OK hi secure=true")
                try await client.send("one\r\ntwo\r\nthree\r\n")
                try await client.expect("+OK ONE tls=false")
                try await client.expect("+OK TWO tls=false")
                try await client.expect("+OK THREE tls=false")
                try await client.send("QUIT\r\n")
                try await client.expect("+OK bye")
                try await client.expect(nil)
            }
        }
    }

    @Test("An over-long line gets an error and the session goes on")
    func longLine() async throws {
        try await withListener { port, _ in
            try await LineClient.connect(port: port) { client in
                _ = try await client.line()
                try await client.send(String(repeating: "x", count: 200) + "\r\nok\r\n")
                try await client.expect("-ERR line too long")
                try await client.expect("+OK OK tls=false")
            }
        }
    }

    @Test("Connections past the per-address limit are refused with the protocol's line")
    func perAddressLimit() async throws {
        try await withListener(maximumConnectionsPerAddress: 2) { port, _ in
            try await LineClient.connect(port: port) { first in
                try await LineClient.connect(port: port) { second in
                    _ = try await first.line()
                    _ = try await second.line()
                    try await LineClient.connect(port: port) { third in
                        try await third.expect("-ERR [SYS/TEMP] too many connections")
                        try await third.expect(nil)
                    }
                    try await first.send("QUIT\r\n")
                    _ = try await first.line()
                    _ = try await first.line()
                    // A slot is free again.
                    try await Task.sleep(for: .milliseconds(100))
                    try await LineClient.connect(port: port) { fourth in
                        let reply11 = try await fourth.line()
                        #expect(reply11?.hasPrefix("+OK hi") == true)
                    }
                }
            }
        }
    }

    @Test("Graceful shutdown: open sessions are told to end their protocol's way")
    func shutdown() async throws {
        try await withListener { port, shutdown in
            try await LineClient.connect(port: port) { client in
                _ = try await client.line()
                await shutdown()
                try await client.expect("* BYE shutting down")
            }
        }
    }

    @Test("Idle sessions get the idle event")
    func idle() async throws {
        try await withListener(idle: .milliseconds(200)) { port, _ in
            try await LineClient.connect(port: port) { client in
                _ = try await client.line()
                try await client.expect("-ERR idle")
            }
        }
    }

    @Test("RFC 3207 4.2: commands sent before the TLS handshake are discarded")
    func startTLSInjection() async throws {
        let folder = TemporaryDirectory()
        try DevelopmentCertificates.ensure(
            certificatePath: folder.file("server.crt"), privateKeyPath: folder.file("server.key"),
            hostname: "localhost", extraNames: [], logger: Self.logger)
        let material = try TLSMaterial.load(
            certificatePath: folder.file("server.crt"), privateKeyPath: folder.file("server.key"))
        let context = try material.makeServerContext()
        try await withListener(tls: context) { port, _ in
            try await LineClient.connect(port: port) { client in
                _ = try await client.line()
                // The attacker's classic: a command pipelined right after STARTTLS, in clear text.
                try await client.send("STARTTLS\r\nINJECTED\r\n")
                try await client.expect("+OK go ahead")
                try await client.startTLS(trusting: folder.file("ca.crt"))
                try await client.send("after\r\n")
                try await client.expect("+OK AFTER tls=true")
            }
        }
    }
}
