/// Why TLS material could not be loaded; each case names the file so an operator can fix it.
public enum TLSLoadError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read (missing, permissions, a folder, too large).
    case unreadable(file: String, reason: String)
    /// The certificate file holds no PEM `CERTIFICATE` block BoringSSL can parse.
    case notPEMCertificateChain(file: String)
    /// The key file holds no PEM private key BoringSSL can parse (an encrypted key is refused too).
    case notPEMPrivateKey(file: String)
    /// The leaf certificate parsed in BoringSSL but not in swift-certificates.
    case unsupportedCertificate(file: String, reason: String)
    /// The key is of a type swift-certificates does not know, so it cannot be checked against the certificate.
    case unsupportedKey(file: String, reason: String)
    /// The private key's public key is not the leaf certificate's.
    case keyDoesNotMatchCertificate(certificateFile: String, privateKeyFile: String)
    /// BoringSSL refused to build a context from otherwise valid material.
    case contextRefused(reason: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            "cannot read TLS file \(file): \(reason)"
        case .notPEMCertificateChain(let file):
            "TLS certificate file \(file) is not a PEM certificate chain (expected -----BEGIN CERTIFICATE-----)"
        case .notPEMPrivateKey(let file):
            "TLS private key file \(file) is not an unencrypted PEM private key (expected -----BEGIN PRIVATE KEY-----)"
        case .unsupportedCertificate(let file, let reason):
            "TLS certificate file \(file): the first certificate cannot be parsed: \(reason)"
        case .unsupportedKey(let file, let reason):
            "TLS private key file \(file): unsupported key type: \(reason)"
        case .keyDoesNotMatchCertificate(let certificateFile, let privateKeyFile):
            "TLS private key \(privateKeyFile) does not match the first certificate in \(certificateFile)"
        case .contextRefused(let reason):
            "cannot build a TLS context: \(reason)"
        }
    }
}
