import Crypto
import Foundation
public import Logging
public import MailgateCore
import SwiftASN1
import X509

#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A development certificate authority and a server certificate it signed, made on first start
/// so `mailgate serve` speaks TLS on a fresh checkout (INTERFACE.md, "certs/dev/").
///
/// Not for production: the CA's private key sits beside the certificates, so anyone who can read
/// that folder can mint certificates that every machine trusting the CA accepts.
public enum DevelopmentCertificates {
    /// How long the development CA is valid: long enough that nobody re-trusts it in practice.
    static let authorityLifetime: TimeInterval = 10 * 365 * 86_400
    /// 825 days: the longest a server certificate may live and still be accepted by Apple's TLS
    /// stack for a locally trusted CA (Apple, "Requirements for trusted certificates", 2019).
    static let serverLifetime: TimeInterval = 825 * 86_400
    /// Backdating absorbs clock skew between this host and its clients.
    static let backdating: TimeInterval = 3_600

    /// Makes a development CA and server certificate when the configured files are missing.
    ///
    /// - When both files exist, does nothing and returns false (even if they are expired or do not
    ///   match: ``TLSMaterial/load(certificatePath:privateKeyPath:)`` reports that).
    /// - When either is missing, writes `ca.crt` and `ca.key` beside the certificate (an existing,
    ///   still valid pair there is reused so a CA that clients already trust stays trusted), then a
    ///   P-256 server certificate valid for ~825 days whose names are `hostname`, `extraNames`,
    ///   `localhost`, 127.0.0.1 and ::1, as a PEM chain (server, then CA) at `certificatePath`
    ///   and a PKCS#8 PEM key at `privateKeyPath` (mode 0600); returns true. Logs at notice level
    ///   where the CA is and how to trust it.
    ///
    /// Each file is written atomically (temporary file, fsync, rename). Blocking file I/O: call it
    /// at start-up, not from an event loop.
    /// - Parameter clock: The time the certificates start from (tests pass a manual clock).
    /// - Throws: ``DevelopmentCertificateError`` naming the file or the name that failed.
    @discardableResult
    public static func ensure(
        certificatePath: String,
        privateKeyPath: String,
        hostname: String,
        extraNames: [String],
        logger: Logger,
        clock: any MailgateClock = SystemClock()
    ) throws(DevelopmentCertificateError) -> Bool {
        let hasCertificate = AtomicFile.exists(certificatePath)
        let hasKey = AtomicFile.exists(privateKeyPath)
        if hasCertificate && hasKey { return false }
        if hasCertificate != hasKey {
            // Keeping the surviving half is pointless: a new key needs a new certificate and vice versa.
            logger.warning(
                "only one of the TLS certificate and private key exists; generating both anew",
                metadata: [
                    "present": "\(hasCertificate ? certificatePath : privateKeyPath)",
                    "missing": "\(hasCertificate ? privateKeyPath : certificatePath)",
                ]
            )
        }

        let folder = AtomicFile.folderName(of: certificatePath)
        try createFolder(folder)
        try createFolder(AtomicFile.folderName(of: privateKeyPath))
        let authorityCertificatePath = folder + "/ca.crt"
        let authorityKeyPath = folder + "/ca.key"
        let now = clock.now

        let authority: CertifiedKey
        if let existing = CertifiedKey.load(
            certificatePath: authorityCertificatePath, keyPath: authorityKeyPath, now: now)
        {
            authority = existing
            logger.info("reusing the development CA", metadata: ["ca_certificate": "\(authorityCertificatePath)"])
        } else {
            authority = try CertifiedKey.make(hostname: hostname, now: now)
            // Key first: a crash between the two writes leaves no certificate, so the next start makes both again.
            try write(authority.keyPEM, to: authorityKeyPath, mode: 0o600)
            try write(authority.certificatePEM, to: authorityCertificatePath, mode: 0o644)
        }

        let names = SubjectNames(hostname: hostname, extraNames: extraNames)
        let server = try makeServerCertificate(names: names, hostname: hostname, authority: authority, now: now)
        try write(server.keyPEM, to: privateKeyPath, mode: 0o600)
        try write(server.certificatePEM + authority.certificatePEM, to: certificatePath, mode: 0o644)

        logger.notice(
            "generated a development TLS certificate signed by a development CA",
            metadata: [
                "certificate": "\(certificatePath)",
                "private_key": "\(privateKeyPath)",
                "ca_certificate": "\(authorityCertificatePath)",
                "names": "\((names.dnsNames + names.ipAddressTexts).joined(separator: ","))",
            ]
        )
        logger.notice(
            """
            clients must trust the development CA to connect without warnings: e.g. \
            `curl --cacert \(authorityCertificatePath) https://localhost:8443/healthz` (the shipped \
            http.tls_listen port), or system-wide on \
            Debian/Ubuntu: `sudo cp \(authorityCertificatePath) /usr/local/share/ca-certificates/mailgate-dev.crt \
            && sudo update-ca-certificates`
            """
        )
        return true
    }

    // MARK: - Certificates

    /// A certificate and its key, parsed and as PEM text.
    struct CertifiedKey {
        var certificate: Certificate
        var privateKey: Certificate.PrivateKey
        var certificatePEM: String
        var keyPEM: String

        static func make(hostname: String, now: Date) throws(DevelopmentCertificateError) -> CertifiedKey {
            let key = P256.Signing.PrivateKey()
            let privateKey = Certificate.PrivateKey(key)
            do {
                // A random suffix keeps two developers' CAs apart in one trust store, where
                // certificates are looked up by subject name.
                let suffix = SystemRandomNumberGenerator.hex(byteCount: 4)
                let name = try DistinguishedName {
                    OrganizationName("Mailgate development")
                    CommonName("Mailgate development CA \(suffix)")
                }
                let extensions = try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                    Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                    // Python 3.13's VERIFY_X509_STRICT (on by default) refuses a CA without a key identifier.
                    SubjectKeyIdentifier(hash: privateKey.publicKey)
                }
                let certificate = try Certificate(
                    version: .v3,
                    serialNumber: Certificate.SerialNumber(),
                    publicKey: privateKey.publicKey,
                    notValidBefore: now - DevelopmentCertificates.backdating,
                    notValidAfter: now + DevelopmentCertificates.authorityLifetime,
                    issuer: name,
                    subject: name,
                    signatureAlgorithm: .ecdsaWithSHA256,
                    extensions: extensions,
                    issuerPrivateKey: privateKey
                )
                return CertifiedKey(
                    certificate: certificate,
                    privateKey: privateKey,
                    certificatePEM: try certificate.serializeAsPEM().pemString + "\n",
                    keyPEM: key.pemRepresentation + "\n"
                )
            } catch {
                throw .generationFailed(reason: "development CA for \(hostname): \(error)")
            }
        }

        /// The pair at these paths, if both parse, belong together, are a CA and stay valid for a
        /// while; otherwise nil and the caller makes a new CA.
        static func load(certificatePath: String, keyPath: String, now: Date) -> CertifiedKey? {
            guard let certificateBytes = try? AtomicFile.read(certificatePath),
                let keyBytes = try? AtomicFile.read(keyPath),
                let certificate = try? Certificate(pemEncoded: String(decoding: certificateBytes, as: UTF8.self)),
                let privateKey = try? Certificate.PrivateKey(pemEncoded: String(decoding: keyBytes, as: UTF8.self)),
                certificate.publicKey == privateKey.publicKey,
                let constraints = try? certificate.extensions.basicConstraints,
                case .isCertificateAuthority = constraints,
                // A server certificate must not outlive its issuer.
                certificate.notValidAfter > now + DevelopmentCertificates.serverLifetime,
                certificate.notValidBefore <= now
            else { return nil }
            return CertifiedKey(
                certificate: certificate,
                privateKey: privateKey,
                certificatePEM: String(decoding: certificateBytes, as: UTF8.self),
                keyPEM: String(decoding: keyBytes, as: UTF8.self)
            )
        }
    }

    static func makeServerCertificate(
        names: SubjectNames,
        hostname: String,
        authority: CertifiedKey,
        now: Date
    ) throws(DevelopmentCertificateError) -> CertifiedKey {
        let key = P256.Signing.PrivateKey()
        let privateKey = Certificate.PrivateKey(key)
        do {
            // RFC 5280 4.1.2.6 sets no rule here, but X.520 caps a common name at 64 characters.
            let commonName = hostname.utf8.count <= 64 ? hostname : "Mailgate development server"
            let subject = try DistinguishedName {
                OrganizationName("Mailgate development")
                CommonName(commonName)
            }
            let alternativeNames =
                names.dnsNames.map { GeneralName.dnsName($0) }
                + names.ipAddresses.map { GeneralName.ipAddress(ASN1OctetString(contentBytes: $0[...])) }
            let extensions = try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                // ECDSA keys sign the handshake; keyEncipherment applies to RSA key transport only.
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                // Clients match names only against the SAN (RFC 6125 6.4.4); the CN is decoration.
                SubjectAlternativeNames(alternativeNames)
                SubjectKeyIdentifier(hash: privateKey.publicKey)
                // Python 3.13's VERIFY_X509_STRICT refuses a leaf without one.
                AuthorityKeyIdentifier(keyIdentifier: try authorityKeyIdentifier(of: authority.certificate))
            }
            let notValidAfter = min(now + DevelopmentCertificates.serverLifetime, authority.certificate.notValidAfter)
            let certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: privateKey.publicKey,
                notValidBefore: now - DevelopmentCertificates.backdating,
                notValidAfter: notValidAfter,
                issuer: authority.certificate.subject,
                subject: subject,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: extensions,
                issuerPrivateKey: authority.privateKey
            )
            return CertifiedKey(
                certificate: certificate,
                privateKey: privateKey,
                certificatePEM: try certificate.serializeAsPEM().pemString + "\n",
                keyPEM: key.pemRepresentation + "\n"
            )
        } catch {
            throw .generationFailed(reason: "server certificate for \(hostname): \(error)")
        }
    }

    /// The CA's own key identifier, so the leaf's authorityKeyIdentifier matches it exactly (RFC 5280 4.2.1.1).
    private static func authorityKeyIdentifier(of certificate: Certificate) throws -> ArraySlice<UInt8> {
        try certificate.extensions.subjectKeyIdentifier?.keyIdentifier
            ?? SubjectKeyIdentifier(hash: certificate.publicKey).keyIdentifier
    }

    // MARK: - Names

    /// The subject alternative names: DNS names lower-cased and deduplicated, IP literals as IP names.
    struct SubjectNames: Equatable {
        var dnsNames: [String] = []
        var ipAddresses: [[UInt8]] = []
        var ipAddressTexts: [String] = []

        init(hostname: String, extraNames: [String]) {
            for name in [hostname] + extraNames + ["localhost", "127.0.0.1", "::1"] {
                add(name)
            }
        }

        private mutating func add(_ rawName: String) {
            var name = rawName.trimmingCharacters(in: .whitespaces)
            if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
            guard !name.isEmpty else { return }
            if let bytes = Self.ipAddressBytes(name) {
                guard !ipAddresses.contains(bytes) else { return }
                ipAddresses.append(bytes)
                ipAddressTexts.append(name)
            } else {
                // DNS names compare case-insensitively (RFC 4343); a trailing dot never matches a SAN.
                var dnsName = name.lowercased()
                if dnsName.hasSuffix(".") { dnsName.removeLast() }
                guard !dnsName.isEmpty, !dnsNames.contains(dnsName) else { return }
                dnsNames.append(dnsName)
            }
        }

        /// The 4 or 16 address bytes of an IPv4 or IPv6 literal, or nil for a name.
        static func ipAddressBytes(_ text: String) -> [UInt8]? {
            var v4 = in_addr()
            if inet_pton(AF_INET, text, &v4) == 1 {
                return withUnsafeBytes(of: &v4) { Array($0) }
            }
            var v6 = in6_addr()
            if inet_pton(AF_INET6, text, &v6) == 1 {
                return withUnsafeBytes(of: &v6) { Array($0) }
            }
            return nil
        }
    }

    // MARK: - Files

    private static func createFolder(_ folder: String) throws(DevelopmentCertificateError) {
        do {
            try AtomicFile.createFolder(folder)
        } catch {
            throw .cannotCreateFolder(path: error.path, reason: error.reason)
        }
    }

    private static func write(_ text: String, to path: String, mode: mode_t) throws(DevelopmentCertificateError) {
        do {
            try AtomicFile.write(Array(text.utf8), to: path, mode: mode)
        } catch {
            throw .cannotWrite(path: error.path, reason: error.reason)
        }
    }
}

extension SystemRandomNumberGenerator {
    /// `byteCount` random bytes as lower-case hex.
    static func hex(byteCount: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef")
        var text = ""
        for _ in 0..<byteCount {
            let byte = Int(UInt8.random(in: 0...255, using: &generator))
            text.append(digits[byte / 16])
            text.append(digits[byte % 16])
        }
        return text
    }
}

/// Why development certificates could not be made.
public enum DevelopmentCertificateError: Error, Equatable, CustomStringConvertible {
    /// The folder for the certificate, key or CA could not be created.
    case cannotCreateFolder(path: String, reason: String)
    /// A certificate or key file could not be written.
    case cannotWrite(path: String, reason: String)
    /// swift-certificates refused to build a certificate (e.g. a host name that is not ASCII).
    case generationFailed(reason: String)

    public var description: String {
        switch self {
        case .cannotCreateFolder(let path, let reason):
            "cannot create the folder \(path) for development certificates: \(reason)"
        case .cannotWrite(let path, let reason):
            "cannot write the development certificate file \(path): \(reason)"
        case .generationFailed(let reason):
            "cannot generate a development certificate: \(reason)"
        }
    }
}
