public import Hummingbird
import NIOCore
public import Prometheus

extension HTTPGateway {
    /// The router every HTTP listener serves; later issues add their routes here.
    ///
    /// - `GET /healthz`: 200 `{"status":"ok"}` when `readiness` returns true, else 503
    ///   `{"status":"unavailable"}`, both `application/json`.
    /// - `GET /metrics`: 200, the Prometheus text exposition format 0.0.4 of `registry`.
    /// - Anything else: 404.
    public static func makeRouter(
        registry: PrometheusCollectorRegistry,
        readiness: @escaping @Sendable () async -> Bool
    ) -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        router.add(middleware: RequestBodyLimitMiddleware(maxBytes: maxRequestBodyBytes))
        router.get("healthz") { _, _ in
            await health(isReady: readiness())
        }
        router.get("metrics") { _, _ in
            metrics(from: registry)
        }
        return router
    }

    static func health(isReady: Bool) -> Response {
        let body = isReady ? #"{"status":"ok"}"# : #"{"status":"unavailable"}"#
        return Response(
            status: isReady ? .ok : .serviceUnavailable,
            // no-store: a cached "ok" from before a failure would hide it from the prober.
            headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body))
        )
    }

    static func metrics(from registry: PrometheusCollectorRegistry) -> Response {
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return Response(
            status: .ok,
            // The content type Prometheus expects for the text format (exposition formats, 0.0.4).
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }
}
