import Foundation
import Logging
import MailgateCore
import MailgateTLS
import MailgateTesting
import SwiftASN1
import Synchronization
import Testing
import X509

@Suite("Development certificates")
struct DevelopmentCertificatesTests {
    let folder = TemporaryDirectory(prefix: "mailgate-tls")
    var certificatePath: String { folder.file("certs/dev/server.crt") }
    var keyPath: String { folder.file("certs/dev/server.key") }
    var authorityPath: String { folder.file("certs/dev/ca.crt") }
    var authorityKeyPath: String { folder.file("certs/dev/ca.key") }

    @discardableResult
    func ensure(clock: any MailgateClock = SystemClock(), logger: Logger = .quiet) throws -> Bool {
        try DevelopmentCertificates.ensure(
            certificatePath: certificatePath,
            privateKeyPath: keyPath,
            hostname: "Mail.Example.Test",
            extraNames: ["autodiscover.example.test", "192.0.2.7", ""],
            logger: logger,
            clock: clock
        )
    }

    @Test("missing files: CA and server certificate are made, keys 0600, in a new folder")
    func createsFilesWithModes() throws {
        #expect(try ensure())
        #expect(try mode(of: keyPath) == 0o600)
        #expect(try mode(of: authorityKeyPath) == 0o600)
        #expect(try mode(of: certificatePath) == 0o644)
        #expect(try mode(of: authorityPath) == 0o644)
        let keyText = try String(contentsOfFile: keyPath, encoding: .utf8)
        #expect(keyText.hasPrefix("-----BEGIN PRIVATE KEY-----"))  // PKCS#8
        // No temporary file is left behind.
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.file("certs/dev")).sorted()
        #expect(names == ["ca.crt", "ca.key", "server.crt", "server.key"])
    }

    @Test("both files present: nothing is touched")
    func isIdempotent() throws {
        #expect(try ensure())
        let before = try Data(contentsOf: URL(fileURLWithPath: certificatePath))
        #expect(try ensure() == false)
        #expect(try Data(contentsOf: URL(fileURLWithPath: certificatePath)) == before)
    }

    @Test("the chain is server then CA; the leaf verifies against the CA for every name")
    func leafVerifiesAgainstAuthority() async throws {
        try ensure()
        let chain = try PEMDocument.parseMultiple(pemString: String(contentsOfFile: certificatePath, encoding: .utf8))
            .map { try Certificate(pemDocument: $0) }
        let authority = try Certificate(pemEncoded: String(contentsOfFile: authorityPath, encoding: .utf8))
        #expect(chain.count == 2)
        #expect(chain.last == authority)
        let leaf = try #require(chain.first)

        for (hostname, ip) in [
            ("mail.example.test", nil), ("autodiscover.example.test", nil), ("localhost", nil),
            (nil, "127.0.0.1"), (nil, "::1"), (nil, "192.0.2.7"),
        ] as [(String?, String?)] {
            var verifier = Verifier(rootCertificates: CertificateStore([authority])) {
                RFC5280Policy()
                ServerIdentityPolicy(serverHostname: hostname, serverIP: ip)
            }
            let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore())
            guard case .validCertificate = result else {
                Issue.record("\(hostname ?? ip ?? "") did not verify: \(result)")
                continue
            }
        }

        // A name the certificate does not carry must fail, or the loop above proves nothing.
        var verifier = Verifier(rootCertificates: CertificateStore([authority])) {
            RFC5280Policy()
            ServerIdentityPolicy(serverHostname: "other.example.test", serverIP: nil)
        }
        guard case .couldNotValidate = await verifier.validate(leaf: leaf, intermediates: CertificateStore()) else {
            Issue.record("a foreign host name verified")
            return
        }
    }

    @Test("server certificate: SANs, serverAuth, not a CA, ~825 days; CA: 10 years, keyCertSign")
    func extensionsAndValidity() throws {
        let clock = ManualClock()
        try ensure(clock: clock)
        let chain = try PEMDocument.parseMultiple(pemString: String(contentsOfFile: certificatePath, encoding: .utf8))
        let leaf = try Certificate(pemDocument: try #require(chain.first))
        let sans = try #require(try leaf.extensions.subjectAlternativeNames)
        #expect(
            Array(sans) == [
                .dnsName("mail.example.test"), .dnsName("autodiscover.example.test"), .dnsName("localhost"),
                .ipAddress(ASN1OctetString(contentBytes: [192, 0, 2, 7])),
                .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                .ipAddress(ASN1OctetString(contentBytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])),
            ]
        )
        #expect(try leaf.extensions.extendedKeyUsage?.contains(.serverAuth) == true)
        #expect(try leaf.extensions.basicConstraints == .notCertificateAuthority)
        #expect(leaf.notValidAfter.timeIntervalSince(clock.now) == 825 * 86_400)
        #expect(leaf.notValidBefore < clock.now)

        let authority = try Certificate(pemEncoded: String(contentsOfFile: authorityPath, encoding: .utf8))
        #expect(try authority.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        #expect(try authority.extensions.keyUsage?.keyCertSign == true)
        #expect(authority.notValidAfter.timeIntervalSince(clock.now) == 10 * 365 * 86_400)
        #expect(
            try leaf.extensions.authorityKeyIdentifier?.keyIdentifier
                == authority.extensions.subjectKeyIdentifier?.keyIdentifier
        )
    }

    @Test("only the certificate is left: both are made again, the CA is kept and the log says so")
    func halfPairRegeneratesBoth() throws {
        try ensure()
        let oldCertificate = try Data(contentsOf: URL(fileURLWithPath: certificatePath))
        let oldAuthority = try Data(contentsOf: URL(fileURLWithPath: authorityPath))
        try FileManager.default.removeItem(atPath: keyPath)

        let log = LogRecorder()
        #expect(try ensure(logger: log.logger))
        #expect(try Data(contentsOf: URL(fileURLWithPath: certificatePath)) != oldCertificate)
        #expect(try Data(contentsOf: URL(fileURLWithPath: authorityPath)) == oldAuthority)
        _ = try TLSMaterial.load(certificatePath: certificatePath, privateKeyPath: keyPath)
        #expect(log.entries.contains { $0.level == .warning && $0.message.contains("only one of") })
        #expect(log.entries.contains { $0.level == .notice && $0.message.contains("--cacert \(authorityPath)") })
    }

    @Test("an unusable ca.key beside ca.crt makes a new CA rather than failing")
    func brokenAuthorityIsReplaced() throws {
        try ensure()
        let oldAuthority = try Data(contentsOf: URL(fileURLWithPath: authorityPath))
        try FileManager.default.removeItem(atPath: certificatePath)
        try Data("not a key".utf8).write(to: URL(fileURLWithPath: authorityKeyPath))
        #expect(try ensure())
        #expect(try Data(contentsOf: URL(fileURLWithPath: authorityPath)) != oldAuthority)
        _ = try TLSMaterial.load(certificatePath: certificatePath, privateKeyPath: keyPath)
    }

    @Test("a folder that cannot be created is a named error")
    func unwritableFolder() throws {
        let blocker = folder.file("file")
        try Data().write(to: URL(fileURLWithPath: blocker))
        #expect(throws: DevelopmentCertificateError.self) {
            try DevelopmentCertificates.ensure(
                certificatePath: blocker + "/dev/server.crt", privateKeyPath: blocker + "/dev/server.key",
                hostname: "mail.example.test", extraNames: [],
                logger: .quiet
            )
        }
    }

    private func mode(of path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int)
    }
}

/// Collects log entries so a test can check what the operator is told.
final class LogRecorder: Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
    }

    private let storage = Mutex<[Entry]>([])

    var entries: [Entry] { storage.withLock { $0 } }

    var logger: Logger {
        Logger(label: "test") { _ in Handler(recorder: self) }
    }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            recorder.storage.withLock { $0.append(Entry(level: event.level, message: event.message.description)) }
        }
    }
}

extension Logger {
    /// Discards everything: generation logs two notices per call, which would bury test output.
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
}
