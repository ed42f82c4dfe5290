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
import POP3Server
import Testing

/// A real POP3 listener on loopback over a real SQLite store, and a client to script it.
final class POP3Harness: Sendable {
    static let logger = Logger(label: "pop3-test", factory: { _ in SwiftLogNoOpLogHandler() })
    static let ann = "ann@example.test"
    static let bob = "bob@example.test"
    static let password = StoreFixture.password.exposedValue

    let fixture: StoreFixture
    let server: POP3Server
    let certificates: TemporaryDirectory?
    let ann: MailboxID
    let bob: MailboxID

    /// - Parameters:
    ///   - messages: delivered to ann's Inbox in order.
    init(messages: [String] = [], tls: Bool = false, failureDelay: Duration = .zero) async throws {
        fixture = try StoreFixture()
        let accounts = try await fixture.seed(users: [Self.ann, Self.bob])
        guard let ann = accounts[0].mailbox.id, let bob = accounts[1].mailbox.id else {
            throw StoreRefusal.mailboxUnavailable
        }
        self.ann = ann
        self.bob = bob
        var context: NIOSSLContext?
        if tls {
            let folder = TemporaryDirectory(prefix: "mailgate-pop3-tls")
            try DevelopmentCertificates.ensure(
                certificatePath: folder.file("server.crt"), privateKeyPath: folder.file("server.key"),
                hostname: "localhost", extraNames: [], logger: Self.logger)
            context = try TLSMaterial.load(
                certificatePath: folder.file("server.crt"), privateKeyPath: folder.file("server.key")
            ).makeServerContext()
            certificates = folder
        } else {
            certificates = nil
        }
        let gate = SignInGate(
            store: fixture.store, clock: fixture.clock, hasher: .forTesting, threadPool: NIOThreadPool.singleton)
        server = POP3Server(
            store: fixture.store, signIn: gate, tls: context, settings: .init(failureDelay: failureDelay),
            logger: Self.logger)
        for text in messages { try await deliver(text, to: ann) }
    }

    func deliver(_ text: String, to mailbox: MailboxID) async throws {
        let results = try await fixture.store.deliver(
            IncomingMessage(bytes: Data(text.utf8), internalDate: fixture.clock.now), to: [mailbox])
        _ = try results.first?.get()
    }

    /// The UIDs in a mailbox's Inbox.
    func inboxUIDs(_ mailbox: MailboxID) async throws -> [MessageUID] {
        let folders = try await fixture.store.folders(of: mailbox)
        guard let inbox = folders.first(where: { $0.role == .inbox }) else { return [] }
        return try await fixture.store.messages(in: inbox.id, uids: nil).map(\.uid)
    }

    func inbox(_ mailbox: MailboxID) async throws -> FolderInfo? {
        try await fixture.store.folders(of: mailbox).first(where: { $0.role == .inbox })
    }

    /// Runs `body` with the port of a running listener, then shuts it down gracefully.
    func withListener(
        implicitTLS: Bool = false, _ body: @Sendable (Int) async throws -> Void
    ) async throws {
        let listener = try server.listener(
            name: "pop3.test", address: HostPort(host: "127.0.0.1", port: 0), implicitTLS: implicitTLS)
        // Outside a service group the listener stops on cancellation: its accept loop ends and
        // the open sessions are cancelled with it.
        let running = Task { try await listener.run() }
        defer { running.cancel() }
        let port = try await listener.boundAddress().port ?? 0
        try await body(port)
        running.cancel()
        _ = await running.result
    }

    /// Plays an RFC-style transcript: `C:` lines are sent (consecutive ones in one write, so
    /// they arrive pipelined), each `S:` line must be the next line received, exactly;
    /// `S: <closed>` expects the end of the connection.
    func play(_ transcript: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await withListener { port in
            try await POP3TestClient.connect(port: port) { client in
                try await client.play(transcript, sourceLocation: sourceLocation)
            }
        }
    }

    /// A message with CRLF line ends built from lines.
    static func message(_ lines: String...) -> String {
        lines.joined(separator: "\r\n") + "\r\n"
    }
}

/// The shared loopback client, with the POP3 transcript player.
typealias POP3TestClient = LoopbackClient

extension LoopbackClient {
    func expect(_ expected: String?, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let received = try await line()
        #expect(received == expected, sourceLocation: sourceLocation)
    }

    func play(_ transcript: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        var outgoing = ""
        for raw in transcript.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if line.hasPrefix("C: ") {
                outgoing += line.dropFirst(3) + "\r\n"
                continue
            }
            if !outgoing.isEmpty {
                try await send(outgoing)
                outgoing = ""
            }
            if line.hasPrefix("S: ") {
                let expected = String(line.dropFirst(3))
                try await expect(expected == "<closed>" ? nil : expected, sourceLocation: sourceLocation)
            } else if line == "S:" {
                try await expect("", sourceLocation: sourceLocation)
            }
        }
        if !outgoing.isEmpty { try await send(outgoing) }
    }
}
