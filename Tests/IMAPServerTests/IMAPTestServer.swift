import Foundation
import Logging
import MailListener
import MailStore
import MailStoreSQLite
import MailgateCore
import MailgateTLS
import MailgateTesting
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Testing

@testable import IMAPServer

/// The real IMAP server on loopback over a real SQLite store in a temporary folder.
struct IMAPTestServer {
    static let logger = Logger(label: "imap-test")
    let fixture: StoreFixture
    let port: Int
    let tlsFolder: TemporaryDirectory?

    /// Starts a server with `users` (password ``StoreFixture/password``), runs `body`, shuts down.
    static func run(
        users: [String] = ["ann@example.test"],
        configuration: IMAPServerConfiguration = .init(failedSignInDelay: .zero),
        implicitTLS: Bool = false, withTLS: Bool = false,
        _ body: (IMAPTestServer) async throws -> Void
    ) async throws {
        let fixture = try StoreFixture()
        try await fixture.seed(users: users)
        var tls: NIOSSLContext?
        var folder: TemporaryDirectory?
        if withTLS || implicitTLS {
            let directory = TemporaryDirectory()
            try DevelopmentCertificates.ensure(
                certificatePath: directory.file("server.crt"), privateKeyPath: directory.file("server.key"),
                hostname: "localhost", extraNames: [], logger: logger)
            tls = try TLSMaterial.load(
                certificatePath: directory.file("server.crt"), privateKeyPath: directory.file("server.key")
            ).makeServerContext()
            folder = directory
        }
        let gate = SignInGate(
            store: fixture.store, clock: fixture.clock, hasher: .forTesting, threadPool: NIOThreadPool.singleton)
        let server = IMAPServer(
            store: fixture.store, signIn: gate, tls: tls, clock: fixture.clock, configuration: configuration,
            logger: logger)
        let listener = try server.listener(
            name: "imap.test", address: HostPort(host: "127.0.0.1", port: 0), implicitTLS: implicitTLS)
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: listener)], gracefulShutdownSignals: [], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let port = try await listener.boundAddress().port ?? 0
            do {
                try await body(IMAPTestServer(fixture: fixture, port: port, tlsFolder: folder))
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// Plays a transcript on a new connection: `C: ` lines are sent (CRLF added), `S: ` lines must
    /// come exactly, `S~ ` lines must match the regular expression. `{CRLF}`-free literals only.
    func play(_ script: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await IMAPTestClient.connect(port: port) { client in
            try await client.play(script, sourceLocation: sourceLocation)
        }
    }

    /// The mailbox of a seeded user.
    func mailbox(_ address: String) async throws -> MailboxID {
        guard let email = EmailAddress(address),
            case .mailbox(let id, _, _) = try await fixture.store.resolveRecipient(email)
        else { throw StoreRefusal.userUnknown(address) }
        return id
    }

    /// Delivers a message as SMTP would.
    func deliver(to address: String, subject: String = "Hello", body: String = "Hi there.") async throws {
        let message = IncomingMessage(
            bytes: StoreFixture.message(subject: subject, body: body), internalDate: fixture.clock.now)
        _ = try await fixture.store.deliver(message, to: [try await mailbox(address)])
    }
}

/// A line client for IMAP tests.
final class IMAPTestClient {
    let channel: any Channel
    var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    let writer: NIOAsyncChannelOutboundWriter<ByteBuffer>
    var pending: [UInt8] = []

    init(
        channel: any Channel, inbound: NIOAsyncChannelInboundStream<ByteBuffer>,
        writer: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) {
        self.channel = channel
        self.iterator = inbound.makeAsyncIterator()
        self.writer = writer
    }

    static func connect(port: Int, _ body: (IMAPTestClient) async throws -> Void) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            try await body(IMAPTestClient(channel: channel.channel, inbound: inbound, writer: outbound))
        }
    }

    func send(_ text: String) async throws { try await writer.write(ByteBuffer(string: text)) }

    /// The next CRLF line, or nil at end of stream.
    func line() async throws -> String? {
        while true {
            if let index = pending.firstIndex(of: 0x0A), index > 0, pending[index - 1] == 0x0D {
                let line = String(decoding: pending[..<(index - 1)], as: UTF8.self)
                pending.removeFirst(index + 1)
                return line
            }
            // A line that never comes fails the test instead of hanging it.
            let channel = self.channel
            let timeout = channel.eventLoop.scheduleTask(in: .seconds(10)) { channel.close(promise: nil) }
            defer { timeout.cancel() }
            guard let chunk = try await iterator.next() else { return nil }
            pending += chunk.readableBytesView
        }
    }

    func expect(_ expected: String?, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let received = try await line()
        #expect(received == expected, sourceLocation: sourceLocation)
    }

    func play(_ script: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for entry in script.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(entry)
            if line == "S: <closed>" {
                try await expect(nil, sourceLocation: sourceLocation)
            } else if line.hasPrefix("C: ") {
                try await send(String(line.dropFirst(3)) + "\r\n")
            } else if line.hasPrefix("S: ") {
                try await expect(String(line.dropFirst(3)), sourceLocation: sourceLocation)
            } else if line.hasPrefix("S~ ") {
                let received = try await self.line() ?? "<closed>"
                let pattern = try Regex(String(line.dropFirst(3)))
                #expect(received.wholeMatch(of: pattern) != nil, "\(received)", sourceLocation: sourceLocation)
            }
        }
    }

    /// Reads the greeting, signs in as ann@example.test and selects INBOX (or EXAMINEs it),
    /// skipping SELECT's untagged lines.
    func signInAndSelect(readOnly: Bool = false) async throws {
        try await play(
            """
            S~ \\* OK .*
            \(IMAPSessionTranscriptTests.login)
            C: s1 \(readOnly ? "EXAMINE" : "SELECT") INBOX
            """)
        while let line = try await line(), !line.hasPrefix("s1 ") {}
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
