import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MailgateCore
import NIOCore
import Prometheus
import Testing

@testable import HTTPGateway

@Suite("HTTP gateway")
struct HTTPGatewayTests {
    let registry = PrometheusCollectorRegistry()

    func application(isReady: Bool) -> some ApplicationProtocol {
        Application(router: HTTPGateway.makeRouter(registry: registry, readiness: { isReady }), logger: .quiet)
    }

    @Test("GET /healthz is 200 {\"status\":\"ok\"} when ready")
    func healthReady() async throws {
        try await application(isReady: true).test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                #expect(String(buffer: response.body) == #"{"status":"ok"}"#)
            }
        }
    }

    @Test("GET /healthz is 503 {\"status\":\"unavailable\"} when not ready")
    func healthNotReady() async throws {
        try await application(isReady: false).test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.contentType] == "application/json")
                #expect(String(buffer: response.body) == #"{"status":"unavailable"}"#)
            }
        }
    }

    @Test("GET /metrics exposes the registry in the Prometheus text format")
    func metrics() async throws {
        let counter = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "mailgate", subsystem: "test", metricName: "events", unitName: "total",
                helpText: "Events seen by the test."
            )
        )
        counter.increment(by: Int64(3))
        try await application(isReady: true).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let text = String(buffer: response.body)
                #expect(text.contains("# TYPE mailgate_test_events_total counter"))
                #expect(text.contains("\nmailgate_test_events_total 3\n"))
            }
        }
    }

    @Test("an unknown path is 404")
    func unknownPath() async throws {
        try await application(isReady: true).test(.router) { client in
            try await client.execute(uri: "/nothing-here", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("a body declared larger than the limit is 413 before routing")
    func bodyTooLarge() async throws {
        try await application(isReady: true).test(.router) { client in
            let body = ByteBuffer(repeating: 0x61, count: HTTPGateway.maxRequestBodyBytes + 1)
            try await client.execute(
                uri: "/healthz", method: .get,
                headers: [.contentLength: "\(body.readableBytes)"], body: body
            ) { response in
                #expect(response.status == .contentTooLarge)
            }
        }
    }

    @Test("the listener's application answers over loopback")
    func liveLoopback() async throws {
        let gateway = HTTPGateway(
            settings: .init(listen: HostPort(host: "127.0.0.1", port: 8080)),
            tls: nil, registry: registry, readiness: { true }, logger: .quiet
        )
        try await gateway.application(listeningOn: HostPort(host: "127.0.0.1", port: 8080), tls: nil)
            .test(.live) { client in
                try await client.execute(uri: "/healthz", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body) == #"{"status":"ok"}"#)
                }
            }
    }

    @Test("one service per configured listener; none when both keys are absent")
    func servicesPerListener() throws {
        func services(_ settings: MailgateConfig.ListenerPair) throws -> Int {
            try HTTPGateway(
                settings: settings, tls: nil, registry: registry, readiness: { true }, logger: .quiet
            ).services().count
        }
        #expect(try services(.init()) == 0)
        #expect(try services(.init(listen: HostPort(host: "127.0.0.1", port: 8080))) == 1)
    }

    @Test("tls_listen without TLS material is a named error")
    func tlsListenNeedsCertificate() throws {
        let address = HostPort(host: "127.0.0.1", port: 8443)
        let gateway = HTTPGateway(
            settings: .init(tlsListen: address), tls: nil, registry: registry, readiness: { true },
            logger: .quiet
        )
        #expect(throws: HTTPGatewayError.tlsListenWithoutCertificate(address: address)) {
            try gateway.services()
        }
    }
}

extension Logger {
    /// Discards everything, so test output shows only the tests.
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
}
