import Foundation
import Logging
import MailgateTLS
import MailgateTesting
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import Testing

@Suite("TLS material")
struct TLSMaterialTests {
    let folder = TemporaryDirectory(prefix: "mailgate-tls")

    /// Development certificates in `name/` of the test folder.
    func generate(_ name: String) throws -> (certificate: String, key: String, authority: String) {
        let certificate = folder.file("\(name)/server.crt")
        let key = folder.file("\(name)/server.key")
        try DevelopmentCertificates.ensure(
            certificatePath: certificate, privateKeyPath: key, hostname: "mail.example.test", extraNames: [],
            logger: .quiet
        )
        return (certificate, key, folder.file("\(name)/ca.crt"))
    }

    @Test("a generated pair loads: chain of two, TLS 1.2 minimum")
    func loadsGeneratedPair() throws {
        let files = try generate("a")
        let material = try TLSMaterial.load(certificatePath: files.certificate, privateKeyPath: files.key)
        #expect(material.certificateChain.count == 2)
        #expect(material.serverConfiguration().minimumTLSVersion == .tlsv12)
        _ = try material.makeServerContext()
    }

    @Test("a key from another pair is refused, naming both files")
    func mismatchedKeyIsRefused() throws {
        let first = try generate("a")
        let second = try generate("b")
        let error = #expect(throws: TLSLoadError.self) {
            try TLSMaterial.load(certificatePath: first.certificate, privateKeyPath: second.key)
        }
        #expect(error == .keyDoesNotMatchCertificate(certificateFile: first.certificate, privateKeyFile: second.key))
        #expect(error?.description.contains(first.certificate) == true)
        #expect(error?.description.contains(second.key) == true)
    }

    @Test("a missing file is unreadable, naming it")
    func missingFile() throws {
        let files = try generate("a")
        let missing = folder.file("nothing.crt")
        let error = #expect(throws: TLSLoadError.self) {
            try TLSMaterial.load(certificatePath: missing, privateKeyPath: files.key)
        }
        guard case .unreadable(let file, _) = error else {
            Issue.record("expected unreadable, got \(String(describing: error))")
            return
        }
        #expect(file == missing)
    }

    @Test("a certificate file that is not PEM is refused")
    func certificateNotPEM() throws {
        let files = try generate("a")
        try Data("hello".utf8).write(to: URL(fileURLWithPath: files.certificate))
        #expect(throws: TLSLoadError.notPEMCertificateChain(file: files.certificate)) {
            try TLSMaterial.load(certificatePath: files.certificate, privateKeyPath: files.key)
        }
    }

    @Test("a certificate given as the key is refused as not a PEM private key")
    func keyNotPEM() throws {
        let files = try generate("a")
        #expect(throws: TLSLoadError.notPEMPrivateKey(file: files.authority)) {
            try TLSMaterial.load(certificatePath: files.certificate, privateKeyPath: files.authority)
        }
    }

    @Test("a SEC1 key after an EC PARAMETERS block (openssl ecparam -genkey) is checked too")
    func keyWithParametersBlock() throws {
        let files = try generate("a")
        let other = try generate("b")
        let pkcs8 = try String(contentsOfFile: other.key, encoding: .utf8)
        // The PKCS#8 key of "b" behind a parameters block: loads in BoringSSL, must still be compared.
        let withParameters = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" + pkcs8
        try Data(withParameters.utf8).write(to: URL(fileURLWithPath: other.key))
        #expect(
            throws: TLSLoadError.keyDoesNotMatchCertificate(
                certificateFile: files.certificate, privateKeyFile: other.key)
        ) {
            try TLSMaterial.load(certificatePath: files.certificate, privateKeyPath: other.key)
        }
        _ = try TLSMaterial.load(certificatePath: other.certificate, privateKeyPath: other.key)
    }

    @Test("a client trusting the development CA completes a handshake over loopback")
    func handshakeWithTrustedAuthority() async throws {
        let files = try generate("a")
        var client = TLSConfiguration.makeClientConfiguration()
        client.trustRoots = .file(files.authority)
        try await handshake(files: files, client: client)
    }

    @Test("a client trusting only the system roots refuses the development certificate")
    func handshakeWithoutTrustFails() async throws {
        let files = try generate("a")
        var client = TLSConfiguration.makeClientConfiguration()
        client.trustRoots = .certificates([])
        await #expect(throws: (any Error).self) {
            try await handshake(files: files, client: client)
        }
    }

    @Test("a TLS 1.1 client is refused (RFC 8996)")
    func oldProtocolRefused() async throws {
        let files = try generate("a")
        var client = TLSConfiguration.makeClientConfiguration()
        client.trustRoots = .file(files.authority)
        client.minimumTLSVersion = .tlsv1
        client.maximumTLSVersion = .tlsv11
        await #expect(throws: (any Error).self) {
            try await handshake(files: files, client: client)
        }
    }

    /// Serves the generated pair on 127.0.0.1 and connects as `localhost`; returns once the
    /// client's handshake completed, throws if it failed.
    func handshake(files: (certificate: String, key: String, authority: String), client: TLSConfiguration) async throws
    {
        let material = try TLSMaterial.load(certificatePath: files.certificate, privateKeyPath: files.key)
        let serverContext = try material.makeServerContext()
        let clientContext = try NIOSSLContext(configuration: client)
        let group = MultiThreadedEventLoopGroup.singleton

        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: serverContext))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(server.localAddress?.port)

        let handshake = group.next().makePromise(of: Void.self)
        do {
            let connection = try await ClientBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: clientContext, serverHostname: "localhost")
                        )
                        try channel.pipeline.syncOperations.addHandler(HandshakeWatcher(promise: handshake))
                    }
                }
                .connect(host: "127.0.0.1", port: port).get()
            defer { connection.close(promise: nil) }
            try await handshake.futureResult.get()
        } catch {
            handshake.fail(error)
            try? await server.close()
            throw error
        }
        try await server.close()
    }
}

/// Completes its promise when the TLS handshake completes, fails it on any error or early close.
final class HandshakeWatcher: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let promise: EventLoopPromise<Void>

    init(promise: EventLoopPromise<Void>) { self.promise = promise }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event { promise.succeed() }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }
}
