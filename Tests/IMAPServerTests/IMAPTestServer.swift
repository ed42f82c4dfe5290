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

/// The shared loopback client, with the IMAP transcript player.
typealias IMAPTestClient = LoopbackClient

extension LoopbackClient {
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
        let done = try await skip(to: "s1")
        #expect(done?.hasPrefix("s1 OK") == true, "\(done ?? "<closed>")")
    }

    /// Reads past untagged lines to the tagged reply of `tag`, and returns it.
    func skip(to tag: String) async throws -> String? {
        while let line = try await line() {
            if line.hasPrefix(tag + " ") { return line }
        }
        return nil
    }
}
