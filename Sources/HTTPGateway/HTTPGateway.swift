import Hummingbird
import HummingbirdCore
import HummingbirdTLS
public import Logging
public import MailgateCore
public import NIOCore
public import NIOSSL
public import Prometheus
public import ServiceLifecycle

/// The HTTP side of Mailgate: one Hummingbird application per configured listener, all serving
/// the routes of ``makeRouter(registry:readiness:)``.
///
/// `http.listen` serves plain HTTP (for a TLS-terminating proxy in front); `http.tls_listen`
/// serves HTTPS with the configured certificate. A listener whose key is absent is not started.
public struct HTTPGateway: Sendable {
    /// Connections silent this long are closed, so idle keep-alive clients cannot pin descriptors.
    public static let idleTimeout: TimeAmount = .seconds(60)
    /// The largest request body a route reads (a declared larger `Content-Length` gets 413 before
    /// routing). ActiveSync attachments will raise this per route when they arrive (issue 3 keeps it small).
    public static let maxRequestBodyBytes = 1 << 20

    private let settings: MailgateConfig.ListenerPair
    private let tls: TLSConfiguration?
    private let registry: PrometheusCollectorRegistry
    private let readiness: @Sendable () async -> Bool
    private let logger: Logger

    /// - Parameters:
    ///   - settings: `http.listen` and `http.tls_listen` from the configuration.
    ///   - tls: The server TLS configuration (from `MailgateTLS.TLSMaterial`); required when
    ///     `settings.tlsListen` is set.
    ///   - registry: The metrics `GET /metrics` exposes.
    ///   - readiness: Asked on every `GET /healthz`; true answers 200, false 503. Keep it cheap.
    ///   - logger: Used by the servers and, with a request id, by each request.
    public init(
        settings: MailgateConfig.ListenerPair,
        tls: TLSConfiguration?,
        registry: PrometheusCollectorRegistry,
        readiness: @escaping @Sendable () async -> Bool,
        logger: Logger
    ) {
        self.settings = settings
        self.tls = tls
        self.registry = registry
        self.readiness = readiness
        self.logger = logger
    }

    /// One service per configured listener, for the caller's `ServiceGroup`.
    ///
    /// Each service binds when run and, on graceful shutdown, stops accepting and lets open
    /// requests finish (bounded by the group's shutdown timeout). Returns an empty array when
    /// neither listener is configured.
    /// - Throws: ``HTTPGatewayError`` when `tls_listen` is set without TLS material or BoringSSL
    ///   refuses the TLS configuration; checked here so `serve` fails before anything binds.
    public func services() throws(HTTPGatewayError) -> [any Service] {
        var services: [any Service] = []
        if let address = settings.listen {
            services.append(try application(listeningOn: address, tls: nil))
        }
        if let address = settings.tlsListen {
            guard let tls else { throw .tlsListenWithoutCertificate(address: address) }
            services.append(try application(listeningOn: address, tls: tls))
        }
        return services
    }

    /// The application for one listener; internal so tests can run it on an ephemeral port.
    func application(
        listeningOn address: HostPort,
        tls: TLSConfiguration?
    ) throws(HTTPGatewayError) -> some ApplicationProtocol {
        let http1 = HTTPServerBuilder.http1(configuration: .init(idleTimeout: Self.idleTimeout))
        let server: HTTPServerBuilder
        if let tls {
            do {
                // Hummingbird builds the context only when the listener starts; building it now
                // reports a bad certificate before any service of the group has started.
                _ = try NIOSSLContext(configuration: tls)
                server = try .tls(http1, tlsConfiguration: tls)
            } catch {
                throw .tlsRefused(address: address, reason: "\(error)")
            }
        } else {
            server = http1
        }
        var logger = self.logger
        logger[metadataKey: "listener"] = "\(tls == nil ? "http" : "https")://\(address)"
        return Application(
            router: Self.makeRouter(registry: registry, readiness: readiness),
            server: server,
            configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port)),
            logger: logger
        )
    }
}

/// Why the HTTP listeners cannot be set up.
public enum HTTPGatewayError: Error, Equatable, CustomStringConvertible {
    /// `http.tls_listen` is configured but no TLS material was given.
    case tlsListenWithoutCertificate(address: HostPort)
    /// BoringSSL refused the TLS configuration for this listener.
    case tlsRefused(address: HostPort, reason: String)

    public var description: String {
        switch self {
        case .tlsListenWithoutCertificate(let address):
            "http.tls_listen: \"\(address)\" needs tls.certificate and tls.private_key"
        case .tlsRefused(let address, let reason):
            "http.tls_listen: \"\(address)\": the TLS configuration was refused: \(reason)"
        }
    }
}
