import Foundation
public import NIOSSL
import SwiftASN1
import X509

/// A server's certificate chain and private key, loaded and checked once at start-up.
///
/// Every TLS listener (HTTPS, IMAPS, POP3S, STARTTLS) builds its configuration from one value, so
/// a bad file is reported once, naming the file, before any listener binds.
public struct TLSMaterial: Sendable {
    /// The chain as served: leaf first, then intermediates (and, for development certificates, the CA).
    public let certificateChain: [NIOSSLCertificate]
    /// The leaf certificate's private key.
    public let privateKey: NIOSSLPrivateKey

    /// Reads a PEM certificate chain and a PEM private key and checks that they belong together.
    ///
    /// Blocking file I/O: call it at start-up, not from an event loop.
    /// - Throws: ``TLSLoadError`` naming the file and what is wrong with it.
    public static func load(certificatePath: String, privateKeyPath: String) throws(TLSLoadError) -> TLSMaterial {
        let certificateBytes = try read(certificatePath)
        let keyBytes = try read(privateKeyPath)

        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(certificateBytes)
        } catch {
            throw .notPEMCertificateChain(file: certificatePath)
        }
        guard let leaf = chain.first else { throw .notPEMCertificateChain(file: certificatePath) }

        let privateKey: NIOSSLPrivateKey
        do {
            privateKey = try NIOSSLPrivateKey(bytes: keyBytes, format: .pem)
        } catch {
            throw .notPEMPrivateKey(file: privateKeyPath)
        }

        // BoringSSL would also notice a mismatch, but only as an anonymous error when the first
        // context is built; checking here names both files.
        let leafKey: Certificate.PublicKey
        do {
            leafKey = try Certificate(derEncoded: try leaf.toDERBytes()).publicKey
        } catch {
            throw .unsupportedCertificate(file: certificatePath, reason: "\(error)")
        }
        let keysPublicKey: Certificate.PublicKey
        do {
            keysPublicKey = try Certificate.PrivateKey(pemEncoded: privateKeyBlock(in: keyBytes)).publicKey
        } catch {
            throw .unsupportedKey(file: privateKeyPath, reason: "\(error)")
        }
        guard leafKey == keysPublicKey else {
            throw .keyDoesNotMatchCertificate(certificateFile: certificatePath, privateKeyFile: privateKeyPath)
        }
        return TLSMaterial(certificateChain: chain, privateKey: privateKey)
    }

    /// A server configuration serving this chain: TLS 1.2 or later, NIOSSL's default server cipher
    /// suites, no client certificates.
    public func serverConfiguration() -> TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: certificateChain.map { .certificate($0) },
            privateKey: .privateKey(privateKey)
        )
        // TLS 1.0 and 1.1 are deprecated (RFC 8996); every mail and ActiveSync client since ~2014 speaks 1.2.
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }

    /// A context for ``serverConfiguration()``; build it once and share it, it is thread-safe.
    /// - Throws: ``TLSLoadError/contextRefused(reason:)`` when BoringSSL refuses the configuration.
    public func makeServerContext() throws(TLSLoadError) -> NIOSSLContext {
        do {
            return try NIOSSLContext(configuration: serverConfiguration())
        } catch {
            throw .contextRefused(reason: "\(error)")
        }
    }

    /// The first `-----BEGIN ... PRIVATE KEY-----` block of a PEM file.
    ///
    /// BoringSSL skips other blocks (openssl ecparam writes "EC PARAMETERS" before the key), but
    /// swift-certificates parses exactly one document, so hand it only the key.
    static func privateKeyBlock(in bytes: [UInt8]) -> String {
        var block: [Substring] = []
        for line in String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if block.isEmpty {
                if trimmed.hasPrefix("-----BEGIN ") && trimmed.hasSuffix("PRIVATE KEY-----") { block.append(line) }
            } else {
                block.append(line)
                if trimmed.hasPrefix("-----END ") { break }
            }
        }
        return block.joined(separator: "\n")
    }

    private static func read(_ path: String) throws(TLSLoadError) -> [UInt8] {
        do {
            return try AtomicFile.read(path)
        } catch {
            throw .unreadable(file: path, reason: error.reason)
        }
    }
}
