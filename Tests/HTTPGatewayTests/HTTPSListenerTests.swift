import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MailgateCore
import MailgateTLS
import NIOCore
import NIOSSL
import Prometheus
import Testing

@testable import HTTPGateway

@Suite("HTTPS listener")
struct HTTPSListenerTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mailgate-https-\(UUID().uuidString)")
        .path

    @Test("the tls_listen application serves /healthz over TLS to a client trusting the development CA")
    func healthOverTLS() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let certificate = folder + "/server.crt"
        let key = folder + "/server.key"
        try DevelopmentCertificates.ensure(
            certificatePath: certificate, privateKeyPath: key, hostname: "mail.example.test", extraNames: [],
            logger: .quiet
        )
        let material = try TLSMaterial.load(certificatePath: certificate, privateKeyPath: key)
        let address = HostPort(host: "127.0.0.1", port: 8443)
        let gateway = HTTPGateway(
            settings: .init(tlsListen: address), tls: material.serverConfiguration(),
            registry: PrometheusCollectorRegistry(), readiness: { true }, logger: .quiet
        )
        var trusting = TLSConfiguration.makeClientConfiguration()
        trusting.trustRoots = .file(folder + "/ca.crt")
        let clientTLS = trusting

        // The live framework's own client speaks plain HTTP; only its port is used here.
        try await gateway.application(listeningOn: address, tls: material.serverConfiguration()).test(.live) { plain in
            let port = try #require(plain.port)
            let client = TestClient(
                host: "localhost", port: port,
                configuration: .init(tlsConfiguration: clientTLS, serverName: "localhost")
            )
            client.connect()
            let response = try await client.get("/healthz")
            try await client.shutdown()
            #expect(response.status == .ok)
            #expect(response.body.map { String(buffer: $0) } == #"{"status":"ok"}"#)
        }
    }

    @Test("TLS material BoringSSL refuses is reported when services are built, not when they run")
    func refusedTLSIsReportedEarly() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // One pair's certificate with another pair's key: BoringSSL refuses the mismatch.
        for name in ["a", "b"] {
            try DevelopmentCertificates.ensure(
                certificatePath: folder + "/\(name)/server.crt", privateKeyPath: folder + "/\(name)/server.key",
                hostname: "mail.example.test", extraNames: [], logger: .quiet
            )
        }
        let broken = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(folder + "/a/server.crt").map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: folder + "/b/server.key", format: .pem))
        )
        let address = HostPort(host: "127.0.0.1", port: 8443)
        let gateway = HTTPGateway(
            settings: .init(tlsListen: address), tls: broken, registry: PrometheusCollectorRegistry(),
            readiness: { true }, logger: .quiet
        )
        let error = #expect(throws: HTTPGatewayError.self) { try gateway.services() }
        guard case .tlsRefused(let refusedAddress, _) = error else {
            Issue.record("expected tlsRefused, got \(String(describing: error))")
            return
        }
        #expect(refusedAddress == address)
    }
}
