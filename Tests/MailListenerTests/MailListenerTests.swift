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
                        } else if text == "PENDING" {
                            try await connection.send("+OK pending=\(connection.hasBufferedInput)\r\n")
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
                    case .literal, .lines: break
                    }
                }
            } catch {}
        }
    }
}

/// The shared loopback client.
typealias LineClient = LoopbackClient

extension LoopbackClient {
    /// Reads the next line and checks it (nil: the server closed the connection).
    func expect(_ expected: String?, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let received = try await line()
        #expect(received == expected, sourceLocation: sourceLocation)
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

    @Test("A session knows when the client's next line is already here (pipelined replies may wait)")
    func bufferedInput() async throws {
        try await withListener { port, _ in
            try await LineClient.connect(port: port) { client in
                try await client.expect("+OK hi secure=true")
                try await client.send("PENDING\r\nPENDING\r\n")
                try await client.expect("+OK pending=true")
                try await client.expect("+OK pending=false")
                try await client.send("PENDING\r\n")
                try await client.expect("+OK pending=false")
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
