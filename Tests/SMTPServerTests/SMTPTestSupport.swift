import DNSClient
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
import SMTPServer
import SPF
import ServiceLifecycle
import Testing

/// A DNS zone in memory (the idea of Tests/SPFTests/InMemoryZone.swift): records, NXDOMAIN, timeouts.
struct TestZone: DNSResolving {
    var records: [DNSName: [DNSRecordData]] = [:]
    var timeouts: Set<DNSName> = []

    /// The senders the tests use, all seen from 127.0.0.1.
    static let standard: TestZone = {
        var zone = TestZone()
        zone.txt("pass.test", "v=spf1 ip4:127.0.0.0/8 -all")
        zone.txt("fail.test", "v=spf1 ip4:192.0.2.1 -all")
        zone.txt("soft.test", "v=spf1 ~all")
        zone.txt("perm.test", "v=spf1 ip4:127.0.0.1 bogus:x -all")
        zone.txt("helo.test", "v=spf1 ip4:127.0.0.1 -all")
        zone.txt("none.test", "some other text")
        if let name = DNSName("temp.test") { zone.timeouts.insert(name) }
        return zone
    }()

    mutating func txt(_ name: String, _ text: String) {
        guard let key = DNSName(name) else { return }
        records[key, default: []].append(.txt([Array(text.utf8)]))
    }

    func lookup(_ name: DNSName, _ type: DNSRecordType) async -> DNSLookupResult {
        if timeouts.contains(name) { return .failure(.timeout) }
        guard let list = records[name] else { return .nameError }
        let found = list.filter { $0.type == type }
        return found.isEmpty ? .noData : .records(found)
    }
}

/// The shared loopback client, with the SMTP reply reader and transcript player.
typealias SMTPTestClient = LoopbackClient

extension LoopbackClient {
    /// A whole reply (all its lines), or nil at end of stream.
    func reply() async throws -> [String]? {
        var lines: [String] = []
        while let line = try await line() {
            lines.append(line)
            if line.count < 4 || line[line.index(line.startIndex, offsetBy: 3)] != "-" { return lines }
        }
        return lines.isEmpty ? nil : lines
    }

    /// Plays a transcript: `C:` lines are sent (consecutive ones in one write, i.e. pipelined) with CRLF,
    /// `S:` lines are read and compared exactly; `S: <closed>` expects the end of the stream.
    func play(_ script: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        var batch = ""
        for raw in script.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if line.hasPrefix("C: ") || line == "C:" {
                batch += String(line.dropFirst(3)) + "\r\n"
                continue
            }
            if !batch.isEmpty {
                try await send(batch)
                batch = ""
            }
            guard line.hasPrefix("S: ") else { continue }
            let expected = String(line.dropFirst(3))
            let received = try await self.line()
            if expected == "<closed>" {
                #expect(received == nil, sourceLocation: sourceLocation)
            } else {
                #expect(received == expected, sourceLocation: sourceLocation)
            }
        }
        if !batch.isEmpty { try await send(batch) }
    }
}

/// The real listener on loopback with a real SQLite store, an in-memory DNS zone and a manual clock.
struct SMTPHarness: Sendable {
    static let logger = Logger(label: "smtp-test")
    static let hostname = "mx.example.test"

    let fixture: StoreFixture
    let certificates: TemporaryDirectory

    init() async throws {
        fixture = try StoreFixture()
        try await fixture.seed(users: ["ann@example.test", "bob@example.test"])
        _ = try await fixture.store.addAlias(EmailAddress("info@example.test")!, to: EmailAddress("ann@example.test")!)
        _ = try await fixture.addUser("nolicense@example.test", licenses: [])
        certificates = TemporaryDirectory()
    }

    var caPath: String { certificates.file("ca.crt") }

    func tlsContext() throws -> NIOSSLContext {
        try DevelopmentCertificates.ensure(
            certificatePath: certificates.file("server.crt"), privateKeyPath: certificates.file("server.key"),
            hostname: "localhost", extraNames: [], logger: Self.logger)
        return try TLSMaterial.load(
            certificatePath: certificates.file("server.crt"), privateKeyPath: certificates.file("server.key")
        ).makeServerContext()
    }

    /// Runs a listener for `body`, then shuts it down gracefully.
    func run(
        maximumMessageBytes: Int = 10_000, maximumRecipients: Int = 3, spfFail: MailgateConfig.SPFAction = .reject,
        spfPermerror: MailgateConfig.SPFAction = .tag, tls: Bool = false, idle: TimeAmount = .seconds(30),
        sessionTimeLimit: TimeInterval = 600, zone: TestZone = .standard,
        _ body: @Sendable (_ port: Int, _ shutdown: @Sendable () async -> Void) async throws -> Void
    ) async throws {
        let server = SMTPServer(
            configuration: SMTPServer.Configuration(
                session: SMTPSession.Configuration(
                    hostname: Self.hostname, maximumMessageBytes: maximumMessageBytes,
                    maximumRecipients: maximumRecipients, spfFail: spfFail, spfPermerror: spfPermerror),
                sessionTimeLimit: sessionTimeLimit),
            store: fixture.store, spf: SPFEvaluator(resolver: zone), tls: tls ? try tlsContext() : nil,
            clock: fixture.clock, logger: Self.logger)
        let listener = MailListener.smtp(
            server,
            configuration: SMTPServer.listenerConfiguration(
                address: HostPort(host: "127.0.0.1", port: 0), idleTimeout: idle),
            logger: Self.logger)
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

    /// Runs a listener and one client connected to it for `body`.
    func withClient(
        maximumMessageBytes: Int = 10_000, maximumRecipients: Int = 3, spfFail: MailgateConfig.SPFAction = .reject,
        spfPermerror: MailgateConfig.SPFAction = .tag, _ body: @Sendable (SMTPTestClient) async throws -> Void
    ) async throws {
        try await run(
            maximumMessageBytes: maximumMessageBytes, maximumRecipients: maximumRecipients, spfFail: spfFail,
            spfPermerror: spfPermerror
        ) { port, _ in
            try await SMTPTestClient.connect(port: port) { client in try await body(client) }
        }
    }

    /// Connects and plays `script` (see ``SMTPTestClient/play(_:sourceLocation:)``).
    func transcript(
        maximumMessageBytes: Int = 10_000, maximumRecipients: Int = 3, spfFail: MailgateConfig.SPFAction = .reject,
        spfPermerror: MailgateConfig.SPFAction = .tag, _ script: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        try await withClient(
            maximumMessageBytes: maximumMessageBytes, maximumRecipients: maximumRecipients, spfFail: spfFail,
            spfPermerror: spfPermerror
        ) { client in
            try await client.play(script, sourceLocation: sourceLocation)
        }
    }

    /// The messages in `address`'s Inbox, as text.
    func inbox(_ address: String) async throws -> [String] {
        guard let email = EmailAddress(address),
            case .mailbox(let mailbox, _, _) = try await fixture.store.resolveRecipient(email),
            let inbox = try await fixture.store.folders(of: mailbox).first(where: { $0.role == .inbox })
        else { return [] }
        var texts: [String] = []
        for summary in try await fixture.store.messages(in: inbox.id, uids: nil) {
            if let data = try await fixture.store.messageBytes(summary.content) {
                texts.append(String(decoding: data, as: UTF8.self))
            }
        }
        return texts
    }
}

/// The EHLO reply lines without the enhanced codes RFC 2034 leaves off.
let ehloReply = ehloReplyOffering(size: 10000)

/// The EHLO reply without STARTTLS, for a listener whose message limit is `size`.
func ehloReplyOffering(size: Int) -> String {
    """
    S: 250-mx.example.test Hello client.test
    S: 250-PIPELINING
    S: 250-SIZE \(size)
    S: 250-8BITMIME
    S: 250-SMTPUTF8
    S: 250-ENHANCEDSTATUSCODES
    S: 250-CHUNKING
    S: 250 HELP
    """
}
